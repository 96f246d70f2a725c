import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

/*
 * A minimal OTLP/HTTP metrics receiver: POST /v1/metrics in `application/json` or
 * `application/x-protobuf`, both decoded into one shape. @opentelemetry/otlp-transformer
 * 0.223 only serialises (a hand-written writer, no generated decoder), so the messages are
 * described here for protobufjs, with the field numbers of open-telemetry/opentelemetry-proto
 * opentelemetry/proto/{common/v1/common,resource/v1/resource,metrics/v1/metrics,
 * collector/metrics/v1/metrics_service}.proto. Histograms and summaries are not described:
 * the agent exports none, and a metric of another type decodes as `other`, which fails the
 * tests' type checks instead of passing silently.
 */
const OTLP_METRICS_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7; } }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; oneof value { double as_double = 4; sfixed64 as_int = 6; } uint32 flags = 8; }
`;

const ExportMetricsServiceRequest = protobuf
  .parse(OTLP_METRICS_PROTO)
  .root.lookupType('otlp.ExportMetricsServiceRequest');

/** OTLP AggregationTemporality. */
export const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

export type AttributeValue = string | number | boolean | readonly AttributeValue[];

export interface OtlpPoint {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** 0n when absent (gauges may omit it). */
  readonly startTimeUnixNano: bigint;
  readonly timeUnixNano: bigint;
  readonly value: number;
}

export interface OtlpMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly type: 'gauge' | 'sum' | 'other';
  readonly temporality?: number;
  readonly monotonic?: boolean;
  readonly points: readonly OtlpPoint[];
}

export interface OtlpResourceMetrics {
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scopes: readonly {
    readonly name: string;
    readonly version: string;
    readonly metrics: readonly OtlpMetric[];
  }[];
}

export interface OtlpExport {
  readonly method: string;
  /** The request path: the receiver accepts POSTs to its `path` only. */
  readonly path: string;
  readonly contentType: 'json' | 'protobuf';
  readonly receivedAtMs: number;
  readonly headers: IncomingHttpHeaders;
  readonly resourceMetrics: readonly OtlpResourceMetrics[];
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; exporters post to `${url}/v1/metrics`. */
  readonly url: string;
  readonly exports: readonly OtlpExport[];
  /** Requests the receiver could not decode, with the reason (each fails the test that checks it). */
  readonly rejected: readonly string[];
  /** Resolves with the next export received after the call (an event, not a sleep). */
  next(): Promise<OtlpExport>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON and protobufjs objects are walked generically.
type Loose = any;

/** OTLP/JSON writes 64-bit nanos as decimal strings; protobufjs gives strings with `longs: String`. */
function nanos(value: Loose): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  return BigInt(typeof value === 'object' ? value.toString() : value);
}

function anyValue(v: Loose): AttributeValue {
  if (v === undefined || v === null) throw new Error('attribute without a value');
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  throw new Error(`unsupported AnyValue ${JSON.stringify(v)}`);
}

function attributes(list: Loose[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv: Loose) => [kv.key, anyValue(kv.value)]));
}

function points(list: Loose[] | undefined): OtlpPoint[] {
  return (list ?? []).map((p: Loose) => ({
    attributes: attributes(p.attributes),
    startTimeUnixNano: nanos(p.startTimeUnixNano),
    timeUnixNano: nanos(p.timeUnixNano),
    value: p.asDouble !== undefined ? Number(p.asDouble) : Number(p.asInt),
  }));
}

function metric(m: Loose): OtlpMetric {
  const base = { name: m.name, description: m.description ?? '', unit: m.unit ?? '' };
  if (m.sum) {
    return {
      ...base,
      type: 'sum',
      temporality: Number(m.sum.aggregationTemporality ?? 0),
      monotonic: Boolean(m.sum.isMonotonic),
      points: points(m.sum.dataPoints),
    };
  }
  if (m.gauge) return { ...base, type: 'gauge', points: points(m.gauge.dataPoints) };
  return { ...base, type: 'other', points: [] };
}

function normalise(request: Loose): OtlpResourceMetrics[] {
  return (request.resourceMetrics ?? []).map((rm: Loose) => ({
    resource: attributes(rm.resource?.attributes),
    scopes: (rm.scopeMetrics ?? []).map((sm: Loose) => ({
      name: sm.scope?.name ?? '',
      version: sm.scope?.version ?? '',
      metrics: (sm.metrics ?? []).map(metric),
    })),
  }));
}

/** Decodes one request body by its content type (what the exporter's protocol setting sends). */
export function decodeOtlpMetrics(
  contentType: string,
  body: Buffer,
): { kind: 'json' | 'protobuf'; resourceMetrics: OtlpResourceMetrics[] } {
  if (contentType.startsWith('application/json')) {
    return { kind: 'json', resourceMetrics: normalise(JSON.parse(body.toString('utf8'))) };
  }
  if (contentType.startsWith('application/x-protobuf')) {
    const message = ExportMetricsServiceRequest.decode(body);
    const object = ExportMetricsServiceRequest.toObject(message, {
      longs: String,
      enums: Number,
      defaults: false,
    });
    return { kind: 'protobuf', resourceMetrics: normalise(object) };
  }
  throw new Error(`unsupported content-type "${contentType}"`);
}

/**
 * Starts the receiver on 127.0.0.1:0 (the port the OS gives is read back, never reserved
 * first), accepting POSTs to `path` (default the OTLP/HTTP `/v1/metrics`).
 */
export async function startOtlpReceiver(options: { readonly path?: string } = {}): Promise<OtlpReceiver> {
  const acceptedPath = options.path ?? '/v1/metrics';
  const exports: OtlpExport[] = [];
  const rejected: string[] = [];
  const waiters: ((received: OtlpExport) => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== acceptedPath) {
        rejected.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const contentType = String(req.headers['content-type'] ?? '');
        const decoded = decodeOtlpMetrics(contentType, body);
        const received: OtlpExport = {
          method: req.method,
          path: req.url,
          contentType: decoded.kind,
          receivedAtMs: Date.now(),
          headers: req.headers,
          resourceMetrics: decoded.resourceMetrics,
        };
        exports.push(received);
        for (const resolve of waiters.splice(0)) resolve(received);
        // An empty ExportMetricsServiceResponse means full success in both encodings.
        if (decoded.kind === 'json') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        rejected.push((error as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    rejected,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
