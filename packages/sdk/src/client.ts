/*
 * The typed client of the agent API, for browsers and Node alike: it uses only `fetch`,
 * `ReadableStream`, `TextDecoder`, `AbortController` and timers, so the same code runs in the
 * dashboard page, in `taskscope top` and in an app of the task. Every response is checked
 * against the `taskscope.snapshot/v1` schema (unless `validate: false`), so a caller never
 * reads a field that is not there.
 */
import * as v from 'valibot';
import { retryDelayMs } from './backoff.js';
import {
  type ApiError,
  ApiErrorSchema,
  type History,
  HistorySchema,
  SNAPSHOT_SCHEMA_ID,
  type Snapshot,
  SnapshotSchema,
} from './schema.js';
import { createSseParser, type ServerSentEvent } from './sse.js';

/** The agent API's paths, relative to the base URL (so a path prefix in it is kept). */
export const API_PATHS = {
  snapshot: 'api/v1/snapshot',
  history: 'api/v1/history',
  stream: 'api/v1/stream',
} as const;

/** The SSE event type the agent sends one of per refresh cycle; other types are ignored. */
export const SNAPSHOT_EVENT = 'snapshot';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRY_MS = 1_000;
export const DEFAULT_MAX_RETRY_MS = 30_000;

export interface TaskscopeClientOptions {
  /**
   * The agent's base URL, e.g. `http://127.0.0.1:9780/` (a path prefix is kept). In a page, a
   * relative URL (`/`, `./`) is resolved against the page's location.
   */
  readonly baseUrl: string | URL;
  /** Sent as `Authorization: Bearer <token>` on every request. */
  readonly token?: string;
  /** Defaults to globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /**
   * Per-request timeout for snapshot() and history(); default 10 s. subscribe() applies it to
   * each connection until the response headers arrive (a stream itself has no end).
   */
  readonly timeoutMs?: number;
  /** Check responses against the schema (default true). */
  readonly validate?: boolean;
}

/** Where a subscription is: what a page's "live" badge or `top`'s status line shows. */
export type StreamState =
  | { readonly state: 'connecting' }
  | { readonly state: 'open' }
  | {
      readonly state: 'retrying';
      /** How long until the next connection attempt. */
      readonly delayMs: number;
      /** Failed connections in a row, this one included (1 after the first failure). */
      readonly attempt: number;
    };

export interface SubscribeOptions {
  readonly signal?: AbortSignal;
  /**
   * Called on each failed connection or bad event; the subscription keeps retrying. That
   * includes a 401, 403 or 404 (a wrong token or URL): the stream is retried with backoff all
   * the same, because an agent being redeployed answers them too, so show `error.status`.
   */
  readonly onError?: (error: TaskscopeClientError) => void;
  /** 'connecting' | 'open' | 'retrying' (with the delay before the next try). */
  readonly onState?: (state: StreamState) => void;
  /** Backoff: first retry delay (default: the server's `retry:`, else 1 s), doubling to maxRetryMs (default 30 s), with jitter. */
  readonly maxRetryMs?: number;
  /** Resume after this event id (sent as Last-Event-ID on the first connection too). */
  readonly lastEventId?: string;
}

export interface TaskscopeClient {
  snapshot(options?: { signal?: AbortSignal }): Promise<Snapshot>;
  /** window: a duration string ('5m', '30s', '500ms') or milliseconds. */
  history(options?: { window?: string | number; signal?: AbortSignal }): Promise<History>;
  /**
   * Resolves when `signal` aborts (never rejects for network errors: it retries). Reconnects
   * with backoff and Last-Event-ID so no sample is lost or repeated. Rejects only when one of
   * the caller's own callbacks throws: that error ends the subscription and is passed on.
   */
  subscribe(onSnapshot: (snapshot: Snapshot) => void, options?: SubscribeOptions): Promise<void>;
}

export type TaskscopeClientErrorCode = 'HTTP' | 'NETWORK' | 'TIMEOUT' | 'SCHEMA' | 'ABORTED';

