import { type ErrorOrigin, formatProblem, type Problem, TaskscopeError } from '@taskscope/input';
import type { WireSchemaError } from '@taskscope/wire';
import { shorten } from './shorten.js';

/**
 * Every code a {@link MetadataClientError} can carry. Stable: branch on `code`, never on the
 * message. The README's error table is checked against this list by a test.
 */
export const METADATA_CLIENT_ERROR_CODES = [
  'TMDS_CONFIG',
  'TMDS_TIMEOUT',
  'TMDS_CONNECTION',
  'TMDS_HTTP_STATUS',
  'TMDS_THROTTLED',
  'TMDS_NOT_FOUND',
  'TMDS_MALFORMED_JSON',
  'TMDS_SCHEMA',
] as const;

/** A stable machine code, one per failure kind. */
export type MetadataClientErrorCode = (typeof METADATA_CLIENT_ERROR_CODES)[number];

interface BaseInit {
  /** The URL requested, when the error belongs to a request. */
  readonly url?: string | undefined;
  /** Whether the same request may succeed if tried again later. */
  readonly retryable: boolean;
  readonly cause?: unknown;
}

/**
 * The one base class of every error the client throws on purpose, a {@link TaskscopeError}.
 * Origin `input` for `TMDS_CONFIG` (a URL or option the user gave, exit 2), `world` for the
 * rest (the endpoint timed out, refused, answered an error or changed its payloads, exit 1).
 */
export class MetadataClientError extends TaskscopeError {
  override readonly name: string = 'MetadataClientError';
  declare readonly code: MetadataClientErrorCode;
  readonly url: string | undefined;
  /**
   * True for failures a later poll can outlive (timeout, connection, 429, 5xx, a truncated
   * body); false for ones it cannot (bad configuration, 4xx, schema drift).
   */
  readonly retryable: boolean;

  constructor(code: MetadataClientErrorCode, message: string, init: BaseInit) {
    super(code, originOf(code), message, init.cause === undefined ? undefined : { cause: init.cause });
    this.url = init.url;
    this.retryable = init.retryable;
  }
}

function originOf(code: MetadataClientErrorCode): ErrorOrigin {
  return code === 'TMDS_CONFIG' ? 'input' : 'world';
}

/**
 * A metadata URL or a client option that cannot be used; `setting` names where it came from.
 * The message has the one shape of input problems (`--metadata-url is "x" (string); expected
 * …`), and `problems` carries it as a {@link Problem}, so a caller that reads several settings
 * (the agent's configuration) can report it with its own.
 */
export class MetadataConfigError extends MetadataClientError {
  override readonly name = 'MetadataConfigError';
  /** This one problem, in the shape of `InputError#problems`. */
  readonly problems: readonly Problem[];
  constructor(
    /** `--metadata-url`, an environment variable's name, or the option's name. */
    readonly setting: string,
    /** The value found. */
    readonly value: unknown,
    /** What the setting allows, in words. */
    readonly allowed: string,
    /** A message other than the one shape, when the problem is not the value alone. */
    message: string = formatProblem({ field: setting, value, allowed }),
  ) {
    super('TMDS_CONFIG', message, { retryable: false });
    this.problems = [{ field: setting, value, allowed }];
  }
}

/** No complete answer (headers and body) within `timeoutMs`. */
export class MetadataTimeoutError extends MetadataClientError {
  override readonly name = 'MetadataTimeoutError';
  constructor(
    url: string,
    readonly timeoutMs: number,
  ) {
    super('TMDS_TIMEOUT', `GET ${url}: no complete response within ${timeoutMs} ms`, {
      url,
      retryable: true,
    });
  }
}

/** The connection was refused, reset or closed before a complete response arrived. */
export class MetadataConnectionError extends MetadataClientError {
  override readonly name = 'MetadataConnectionError';
  constructor(url: string, reason: string, cause?: unknown) {
    super('TMDS_CONNECTION', `GET ${url}: ${reason}`, { url, retryable: true, cause });
  }
}

/** An answer with a status other than 2xx. */
export class MetadataHttpStatusError extends MetadataClientError {
  override readonly name: string = 'MetadataHttpStatusError';
  readonly status: number;
  /** The response body as text, unchanged. */
  readonly body: string;
  /**
   * The endpoint's own explanation: its error bodies are JSON strings
   * (`"Unable to get container stats for: <id>"`, docs/endpoint.md §2), decoded here;
   * a plain-text body is used trimmed. `undefined` for an empty or non-string JSON body.
   */
  readonly detail: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;

  constructor(
    url: string,
    status: number,
    body: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    code: 'TMDS_HTTP_STATUS' | 'TMDS_THROTTLED' = 'TMDS_HTTP_STATUS',
  ) {
    const detail = decodeDetail(body);
    super(code, `GET ${url}: HTTP ${status}${detail === undefined ? '' : `: ${shorten(detail, 200)}`}`, {
      url,
      retryable: status === 429 || status >= 500,
    });
    this.status = status;
    this.body = body;
    this.detail = detail;
    this.headers = headers;
  }
}

/**
 * HTTP 429: the endpoint's throttle (steady 40 requests/s, burst 60, per source IP and path)
 * was hit. A {@link MetadataHttpStatusError} too, so status handling still applies.
 */
export class MetadataThrottledError extends MetadataHttpStatusError {
  override readonly name = 'MetadataThrottledError';
  /** The `Retry-After` header in milliseconds, when the server sent a usable one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    url: string,
    body: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    nowMs: number,
  ) {
    super(url, 429, body, headers, 'TMDS_THROTTLED');
    this.retryAfterMs = parseRetryAfter(headers['retry-after'], nowMs);
  }
}

/** A container the task does not have (v3/v4 lookups by DockerId go through the task). */
export class MetadataNotFoundError extends MetadataClientError {
  override readonly name = 'MetadataNotFoundError';
  constructor(
    url: string,
    readonly dockerId: string,
  ) {
    super('TMDS_NOT_FOUND', `GET ${url}: the task has no container with DockerId "${dockerId}"`, {
      url,
      retryable: false,
    });
  }
}

/** A 2xx body that is not JSON, typically a truncated response. */
export class MetadataMalformedJsonError extends MetadataClientError {
  override readonly name = 'MetadataMalformedJsonError';
  constructor(
    url: string,
    readonly status: number,
    /** The body's first 120 characters. */
    readonly preview: string,
    cause: unknown,
  ) {
    super(
      'TMDS_MALFORMED_JSON',
      `GET ${url}: the body is not JSON (${(cause as Error).message}); it starts ${JSON.stringify(preview)}`,
      { url, retryable: true, cause },
    );
  }
}

/** JSON that does not have the payload's shape; `cause` is wire's `WireSchemaError`. */
export class MetadataSchemaError extends MetadataClientError {
  override readonly name = 'MetadataSchemaError';
  /** Dotted path of the first offending field (the DockerId first, for task stats). */
  readonly path: string;
  declare readonly cause: WireSchemaError;
  constructor(url: string, cause: WireSchemaError) {
    super('TMDS_SCHEMA', `GET ${url}: ${cause.message}`, { url, retryable: false, cause });
    this.path = cause.path;
  }
}

function decodeDetail(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  try {
    const decoded: unknown = JSON.parse(trimmed);
    return typeof decoded === 'string' ? decoded : undefined;
  } catch {
    // `text/plain` bodies: the 429 "You have reached maximum request limit." and mux's 404.
    return trimmed;
  }
}

function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  // RFC 9110 §10.2.3: delay-seconds or an HTTP-date.
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
