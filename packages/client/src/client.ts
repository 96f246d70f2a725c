import { performance } from 'node:perf_hooks';
import {
  type ContainerMetadata,
  type ContainerStats,
  endpointPaths,
  type MetadataParseOptions,
  parseContainerMetadata,
  parseContainerStats,
  parseTaskMetadata,
  parseTaskStats,
  type TaskMetadata,
  type TaskStats,
  type WireFieldIssue,
  WireSchemaError,
} from '@taskscope/wire';
import type { Dispatcher } from 'undici';
// A JSON import, not createRequire, so that a bundler (the CLI's) inlines the manifest.
import manifest from '../package.json' with { type: 'json' };
import {
  MetadataConfigError,
  MetadataConnectionError,
  MetadataHttpStatusError,
  MetadataMalformedJsonError,
  MetadataNotFoundError,
  MetadataSchemaError,
  MetadataThrottledError,
  MetadataTimeoutError,
} from './errors.js';
import {
  type MetadataEndpoint,
  type ResolveMetadataEndpointOptions,
  resolveMetadataEndpoint,
} from './resolve.js';
import { shorten } from './shorten.js';
import { createDispatcherTransport, createHttpTransport } from './transport.js';

// From the manifest, so src (tests), dist (published) and the CLI's bundle report the same version.
const PACKAGE_VERSION = manifest.version;

/** The `User-Agent` sent unless `userAgent` says otherwise. */
export const DEFAULT_USER_AGENT = `taskscope/${PACKAGE_VERSION}`;

/** Default per-request budget for headers and body together. */
export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * The endpoint is a Go server with a 5 s read timeout
 * and no idle timeout, so Go closes idle connections after 5 s (IdleTimeout falls back to
 * ReadTimeout; docs/endpoint.md §2). Closing ours first avoids writing a request into a
 * socket the server is closing, which surfaces as a reset.
 */
const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 4000;

/** Options of {@link createMetadataClient}. */
export interface MetadataClientOptions extends ResolveMetadataEndpointOptions {
  /** Per-request budget covering headers and body; default 2000 ms. */
  readonly timeoutMs?: number;
  /**
   * An undici dispatcher to send through (a `MockAgent` in tests, an `Agent` with a proxy…).
   * The client does not close a dispatcher it was given.
   */
  readonly dispatcher?: Dispatcher;
  /** `User-Agent` header; default `taskscope/<version>`. */
  readonly userAgent?: string;
  /**
   * Keep-alive connections in the client's own pool; default 1. Requests made together queue
   * on it: each answer is a cached sample served in about a millisecond, and one socket per
   * client keeps the endpoint's per-IP view simple.
   */
  readonly connections?: number;
  /** How long an idle keep-alive connection is kept; default 4000 ms. */
  readonly keepAliveTimeoutMs?: number;
  /**
   * Told of each part an answer's parse left out (wire's lenient fields: a bad key of a
   * container's `Health` in metadata; a wrong-typed stats field, which costs the metric computed
   * from it, or for `read` and `total_usage` that container's sample) with the URL it came from;
   * without it they are left out silently. The rest of the answer is returned as usual.
   */
  readonly onFieldIssue?: (issue: WireFieldIssue, url: string) => void;
}

/** Per-call options. */
export interface MetadataRequestOptions {
  /** Aborts the call; the signal's reason is thrown as is. */
  readonly signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
}

/** An answer as received, any status, not validated. */
export interface MetadataResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON; absent (not `undefined`-valued) when it is not JSON: test with `'json' in response`. */
  readonly json?: unknown;
  /** From sending the request to the end of the body. */
  readonly durationMs: number;
}