export class TaskscopeClientError extends Error {
  override readonly name = 'TaskscopeClientError';
  /**
   * `HTTP`: the agent answered 4xx/5xx (`status`, and `body` when it was the API's JSON
   * error). `NETWORK`: no answer, or the connection broke. `TIMEOUT`: no answer within
   * `timeoutMs`. `SCHEMA`: an answer that is not JSON or not a `taskscope.snapshot/v1`
   * document (the message names the field). `ABORTED`: the caller's signal aborted.
   */
  readonly code: TaskscopeClientErrorCode;
  readonly status?: number;
  readonly body?: ApiError;

  constructor(
    code: TaskscopeClientErrorCode,
    message: string,
    details: { status?: number; body?: ApiError; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.status !== undefined) this.status = details.status;
    if (details.body !== undefined) this.body = details.body;
  }
}

export function createTaskscopeClient(options: TaskscopeClientOptions): TaskscopeClient {
  const base = baseUrlOf(options.baseUrl);
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const validate = options.validate ?? true;
  // Looked up at call time and called as a function, not a method: a browser's fetch throws
  // "Illegal invocation" when called with another `this`.
  const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authorization: Record<string, string> =
    options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` };

  async function getJson<T>(
    url: URL,
    schema: v.GenericSchema<unknown, T>,
    what: string,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const request = `GET ${shown(url)}`;
    const deadline = linkSignal(signal, timeoutMs);
    try {
      let text: string;
      let response: Response;
      try {
        response = await fetchFn(url, {
          headers: { Accept: 'application/json', ...authorization },
          signal: deadline.signal,
        });
        text = await response.text();
      } catch (error) {
        throw failure(request, error, signal, deadline.timedOut());
      }
      if (!response.ok) throw httpError(request, response, text);
      return parseDocument(request, text, schema, what, validate);
    } finally {
      deadline.release();
    }
  }

  return {
    snapshot(call = {}) {
      return getJson(new URL(API_PATHS.snapshot, base), SnapshotSchema, 'snapshot', call.signal);
    },

    async history(call = {}) {
      const url = new URL(API_PATHS.history, base);
      if (call.window !== undefined) url.searchParams.set('window', windowParameter(call.window));
      return getJson(url, HistorySchema, 'history', call.signal);
    },

    async subscribe(onSnapshot, subscribeOptions = {}) {
      const maxRetryMs = positive('maxRetryMs', subscribeOptions.maxRetryMs ?? DEFAULT_MAX_RETRY_MS);
      await runSubscription({
        url: new URL(API_PATHS.stream, base),
        fetchFn,
        authorization,
        timeoutMs,
        validate,
        maxRetryMs,
        onSnapshot,
        options: subscribeOptions,
      });
    },
  };
}

interface Subscription {
  readonly url: URL;
  readonly fetchFn: typeof fetch;
  readonly authorization: Record<string, string>;
  readonly timeoutMs: number;
  readonly validate: boolean;
  readonly maxRetryMs: number;
  readonly onSnapshot: (snapshot: Snapshot) => void;
  readonly options: SubscribeOptions;
}

/** A throw from the caller's own callback: it ends the subscription instead of being retried. */
class CallbackFailure {
  constructor(readonly error: unknown) {}
}

async function runSubscription(sub: Subscription): Promise<void> {
  const { signal, onError, onState } = sub.options;
  // Called as a plain function: a browser's own fetch called as `sub.fetchFn(…)` throws
  // "Illegal invocation".
  const { fetchFn } = sub;
  const request = `GET ${shown(sub.url)}`;
  /** What to send as Last-Event-ID: the newest event id this subscription has consumed. */
  let resumeId = sub.options.lastEventId;
  /** Its value as a number: an event at or below it is a replay and is dropped. */
  let lastId = resumeId === undefined ? undefined : eventIdNumber(resumeId);
  let serverRetryMs: number | undefined;
  let failuresInRow = 0;

  function call<A>(callback: ((argument: A) => void) | undefined, argument: A): void {
    if (callback === undefined) return;
    try {
      callback(argument);
    } catch (error) {
      throw new CallbackFailure(error);
    }
  }

  function onEvent(event: ServerSentEvent): void {
    if (event.type !== SNAPSHOT_EVENT) return;
    const id = eventIdNumber(event.lastEventId);
    if (id !== undefined && lastId !== undefined && id <= lastId) return; // a replay: delivered already
    if (id !== undefined) {
      // A bad event is consumed too: replaying it after a reconnect would not mend it.
      lastId = id;
      resumeId = event.lastEventId;
    }
    let snapshot: Snapshot;
    try {
      snapshot = parseDocument(
        `${request} event ${event.lastEventId || '(no id)'}`,
        event.data,
        SnapshotSchema,
        'snapshot',
        sub.validate,
      );
    } catch (error) {
      call(onError, error as TaskscopeClientError);
      return;
    }
    call(sub.onSnapshot, snapshot);
  }

  /** One connection, until it fails or ends; returns why, and whether it carried an event. */
  async function connect(): Promise<{ error?: TaskscopeClientError; carriedEvent: boolean }> {
    let carriedEvent = false;
    const connection = linkSignal(signal, sub.timeoutMs);
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...sub.authorization };
      if (resumeId !== undefined && resumeId !== '') headers['Last-Event-ID'] = resumeId;
      const response = await fetchFn(sub.url, { headers, signal: connection.signal });
      // The timeout covers the wait for an answer, not the stream, which never ends.
      connection.stopTimer();
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        return { error: httpError(request, response, text), carriedEvent };
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!/^text\/event-stream\s*(;|$)/i.test(contentType) || response.body === null) {
        return {
          error: new TaskscopeClientError(
            'SCHEMA',
            `${request}: content-type is ${JSON.stringify(contentType)}; expected text/event-stream (is the URL the agent's?)`,
            { status: response.status },
          ),
          carriedEvent,
        };
      }
      call(onState, { state: 'open' });
      const parser = createSseParser({
        onEvent(event) {
          if (event.type === SNAPSHOT_EVENT) carriedEvent = true;
          onEvent(event);
        },
        onRetry(retryMs) {
          serverRetryMs = retryMs;
        },
      });
      const reader = response.body.getReader();
      // The parser strips the one byte order mark the standard allows; the decoder keeps it.
      const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
      return {
        error: new TaskscopeClientError('NETWORK', `${request}: the agent closed the stream`),
        carriedEvent,
      };
    } catch (error) {
      if (error instanceof CallbackFailure) throw error;
      return { error: failure(request, error, signal, connection.timedOut()), carriedEvent };
    } finally {
      // Aborting releases the response body (and its socket) when the loop left it unread.
      connection.release();
      connection.abort();
    }
  }

  // A function, not a narrowed expression: the signal aborts while the loop awaits.
  const aborted = () => signal?.aborted === true;
  try {
    while (!aborted()) {
      call(onState, { state: 'connecting' });
      const outcome = await connect();
      if (aborted()) break;
      if (outcome.error !== undefined) call(onError, outcome.error);
      // A connection that carried events was healthy: the backoff starts over.
      if (outcome.carriedEvent) failuresInRow = 0;
      const delayMs = retryDelayMs(
        failuresInRow,
        serverRetryMs ?? DEFAULT_RETRY_MS,
        sub.maxRetryMs,
        Math.random,
      );
      failuresInRow += 1;
      call(onState, { state: 'retrying', delayMs, attempt: failuresInRow });
      await sleep(delayMs, signal);
    }
  } catch (error) {
    if (error instanceof CallbackFailure) throw error.error;
    throw error;
  }
}

