import { describe, expect, it } from 'vitest';
import { createRequestHandler, type HandlerRequest } from '../../src/http/handler.js';
import { createRateLimiter } from '../../src/http/throttle.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { fargate } from '../support/fixtures.js';

function setup(throttle = true) {
  let nowMs = 1_700_000_000_000;
  const handler = createRequestHandler({
    source: createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
    throttle,
    now: () => nowMs,
  });
  const get = (path: string, remoteAddress = '10.0.0.1') => {
    const result = handler.handle({
      method: 'GET',
      url: path,
      remoteAddress,
      remotePort: 5000,
    } satisfies HandlerRequest);
    if (result.type !== 'response') throw new Error(`expected a response, got ${result.type}`);
    return result;
  };
  return { get, advance: (ms: number) => (nowMs += ms) };
}

const stats = `/v4/${fargate.runningId}/task/stats`;
const task = `/v4/${fargate.runningId}/task`;

describe('throttling like tollbooth (40/s steady, burst 60, per client IP and path)', () => {
  it('allows a burst of 60, then answers 429 text/plain', () => {
    const { get } = setup();
    const statuses = Array.from({ length: 61 }, () => get(stats).status);
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    const limited = get(stats);
    expect([statuses[60], limited.status, limited.headers['Content-Type'], limited.body]).toEqual([
      429,
      429,
      'text/plain; charset=utf-8',
      'You have reached maximum request limit.',
    ]);
    expect(limited.headers['X-Rate-Limit-Limit']).toBe('40.00');
  });

  it('refills at 40 tokens per second', () => {
    const { get, advance } = setup();
    for (let i = 0; i < 60; i++) get(stats);
    advance(24);
    expect(get(stats).status).toBe(429);
    advance(1); // 25 ms = one token at 40/s
    expect(get(stats).status).toBe(200);
    expect(get(stats).status).toBe(429);
    advance(1000); // 40 more, not the full burst
    const after = Array.from({ length: 41 }, () => get(stats).status);
    expect(after.filter((s) => s === 200)).toHaveLength(40);
    expect(after[40]).toBe(429);
  });

  it('keeps separate buckets per path and per client, and counts unknown paths too', () => {
    const { get } = setup();
    for (let i = 0; i < 60; i++) get(stats);
    expect(get(stats).status).toBe(429);
    expect(get(task).status).toBe(200);
    expect(get(stats, '10.0.0.2').status).toBe(200);
    for (let i = 0; i < 60; i++) get('/nope');
    expect(get('/nope').status).toBe(429);
  });

  it('never throttles with throttling off or on the control API', () => {
    const { get } = setup(false);
    expect(Array.from({ length: 500 }, () => get(stats).status).every((s) => s === 200)).toBe(true);
    const throttled = setup();
    expect(
      Array.from({ length: 200 }, () => throttled.get('/__taskscope/faults').status).every((s) => s === 200),
    ).toBe(true);
  });

  it('forgets full buckets when there are many clients, without changing answers', () => {
    const limiter = createRateLimiter({ steadyPerSecond: 40, burst: 2 });
    expect([limiter.allow('a', 0), limiter.allow('a', 0), limiter.allow('a', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    for (let i = 0; i < 5000; i++) limiter.allow(`client-${i}`, 1000);
    // 'a' refilled long ago; whether swept or not, it has its full burst again.
    expect([limiter.allow('a', 1000), limiter.allow('a', 1000), limiter.allow('a', 1000)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(() => createRateLimiter({ steadyPerSecond: 0 })).toThrow(
      'rate limit: field "steadyPerSecond" is 0 (number); expected a rate above 0',
    );
    expect(() => createRateLimiter({ steadyPerSecond: -1, burst: 0 })).toThrow(
      'rate limit (2 problems):\n  field "steadyPerSecond" is -1 (number); expected a rate above 0\n  field "burst" is 0 (number); expected a number of requests ≥ 1',
    );
  });

  it('never lets more than burst + rate × elapsed requests through', () => {
    const limiter = createRateLimiter();
    let nowMs = 0;
    let allowed = 0;
    for (let i = 0; i < 5000; i++) {
      nowMs += (i * 7919) % 13; // an irregular request clock, 0–12 ms apart
      if (limiter.allow('k', nowMs)) allowed++;
    }
    expect(allowed).toBeLessThanOrEqual(60 + Math.floor((nowMs * 40) / 1000));
    expect(allowed).toBeGreaterThanOrEqual(Math.floor((nowMs * 40) / 1000));
  });
});
