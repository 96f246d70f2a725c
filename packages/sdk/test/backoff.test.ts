/*
 * The stream's reconnect timing, on vitest's fake timers and a fake fetch (no socket, no real
 * wait): each delay is checked to the millisecond by advancing the clock to one ms short of it
 * (no new connection yet) and then to it (the connection is made).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryDelayMs } from '../src/backoff.ts';
import { createTaskscopeClient, type StreamState, type TaskscopeClientError } from '../src/index.ts';
import { sseEvent } from './agent-double.ts';
import { sampleSnapshot } from './samples.ts';

describe('retryDelayMs', () => {
  it('doubles from the base to the cap, keeping the upper half of each step', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, 1000, 30_000, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000, 15_000,
    ]);
    expect(
      [0, 1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, 1000, 30_000, () => 0.999_999)),
    ).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('keeps growing from a `retry: 0`', () => {
    expect([0, 1, 2, 10].map((attempt) => retryDelayMs(attempt, 0, 30_000, () => 0.999_999))).toEqual([
      1, 2, 4, 1024,
    ]);
  });

  it('stays within [ceiling / 2, ceiling] and never passes the cap', () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.integer({ min: 0, max: 120_000 }),
        fc.integer({ min: 1, max: 300_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, random) => {
          const ceilingMs = Math.min(maxMs, Math.max(1, baseMs) * 2 ** attempt);
          const delayMs = retryDelayMs(attempt, baseMs, maxMs, () => random);
          expect(delayMs).toBeGreaterThanOrEqual(Math.round(ceilingMs / 2));
          expect(delayMs).toBeLessThanOrEqual(Math.min(maxMs, Math.round(ceilingMs)));
        },
      ),
    );
  });
});

/** A fetch whose answers the test scripts, one per call; it records each call's headers. */
function scriptedFetch(answers: ((init: RequestInit) => Promise<Response>)[]) {
  const calls: Record<string, string>[] = [];
  const fetch: typeof globalThis.fetch = (_input, init = {}) => {
    calls.push({ ...(init.headers as Record<string, string>) });
    const answer = answers.shift();
    if (answer !== undefined) return answer(init);
    return Promise.reject(
      new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9780') }),
    );
  };
  return { fetch, calls };
}

function eventStream(text: string): Response {
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}

/** Never answers; rejects when the request's signal aborts, as fetch does. */
function hang(init: RequestInit): Promise<Response> {
  return new Promise((_resolve, reject) => {
    init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
  });
}

