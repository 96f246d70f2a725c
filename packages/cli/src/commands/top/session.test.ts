import { EventEmitter } from 'node:events';
import type { Snapshot } from '@taskscope/sdk';
import { UNSAMPLED } from '@taskscope/sdk/testing';
import { waitFor } from '@taskscope/test-support';
import { describe, expect, it } from 'vitest';
import { container, fargate10, snapshot } from '../../../test/top-snapshots.js';
import { TopError } from '../../errors.js';
import { CSI, openLiveScreen } from './screen.js';
import { renderOnce, runLive, type SnapshotClient, type TopSource, watchSource } from './session.js';

/** A terminal in memory: what was written, raw mode, and the listeners top left behind. */
function fakeTerminal(columns = 80, rows = 30) {
  const output = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns,
    rows,
    written: '',
    write(text: string) {
      output.written += text;
      return true;
    },
  });
  const input = Object.assign(new EventEmitter(), {
    isTTY: true,
    raw: false,
    flowing: false,
    setRawMode(mode: boolean) {
      input.raw = mode;
    },
    resume() {
      input.flowing = true;
    },
    pause() {
      input.flowing = false;
    },
    type(keys: string) {
      input.emit('data', Buffer.from(keys, 'latin1'));
    },
  });
  return { output, input, streams: { output, input } };
}

/** The frame last drawn: from the last cursor-home to the end, as lines without control codes. */
function lastFrame(written: string): string[] {
  const frame = written.slice(written.lastIndexOf(CSI.home) + CSI.home.length);
  return frame.replaceAll(CSI.clearToLineEnd, '').replaceAll(CSI.clearToScreenEnd, '').split('\r\n');
}

/** The last cursor-visibility code written: show or hide. */
function lastCursorCode(written: string): string {
  return written.lastIndexOf(CSI.showCursor) > written.lastIndexOf(CSI.hideCursor) ? 'show' : 'hide';
}

/** A client that answers `snapshot()` with `answers` in turn (the last one again) and streams what the test pushes. */
function fakeClient(answers: readonly (Snapshot | Error)[]) {
  let calls = 0;
  const subscribers = new Set<(snapshot: Snapshot) => void>();
  const client: SnapshotClient = {
    snapshot: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    subscribe: (onSnapshot, options = {}) =>
      new Promise<void>((resolve) => {
        subscribers.add(onSnapshot);
        options.onState?.({ state: 'open' });
        options.signal?.addEventListener('abort', () => {
          subscribers.delete(onSnapshot);
          resolve();
        });
      }),
  };
  return {
    client,
    calls: () => calls,
    subscribed: () => subscribers.size > 0,
    push: (document: Snapshot) => {
      for (const subscriber of subscribers) subscriber(document);
    },
  };
}

function sourceOf(client: SnapshotClient, endpointFailuresAreFatal = false): TopSource {
  return {
    client,
    description: 'the agent at http://agent.test/',
    endpointFailuresAreFatal,
    close: async () => undefined,
  };
}

const notReady = (failures: number): Snapshot => {
  const base = fargate10();
  return {
    ...base,
    ...UNSAMPLED,
    poll: {
      ...base.poll,
      ready: false,
      consecutiveFailures: failures,
      lastError:
        failures === 0
          ? null
          : {
              code: 'TMDS_CONNECTION',
              message: 'connect ECONNREFUSED 127.0.0.1:9',
              endpoint: 'task',
              at: base.generatedAt,
            },
    },
  };
};

