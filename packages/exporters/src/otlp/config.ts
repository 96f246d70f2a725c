import {
  type InputError,
  inputErrorClass,
  type Problem,
  safeParseInput,
  summarizeIssues,
} from '@taskscope/input';
import * as v from 'valibot';
import type { OtlpTemporality } from './translate.js';

/**
 * Upper bound of shutdown. ECS sends SIGKILL 30 s after SIGTERM by default and the contract
 * promises exit within 5 s; with default timeouts an unreachable collector held
 * MeterProvider.shutdown() for 9.2 s (docs/decisions.md §1.6).
 */

export const OTLP_SHUTDOWN_BUDGET_MS = 3_000;

/** What an {@link OtlpConfigError}'s message says was read. */
export const OTLP_CONFIG_SOURCE = 'invalid OTLP configuration';

/**
 * Bad `OTEL_*` values: an {@link InputError} (code `OTLP_CONFIG`) carrying every bad variable
 * at once, each as variable, value (header values masked) and what is allowed.
 */
export class OtlpConfigError extends inputErrorClass('OtlpConfigError', 'OTLP_CONFIG', OTLP_CONFIG_SOURCE) {}

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

/** Collects the problems of one read, so a user fixes every variable in one go. */
type Problems = Problem[];

function fail(problems: Problems, variable: string, value: string, allowed: string): void {
  problems.push({ field: variable, value: SECRET.test(variable) ? masked(value) : value, allowed });
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

/** The value of `found` through `schema`; `undefined`, with a problem in the schema's words, when it does not parse. */
function read<TOutput>(
  problems: Problems,
  schema: v.GenericSchema<string, TOutput>,
  found: { name: string; value: string },
): TOutput | undefined {
  const result = safeParseInput(schema, found.value);
  if (result.success) return result.output;
  fail(problems, found.name, found.value, summarizeIssues(result.issues, found.value).expected);
  return undefined;
}

/** The milliseconds of the first of `names` that is set, `fallback` when none is; `undefined` when bad. */
function milliseconds(
  problems: Problems,
  env: Env,
  fallback: number,
  ...names: string[]
): number | undefined {
  const found = pick(env, ...names);
  return found === undefined ? fallback : read(problems, MILLISECONDS, found);
}

/** W3C Baggage-style `key=value,key2=value2`, values percent-decoded (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
function keyValueList(problems: Problems, variable: string, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    // One problem per variable: the first bad item says what to fix in the whole list.
    if (key === '') {
      fail(problems, variable, raw, 'a comma-separated list of key=value pairs');
      return out;
    }
    try {
      out[key] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      fail(problems, variable, raw, 'key=value pairs whose values are valid percent-encoding');
      return out;
    }
  }
  return out;
}

function metricsUrl(problems: Problems, env: Env): string {
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
      problems,
      found?.name ?? 'OTEL_EXPORTER_OTLP_ENDPOINT',
      found?.value ?? url,
      summarizeIssues(parsed.issues, url).expected,
    );
  return url;
}

/**
 * Read the OTLP exporter's settings from `OTEL_*` variables, per-signal before generic.
 * Throws one {@link OtlpConfigError} naming every bad variable (grpc included: only OTLP/HTTP
 * ships); a rule that spans two variables (an export timeout above the interval) is checked
 * once both parse.
 */
export function readOtlpConfig(env: Env): OtlpConfig {
  const problems: Problems = [];
  const protocolFound = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  const protocol = protocolFound === undefined ? 'http/protobuf' : read(problems, PROTOCOL, protocolFound);
  const preference = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  const temporalityPreference =
    preference === undefined ? 'cumulative' : read(problems, TEMPORALITY_PREFERENCE, preference);
  const exportIntervalMs = milliseconds(problems, env, DEFAULT_INTERVAL_MS, 'OTEL_METRIC_EXPORT_INTERVAL');
  const timeoutGiven = pick(env, 'OTEL_METRIC_EXPORT_TIMEOUT') !== undefined;
  const exportTimeoutRaw = milliseconds(
    problems,
    env,
    DEFAULT_EXPORT_TIMEOUT_MS,
    'OTEL_METRIC_EXPORT_TIMEOUT',
  );
  if (
    timeoutGiven &&
    exportIntervalMs !== undefined &&
    exportTimeoutRaw !== undefined &&
    exportTimeoutRaw > exportIntervalMs
  ) {
    fail(
      problems,
      'OTEL_METRIC_EXPORT_TIMEOUT',
      String(exportTimeoutRaw),
      `at most OTEL_METRIC_EXPORT_INTERVAL (${exportIntervalMs})`,
    );
  }
  const requestTimeoutRaw = milliseconds(
    problems,
    env,
    DEFAULT_REQUEST_TIMEOUT_MS,
    'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
    'OTEL_EXPORTER_OTLP_TIMEOUT',
  );
  const url = metricsUrl(problems, env);
  const headers = {
    ...keyValueList(problems, 'OTEL_EXPORTER_OTLP_HEADERS', env['OTEL_EXPORTER_OTLP_HEADERS']),
    ...keyValueList(
      problems,
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
      env['OTEL_EXPORTER_OTLP_METRICS_HEADERS'],
    ),
  };
  const resourceAttributes = keyValueList(
    problems,
    'OTEL_RESOURCE_ATTRIBUTES',
    env['OTEL_RESOURCE_ATTRIBUTES'],
  );
  if (
    problems.length > 0 ||
    protocol === undefined ||
    temporalityPreference === undefined ||
    exportIntervalMs === undefined ||
    exportTimeoutRaw === undefined ||
    requestTimeoutRaw === undefined
  ) {
    throw new OtlpConfigError(problems);
  }
  // As sdk-node does: a default timeout longer than the interval is clamped to it.
  const exportTimeoutMs = Math.min(exportTimeoutRaw, exportIntervalMs);
  const requestTimeoutMs = Math.min(requestTimeoutRaw, exportTimeoutMs);
  const serviceName = pick(env, 'OTEL_SERVICE_NAME')?.value;
  return {
    protocol,
    url,
    headers,
    // Every taskscope counter reads a cumulative value from the payload, i.e. it is an
    // asynchronous counter, for which the spec's lowmemory preference is cumulative.
    temporality: temporalityPreference === 'delta' ? 'delta' : 'cumulative',
    temporalityPreference,
    exportIntervalMs,
    exportTimeoutMs,
    requestTimeoutMs,
    resourceAttributes,
    ...(serviceName === undefined ? {} : { serviceName }),
  };
}
