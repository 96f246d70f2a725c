/*
 * The page's life: seed from /api/v1/history (and the current snapshot, whose poll figures
 * are of now), then one update per streamed snapshot, with no reload. Every figure goes
 * through the view model; this module only keeps state and calls the DOM modules.
 */
import type { History, Snapshot } from '@taskscope/sdk';
import { h } from './dom/h.js';
import { headerView } from './dom/header.js';
import { pollSection } from './dom/poll.js';
import { containerTable } from './dom/table.js';
import { totalsSection } from './dom/totals.js';
import {
  type ConnectionState,
  nextSortOrder,
  pollView,
  type SortOrder,
  sampleAgeMs,
  taskHeader,
  totalsView,
} from './model.js';
import { SeriesStore } from './series.js';

/** What the page uses of the SDK's client (createTaskscopeClient), so a test can pass its own. */
export interface DashboardClient {
  snapshot(options?: { signal?: AbortSignal }): Promise<Snapshot>;
  history(options?: { window?: string | number; signal?: AbortSignal }): Promise<History>;
  subscribe(
    onSnapshot: (snapshot: Snapshot) => void,
    options?: {
      signal?: AbortSignal;
      onError?: (error: Error & { status?: number }) => void;
      onState?: (state: { state: 'connecting' | 'open' | 'retrying' }) => void;
      lastEventId?: string;
    },
  ): Promise<void>;
}

export interface DashboardOptions {
  readonly root: HTMLElement;
  readonly client: DashboardClient;
  /** Monotonic ms (performance.now): sample ages are measured on the browser's own clock. */
  readonly now: () => number;
}

const INITIAL_SORT: SortOrder = { key: 'cpu', direction: 'descending' };
/** The age on the page counts up between samples. */
const AGE_TICK_MS = 1000;

function isUnauthorized(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 401;
}

export function startDashboard(options: DashboardOptions): { stop(): void } {
  const { root, client, now } = options;
  const series = new SeriesStore();
  let latest: Snapshot | undefined;
  let receivedAtMs = 0;
  let connection: ConnectionState = 'connecting';
  let sort = INITIAL_SORT;
  const aborter = new AbortController();

  const header = headerView();
  const totals = totalsSection();
  const table = containerTable(sort, (key) => {
    sort = nextSortOrder(sort, key);
    return sort;
  });
  const poll = pollSection();
  root.replaceChildren(
    header.banner,
    header.element,
    h('main', {}, totals.element, table.element, poll.element),
    h('footer', {
      class: 'muted',
      text: 'taskscope · figures from the agent’s /api/v1; “not reported” means the task metadata endpoint had none.',
    }),
  );

  function renderPoll(): void {
    const ageMs = latest === undefined ? null : sampleAgeMs(latest, receivedAtMs, now());
    const view = pollView(latest, ageMs, connection);
    header.updatePoll(view);
    poll.update(view);
    root.setAttribute('data-poll-level', view.level);
  }

  function render(): void {
    if (latest !== undefined) {
      header.update(taskHeader(latest));
      totals.update(totalsView(latest), series, latest.task?.size ?? { cpuVcpus: null, memoryBytes: null });
      table.update(latest, series);
      // The id of the sample on screen, for anyone (a test, a script) matching it to a source.
      root.setAttribute('data-sample-id', latest.id === null ? '' : String(latest.id));
    }
    renderPoll();
  }

  function accept(snapshot: Snapshot): void {
    series.add(snapshot);
    // A replayed or older document would move the page back in time.
    if (latest?.id != null && snapshot.id !== null && snapshot.id < latest.id) return;
    latest = snapshot;
    receivedAtMs = now();
  }

  function unauthorized(): void {
    connection = 'unauthorized';
    aborter.abort();
    render();
  }

  const tick = setInterval(renderPoll, AGE_TICK_MS);
  render();

  void (async () => {
    try {
      const history = await client.history({ signal: aborter.signal });
      if (history.retentionMs > 0) series.windowMs = history.retentionMs;
      for (const snapshot of history.snapshots) series.add(snapshot);
      accept(await client.snapshot({ signal: aborter.signal }));
      render();
    } catch (error) {
      if (isUnauthorized(error)) return unauthorized();
      // No history (off, or not reachable yet): the stream still brings the figures.
    }
    if (aborter.signal.aborted) return;
    const newest = series.newestId;
    await client.subscribe(
      (snapshot) => {
        connection = 'open';
        accept(snapshot);
        render();
      },
      {
        signal: aborter.signal,
        ...(newest === undefined ? {} : { lastEventId: String(newest) }),
        onState: ({ state }) => {
          connection = state;
          renderPoll();
        },
        onError: (error) => {
          if (isUnauthorized(error)) unauthorized();
        },
      },
    );
  })().catch((error: unknown) => {
    // Only a throw from this page's own code ends up here: say so rather than freeze silently.
    console.error('taskscope dashboard stopped', error);
    connection = 'closed';
    renderPoll();
  });

  return {
    stop() {
      clearInterval(tick);
      aborter.abort();
    },
  };
}
