import { sleep } from '../../src/clock.js';
import type { PollResult } from '../../src/poller.js';
import type { ManualClock } from './manual-clock.js';

export interface SimulatedEndpointOptions {
  readonly clock: ManualClock;
  readonly cadenceMs: number;
  /** Offset of the refresh grid from the clock's start. */
  readonly phaseMs?: number;
  /** How long after its `read` a sample becomes visible, in local time. */
  readonly lagMs?: number | ((refresh: number) => number);
  /** Per-refresh jitter of `read` around the grid, from [0, jitterMs). */
  readonly jitterMs?: number;
  readonly latencyMs?: number;
  readonly random?: () => number;
}

/**
 * A refresh-on-a-cadence endpoint in fake time, counting what a poller would cost it: each
 * refresh k has `read` = origin + phase + k·cadence (+ jitter) and becomes visible lag ms later.
 */
export function createSimulatedEndpoint(options: SimulatedEndpointOptions) {
  const { clock, cadenceMs } = options;
  const originMs = clock.now() + (options.phaseMs ?? 0) - cadenceMs * 100;
  const latencyMs = options.latencyMs ?? 3;
  const jitter = new Map<number, number>();
  const lagOf = (k: number) =>
    typeof options.lagMs === 'function' ? options.lagMs(k) : (options.lagMs ?? 0);
  const readOf = (k: number): number => {
    if (!jitter.has(k)) jitter.set(k, (options.random?.() ?? 0) * (options.jitterMs ?? 0));
    return originMs + k * cadenceMs + jitter.get(k)!;
  };
  const visibleAt = (k: number) => readOf(k) + lagOf(k);
  const newestVisible = (atMs: number): number => {
    let k = Math.floor((atMs - originMs) / cadenceMs) + 1;
    while (visibleAt(k) > atMs) k -= 1;
    return k;
  };

  let requests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const firstSeenAt = new Map<number, number>();

  const poll = async (): Promise<PollResult> => {
    requests += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const k = newestVisible(clock.now());
    await sleep(clock, latencyMs);
    inFlight -= 1;
    if (!firstSeenAt.has(k)) firstSeenAt.set(k, clock.now());
    return { ok: true, newestReadMs: readOf(k), refreshPeriodMs: readOf(k) - readOf(k - 1) };
  };

  return {
    poll,
    get requests() {
      return requests;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetCounts() {
      requests = 0;
      firstSeenAt.clear();
    },
    /** Refreshes that became visible in [fromMs, toMs). */
    refreshesBetween(fromMs: number, toMs: number): number[] {
      const out: number[] = [];
      for (let k = newestVisible(fromMs) + 1; visibleAt(k) < toMs; k += 1) out.push(k);
      return out;
    },
    /** ms from a refresh becoming visible to the poller holding it; undefined if never seen. */
    delayOf(k: number): number | undefined {
      const seen = firstSeenAt.get(k);
      return seen === undefined ? undefined : seen - visibleAt(k);
    },
    seenCount: () => firstSeenAt.size,
  };
}
