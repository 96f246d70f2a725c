/**
 * The delay before reconnect number `attempt` (0 for the first after a failure): the ceiling
 * `min(maxMs, baseMs · 2^attempt)`, then drawn uniformly from [ceiling / 2, ceiling] ("equal
 * jitter", AWS Architecture Blog, "Exponential Backoff And Jitter"). Half the ceiling is kept
 * so a dashboard comes back soon after an agent restart, and the random half keeps the pages
 * and `top`s watching one agent from reconnecting in step. `random` returns [0, 1), like
 * Math.random. A base below 1 ms (a server's `retry: 0`) counts as 1 ms, so the delays still
 * grow and a server that drops every connection at once is not retried in a hot loop.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceilingMs = Math.min(maxMs, Math.max(1, baseMs) * 2 ** Math.min(attempt, 40));
  return Math.round(ceilingMs / 2 + (random() * ceilingMs) / 2);
}
