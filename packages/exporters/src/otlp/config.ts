import { z } from 'zod';
import type { OtlpTemporality } from './translate.js';

/** A bad `OTEL_*` value; the message names the variable, the value and what is allowed. */
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

function fail(variable: string, value: string, allowed: string): never {
  throw new OtlpConfigError(`${variable} must be ${allowed} (got ${JSON.stringify(value)})`);
}

/** The first variable of `names` that is set and not blank, with its name. */
function pick(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

const positiveMs = z.coerce.number().int().positive();

function milliseconds(env: Env, fallback: number, ...names: string[]): number {
  const found = pick(env, ...names);
  if (found === undefined) return fallback;
  const parsed = positiveMs.safeParse(found.value);
  return parsed.success ? parsed.data : fail(found.name, found.value, 'a whole number of milliseconds > 0');
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
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(url);
  if (!parsed.success)
    fail(found?.name ?? 'OTEL_EXPORTER_OTLP_ENDPOINT', found?.value ?? url, 'an http:// or https:// URL');
  return url;
}

/**
 * Read the OTLP exporter's settings from `OTEL_*` variables, per-signal before generic.
 * Throws {@link OtlpConfigError} on the first bad value (grpc included: only OTLP/HTTP ships).
 */
export function readOtlpConfig(env: Env): OtlpConfig {
  const protocol = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol.value !== 'http/protobuf' && protocol.value !== 'http/json') {
    fail(
      protocol.name,
      protocol.value,
      protocol.value === 'grpc'
        ? "http/protobuf or http/json: taskscope ships no gRPC exporter; point it at the collector's OTLP/HTTP port (4318)"
        : 'http/protobuf (default) or http/json',
    );
  }
  const preference = pick(env, 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  const temporalityPreference = (preference?.value.toLowerCase() ??
    'cumulative') as OtlpConfig['temporalityPreference'];
  if (!['cumulative', 'delta', 'lowmemory'].includes(temporalityPreference)) {
    fail(preference!.name, preference!.value, 'cumulative (default), delta or lowmemory');
  }
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
    protocol: (protocol?.value ?? 'http/protobuf') as OtlpConfig['protocol'],
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