/** The event id as a number (the agent's ids are the cycle's newest `read` time in ms). */
function eventIdNumber(id: string): number | undefined {
  return /^[0-9]+$/.test(id) ? Number(id) : undefined;
}

function parseDocument<T>(
  request: string,
  text: string,
  schema: v.GenericSchema<unknown, T>,
  what: string,
  validate: boolean,
): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TaskscopeClientError(
      'SCHEMA',
      `${request}: the ${what} is not JSON (${(error as Error).message}): ${excerpt(text)}`,
      { cause: error },
    );
  }
  if (!validate) return json as T;
  const result = v.safeParse(schema, json);
  if (result.success) return result.output;
  throw new TaskscopeClientError(
    'SCHEMA',
    `${request}: the ${what} is not a ${SNAPSHOT_SCHEMA_ID} document: ${describeIssues(result.issues)}`,
  );
}

/** `containers[0].memory.limitBytes: expected number but received "12"`, and how many more. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const [first, ...rest] = issues;
  if (first === undefined) return 'no details';
  const path = (first.path ?? [])
    .map((item, index) => {
      const key = item.key;
      if (typeof key === 'number') return `[${key}]`;
      return index === 0 ? String(key) : `.${String(key)}`;
    })
    .join('');
  const where = path === '' ? 'the document' : path;
  const problem =
    first.received === 'undefined'
      ? `is missing (expected ${first.expected ?? 'a value'})`
      : `expected ${first.expected ?? 'a valid value'} but received ${first.received}`;
  const more =
    rest.length === 0 ? '' : ` (and ${rest.length} more ${rest.length === 1 ? 'problem' : 'problems'})`;
  return `${where}: ${problem}${more}`;
}

function httpError(request: string, response: Response, text: string): TaskscopeClientError {
  let body: ApiError | undefined;
  try {
    const parsed = v.safeParse(ApiErrorSchema, JSON.parse(text));
    if (parsed.success) body = parsed.output;
  } catch {
    // Not JSON: a proxy's or load balancer's page; the status says enough.
  }
  const statusText = response.statusText === '' ? '' : ` ${response.statusText}`;
  const detail = body !== undefined ? `: ${body.message}` : text.trim() === '' ? '' : `: ${excerpt(text)}`;
  return new TaskscopeClientError('HTTP', `${request}: ${response.status}${statusText}${detail}`, {
    status: response.status,
    ...(body === undefined ? {} : { body }),
  });
}

/** Why a fetch or a body read threw: the caller's abort, our timeout, or the network. */
function failure(
  request: string,
  error: unknown,
  callerSignal: AbortSignal | undefined,
  timedOut: boolean,
): TaskscopeClientError {
  if (error instanceof TaskscopeClientError) return error;
  if (callerSignal?.aborted === true) {
    return new TaskscopeClientError('ABORTED', `${request}: aborted`, { cause: error });
  }
  if (timedOut) return new TaskscopeClientError('TIMEOUT', `${request}: no answer in time`, { cause: error });
  const reason = error instanceof Error ? causeText(error) : String(error);
  return new TaskscopeClientError('NETWORK', `${request}: ${reason}`, { cause: error });
}

