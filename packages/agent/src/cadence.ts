/*
 * Learns when the task metadata endpoint refreshes its stats, so `--interval auto` polls just
 * after each refresh. The endpoint serves a cached sample (about 1 s on EC2, 10 s on Fargate;
 * docs/endpoint.md §2 "Timing and cadence"); a check on its own clock aliases against it
 * (DataDog/integrations-core#10409: a 15 s check sees every other 10 s refresh twice and skips
 * some). Everything here is pure: times come in as arguments.
 *
 * Two quantities are learned:
 * - the cadence: the median of recent deltas between successive distinct `read`s (a delta that
 *   is a whole multiple of the estimate, a missed refresh, counts as one cadence each), seeded by
 *   `read − preread`, which is the endpoint's own sampling window;
 * - the lag: local time a new `read` becomes visible minus that `read`. It absorbs the
 *   endpoint's publishing delay and the offset between its clock and ours. A fresh answer bounds
 *   it from above (seen − read), a duplicate from below (asked − the read that came next). The
 *   bounds are narrowed by probing between them until they are one retry step apart.
 */

/** One finished poll, as the cadence estimator sees it. Times are local wall-clock ms. */
export interface PollObservation {
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** The newest `read` among the task's containers; absent when none has stats. */
  readonly newestReadMs?: number | undefined;
  /** That container's `preread`, when it is a real sample time. */
  readonly newestPrereadMs?: number | undefined;
}

export type ObservationKind = 'fresh' | 'duplicate' | 'empty';

export interface CadenceOptions {
  /** Poll period until two distinct `read`s have been seen. */
  readonly learningIntervalMs?: number;
  /** How long after the expected refresh the first poll of a cycle goes out. */
  readonly marginMs?: number;
  /** How many recent deltas the median is taken over. */
  readonly windowSize?: number;
  /** Re-probe for a shorter lag after this many fresh cycles without a duplicate. */
  readonly reprobeEveryCycles?: number;
}

/** What the estimator has learned, for the snapshot API and logs. */
export interface CadenceState {
  readonly learned: boolean;
  readonly cadenceMs?: number;
  /** Upper bound of the lag (local first-seen − `read`), in ms. */
  readonly lagMs?: number;
  /** Lower bound of the lag, when one is known. */
  readonly lagLowMs?: number;
}

export interface CadenceEstimator {
  /** Records a successful poll; says whether its newest `read` was new. */
  observe(observation: PollObservation): ObservationKind;
  /** Local time at which the next poll should start (never before `nowMs`). */
  nextPollAtMs(nowMs: number): number;
  state(): CadenceState;
}

/** Gap kept between two polls even when a target time is already past. */
const MIN_GAP_MS = 20;

