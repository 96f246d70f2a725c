import type { TaskMetrics } from '@taskscope/core';
import type { Snapshot } from '@taskscope/sdk';
import type { Clock } from './clock.js';
import { createSnapshotHistory, historyCapacity, type SnapshotHistory } from './history.js';
import { buildSnapshot, type SnapshotInput } from './snapshot.js';
import type { SnapshotStore } from './store.js';

/** What a snapshot says about the agent's own set-up, read when a document is made. */
export type SnapshotContext = Pick<
  SnapshotInput,
  'endpoint' | 'interval' | 'cadence' | 'exporters' | 'pricing'
>;

export interface SnapshotFeedOptions {
  readonly store: SnapshotStore;
  readonly clock: Clock;
  /** `--history`, ms; 0 keeps none. */
  readonly historyMs: number;
  readonly context: () => SnapshotContext;
}

/** One closed refresh cycle, as the API published it. */
export interface PublishedCycle {
  readonly snapshot: Snapshot;
  /** The id, never null here: the cycle's newest `read` in whole ms. */
  readonly id: number;
  /** `snapshot` as JSON, made once for every client that is sent it. */
  json(): string;
}

/**
 * The agent API's documents: on every closed refresh cycle the store reports, one
 * `taskscope.snapshot/v1` document, kept in the history ring and handed to subscribers (SSE);
 * and, on request, the current document (`/api/v1/snapshot`).
 */
export interface SnapshotFeed {
  /** `--history`, ms (0: off). */
  readonly retentionMs: number;
  readonly history: SnapshotHistory;
  /** Local time, ms (the clock the documents' `generatedAt` is on). */
  now(): number;
  /**
   * The `/api/v1/snapshot` document: the latest good poll, with the poll status of this moment;
   * its `id` is that poll's newest `read`. The latest cycle (its SSE event, its history entry)
   * has that id or an older one: the containers of a task refresh at their own moments, a poll
   * can see some refreshed and not yet all, and the snapshot shows each one's latest numbers.
   */
  current(): Snapshot;
  /** The latest closed cycle; `undefined` before the first. */
  latest(): PublishedCycle | undefined;
  subscribe(listener: (cycle: PublishedCycle) => void): () => void;
  /** Stops following the store. */
  close(): void;
}

export function createSnapshotFeed(options: SnapshotFeedOptions): SnapshotFeed {
  const { store, clock } = options;
  const history = createSnapshotHistory(historyCapacity(options.historyMs));
  const listeners = new Set<(cycle: PublishedCycle) => void>();
  let latest: PublishedCycle | undefined;

  const build = (metrics: TaskMetrics | undefined, cycleReadMs?: number, id?: number): Snapshot =>
    buildSnapshot({
      metrics,
      cycleReadMs,
      id,
      status: store.status(),
      ...options.context(),
      nowMs: clock.now(),
    });

  const unsubscribe = store.subscribe((metrics, cycleReadMs) => {
    // A first poll in which no container has stats yet closes no cycle: nothing to publish.
    if (cycleReadMs === undefined) return;
    // Ids are what SSE catch-up and history count on: strictly increasing. Two cycles in one
    // ms never happen on a real endpoint (refreshes are a second apart at the least), but a
    // repeated id would make a reconnecting client skip one, so the later moves 1 ms on.
    const previousId = latest?.id;
    const readId = Math.floor(cycleReadMs);
    const id = previousId !== undefined && readId <= previousId ? previousId + 1 : readId;
    const snapshot = build(metrics, cycleReadMs, id);
    let json: string | undefined;
    const published: PublishedCycle = {
      snapshot,
      id,
      json: () => {
        json ??= JSON.stringify(snapshot);
        return json;
      },
    };
    latest = published;
    history.push(snapshot);
    for (const listener of listeners) listener(published);
  });

  return {
    retentionMs: options.historyMs,
    history,
    now: () => clock.now(),
    current: () => build(store.latest()),
    latest: () => latest,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      unsubscribe();
      listeners.clear();
    },
  };
}