/** undici says only "fetch failed" and puts the reason (ECONNREFUSED …) in `cause`. */
function causeText(error: Error): string {
  const cause = error.cause;
  return cause instanceof Error && cause.message !== ''
    ? `${error.message}: ${cause.message}`
    : error.message;
}

interface LinkedSignal {
  readonly signal: AbortSignal;
  timedOut(): boolean;
  stopTimer(): void;
  abort(): void;
  release(): void;
}

/**
 * A signal that aborts when the caller's does or after `timeoutMs`, and remembers which. Built
 * by hand: AbortSignal.any is missing from browsers before 2024 (Safari 17.4, Firefox 124).
 */
function linkSignal(callerSignal: AbortSignal | undefined, timeoutMs: number): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted === true) controller.abort(callerSignal.reason);
  else callerSignal?.addEventListener('abort', onAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    stopTimer,
    abort: () => controller.abort(),
    release() {
      stopTimer();
      callerSignal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Waits `ms`, or less when `signal` aborts (then it resolves too: the loop checks the signal). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function baseUrlOf(baseUrl: string | URL): URL {
  const text = String(baseUrl);
  // In a page, `/` or `./` means the agent that served it.
  const pageUrl = (globalThis as { location?: { href?: string } }).location?.href;
  let url: URL;
  try {
    url = new URL(text, pageUrl);
  } catch {
    throw new TypeError(
      `baseUrl is ${JSON.stringify(text)}; expected an absolute http(s) URL such as http://127.0.0.1:9780/`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(
      `baseUrl is ${JSON.stringify(text)}; expected an http: or https: URL such as http://127.0.0.1:9780/`,
    );
  }
  url.search = '';
  url.hash = '';
  // `http://host/prefix` means the prefix directory, or `new URL('api/…')` would replace it.
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

function windowParameter(window: string | number): string {
  if (typeof window === 'string') return window; // the agent checks the grammar and says what is allowed
  if (!Number.isFinite(window) || window < 0) {
    throw new RangeError(
      `history(): window is ${window}; expected a duration such as '5m', '30s' or '500ms', or a number of milliseconds ≥ 0`,
    );
  }
  return `${Math.round(window)}ms`;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} is ${value}; expected a number of milliseconds > 0`);
  }
  return value;
}

/** The URL without user info, for messages. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length <= 200 ? flat : `${flat.slice(0, 200)}…`);
}
