import type { SampleKind, TaskMetrics } from '@taskscope/core';

/** The metadata endpoint paths the agent requests, as self-telemetry `endpoint` labels. */
export type PolledEndpoint = 'task' | 'task_stats';

/** The last failure of a poll. */
export interface PollError {
  /** `TMDS_TIMEOUT`, `TMDS_THROTTLED`, `TMDS_SCHEMA`… (the client's stable codes). */
  readonly code: string;
  readonly message: string;
  readonly endpoint: PolledEndpoint | 'compute';
  /** ISO 8601, local clock. */
  readonly at: string;
}

/** How polling goes: the `status` half of `/api/v1/snapshot`. */
export interface PollStatus {
  /** A poll has succeeded at least once (what `/readyz` reports). */
  readonly ready: boolean;
  readonly lastPollAt?: string;
  readonly lastSuccessAt?: string;
  /** When a sample with a new `read` last arrived. */
  readonly lastFreshAt?: string;
  readonly lastError?: PollError;
  readonly consecutiveFailures: number;
  /** Requests sent per endpoint since start, answered or not. */
  readonly requests: Readonly<Record<PolledEndpoint, number>>;
  /** Samples since start: `fresh` (a `read` advanced; the first sample counts) or `duplicate`. */
  readonly samples: { readonly fresh: number; readonly duplicate: number };
  readonly failures: number;
}

/** Holds the latest good metrics and the poll status; tells subscribers about new samples. */
export interface SnapshotStore {
  /** The latest good metrics: kept, and served, through failed polls. */
  latest(): TaskMetrics | undefined;
  status(): PollStatus;
  recordRequest(endpoint: PolledEndpoint): void;
  /**
   * A good poll. `cycleReadMs` is the newest `read` of the refresh cycle it closed (core's
   * `RefreshCycle.readAtMs`), when it closed one: a `fresh` sample always does; a `first` one
   * does unless no container had stats yet.
   */
  recordSample(metrics: TaskMetrics, kind: SampleKind, atMs: number, cycleReadMs?: number): void;
  recordFailure(error: PollError, atMs: number): void;
  /** Called after each fresh (or first) sample; returns the unsubscribe function. */
  subscribe(listener: SampleListener): () => void;
}

/** Told of each fresh or first sample, with the newest `read` of the cycle it closed. */
export type SampleListener = (metrics: TaskMetrics, cycleReadMs: number | undefined) => void;

/** Creates the in-memory store the HTTP API, SSE and exporters read from. */
export function createSnapshotStore(): SnapshotStore {
  let latest: TaskMetrics | undefined;
  const requests: Record<PolledEndpoint, number> = { task: 0, task_stats: 0 };
  const samples = { fresh: 0, duplicate: 0 };
  let failures = 0;
  let consecutiveFailures = 0;
  let lastPollAtMs: number | undefined;
  let lastSuccessAtMs: number | undefined;
  let lastFreshAtMs: number | undefined;
  let lastError: PollError | undefined;
  const listeners = new Set<SampleListener>();
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

  return {
    latest: () => latest,
    status() {
      const lastPollAt = iso(lastPollAtMs);
      const lastSuccessAt = iso(lastSuccessAtMs);
      const lastFreshAt = iso(lastFreshAtMs);
      return {
        ready: lastSuccessAtMs !== undefined,
        ...(lastPollAt ? { lastPollAt } : {}),
        ...(lastSuccessAt ? { lastSuccessAt } : {}),
        ...(lastFreshAt ? { lastFreshAt } : {}),
        ...(lastError ? { lastError } : {}),
        consecutiveFailures,
        requests: { ...requests },
        samples: { ...samples },
        failures,
      };
    },
    recordRequest(endpoint) {
      requests[endpoint] += 1;
    },
    recordSample(metrics, kind, atMs, cycleReadMs) {
      latest = metrics;
      lastPollAtMs = atMs;
      lastSuccessAtMs = atMs;
      consecutiveFailures = 0;
      if (kind === 'duplicate') {
        samples.duplicate += 1;
        return;
      }
      samples.fresh += 1;
      lastFreshAtMs = atMs;
      for (const listener of listeners) listener(metrics, cycleReadMs);
    },
    recordFailure(error, atMs) {
      lastPollAtMs = atMs;
      lastError = error;
      failures += 1;
      consecutiveFailures += 1;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