describe('subscribe() backoff (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs a subscription and gives a way to wait for its next `retrying` state. */
  function start(fetch: typeof globalThis.fetch, maxRetryMs?: number) {
    const controller = new AbortController();
    const states: StreamState[] = [];
    const errors: TaskscopeClientError[] = [];
    let waiter: ((delayMs: number) => void) | undefined;
    const done = createTaskscopeClient({ baseUrl: 'http://127.0.0.1:9780/', fetch }).subscribe(() => {}, {
      signal: controller.signal,
      onError: (error) => errors.push(error),
      onState: (state) => {
        states.push(state);
        if (state.state === 'retrying') waiter?.(state.delayMs);
      },
      ...(maxRetryMs === undefined ? {} : { maxRetryMs }),
    });
    const nextRetry = () =>
      new Promise<number>((resolve) => {
        waiter = resolve;
      });
    return { controller, states, errors, done, nextRetry };
  }

  /** Advances to one ms before `delayMs` (no new call yet), then to it (one new call). */
  async function waitOut(delayMs: number, calls: unknown[]): Promise<void> {
    const before = calls.length;
    await vi.advanceTimersByTimeAsync(delayMs - 1);
    expect(calls.length).toBe(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.length).toBe(before + 1);
  }

  /** The delays of the next `count` retries, each waited out before the next is taken. */
  async function retryDelays(
    run: ReturnType<typeof start>,
    calls: unknown[],
    count: number,
  ): Promise<number[]> {
    const delays: number[] = [];
    for (let retry = 0; retry < count; retry += 1) {
      const next = run.nextRetry();
      if (retry > 0) await waitOut(delays.at(-1) as number, calls);
      delays.push(await next);
    }
    return delays;
  }

  it('waits 1 s (jittered) after the first failure, doubling to maxRetryMs', async () => {
    const script = scriptedFetch([]);
    const run = start(script.fetch);
    const delays = await retryDelays(run, script.calls, 7);
    // Math.random is 0.5: each delay is three quarters of its ceiling (1 s, 2 s, … 30 s).
    expect(delays).toEqual([750, 1500, 3000, 6000, 12_000, 22_500, 22_500]);
    expect(run.errors[0]?.message).toBe(
      'GET http://127.0.0.1:9780/api/v1/stream: fetch failed: connect ECONNREFUSED 127.0.0.1:9780',
    );
    expect(run.errors.every((error) => error.code === 'NETWORK')).toBe(true);
    run.controller.abort();
    await run.done;
  });

  it('caps the delays at maxRetryMs', async () => {
    const script = scriptedFetch([]);
    const run = start(script.fetch, 4000);
    const delays = await retryDelays(run, script.calls, 4);
    expect(delays).toEqual([750, 1500, 3000, 3000]);
    run.controller.abort();
    await run.done;
  });

  it('starts from the server’s `retry:`, and starts over after a connection that carried events', async () => {
    const script = scriptedFetch([
      async () => eventStream('retry: 200\n\n'), // opens, sets 200 ms, ends without an event
      async () => Promise.reject(new TypeError('fetch failed')),
      async () => eventStream(sseEvent(sampleSnapshot(1000))), // healthy: carried an event, then ended
    ]);
    const run = start(script.fetch);
    const delays = await retryDelays(run, script.calls, 4);
    expect(delays).toEqual([150, 300, 150, 300]);
    expect(run.errors.map((error) => error.message)).toEqual([
      'GET http://127.0.0.1:9780/api/v1/stream: the agent closed the stream',
      'GET http://127.0.0.1:9780/api/v1/stream: fetch failed',
      'GET http://127.0.0.1:9780/api/v1/stream: the agent closed the stream',
      'GET http://127.0.0.1:9780/api/v1/stream: fetch failed: connect ECONNREFUSED 127.0.0.1:9780',
    ]);
    // The second connection resumes nowhere (nothing delivered yet); the fourth after 1000.
    expect(script.calls.map((headers) => headers['Last-Event-ID'])).toEqual([
      undefined,
      undefined,
      undefined,
      '1000',
    ]);
    run.controller.abort();
    await run.done;
  });

  it('gives a connection timeoutMs to answer, then reports TIMEOUT and retries', async () => {
    const script = scriptedFetch([hang]);
    const run = start(script.fetch);
    const next = run.nextRetry();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(run.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await next).toBe(750);
    expect(run.errors.map((error) => [error.code, error.message])).toEqual([
      ['TIMEOUT', 'GET http://127.0.0.1:9780/api/v1/stream: no answer in time'],
    ]);
    run.controller.abort();
    await run.done;
  });
});

describe('subscribe() decoding', () => {
  it('reads a stream that arrives one byte at a time, with a BOM, CRLF and multi-byte UTF-8', async () => {
    const snapshot = sampleSnapshot(1000);
    const named = { ...snapshot, containers: [{ ...snapshot.containers[0]!, name: 'café-😀' }] };
    const bytes = new TextEncoder().encode(
      `\uFEFF: hello\r\nretry: 5\r\n\r\n${sseEvent(named).replaceAll('\n', '\r\n')}`,
    );
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const script = scriptedFetch([
      async () => new Response(body, { headers: { 'content-type': 'text/event-stream;charset=utf-8' } }),
      hang,
    ]);
    const controller = new AbortController();
    const received: string[] = [];
    const done = createTaskscopeClient({ baseUrl: 'http://127.0.0.1:9780/', fetch: script.fetch }).subscribe(
      (delivered) => {
        received.push(delivered.containers[0]?.name ?? '');
        controller.abort();
      },
      { signal: controller.signal },
    );
    await done;
    expect(received).toEqual(['café-😀']);
  });
});
