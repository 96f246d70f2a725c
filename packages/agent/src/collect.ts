import type { MetadataClient } from '@taskscope/client';
import {
  advanceCycle,
  type CoreState,
  type CycleState,
  type CycleStep,
  computeTaskMetrics,
  payloadTime,
  type TaskMetrics,
} from '@taskscope/core';
import type { SelfTelemetry } from '@taskscope/exporters';
import { isSampleTime, payloadTimeToMs, type TaskMetadata, type TaskStats } from '@taskscope/wire';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { errorFields } from './logger.js';
import type { PollResult } from './poller.js';
import type { PolledEndpoint, SnapshotStore } from './store.js';

/** A container's reset re-reads the metadata at most this often (see `resetRereadAtMs`). */
export const RESET_REREAD_MIN_GAP_MS = 10_000;

/** Task metadata is re-read at least this often even when nothing points at a change. */
export const METADATA_MAX_AGE_MS = 60_000;

export interface CollectorOptions {
  readonly client: Pick<MetadataClient, 'taskMetadata' | 'taskStats'>;
  readonly clock: Clock;
  readonly store: SnapshotStore;
  readonly telemetry: SelfTelemetry;
  readonly logger: Logger;
  /**
   * Every good poll, with what it did to the refresh cycles (core's `advanceCycle`): EMF's cue.
   * The containers of a task refresh at different moments, so a poll may advance some
   * containers without closing a cycle, and each interval must be reported once.
   */
  readonly onPoll?: (metrics: TaskMetrics, cycles: CycleStep) => void;
  /** How old the task metadata may get; default max(60 s, 10 cadences) (see README, Polling). */
  readonly metadataMaxAgeMs?: () => number;
  /** Aborts the requests in flight on shutdown. */
  readonly signal?: AbortSignal;
}

/** One poll: `/task/stats` always, `/task` only when needed, then compute and publish. */
export interface Collector {
  collect(): Promise<PollResult>;
}

