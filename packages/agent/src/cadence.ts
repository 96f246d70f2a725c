/*
 * Learns when the task metadata endpoint refreshes its stats, so `--interval auto` polls just
 * after each refresh. The endpoint serves a cached sample (about 1 s on EC2, 10 s on Fargate;
 * docs/endpoint.md §2 "Timing and cadence"); a check on its own clock aliases against it
 * (DataDog/integrations-core#10409: a 15 s check sees every other 10 s refresh twice and skips
 * some). Everything here is pure: times come in as arguments.
 *
 * The `read` followed is that of the task's refresh cycle as a whole (the collector's: the
 * containers of a task refresh at different moments, and a poll that sees only some of them
 * refreshed counts here as a duplicate), so the poll lands after the last container's refresh.
 *
 * Two quantities are learned:
 * - the cadence: the median of recent refresh periods, each `read − preread` of the newest
 *   sample (the endpoint's own window between its last two samples) or, where a payload has no
 *   real `preread`, the delta between successive distinct `read`s (a whole multiple of the
 *   estimate, a missed refresh, counts as one cadence each). Until a payload shows one, the
 *   platform's usual period (the collector's hint: 10 s on Fargate) is aimed at, so learning
 *   costs about one request per refresh instead of a poll a second;
 * - the lag: local time a new `read` becomes visible minus that `read`. It absorbs the
 *   endpoint's publishing delay and the offset between its clock and ours. A fresh answer bounds
 *   it from above (seen − read), a duplicate from below (asked − the read that came next). The
 *   bounds are narrowed by probing between them until they are one retry step apart.
 */

/** One finished poll, as the cadence estimator sees it. Times are local wall-clock ms. */
export interface PollObservation {
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** The newest `read` of the task's latest refresh cycle; absent while none has stats. */
  readonly newestReadMs?: number | undefined;
  /** `read` − `preread` of the newest sample, when its `preread` is a real sample time. */
  readonly refreshPeriodMs?: number | undefined;
  /** The platform's usual refresh period, used until a period is known. */
  readonly cadenceHintMs?: number | undefined;
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
  let cadenceHintMs: number | undefined;
  // Polls in a row that found no container with stats.
  let emptyStreak = 0;

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
      if (observation.cadenceHintMs !== undefined && observation.cadenceHintMs > 0)
        cadenceHintMs = observation.cadenceHintMs;
      const readMs = observation.newestReadMs;
      if (readMs === undefined) {
        emptyStreak += 1;
        lastKind = 'empty';
        return 'empty';
      }
      emptyStreak = 0;
      if (lastReadMs !== undefined && readMs === lastReadMs) {
        pendingDuplicateStartMs = observation.startedAtMs;
        duplicateStreak += 1;
        lastKind = 'duplicate';
        return 'duplicate';
      }

      if (observation.refreshPeriodMs !== undefined) {
        // The endpoint's own window between its last two samples: the cadence, exactly.
        pushDelta(observation.refreshPeriodMs);
      } else if (lastReadMs !== undefined && readMs > lastReadMs) pushDelta(readMs - lastReadMs);

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
      const periodMs = cadenceMs() ?? cadenceHintMs;
      if (lastKind === 'empty') {
        // No container has stats yet: the sidecar starts first (`dependsOn`) and may wait out
        // an image pull of the others. Back off from the learning period towards half the
        // platform's cadence, so a long wait costs a few requests, not one a second, and the
        // first numbers are at most that late.
        const capMs = Math.max(learningIntervalMs, (cadenceHintMs ?? learningIntervalMs) / 2);
        const waitMs = Math.min(learningIntervalMs * 2 ** (emptyStreak - 1), capMs);
        return Math.max(earliest, lastPollStartMs + waitMs);
      }
      if (lastReadMs === undefined || periodMs === undefined)
        return Math.max(earliest, lastPollStartMs + learningIntervalMs);
      const step = stepMs();
      if (lastKind === 'duplicate') {
        // Not there yet: ask again shortly rather than a whole cadence later, backing off
        // towards the learning period if the endpoint has stopped refreshing.
        const retryMs = Math.min(step * 2 ** (duplicateStreak - 1), learningIntervalMs);
        return Math.max(earliest, lastPollStartMs + retryMs);
      }
      const expectedReadMs = lastReadMs + periodMs;
      const high = lagHighMs!;
      let lagTargetMs: number;
      // One fresh answer bounds the lag only loosely (it says nothing of when the sample
      // appeared): aim just after the expected refresh, and let a duplicate bound it from below.
      if (distinctReads < 2) lagTargetMs = marginMs;
      else if (lagLowMs !== undefined && high - lagLowMs > step) lagTargetMs = (lagLowMs + high) / 2;
      // Probe for a shorter lag only where that saves more than a step; a bound already
      // within a step of the margin is as fresh as polling gets, and a probe costs a request.
      else if (lagLowMs === undefined && high > marginMs + step) lagTargetMs = high - 2 * step;
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
