import { safeParseInput, summarizeIssues } from '@taskscope/input';
import * as v from 'valibot';
import type { OtlpTemporality } from './translate.js';

/** A bad `OTEL_*` value; the message names the variable, the value and what is allowed. */
/**
 * Upper bound of shutdown. ECS sends SIGKILL 30 s after SIGTERM by default and the contract
 * promises exit within 5 s; with default timeouts an unreachable collector held
 * MeterProvider.shutdown() for 9.2 s (research/toolchain.md §1.6).
 */

export const OTLP_SHUTDOWN_BUDGET_MS = 3_000;

export class OtlpConfigError extends Error {
  override readonly name = 'OtlpConfigError';
  readonly code = 'OTLP_CONFIG_INVALID';
}

/** The OTLP exporter settings read from the standard `OTEL_*` variables. */
export interface OtlpConfig {
  readonly protocol: 'http/protobuf' | 'http/json';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly temporality: OtlpTemporality;
  /** The preference as given, for the README's "lowmemory means cumulative here" rule. */
  readonly temporalityPreference: 'cumulative' | 'delta' | 'lowmemory';
  readonly exportIntervalMs: number;
  /** Bound of one collect + export (`OTEL_METRIC_EXPORT_TIMEOUT`), never above the interval. */
  readonly exportTimeoutMs: number;
  /** Bound of one HTTP export with its retries (`OTEL_EXPORTER_OTLP[_METRICS]_TIMEOUT`). */
  readonly requestTimeoutMs: number;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly serviceName?: string;
}

/** Spec defaults (opentelemetry-specification, "Environment Variable Specification"). */
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

type Env = Readonly<Record<string, string | undefined>>;

// OTEL_EXPORTER_OTLP[_METRICS]_HEADERS usually carries a vendor's API key
// (`x-honeycomb-team=…`, `Authorization=Bearer …`): a message shows its keys, never a value,
// and hides a keyless item whole, since that may be a token pasted without its key.
const SECRET = /_HEADERS$/;

function masked(raw: string): string {
  return raw
    .split(',')
    .map((item) => {
      const eq = item.indexOf('=');
      return eq < 0 ? (item.trim() === '' ? item : '…') : `${item.slice(0, eq)}=…`;
    })
    .join(',');
}

function fail(variable: string, value: string, allowed: string): never {
  const shown = JSON.stringify(SECRET.test(variable) ? masked(value) : value);
  throw new OtlpConfigError(`${variable} must be ${allowed} (got ${shown})`);
}

/** The first variable of `names` that is set and not blank, with its name. */
function pick(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** Node's timers take at most 2^31-1 ms; a longer delay fires after 1 ms instead (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2_147_483_647;

const WHOLE_MS = 'a whole number of milliseconds > 0';
const MILLISECONDS = v.pipe(
  v.string(),
  v.transform(Number),
  v.number(WHOLE_MS),
  v.integer(WHOLE_MS),
  v.minValue(1, WHOLE_MS),
  // Past this, the SDK's export interval would turn into a 1 ms busy loop.
  v.maxValue(MAX_TIMER_MS, `a whole number of milliseconds from 1 to ${MAX_TIMER_MS} (Node's timer limit)`),
);

const PROTOCOL = v.picklist(['http/protobuf', 'http/json'], (issue) =>
  issue.input === 'grpc'
    ? "http/protobuf or http/json: taskscope ships no gRPC exporter; point it at the collector's OTLP/HTTP port (4318)"
    : 'http/protobuf (default) or http/json',
);

const TEMPORALITY_PREFERENCE = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['cumulative', 'delta', 'lowmemory'], 'cumulative (default), delta or lowmemory'),
);

const HTTP_URL = v.pipe(
  v.string(),
  v.check(
    (text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol),
    'an http:// or https:// URL',
  ),
);

/** The value of `found` through `schema`, or an OtlpConfigError in the schema's words. */
function read<TOutput>(
  schema: v.GenericSchema<string, TOutput>,
  found: { name: string; value: string },
): TOutput {
  const result = safeParseInput(schema, found.value);
  if (result.success) return result.output;
  return fail(found.name, found.value, summarizeIssues(result.issues, found.value).expected);
}