/** A client for one task metadata endpoint (v2, v3 or v4). */
export interface MetadataClient {
  /** The endpoint this client talks to and how it was chosen. */
  readonly endpoint: MetadataEndpoint;
  /** The task (`/v2/metadata`, `…/task`). */
  taskMetadata(options?: MetadataRequestOptions): Promise<TaskMetadata>;
  /** The task with its tags (`/v2/metadataWithTags`, `…/taskWithTags`); v4 adds `Errors` when tagging failed. */
  taskMetadataWithTags(options?: MetadataRequestOptions): Promise<TaskMetadata>;
  /** DockerId → stats; a container with no sample (`null`, `{}`) maps to `null`. */
  taskStats(options?: MetadataRequestOptions): Promise<TaskStats>;
  /**
   * A container's metadata. v3/v4: without `dockerId`, the calling container; with one, it is
   * picked from the task. v2 has no "calling container": `dockerId` is required.
   */
  containerMetadata(dockerId?: string, options?: MetadataRequestOptions): Promise<ContainerMetadata>;
  /** A container's stats, `null` when it has no sample; `dockerId` as for {@link containerMetadata}. */
  containerStats(dockerId?: string, options?: MetadataRequestOptions): Promise<ContainerStats | null>;
  /**
   * GET a path relative to the base URL (`''`, `/task`, `/stats`…) and return the answer as
   * received, whatever its status. Throws only `TMDS_TIMEOUT` and `TMDS_CONNECTION`.
   */
  request(relativePath: string, options?: MetadataRequestOptions): Promise<MetadataResponse>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

interface Exchange extends Omit<MetadataResponse, 'json'> {
  readonly parsed: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** Transport failures that mean "no complete answer from the server". */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * A client for the task metadata endpoint on node:http (or a given undici dispatcher): one keep-alive connection, a per-request
 * timeout, validated payloads and typed errors (`MetadataClientError` and its `code`).
 * Resolves the endpoint like the agent does unless `metadataUrl` is given.
 */
export function createMetadataClient(options: MetadataClientOptions = {}): MetadataClient {
  const endpoint = resolveMetadataEndpoint(options);
  const timeoutMs = checkPositive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS);
  const connections = checkPositive('connections', options.connections, 1, true);
  const keepAliveTimeoutMs = checkPositive(
    'keepAliveTimeoutMs',
    options.keepAliveTimeoutMs,
    DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  );
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const base = new URL(endpoint.baseUrl);
  const transport =
    options.dispatcher === undefined
      ? createHttpTransport(base, { connections, keepAliveTimeoutMs })
      : createDispatcherTransport(options.dispatcher, base);
  const paths = endpointPaths(endpoint.version);
  const { onFieldIssue } = options;
  let closed = false;

  /** One GET, body read and JSON-parsed once; throws only timeout and connection errors. */
  async function send(relativePath: string, call: MetadataRequestOptions = {}): Promise<Exchange> {
    if (relativePath !== '' && !relativePath.startsWith('/')) {
      // A TypeError, not a TaskscopeError: paths come from the caller's code, never from a user.
      throw new TypeError(`relativePath must be "" or start with "/"; got ${JSON.stringify(relativePath)}`);
    }
    const url = `${endpoint.baseUrl}${relativePath}`;
    if (closed) throw new MetadataConnectionError(url, 'the client is closed');
    const budgetMs = checkPositive('timeoutMs', call.timeoutMs, timeoutMs);
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(), budgetMs);
    // The caller's abort is forwarded to the timer's controller rather than combined with
    // AbortSignal.any, which costs 17 µs a call against 2 µs (measured with the agent's V8
    // flags) and keeps a WeakRef per request on the agent's long-lived shutdown signal.
    const forwardAbort = () => timer.abort();
    call.signal?.addEventListener('abort', forwardAbort, { once: true });
    if (call.signal?.aborted) timer.abort();
    const signal = timer.signal;
    const startedMs = performance.now();
    try {
      // The timer keeps running through the body: a server that stalls mid-body times out too.
      const response = await transport.get(
        `${base.pathname === '/' ? '' : base.pathname}${relativePath}`,
        { 'user-agent': userAgent, accept: 'application/json' },
        signal,
      );
      const { text } = response;
      const durationMs = performance.now() - startedMs;
      return {
        url,
        status: response.statusCode,
        headers: response.headers,
        text,
        durationMs,
        parsed: tryParseJson(text),
      };
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      if (timer.signal.aborted) throw new MetadataTimeoutError(url, budgetMs);
      throw transportError(url, error, budgetMs);
    } finally {
      clearTimeout(timeout);
      call.signal?.removeEventListener('abort', forwardAbort);
    }
  }

  async function request(relativePath: string, call?: MetadataRequestOptions): Promise<MetadataResponse> {
    const { parsed, ...response } = await send(relativePath, call);
    return parsed.ok ? { ...response, json: parsed.value } : response;
  }