/** Creates the `--interval auto` cadence and phase learner. */
export function createCadenceEstimator(options: CadenceOptions = {}): CadenceEstimator {
  const learningIntervalMs = options.learningIntervalMs ?? 1000;
  const marginMs = options.marginMs ?? 150;
  const windowSize = options.windowSize ?? 9;
  const reprobeEveryCycles = options.reprobeEveryCycles ?? 50;

  const deltas: number[] = [];
  let distinctReads = 0;
  let lastReadMs: number | undefined;
  let lastPollStartMs: number | undefined;
  let lagHighMs: number | undefined;
  let lagLowMs: number | undefined;
  // Start of the latest duplicate poll since the last fresh one: a lower bound of the lag
  // once the read that follows it is known.
  let pendingDuplicateStartMs: number | undefined;
  let duplicateStreak = 0;
  let lastKind: ObservationKind | undefined;
  let cyclesSinceDuplicate = 0;

  const cadenceMs = (): number | undefined => {
    if (deltas.length === 0) return undefined;
    const sorted = [...deltas].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };

  const pushDelta = (deltaMs: number): void => {
    if (!(deltaMs > 0) || !Number.isFinite(deltaMs)) return;
    const current = cadenceMs();
    let normalized = deltaMs;
    if (current !== undefined) {
      // A missed refresh shows up as twice (three times…) the cadence: count it as one.
      const multiple = Math.round(deltaMs / current);
      if (multiple >= 2 && Math.abs(deltaMs - multiple * current) <= 0.1 * current * multiple) {
        normalized = deltaMs / multiple;
      }
    }
    deltas.push(normalized);
    if (deltas.length > windowSize) deltas.shift();
  };

  /** Retry step after a duplicate; the precision the lag is learned to. */
  const stepMs = (): number => Math.min(250, Math.max(50, (cadenceMs() ?? learningIntervalMs) / 10));

  const learned = (): boolean => distinctReads >= 2 && cadenceMs() !== undefined && lagHighMs !== undefined;

  return {
    observe(observation) {
      lastPollStartMs = observation.startedAtMs;
      const readMs = observation.newestReadMs;
      if (readMs === undefined) {
        lastKind = 'empty';
        return 'empty';
      }
      if (lastReadMs !== undefined && readMs === lastReadMs) {
        pendingDuplicateStartMs = observation.startedAtMs;
        duplicateStreak += 1;
        lastKind = 'duplicate';
        return 'duplicate';
      }

      if (distinctReads === 0 && observation.newestPrereadMs !== undefined) {
        // The endpoint's own window between its last two samples: the cadence, at once.
        pushDelta(readMs - observation.newestPrereadMs);
      }
      if (lastReadMs !== undefined && readMs > lastReadMs) pushDelta(readMs - lastReadMs);

      const upperMs = observation.finishedAtMs - readMs;
      const lowerMs = pendingDuplicateStartMs === undefined ? undefined : pendingDuplicateStartMs - readMs;
      if (distinctReads === 0) {
        // The first answer says nothing about when the sample appeared: a loose bound only.
        lagHighMs = upperMs;
      } else if (lagHighMs === undefined || (lowerMs !== undefined && lowerMs >= lagHighMs)) {
        // The sample was still not there where we expected it: the lag grew.
        lagHighMs = upperMs;
        lagLowMs = lowerMs;
      } else {
        lagHighMs = Math.min(lagHighMs, upperMs);
        if (lowerMs !== undefined) lagLowMs = Math.max(lagLowMs ?? lowerMs, lowerMs);
      }
      if (lagLowMs !== undefined && lagLowMs > lagHighMs) lagLowMs = undefined;

      if (duplicateStreak > 0) cyclesSinceDuplicate = 0;
      else cyclesSinceDuplicate += 1;
      if (learned() && cyclesSinceDuplicate >= reprobeEveryCycles) {
        // The lag may have shrunk since it was bounded; forget the lower bound to probe again.
        lagLowMs = undefined;
        cyclesSinceDuplicate = 0;
      }

      distinctReads += 1;
      lastReadMs = readMs;
      pendingDuplicateStartMs = undefined;
      duplicateStreak = 0;
      lastKind = 'fresh';
      return 'fresh';
    },

    nextPollAtMs(nowMs) {
      const earliest = Math.max(nowMs, (lastPollStartMs ?? nowMs) + MIN_GAP_MS);
      if (lastPollStartMs === undefined) return nowMs;
      if (!learned() || lastKind === 'empty') return Math.max(earliest, lastPollStartMs + learningIntervalMs);
      const step = stepMs();
      if (lastKind === 'duplicate') {
        // Not there yet: ask again shortly rather than a whole cadence later, backing off
        // towards the learning period if the endpoint has stopped refreshing.
        const retryMs = Math.min(step * 2 ** (duplicateStreak - 1), learningIntervalMs);
        return Math.max(earliest, lastPollStartMs + retryMs);
      }
      const expectedReadMs = lastReadMs! + cadenceMs()!;
      const high = lagHighMs!;
      let lagTargetMs: number;
      if (lagLowMs === undefined) lagTargetMs = high - 2 * step;
      else if (high - lagLowMs > step) lagTargetMs = (lagLowMs + high) / 2;
      else lagTargetMs = high + marginMs;
      return Math.max(earliest, expectedReadMs + lagTargetMs);
    },

    state() {
      const cadence = cadenceMs();
      return {
        learned: learned(),
        ...(cadence !== undefined ? { cadenceMs: cadence } : {}),
        ...(lagHighMs !== undefined ? { lagMs: lagHighMs } : {}),
        ...(lagLowMs !== undefined ? { lagLowMs } : {}),
      };
    },
  };
}