function milliseconds(env: Env, fallback: number, ...names: string[]): number {
  const found = pick(env, ...names);
  return found === undefined ? fallback : read(MILLISECONDS, found);
}

/** W3C Baggage-style `key=value,key2=value2`, values percent-decoded (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
function keyValueList(variable: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    if (key === '') fail(variable, raw, 'a comma-separated list of key=value pairs');
    try {
      out[key] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      fail(variable, raw, 'key=value pairs whose values are valid percent-encoding');
    }
  }
  return out;
}

function metricsUrl(env: Env): string {
  const specific = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const generic = pick(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const found = specific ?? generic;
  // The per-signal variable is used as is; the generic one gets the signal path appended.
  const url = specific
    ? specific.value
    : `${(generic?.value ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/metrics`;
  const parsed = safeParseInput(HTTP_URL, url);
  // Named as the user typed it, before the signal path was appended.
  if (!parsed.success)
    fail(
      found?.name ?? 'OTEL_EXPORTER_OTLP_ENDPOINT',
      found?.value ?? url,
      summarizeIssues(parsed.issues, url).expected,
    );
  return url;
}

/**
 * Read the OTLP exporter's settings from `OTEL_*` variables, per-signal before generic.
 * Throws {@link OtlpConfigError} on the first bad value (grpc included: only OTLP/HTTP ships).
 */
export function readOtlpConfig(env: Env): OtlpConfig {
  const protocolFound = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const protocol = protocolFound === undefined ? 'http/protobuf' : read(PROTOCOL, protocolFound);
  const preference = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  const temporalityPreference =
    preference === undefined ? 'cumulative' : read(TEMPORALITY_PREFERENCE, preference);
  const exportIntervalMs = milliseconds(env, DEFAULT_INTERVAL_MS, 'OTEL_METRIC_EXPORT_INTERVAL');
  const timeoutGiven = pick(env, 'OTEL_METRIC_EXPORT_TIMEOUT') !== undefined;
  const exportTimeoutRaw = milliseconds(env, DEFAULT_EXPORT_TIMEOUT_MS, 'OTEL_METRIC_EXPORT_TIMEOUT');
  if (timeoutGiven && exportTimeoutRaw > exportIntervalMs) {
    fail(
      'OTEL_METRIC_EXPORT_TIMEOUT',
      String(exportTimeoutRaw),
      `at most OTEL_METRIC_EXPORT_INTERVAL (${exportIntervalMs})`,
    );
  }
  // As sdk-node does: a default timeout longer than the interval is clamped to it.
  const exportTimeoutMs = Math.min(exportTimeoutRaw, exportIntervalMs);
  const requestTimeoutMs = Math.min(
    milliseconds(
      env,
      DEFAULT_REQUEST_TIMEOUT_MS,
      'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
      'OTEL_EXPORTER_OTLP_TIMEOUT',
    ),
    exportTimeoutMs,
  );
  const serviceName = pick(env, 'OTEL_SERVICE_NAME')?.value;
  return {
    protocol,
    url: metricsUrl(env),
    headers: {
      ...keyValueList('OTEL_EXPORTER_OTLP_HEADERS', env['OTEL_EXPORTER_OTLP_HEADERS']),
      ...keyValueList('OTEL_EXPORTER_OTLP_METRICS_HEADERS', env['OTEL_EXPORTER_OTLP_METRICS_HEADERS']),
    },
    // Every taskscope counter reads a cumulative value from the payload, i.e. it is an
    // asynchronous counter, for which the spec's lowmemory preference is cumulative.
    temporality: temporalityPreference === 'delta' ? 'delta' : 'cumulative',
    temporalityPreference,
    exportIntervalMs,
    exportTimeoutMs,
    requestTimeoutMs,
    resourceAttributes: keyValueList('OTEL_RESOURCE_ATTRIBUTES', env['OTEL_RESOURCE_ATTRIBUTES']),
    ...(serviceName === undefined ? {} : { serviceName }),
  };
}
