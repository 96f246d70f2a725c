import { looksLikeJson, parseJsonLossless, stringifyJson } from '../common/json-text.js';
import { createPrng } from '../common/random.js';
import { type Fault, parseFaults } from '../faults/fault-spec.js';
import { NO_FAULT, rollFaults } from '../faults/roll-faults.js';
import { driftContainerStats, driftTaskStats, type SchemaDrift } from '../faults/schema-drift.js';
import type { MockAnswer, MockEndpoint, PayloadSource } from '../sources/payload-source.js';
import {
  cleanPath,
  needsCleaning,
  type ParsedPath,
  parseMetadataPath,
  toMockRoute,
  unknownIdError,
} from './routes.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './throttle.js';

/*
 * One function from (method, path, client, body, now) to an answer, shared by the node:http
 * server and the msw handlers. It owns what the real endpoint owns: routing, status codes,
 * error bodies, headers and throttling (docs/endpoint.md §2), plus the mock's faults and
 * its control API under /__taskscope/.
 */

/** Prefix of the test-control API; never throttled or faulted. */
export const CONTROL_PREFIX = '/__taskscope/';
/** Largest control request body accepted; bigger bodies get 413. */
export const MAX_CONTROL_BODY_BYTES = 64 * 1024;

export interface HandlerRequest {
  readonly method: string;
  /** Path and query as on the request line, e.g. `/v4/abc/task/stats?x=1`. */
  readonly url: string;
  /** The client's IP: the throttle's key, as tollbooth keys on `RemoteAddr`. */
  readonly remoteAddress: string;
  readonly remotePort?: number;
  /** The `X-Forwarded-For` header, echoed in `X-Rate-Limit-Request-Forwarded-For`. */
  readonly forwardedFor?: string;
  /** Control API only. */
  readonly body?: string;
  /** The body was larger than {@link MAX_CONTROL_BODY_BYTES} and was not read. */
  readonly bodyTooLarge?: boolean;
}

export type HandlerResult =
  | {
      readonly type: 'response';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      /** Wait this long before answering (`slow` faults). */
      readonly delayMs: number;
    }
  /** `timeout` fault: never answer. */
  | { readonly type: 'timeout'; readonly delayMs: number }
  /** `reset` fault: destroy the connection. */
  | { readonly type: 'reset'; readonly delayMs: number };

