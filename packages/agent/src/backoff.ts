/** Exponential backoff with full jitter, for 429, 5xx, timeouts and dropped connections. */
export interface BackoffOptions {
  /** Upper bound of the first delay. */
  readonly baseMs?: number;
  /** Upper bound of any delay. */
  readonly capMs?: number;
  /** Lower bound of any delay, so a retry never goes out back-to-back. */
  readonly minMs?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first): uniform in
 * [minMs, min(capMs, baseMs · 2^attempt)] ("full jitter", AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), so agents of many tasks throttled together do not retry in step.
 * `random` returns [0, 1), like Math.random.
 */
export function backoffDelayMs(attempt: number, random: () => number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? 500;
  const capMs = options.capMs ?? 30_000;
  const minMs = Math.min(options.minMs ?? 100, capMs);
  const ceilingMs = Math.max(minMs, Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
  return minMs + random() * (ceilingMs - minMs);
}
