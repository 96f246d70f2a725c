import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { REFUSED_PORT } from './ports.js';
import { spawnSource } from './source-process.js';
import { createStopper } from './stopper.js';
import { thrownBy } from './thrown.js';
import { WaitGaveUpError, WaitTimeoutError, waitFor } from './wait.js';

describe('waitFor', () => {
  it('returns the first value that is not undefined', async () => {
    let calls = 0;
    expect(
      await waitFor('the third call', () => (++calls === 3 ? 'three' : undefined), { intervalMs: 1 }),
    ).toBe('three');
  });

  it('fails with what it waited for, the last error and what it saw, never a partial result', async () => {
    const failure = waitFor(
      'the answer',
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 20, intervalMs: 5, seen: () => 'half a line' },
    );
    await expect(failure).rejects.toThrow(WaitTimeoutError);
    await expect(failure).rejects.toThrow(
      /^timed out after 20 ms waiting for the answer; last error: connection refused; seen so far:\nhalf a line$/,
    );
  });
});

describe('createStopper', () => {
  it('stops the last started first, runs every stop past a failure, throws the first, and forgets', async () => {
    const stopper = createStopper();
    const stopped: string[] = [];
    const first = { name: 'endpoint' };
    expect(stopper.track(first, (it) => stopped.push(it.name))).toBe(first);
    stopper.track('agent', async () => {
      stopped.push('agent');
      throw new Error('agent would not stop');
    });
    stopper.track('exporter', () => {
      stopped.push('exporter');
      throw new Error('exporter would not stop');
    });
    await expect(stopper.stopAll()).rejects.toThrow('exporter would not stop');
    expect(stopped).toEqual(['exporter', 'agent', 'endpoint']);
    await stopper.stopAll();
    expect(stopped).toHaveLength(3);
  });
});

describe('thrownBy', () => {
  it('gives back what the call throws, and fails a call that returns', () => {
    const error = new RangeError('bad');
    expect(
      thrownBy(() => {
        throw error;
      }),
    ).toBe(error);
    expect(() => thrownBy(() => 1)).toThrow('expected the call to throw; it returned');
  });
});

describe('spawnSource', () => {
  it('fails at once, with the output, when the process exits before the awaited output', async () => {
    const child = spawnSource('packages/test-support/src/index.ts', []);
    await expect(
      child.waitForOutput(
        'a line that never comes',
        ({ stdout }) => (stdout.includes('never') ? true : undefined),
        {
          timeoutMs: 60_000,
        },
      ),
    ).rejects.toThrow(WaitGaveUpError);
    await expect(child.waitForOutput('another line', () => undefined)).rejects.toThrow(
      /exited \(0\) before another line/,
    );
    expect(await child.exited).toBe(0);
  }, 90_000);
});

describe('REFUSED_PORT', () => {
  it('refuses a connection at once, so it can stand for an unreachable endpoint', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = connect(REFUSED_PORT, '127.0.0.1');
      socket.once('connect', () => reject(new Error('connected to port 0')));
      socket.once('error', resolve);
    });
    expect(error.code).toBe('ECONNREFUSED');
  });
});
