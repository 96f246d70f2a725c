import { type BackoffOptions, backoffDelayMs } from './backoff.js';
import { type CadenceOptions, type CadenceState, createCadenceEstimator } from './cadence.js';
import type { Clock, TimerHandle } from './clock.js';
import type { PollInterval } from './config.js';

/** What one poll reports back to the scheduler. */
export type PollResult =
  | {
      readonly ok: true;
      /**
       * The newest `read` of the task's latest refresh cycle (the collector's: the containers
       * refresh at different moments), ms; absent while none has stats.
       */
      readonly newestReadMs?: number | undefined;
      /** `read` − `preread` of the newest sample, when its `preread` is a real time: the endpoint's own period. */
      readonly refreshPeriodMs?: number | undefined;
      /** The platform's usual refresh period, aimed at until a payload shows the real one. */
      readonly cadenceHintMs?: number | undefined;
    }
  | {
      readonly ok: false;
      /** 429, 5xx, timeouts and dropped connections back off; anything else waits a period. */
      readonly retryable: boolean;
      /** The server's `Retry-After`, honoured when longer than the backoff. */
      readonly retryAfterMs?: number | undefined;
    };

export interface PollerOptions {
  readonly interval: PollInterval;
  readonly clock: Clock;
  /** One poll: fetch, compute, publish. Must not throw; failures are results. */
  readonly poll: () => Promise<PollResult>;
  /** [0, 1), for backoff jitter; injectable so tests are deterministic. */
  readonly random?: () => number;
  readonly cadence?: CadenceOptions;
  readonly backoff?: BackoffOptions;
}

export interface PollerState {
  readonly running: boolean;
  readonly inFlight: boolean;
  readonly polls: number;
  readonly consecutiveFailures: number;
  /** Local time the next poll is scheduled for, ms. */
  readonly nextPollAtMs?: number;
  /** `auto` only: what has been learned about the endpoint's refresh. */
  readonly cadence?: CadenceState;
}

export interface Poller {
  start(): void;
  /** Stops scheduling and resolves once the poll in flight, if any, has finished. */
  stop(): Promise<void>;
  state(): PollerState;
}

/**
 * Schedules polls: a fixed period, or after each learned refresh (`auto`). Never two polls in
 * flight: the next one is scheduled only when the previous has finished. Retryable failures
 * back off with full jitter; success resets the backoff.
 */
export function createPoller(options: PollerOptions): Poller {
  const { clock, interval } = options;
  const random = options.random ?? Math.random;
  const estimator = interval.mode === 'auto' ? createCadenceEstimator(options.cadence) : undefined;
  let running = false;
  let timer: TimerHandle | undefined;
  let inFlight: Promise<void> | undefined;
  let polls = 0;
  let consecutiveFailures = 0;
  let nextPollAtMs: number | undefined;
  let lastStartMs: number | undefined;

  const schedule = (atMs: number): void => {
    if (!running) return;
    nextPollAtMs = atMs;
    timer = clock.setTimeout(tick, Math.max(0, atMs - clock.now()));
  };

  const nextAfterSuccess = (nowMs: number): number => {
    if (estimator) return estimator.nextPollAtMs(nowMs);
    // Fixed periods are measured start to start, so slow answers do not drift the phase.
    const intervalMs = (interval as { intervalMs: number }).intervalMs;
    return Math.max(nowMs, lastStartMs! + intervalMs);
  };

  const tick = (): void => {
    timer = undefined;
    if (!running || inFlight) return;
    inFlight = runOnce().finally(() => {
      inFlight = undefined;
    });
  };

  const runOnce = async (): Promise<void> => {
    const startedAtMs = clock.now();
    lastStartMs = startedAtMs;
    polls += 1;
    let result: PollResult;
    try {
      result = await options.poll();
    } catch {
      result = { ok: false, retryable: false };
    }
    const finishedAtMs = clock.now();
    if (!running) return;
    if (result.ok) {
      consecutiveFailures = 0;
      estimator?.observe({
        startedAtMs,
        finishedAtMs,
        newestReadMs: result.newestReadMs,
        refreshPeriodMs: result.refreshPeriodMs,
        cadenceHintMs: result.cadenceHintMs,
      });
      schedule(nextAfterSuccess(finishedAtMs));
      return;
    }
    consecutiveFailures += 1;
    if (result.retryable) {
      const backoffMs = backoffDelayMs(consecutiveFailures - 1, random, options.backoff);
      schedule(finishedAtMs + Math.max(backoffMs, Math.min(result.retryAfterMs ?? 0, 60_000)));
      return;
    }
    // A bad payload or a 4xx will not fix itself in a few ms: wait one ordinary period.
    const periodMs = interval.mode === 'fixed' ? interval.intervalMs : (estimator!.state().cadenceMs ?? 1000);
    schedule(Math.max(finishedAtMs, startedAtMs + periodMs));
  };

  return {
    start() {
      if (running) return;
      running = true;
      schedule(clock.now());
    },
    async stop() {
      running = false;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      nextPollAtMs = undefined;
      await inFlight;
    },
    state() {
      return {
        running,
        inFlight: inFlight !== undefined,
        polls,
        consecutiveFailures,
        ...(nextPollAtMs !== undefined && running ? { nextPollAtMs } : {}),
        ...(estimator ? { cadence: estimator.state() } : {}),
      };
    },
  };
}