export interface RequestHandlerOptions {
  readonly source: PayloadSource;
  /** Throttle like the real endpoint (default true); `false` for load tests. */
  readonly throttle?: boolean;
  readonly rateLimit?: RateLimiterOptions;
  /** Fault SPECs; a bad one throws FaultSpecError. */
  readonly faults?: readonly string[];
  /** Seeds the fault PRNG (default 1). */
  readonly seed?: number;
  /** The clock, ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

export interface RequestHandler {
  handle(request: HandlerRequest): HandlerResult;
  /** Whether a request to `path` needs its body read (the control API). */
  isControlPath(path: string): boolean;
  /** Replaces the fault set; a bad SPEC throws and leaves the old set in place. */
  setFaults(specs: readonly string[]): void;
  faults(): readonly string[];
  readonly source: PayloadSource;
  readonly now: () => number;
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';
/** tollbooth's defaults (`limiter.New`). */
const THROTTLED_BODY = 'You have reached maximum request limit.';
const NOT_FOUND_BODY = '404 page not found\n';

/** Creates the request handler for one source. */
export function createRequestHandler(options: RequestHandlerOptions): RequestHandler {
  const source = options.source;
  const now = options.now ?? Date.now;
  const limiter: RateLimiter | undefined =
    options.throttle === false ? undefined : createRateLimiter(options.rateLimit);
  const limitHeader = (limiter?.steadyPerSecond ?? options.rateLimit?.steadyPerSecond ?? 40).toFixed(2);
  let faults: Fault[] = parseFaults(options.faults ?? []);
  const random = createPrng(options.seed ?? 1);
  const bodyCache = new WeakMap<object, string>();

  let endpointList: readonly MockEndpoint[] | undefined;
  let endpointById = new Map<string, MockEndpoint>();
  const endpointFor = (id: string): MockEndpoint | undefined => {
    const list = source.endpoints();
    if (list !== endpointList) {
      endpointList = list;
      endpointById = new Map(list.map((endpoint) => [endpoint.endpointId, endpoint]));
    }
    return endpointById.get(id);
  };

  const serialize = (body: unknown): string => {
    if (body === null || typeof body !== 'object') return stringifyJson(body);
    let text = bodyCache.get(body);
    if (text === undefined) {
      text = stringifyJson(body);
      bodyCache.set(body, text);
    }
    return text;
  };

  const handleMetadata = (
    request: HandlerRequest,
    path: string,
    query: string,
    nowMs: number,
  ): HandlerResult => {
    const headers: Record<string, string> = {
      'X-Rate-Limit-Limit': limitHeader,
      'X-Rate-Limit-Duration': '1',
      'X-Rate-Limit-Request-Forwarded-For': request.forwardedFor ?? '',
      'X-Rate-Limit-Request-Remote-Addr':
        request.remotePort === undefined
          ? request.remoteAddress
          : joinHostPort(request.remoteAddress, request.remotePort),
    };
    // tollbooth wraps the whole router, so unknown paths and redirects count too.
    if (limiter !== undefined && !limiter.allow(`${request.remoteAddress} ${path}`, nowMs)) {
      return respond(429, headers, TEXT_TYPE, THROTTLED_BODY, 0);
    }
    const fault = rollFaults(faults, path, random);
    if (fault.terminal !== undefined) {
      const kind = fault.terminal.kind;
      if (kind === 'timeout' || kind === 'reset') return { type: kind, delayMs: fault.delayMs };
      headers['X-Taskscope-Fault'] = fault.terminal.spec;
      if (kind === '429') return respond(429, headers, TEXT_TYPE, THROTTLED_BODY, fault.delayMs);
      const status = Number(kind);
      return respond(
        status,
        headers,
        JSON_TYPE,
        JSON.stringify(`taskscope mock: injected fault ${fault.terminal.spec}`),
        fault.delayMs,
      );
    }

    if (needsCleaning(path)) {
      const cleaned = cleanPath(path);
      if (cleaned !== path) {
        headers['Location'] = cleaned + query;
        return { type: 'response', status: 301, headers, body: '', delayMs: fault.delayMs };
      }
    }
    const parsed = parseMetadataPath(path);
    if (parsed === undefined) {
      headers['X-Content-Type-Options'] = 'nosniff';
      return respond(404, headers, TEXT_TYPE, NOT_FOUND_BODY, fault.delayMs);
    }
    const answer = answerFor(parsed, request.remoteAddress, nowMs);
    if ('rawBody' in answer) {
      const type = answer.status === 200 || looksLikeJson(answer.rawBody) ? JSON_TYPE : TEXT_TYPE;
      let body = answer.rawBody;
      if (type === JSON_TYPE && answer.status === 200 && fault !== NO_FAULT) {
        body = applyBodyFaults(
          parsed,
          () => parseJsonLossless(answer.rawBody),
          body,
          fault.drifts,
          fault.malformed,
        );
      }
      return respond(answer.status, headers, type, body, fault.delayMs);
    }
    let body = serialize(answer.body);
    if (answer.status === 200 && fault !== NO_FAULT) {
      body = applyBodyFaults(parsed, () => answer.body, body, fault.drifts, fault.malformed);
    }
    return respond(answer.status, headers, JSON_TYPE, body, fault.delayMs);
  };

  const answerFor = (parsed: ParsedPath, remoteIp: string, nowMs: number): MockAnswer => {
    let dockerId = parsed.dockerId ?? '';
    if (parsed.endpointId !== undefined) {
      const endpoint = endpointFor(parsed.endpointId);
      if (endpoint === undefined) return errorAnswer(unknownIdError(parsed, remoteIp));
      dockerId = endpoint.dockerId;
    }
    const answer = source.respond({
      version: parsed.version,
      route: toMockRoute(parsed.kind, dockerId),
      nowMs,
      relativePath: parsed.relativePath,
    });
    return answer ?? errorAnswer(unknownIdError(parsed, remoteIp));
  };

  const handleControl = (request: HandlerRequest, path: string, nowMs: number): HandlerResult => {
    const sub = path.slice(CONTROL_PREFIX.length);
    const method = request.method.toUpperCase();
    const json = (status: number, value: unknown) => respond(status, {}, JSON_TYPE, stringifyJson(value), 0);
    const wrongMethod = (allowed: string) =>
      respond(
        405,
        { Allow: allowed },
        JSON_TYPE,
        JSON.stringify(`${method} ${path}: method not allowed; use ${allowed}`),
        0,
      );
    if (request.bodyTooLarge || (request.body?.length ?? 0) > MAX_CONTROL_BODY_BYTES) {
      return json(413, `request body is larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
    }
    if (sub === 'truth') {
      if (method !== 'GET' && method !== 'HEAD') return wrongMethod('GET');
      const truth = source.truth?.(nowMs);
      return truth === undefined
        ? json(404, 'this source has no ground truth: only scenario sources know it, not static or replay')
        : json(200, truth);
    }
    if (sub === 'faults') {
      if (method === 'GET' || method === 'HEAD')
        return json(
          200,
          faults.map((fault) => fault.spec),
        );
      if (method !== 'POST' && method !== 'PUT') return wrongMethod('GET, POST');
      let specs: unknown;
      try {
        specs = JSON.parse(request.body ?? '');
      } catch {
        return json(400, 'faults: the body is not JSON; expected a JSON array of fault SPEC strings');
      }
      if (!Array.isArray(specs) || !specs.every((spec) => typeof spec === 'string')) {
        return json(
          400,
          'faults: the body is not an array of strings; expected e.g. ["500:/v4/*/task/stats@0.2"]',
        );
      }
      try {
        faults = parseFaults(specs);
      } catch (error) {
        return json(400, error instanceof Error ? error.message : String(error));
      }
      return json(
        200,
        faults.map((fault) => fault.spec),
      );
    }
    const restart = /^containers\/([^/]+)\/restart$/.exec(sub);
    if (restart) {
      if (method !== 'POST') return wrongMethod('POST');
      const name = decodeURIComponentSafe(restart[1]!);
      if (source.restartContainer === undefined)
        return json(404, 'this source cannot restart containers: only scenario sources can');
      if (source.restartContainer(name, nowMs)) return json(200, { restarted: name });
      const endpoint = source.endpoints().find((e) => e.containerName === name);
      if (endpoint !== undefined) {
        return json(
          409,
          `container "${name}" is not running (${knownStatusOf(source, endpoint, nowMs)}); only a running container can be restarted`,
        );
      }
      return json(
        404,
        `no container named "${name}"; known: ${source
          .endpoints()
          .map((e) => e.containerName)
          .join(', ')}`,
      );
    }
    return json(
      404,
      `unknown control path ${path}; expected /__taskscope/truth, /__taskscope/faults or /__taskscope/containers/<name>/restart`,
    );
  };

  return {
    source,
    now,
    isControlPath: (path) => path.startsWith(CONTROL_PREFIX),
    setFaults(specs) {
      faults = parseFaults(specs);
    },
    faults: () => faults.map((fault) => fault.spec),
    handle(request) {
      const nowMs = now();
      const queryAt = request.url.indexOf('?');
      const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
      const query = queryAt === -1 ? '' : request.url.slice(queryAt);
      if (path.startsWith(CONTROL_PREFIX)) return handleControl(request, path, nowMs);
      return handleMetadata(request, path, query, nowMs);
    },
  };
}

function respond(
  status: number,
  headers: Record<string, string>,
  contentType: string,
  body: string,
  delayMs: number,
): HandlerResult {
  headers['Content-Type'] = contentType;
  return { type: 'response', status, headers, body, delayMs };
}

function errorAnswer(error: { status: number; message: string }): MockAnswer {
  return { status: error.status, body: error.message };
}

/** schema-drift, then malformed (a drifted body can also arrive cut short). */
function applyBodyFaults(
  parsed: ParsedPath,
  value: () => unknown,
  text: string,
  drifts: readonly SchemaDrift[],
  malformed: boolean,
): string {
  let body = text;
  if (drifts.length > 0 && (parsed.kind === 'taskStats' || parsed.kind === 'containerStats')) {
    const drifted =
      parsed.kind === 'taskStats' ? driftTaskStats(value(), drifts) : driftContainerStats(value(), drifts);
    body = stringifyJson(drifted);
  }
  // Cut inside the document so every JSON parser fails, as when a connection drops mid-body.
  return malformed ? body.slice(0, Math.max(1, Math.floor(body.length / 2))) : body;
}

/** The container's v4 `KnownStatus` now, for messages; `unknown` if the source does not say. */
function knownStatusOf(source: PayloadSource, endpoint: MockEndpoint, nowMs: number): string {
  const answer = source.respond({
    version: 'v4',
    route: toMockRoute('container', endpoint.dockerId),
    nowMs,
    relativePath: '',
  });
  const body = answer !== undefined && 'body' in answer ? answer.body : undefined;
  const status = (body as { KnownStatus?: unknown } | undefined)?.KnownStatus;
  return typeof status === 'string' ? status : 'unknown';
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