  async function getJson<T>(
    relativePath: string,
    parse: (payload: unknown, options: MetadataParseOptions) => T,
    call: MetadataRequestOptions | undefined,
  ): Promise<T> {
    const { url, status, text, headers, parsed } = await send(relativePath, call);
    if (status === 429) throw new MetadataThrottledError(url, text, headers, Date.now());
    if (status < 200 || status > 299) throw new MetadataHttpStatusError(url, status, text, headers);
    if (!parsed.ok) throw new MetadataMalformedJsonError(url, status, shorten(text, 120), parsed.error);
    try {
      return parse(parsed.value, onFieldIssue ? { onFieldIssue: (issue) => onFieldIssue(issue, url) } : {});
    } catch (error) {
      if (error instanceof WireSchemaError) throw new MetadataSchemaError(url, error);
      throw error;
    }
  }

  function requireDockerIdOnV2(method: string, dockerId: string | undefined): string {
    if (dockerId !== undefined && dockerId !== '') return dockerId;
    throw new MetadataConfigError(
      'dockerId',
      dockerId,
      'a DockerId',
      `${method}() on the v2 endpoint ${endpoint.baseUrl} needs a DockerId: v2 has no "calling container" (v3 and v4 do)`,
    );
  }

  /**
   * Where a container's own answer is: v2's by DockerId (required there); v3/v4's calling
   * container's when no DockerId is given. v3/v4 address only the calling container, so another
   * one is found through the task-level answer (`viaTask`).
   */
  function whereIs(
    method: 'containerMetadata' | 'containerStats',
    path: (dockerId?: string) => string,
    dockerId: string | undefined,
  ): { readonly path: string } | { readonly viaTask: string } {
    if (endpoint.version === 'v2') return { path: path(requireDockerIdOnV2(method, dockerId)) };
    return dockerId === undefined ? { path: path() } : { viaTask: dockerId };
  }

  return {
    endpoint,
    taskMetadata: (call) => getJson(paths.task, parseTaskMetadata, call),
    taskMetadataWithTags: (call) => getJson(paths.taskWithTags, parseTaskMetadata, call),
    taskStats: (call) => getJson(paths.taskStats, parseTaskStats, call),
    async containerMetadata(dockerId, call) {
      const where = whereIs('containerMetadata', paths.container, dockerId);
      if ('path' in where) return getJson(where.path, parseContainerMetadata, call);
      const task = await getJson(paths.task, parseTaskMetadata, call);
      const container = task.Containers?.find((candidate) => candidate.DockerId === where.viaTask);
      if (container === undefined)
        throw new MetadataNotFoundError(`${endpoint.baseUrl}${paths.task}`, where.viaTask);
      return container;
    },
    async containerStats(dockerId, call) {
      const where = whereIs('containerStats', paths.containerStats, dockerId);
      if ('path' in where) return getJson(where.path, parseContainerStats, call);
      const stats = await getJson(paths.taskStats, parseTaskStats, call);
      if (!Object.hasOwn(stats, where.viaTask)) {
        throw new MetadataNotFoundError(`${endpoint.baseUrl}${paths.taskStats}`, where.viaTask);
      }
      return stats[where.viaTask] ?? null;
    },
    request,
    async close() {
      if (closed) return;
      closed = true;
      await transport.close();
    },
  };
}

function tryParseJson(text: string): Exchange['parsed'] {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

function transportError(url: string, error: unknown, budgetMs: number): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return new MetadataTimeoutError(url, budgetMs);
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    return new MetadataConnectionError(url, `${(error as Error).message} (${code})`, error);
  }
  // undici's argument errors are bugs in the caller, not endpoint failures: keep them as they are.
  if (code === 'UND_ERR_INVALID_ARG' || !(error instanceof Error)) return error as Error;
  return new MetadataConnectionError(
    url,
    `${error.message}${typeof code === 'string' ? ` (${code})` : ''}`,
    error,
  );
}

function checkPositive(name: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new MetadataConfigError(
      name,
      value,
      `a positive ${integer ? 'integer' : 'number'}${name.endsWith('Ms') ? ' of milliseconds' : ''}`,
    );
  }
  return value;
}