class PollFailure extends Error {
  constructor(
    readonly endpoint: PolledEndpoint | 'compute',
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Creates the poll step. The task metadata is not fetched on every poll (that would double
 * the requests per fresh sample): it is read at start, when the set of containers with
 * stats changes, after a reset (new StartedAt or RestartCount live there), and otherwise when
 * older than `metadataMaxAgeMs`. Every request is counted and timed in self-telemetry.
 */
export function createCollector(options: CollectorOptions): Collector {
  const { client, clock, store, telemetry, logger, signal } = options;
  const maxAgeMs = options.metadataMaxAgeMs ?? (() => METADATA_MAX_AGE_MS);
  let metadata: TaskMetadata | undefined;
  let metadataKey = '';
  let metadataAtMs = Number.NEGATIVE_INFINITY;
  let state: CoreState | undefined;
  let cycleState: CycleState | undefined;
  // The newest `read` of the latest closed refresh cycle: what the cadence learner follows.
  let cycleReadMs: number | undefined;
  // When the metadata was last re-read for each container's reset, so a container that flaps
  // cannot turn every poll into two requests: at most one re-read per container per
  // RESET_REREAD_MIN_GAP_MS. Per container and by time: a guard for the whole task, or one that
  // took two good polls in a row for the same reset, let another restart go unseen (good polls
  // can be a minute apart while the endpoint fails), and the new run's counters went out under
  // the old StartedAt (the agent's fault suite).
  const resetRereadAtMs = new Map<string, number>();
  let failing: string | undefined;
  let failedPolls = 0;
  const schemaPathsLogged = new Set<string>();

  const timed = async <T>(endpoint: PolledEndpoint, request: () => Promise<T>): Promise<T> => {
    store.recordRequest(endpoint);
    const startedMs = performance.now();
    try {
      return await request();
    } catch (error) {
      throw new PollFailure(endpoint, error);
    } finally {
      telemetry.observePoll(endpoint, (performance.now() - startedMs) / 1000);
    }
  };

  const fetchMetadata = async (key: string): Promise<TaskMetadata> => {
    const fetched = await timed('task', () => client.taskMetadata(signal ? { signal } : undefined));
    metadata = fetched;
    metadataKey = key;
    metadataAtMs = clock.now();
    return fetched;
  };

  const onFailure = (failure: PollFailure): PollResult => {
    const error = failure.error as {
      code?: unknown;
      retryable?: unknown;
      status?: unknown;
      path?: unknown;
      retryAfterMs?: unknown;
    };
    const code = typeof error?.code === 'string' ? error.code : 'UNKNOWN';
    const reason = reasonOf(code, error?.status);
    const retryable = error?.retryable === true;
    telemetry.countPollError(failure.endpoint, reason);
    store.recordFailure(
      { code, message: failure.message, endpoint: failure.endpoint, at: new Date(clock.now()).toISOString() },
      clock.now(),
    );
    failedPolls += 1;
    const details = { endpoint: failure.endpoint, code, reason, consecutiveFailures: failedPolls };
    if (code === 'TMDS_SCHEMA') {
      // AWS changes /task/stats without versioning (ecs_exporter README): say so once per
      // field, not once per poll.
      const path = typeof error.path === 'string' ? error.path : '';
      const first = !schemaPathsLogged.has(path);
      schemaPathsLogged.add(path);
      logger[first ? 'warn' : 'debug'](
        { ...details, ...errorFields(logger, failure.error) },
        'payload does not match the schema; keeping the last good sample',
      );
    } else if (failing !== code) {
      logger[code === 'UNKNOWN' ? 'error' : 'warn'](
        { ...details, ...errorFields(logger, failure.error) },
        'poll failed; keeping the last good sample',
      );
    } else {
      logger.debug(details, 'poll failed again');
    }
    failing = code;
    const retryAfterMs = typeof error?.retryAfterMs === 'number' ? error.retryAfterMs : undefined;
    return { ok: false, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  };

  return {
    async collect() {
      try {
        const stats = await timed('task_stats', () => client.taskStats(signal ? { signal } : undefined));
        const key = statsKey(stats);
        let fetchedNow = false;
        let current = metadata;
        if (current === undefined || key !== metadataKey || clock.now() - metadataAtMs >= maxAgeMs()) {
          current = await fetchMetadata(key);
          fetchedNow = true;
        }
        let result = compute(current, stats, state);
        const resets = result.metrics.containers.filter((c) => c.reset).map((c) => c.name);
        const rereadDue = (name: string) =>
          clock.now() - (resetRereadAtMs.get(name) ?? Number.NEGATIVE_INFINITY) >= RESET_REREAD_MIN_GAP_MS;
        if (!fetchedNow && resets.some(rereadDue)) {
          // A restart moves StartedAt and RestartCount, which only the metadata carries; recompute
          // from the same previous state so the new run starts at the right time.
          current = await fetchMetadata(key);
          result = compute(current, stats, state);
        }
        for (const name of resets) resetRereadAtMs.set(name, metadataAtMs);
        state = result.state;
        const { metrics } = result;
        const cycles = advanceCycle(metrics, cycleState);
        cycleState = cycles.state;
        const closedCycle = cycles.closed.at(-1);
        if (closedCycle) cycleReadMs = closedCycle.readAtMs;
        // Task-level outputs count a sample once per refresh cycle of the whole task, not once
        // per container that refreshed (docs/contract.md, "Numbers every computation obeys").
        const kind =
          metrics.sample.kind === 'first' ? 'first' : closedCycle === undefined ? 'duplicate' : 'fresh';
        telemetry.countSample(kind === 'duplicate' ? 'duplicate' : 'fresh');
        // EMF first: a store subscriber (SSE) then sees every line this sample wrote.
        options.onPoll?.(metrics, cycles);
        store.recordSample(metrics, kind, clock.now(), closedCycle?.readAtMs);
        if (failing !== undefined) {
          logger.info({ failedPolls }, 'metadata endpoint answering again');
          failing = undefined;
        }
        failedPolls = 0;
        const newest = newestRead(stats);
        return {
          ok: true,
          ...(cycleReadMs !== undefined ? { newestReadMs: cycleReadMs } : {}),
          ...(newest.refreshPeriodMs !== undefined ? { refreshPeriodMs: newest.refreshPeriodMs } : {}),
          ...cadenceHint(metrics),
        };
      } catch (error) {
        if (signal?.aborted) return { ok: false, retryable: false };
        return onFailure(error instanceof PollFailure ? error : new PollFailure('compute', error));
      }
    },
  };
}

function compute(metadata: TaskMetadata, stats: TaskStats, previous: CoreState | undefined) {
  try {
    return computeTaskMetrics({ metadata, stats, previous });
  } catch (error) {
    throw new PollFailure('compute', error);
  }
}

/** Which containers have a sample: a change means a container started, stopped or was replaced. */
function statsKey(stats: TaskStats): string {
  return Object.keys(stats)
    .sort()
    .map((id) => `${id}:${stats[id] === null ? 0 : 1}`)
    .join(',');
}

/**
 * The newest `read` and the refresh period it ends (`read` − `preread`, the endpoint's own
 * window between that container's last two samples), for the cadence learner. Through core's
 * timestamp parser: wire's regex and Date round trip cost 2.4 % of the agent's CPU here (20
 * stamps a second on fargate-10, profiled with the agent bench's load).
 */
export function newestRead(stats: TaskStats): { newestReadMs?: number; refreshPeriodMs?: number } {
  let newestReadMs: number | undefined;
  let refreshPeriodMs: number | undefined;
  for (const entry of Object.values(stats)) {
    if (entry === null) continue;
    const read = payloadTime(entry.read);
    if (!isSampleTime(read)) continue;
    const readMs = payloadTimeToMs(read);
    if (newestReadMs !== undefined && readMs <= newestReadMs) continue;
    newestReadMs = readMs;
    const preread = entry.preread ? payloadTime(entry.preread) : undefined;
    // A first sample's preread is Go's zero time: no period.
    refreshPeriodMs = isSampleTime(preread) ? readMs - payloadTimeToMs(preread) : undefined;
  }
  return {
    ...(newestReadMs !== undefined ? { newestReadMs } : {}),
    ...(refreshPeriodMs !== undefined && refreshPeriodMs > 0 ? { refreshPeriodMs } : {}),
  };
}

/**
 * The platform's usual refresh period, for the learner's first aim while no payload has shown
 * one (a first sample's `preread` is Go's zero time): about 10 s on Fargate, 1 s on EC2
 * (docs/endpoint.md §2, "Timing and cadence").
 */
function cadenceHint(metrics: TaskMetrics): { cadenceHintMs?: number } {
  const launchType = metrics.identity.launchType;
  if (launchType === 'FARGATE') return { cadenceHintMs: 10_000 };
  if (launchType === 'EC2') return { cadenceHintMs: 1_000 };
  return {};
}

/** A short stable `reason` label: `timeout`, `throttled`, `http_503`, `schema`… */
function reasonOf(code: string, status: unknown): string {
  if (code === 'TMDS_HTTP_STATUS' && typeof status === 'number') return `http_${status}`;
  if (code === 'UNKNOWN') return 'compute';
  return code.replace(/^TMDS_/, '').toLowerCase();
}
