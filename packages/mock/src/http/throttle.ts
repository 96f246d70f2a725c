import { MockInputError } from '../common/errors.js';

/*
 * The real endpoint's throttle: tollbooth v4 over golang.org/x/time/rate, one token bucket
 * per (remote IP, URL path), steady 40 requests/s, burst 60 (aws/amazon-ecs-agent
 * `ecs-agent/tmds/server.go` setup(); `agent/config/config.go`
 * DefaultTaskMetadataSteadyStateRate/BurstRate). Every container of an awsvpc task shares
 * one IP, so they share each path's bucket; `/task` and `/task/stats` do not share one.
 */

/** Defaults of the ECS agent; Fargate does not let users change them. */
export const DEFAULT_STEADY_PER_SECOND = 40;
export const DEFAULT_BURST = 60;

/** Above this many buckets, full ones are dropped: a full bucket behaves like a new one. */
const SWEEP_AT_BUCKETS = 4096;

export interface RateLimiterOptions {
  readonly steadyPerSecond?: number;
  readonly burst?: number;
}

export interface RateLimiter {
  /** Takes one token from the bucket of `key` at `nowMs`; `false` when it is empty. */
  allow(key: string, nowMs: number): boolean;
  readonly steadyPerSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** A token bucket per key that starts full, like `rate.NewLimiter(40, 60)`. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const steadyPerSecond = options.steadyPerSecond ?? DEFAULT_STEADY_PER_SECOND;
  const burst = options.burst ?? DEFAULT_BURST;
  // Bad throttle options are the caller's input (exit 2), like every other mock option.
  const problems = [
    ...(steadyPerSecond > 0
      ? []
      : [{ field: 'steadyPerSecond', value: steadyPerSecond, allowed: 'a rate above 0' }]),
    ...(burst >= 1 ? [] : [{ field: 'burst', value: burst, allowed: 'a number of requests ≥ 1' }]),
  ];
  if (problems.length > 0) throw new MockInputError('MOCK_CONFIG', 'rate limit', problems);
  const perMs = steadyPerSecond / 1000;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, nowMs: number): void => {
    // A clock that steps back (an injected test clock) refills nothing rather than draining.
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(burst, bucket.tokens + elapsedMs * perMs);
    bucket.atMs = Math.max(bucket.atMs, nowMs);
  };

  const sweep = (nowMs: number): void => {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= burst) buckets.delete(key);
    }
  };

  return {
    steadyPerSecond,
    burst,
    allow(key, nowMs) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= SWEEP_AT_BUCKETS) sweep(nowMs);
        bucket = { tokens: burst, atMs: nowMs };
        buckets.set(key, bucket);
      } else {
        refill(bucket, nowMs);
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
  };
}