describe('the live screen', () => {
  it('enters the alternate screen with the cursor hidden and restores everything once, whatever calls it', () => {
    const terminal = fakeTerminal();
    const exitListeners = process.listenerCount('exit');
    const screen = openLiveScreen(terminal.streams, { onKey: () => undefined, onResize: () => undefined });
    expect(terminal.output.written).toBe(
      `${CSI.enterAlternateScreen}${CSI.hideCursor}${CSI.home}${CSI.clearToScreenEnd}`,
    );
    expect([terminal.input.raw, terminal.input.flowing]).toEqual([true, true]);
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    screen.draw(['one', 'two']);
    expect(
      terminal.output.written.endsWith(
        `${CSI.hideCursor}${CSI.home}one${CSI.clearToLineEnd}\r\ntwo${CSI.clearToLineEnd}${CSI.clearToScreenEnd}`,
      ),
    ).toBe(true);
    screen.restore();
    expect(
      terminal.output.written.endsWith(`${CSI.resetStyle}${CSI.leaveAlternateScreen}${CSI.showCursor}`),
    ).toBe(true);
    expect([terminal.input.raw, terminal.input.flowing]).toEqual([false, false]);
    expect(process.listenerCount('exit')).toBe(exitListeners);
    expect([terminal.output.listenerCount('resize'), terminal.input.listenerCount('data')]).toEqual([0, 0]);
    const after = terminal.output.written;
    screen.restore();
    screen.draw(['late']);
    expect(terminal.output.written).toBe(after);
  });

  it('draws every snapshot the stream delivers, re-sorts on c m n t d, and q restores the terminal and resolves', async () => {
    const terminal = fakeTerminal(80, 30);
    const fake = fakeClient([fargate10()]);
    const running = runLive(sourceOf(fake.client), {
      streams: terminal.streams,
      sortKey: 'cpu',
      color: false,
    });
    await waitFor('the first frame', () =>
      lastFrame(terminal.output.written)[0]?.startsWith('storefront:118') ? true : undefined,
    );
    const firstRow = () => lastFrame(terminal.output.written)[6]?.split(' ')[0];
    expect(firstRow()).toBe('api');
    await waitFor('the subscription', () => (fake.subscribed() ? true : undefined));
    const next = {
      ...fargate10(),
      id: fargate10().id! + 10_000,
      containers: [container('only-one', { cores: 3 })],
    };
    fake.push(next);
    expect(lastFrame(terminal.output.written)[3]).toMatch(/^sample 00:00:20Z /);
    expect(firstRow()).toBe('only-one');
    fake.push(fargate10());
    for (const [key, first] of [
      ['m', 'search'],
      ['n', 'api'],
      ['d', 'search'],
      ['t', 'api'],
      ['c', 'api'],
    ] as const) {
      terminal.input.type(key);
      expect([key, firstRow()]).toEqual([key, first]);
      expect(lastFrame(terminal.output.written)[3]).toContain(
        `sort ${({ m: 'memory', n: 'name', d: 'disk', t: 'net', c: 'cpu' } as const)[key]} `,
      );
    }
    terminal.output.columns = 60;
    terminal.output.emit('resize');
    expect(lastFrame(terminal.output.written)[5]).toBe(
      'NAME             STATE     CPU  CPU%   MEM  MEM%  RST',
    );
    terminal.input.type('q');
    await running;
    expect(lastCursorCode(terminal.output.written)).toBe('show');
    expect(terminal.output.written.endsWith(CSI.showCursor)).toBe(true);
    expect(terminal.input.raw).toBe(false);
  });

  it('quits on Ctrl-C in raw mode and on SIGTERM, restoring the terminal both times', async () => {
    const listeners = process.listenerCount('SIGTERM');
    for (const stop of ['ctrl-c', 'SIGTERM'] as const) {
      const terminal = fakeTerminal();
      const fake = fakeClient([fargate10()]);
      const running = runLive(sourceOf(fake.client), {
        streams: terminal.streams,
        sortKey: 'cpu',
        color: true,
      });
      await waitFor('the subscription', () => (fake.subscribed() ? true : undefined));
      if (stop === 'ctrl-c') terminal.input.type('\x03');
      else process.emit('SIGTERM', 'SIGTERM');
      await running;
      expect([stop, lastCursorCode(terminal.output.written), terminal.input.raw]).toEqual([
        stop,
        'show',
        false,
      ]);
      expect(process.listenerCount('SIGTERM')).toBe(listeners);
    }
  });

  it('restores the terminal and rejects with one line when the agent cannot be reached', async () => {
    const terminal = fakeTerminal();
    const fake = fakeClient([new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:9\n    at somewhere')]);
    const error = await runLive(sourceOf(fake.client), {
      streams: terminal.streams,
      sortKey: 'cpu',
      color: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopError);
    expect((error as TopError).message).toBe(
      'top: cannot reach the agent at http://agent.test/: fetch failed: connect ECONNREFUSED 127.0.0.1:9 at somewhere',
    );
    expect((error as TopError).exitCode).toBe(1);
    expect(terminal.output.written.startsWith(CSI.enterAlternateScreen)).toBe(true);
    expect(terminal.output.written.endsWith(`${CSI.leaveAlternateScreen}${CSI.showCursor}`)).toBe(true);
    expect(terminal.input.raw).toBe(false);
  });
});

describe('watchSource', () => {
  it('gives up on a direct read that fails three polls in a row before any success, naming the last error', async () => {
    const fake = fakeClient([notReady(0), notReady(1), notReady(2), notReady(3)]);
    const seen: Snapshot[] = [];
    const error = await watchSource(sourceOf(fake.client, true), {
      signal: new AbortController().signal,
      onSnapshot: (s) => seen.push(s),
      onNotice: () => undefined,
      unreachableIsFatal: false,
    }).catch((e: unknown) => e);
    expect((error as TopError).message).toBe(
      'top: cannot read the agent at http://agent.test/: TMDS_CONNECTION connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(seen.map((s) => s.poll.consecutiveFailures)).toEqual([0, 1, 2, 3]);
  });

  it("waits out a remote agent's failing polls and subscribes once it is ready", async () => {
    const fake = fakeClient([notReady(1), notReady(5), fargate10()]);
    const stop = new AbortController();
    const watching = watchSource(sourceOf(fake.client, false), {
      signal: stop.signal,
      onSnapshot: () => undefined,
      onNotice: () => undefined,
      unreachableIsFatal: false,
    });
    await waitFor('the subscription', () => (fake.subscribed() ? true : undefined));
    expect(fake.calls()).toBe(3);
    stop.abort();
    await watching;
  });
});

describe('renderOnce', () => {
  it('waits for the first snapshot with rates, skipping the first sample, and renders it without cursor codes', async () => {
    const first = { ...fargate10(), sample: { kind: 'first' as const, intervalSeconds: null } };
    const fake = fakeClient([first]);
    const once = renderOnce(sourceOf(fake.client), { widthColumns: 80, sortKey: 'name', color: false });
    await waitFor('the subscription', () => (fake.subscribed() ? true : undefined));
    fake.push(first);
    fake.push(snapshot([container('b'), container('a')]));
    const lines = await once;
    expect(lines[0]).toBe('storefront:118  4 vCPU 8 GiB  cost so far $0.0421 ($0.2370/h)  FARGATE');
    expect(lines.slice(5).map((line) => line.split(' ')[0])).toEqual(['NAME', 'a', 'b']);
    expect(lines.join('\n')).not.toContain('\x1b');
    expect(fake.subscribed()).toBe(false);
  });

  it('prints at once what an agent already has, and fails (exit 1) when the stream breaks while it waits', async () => {
    const ready = fakeClient([fargate10()]);
    expect(
      await renderOnce(sourceOf(ready.client), { widthColumns: 80, sortKey: 'cpu', color: false }),
    ).toHaveLength(16);
    const first = { ...fargate10(), sample: { kind: 'first' as const, intervalSeconds: null } };
    const breaking: SnapshotClient = {
      snapshot: async () => first,
      subscribe: async (_onSnapshot, options = {}) => {
        options.onError?.(new Error('the agent answered 401'));
        await new Promise((resolve) => options.signal?.addEventListener('abort', resolve));
      },
    };
    const error = await renderOnce(sourceOf(breaking), {
      widthColumns: 80,
      sortKey: 'cpu',
      color: false,
    }).catch((e: unknown) => e);
    expect((error as TopError).message).toBe(
      'top: cannot reach the agent at http://agent.test/: the agent answered 401',
    );
  });
});
