import type { Snapshot } from '@taskscope/sdk';
import { TopError } from '../../errors.js';
import { hasRates, renderTop, SORT_KEY_OF_KEY, type SortKey } from './render.js';
import { type LiveScreen, openLiveScreen, type ScreenStreams } from './screen.js';

/*
 * `taskscope top`'s two modes over one source: the live screen (redrawn on every snapshot the
 * stream delivers) and `--once` (one table once a snapshot covers an interval). Both read
 * through the same client, whether it talks to a remote agent or to one started in process.
 */

/** What top reads: the @taskscope/sdk client's `snapshot()` and `subscribe()`. */
export interface SnapshotClient {
  snapshot(options?: { signal?: AbortSignal }): Promise<Snapshot>;
  subscribe(
    onSnapshot: (snapshot: Snapshot) => void,
    options?: {
      signal?: AbortSignal;
      onError?: (error: Error) => void;
      onState?: (state: { readonly state: string }) => void;
      lastEventId?: string;
    },
  ): Promise<void>;
}

/** Where the snapshots come from, and how to say it in a message. */
export interface TopSource {
  readonly client: SnapshotClient;
  /** `the agent at http://…`, `the task metadata endpoint at http://…`. */
  readonly description: string;
  /**
   * Whether the endpoint failing before any success ends top (exit 1): when top polls the
   * endpoint itself. A remote agent's polls are its own business; top shows their status.
   */
  readonly endpointFailuresAreFatal: boolean;
  /** Stops what the source started (the in-process agent). */
  close(): Promise<void>;
}

/** Polls failing in a row before the first success after which a direct read gives up. */
export const FAILED_POLLS_BEFORE_GIVING_UP = 3;

/** How often the not-yet-ready source is asked again, and the watchdog's period. */
const READY_POLL_MS = 250;
const WATCHDOG_MS = 2_000;

interface WatchOptions {
  readonly signal: AbortSignal;
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** A line about the source (`reconnecting…`), or `undefined` once it is fine again. */
  readonly onNotice: (notice: string | undefined) => void;
  /** `--once`: an agent that cannot be reached any more ends the wait (exit 1) instead of a notice. */
  readonly unreachableIsFatal: boolean;
}

/**
 * Feeds `onSnapshot` until `signal` aborts: the current snapshot, then (once a poll has
 * succeeded) every snapshot of the stream. Between stream events a watchdog asks for the
 * snapshot again when none came for three poll intervals, so failing polls show even though
 * the stream only carries fresh samples. Rejects with a {@link TopError} when the source
 * cannot be reached at first, or when a direct read fails {@link FAILED_POLLS_BEFORE_GIVING_UP}
 * times before its first success.
 */
export async function watchSource(source: TopSource, options: WatchOptions): Promise<void> {
  const { client } = source;
  const { signal } = options;
  let lastSeenMs = performance.now();
  let intervalMs = 10_000;
  const seen = (snapshot: Snapshot) => {
    lastSeenMs = performance.now();
    intervalMs = snapshot.poll.interval.intervalMs ?? intervalMs;
    options.onSnapshot(snapshot);
  };
  const fetchSnapshot = async (): Promise<Snapshot | undefined> => {
    try {
      return await client.snapshot({ signal });
    } catch (error) {
      if (signal.aborted) return undefined;
      throw new TopError(`top: cannot reach ${source.description}: ${messageOf(error)}`, { cause: error });
    }
  };

  let current = await fetchSnapshot();
  let lastId: number | null = null;
  while (current !== undefined) {
    lastId = current.id;
    seen(current);
    if (current.poll.ready) break;
    const failures = current.poll.consecutiveFailures;
    if (source.endpointFailuresAreFatal && failures >= FAILED_POLLS_BEFORE_GIVING_UP) {
      const error = current.poll.lastError;
      throw new TopError(
        `top: cannot read ${source.description}: ${error ? `${error.code} ${error.message}` : `${failures} polls failed`}`,
      );
    }
    if (!(await delay(READY_POLL_MS, signal))) return;
    current = await fetchSnapshot();
  }
  if (signal.aborted) return;

  let fatal: ((error: TopError) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    fatal = reject;
  });
  // Only awaited in the race below; a rejection after the race ended must not be unhandled.
  failed.catch(() => undefined);
  const watchdog = setInterval(() => {
    if (performance.now() - lastSeenMs < Math.max(3 * intervalMs, 5_000)) return;
    lastSeenMs = performance.now();
    client.snapshot({ signal }).then(seen, (error: unknown) => {
      if (signal.aborted) return;
      if (options.unreachableIsFatal)
        fatal?.(
          new TopError(`top: cannot reach ${source.description}: ${messageOf(error)}`, { cause: error }),
        );
      else options.onNotice(`cannot reach ${source.description}: ${messageOf(error)}; retrying`);
    });
  }, WATCHDOG_MS);
  try {
    const streaming = client.subscribe(seen, {
      signal,
      // An agent that keeps history sends what came between that snapshot and the stream.
      ...(lastId !== null ? { lastEventId: String(lastId) } : {}),
      onError: (error) => {
        if (options.unreachableIsFatal)
          fatal?.(
            new TopError(`top: cannot reach ${source.description}: ${messageOf(error)}`, { cause: error }),
          );
        else
          options.onNotice(
            `stream from ${source.description} interrupted: ${messageOf(error)}; reconnecting`,
          );
      },
      onState: ({ state }) => {
        if (state === 'open') options.onNotice(undefined);
      },
    });
    await Promise.race([streaming, failed]);
  } finally {
    clearInterval(watchdog);
  }
}

/** `--once`: the first snapshot that covers an interval (it has rates), rendered at `widthColumns`. */
export async function renderOnce(
  source: TopSource,
  options: { readonly widthColumns: number; readonly sortKey: SortKey; readonly color: boolean },
): Promise<string[]> {
  const stop = new AbortController();
  let found: Snapshot | undefined;
  try {
    await watchSource(source, {
      signal: stop.signal,
      unreachableIsFatal: true,
      onNotice: () => undefined,
      onSnapshot: (snapshot) => {
        if (found === undefined && hasRates(snapshot)) {
          found = snapshot;
          stop.abort();
        }
      },
    });
  } finally {
    stop.abort();
  }
  // watchSource only returns early when aborted, which only a found snapshot does.
  if (found === undefined) throw new TopError(`top: ${source.description} sent no snapshot`);
  return renderTop(found, options);
}

export interface LiveOptions {
  readonly streams: ScreenStreams;
  readonly sortKey: SortKey;
  readonly color: boolean;
}

/**
 * The live screen until q, Ctrl-C, SIGINT, SIGTERM or SIGHUP (resolves: exit 0) or a failure
 * (rejects with it). The terminal is restored before either.
 */
export async function runLive(source: TopSource, options: LiveOptions): Promise<void> {
  let sortKey = options.sortKey;
  let latest: Snapshot | undefined;
  let notice: string | undefined;
  const stop = new AbortController();
  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
  let screen: LiveScreen | undefined;
  const draw = () => {
    if (screen === undefined) return;
    const { widthColumns, heightRows } = screen.size();
    if (latest === undefined) {
      screen.draw([`connecting to ${source.description}`.slice(0, widthColumns)]);
      return;
    }
    screen.draw(
      renderTop(latest, {
        widthColumns,
        heightRows,
        sortKey,
        color: options.color,
        ...(notice !== undefined ? { notice } : {}),
      }),
    );
  };
  const onSignal = () => stop.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const name of signals) process.on(name, onSignal);
  try {
    screen = openLiveScreen(options.streams, {
      onKey: (key) => {
        // Ctrl-C arrives as a byte in raw mode, not as SIGINT.
        if (key === 'q' || key === 'Q' || key === '\x03') return stop.abort();
        const chosen = SORT_KEY_OF_KEY[key.toLowerCase()];
        if (chosen !== undefined && chosen !== sortKey) {
          sortKey = chosen;
          draw();
        }
      },
      onResize: draw,
    });
    draw();
    await Promise.race([
      stopped,
      watchSource(source, {
        signal: stop.signal,
        unreachableIsFatal: false,
        onSnapshot: (snapshot) => {
          latest = snapshot;
          draw();
        },
        onNotice: (text) => {
          notice = text;
          draw();
        },
      }),
    ]);
  } finally {
    stop.abort();
    screen?.restore();
    for (const name of signals) process.off(name, onSignal);
  }
}

/** The error's message on one line. */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

/** Resolves true after `ms`, or false at once when `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
