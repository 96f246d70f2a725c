import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

/**
 * The OTLP metrics messages this test decodes, with the field numbers of
 * open-telemetry/opentelemetry-proto (common/v1, resource/v1, metrics/v1, collector/metrics/v1).
 */
const OTLP_PROTO = `
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

const ExportRequest = protobuf
  .parse(OTLP_PROTO, { keepCase: false })
  .root.lookupType('otlp.ExportMetricsServiceRequest');

export type AttributeValue = string | number | boolean;

export interface DecodedPoint {
  readonly attributes: Record<string, AttributeValue>;
  readonly startNs: bigint;
  readonly timeNs: bigint;
  readonly value: number;
}

export interface DecodedMetric {
  readonly name: string;
  readonly unit: string;
  readonly type: 'gauge' | 'sum';
  /** 1 delta, 2 cumulative (OTLP's AggregationTemporality); undefined for gauges. */
  readonly temporality?: number;
  readonly monotonic?: boolean;
  readonly points: DecodedPoint[];
}

export interface DecodedExport {
  readonly resource: Record<string, AttributeValue>;
  readonly scope: string;
  readonly metrics: DecodedMetric[];
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly decoded: DecodedExport[];
}

// biome-ignore lint/suspicious/noExplicitAny: both wire shapes are walked generically here.
type Loose = any;

function anyValue(v: Loose): AttributeValue {
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  throw new Error(`unexpected AnyValue ${JSON.stringify(v)}`);
}

function attributes(list: Loose[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv: Loose) => [kv.key, anyValue(kv.value)]));
}

/** Both encodings, converted to one shape (JSON uses camelCase keys and decimal-string nanos, like protobufjs' toObject). */
function normalise(request: Loose): DecodedExport[] {
  return (request.resourceMetrics ?? []).map((rm: Loose) => ({
    resource: attributes(rm.resource?.attributes),
    scope: rm.scopeMetrics?.[0]?.scope?.name ?? '',
    metrics: (rm.scopeMetrics ?? []).flatMap((sm: Loose) =>
      (sm.metrics ?? []).map((m: Loose): DecodedMetric => {
        const data = m.sum ?? m.gauge;
        return {
          name: m.name,
          unit: m.unit ?? '',
          type: m.sum ? 'sum' : 'gauge',
          ...(m.sum
            ? { temporality: Number(m.sum.aggregationTemporality), monotonic: Boolean(m.sum.isMonotonic) }
            : {}),
          points: (data.dataPoints ?? []).map((p: Loose) => ({
            attributes: attributes(p.attributes),
            startNs: BigInt(p.startTimeUnixNano ?? 0),
            timeNs: BigInt(p.timeUnixNano),
            value: Number(p.asDouble ?? p.asInt),
          })),
        };
      }),
    ),
  }));
}

export function decodeOtlp(contentType: string | undefined, body: Buffer): DecodedExport[] {
  if (contentType?.startsWith('application/x-protobuf')) {
    return normalise(ExportRequest.toObject(ExportRequest.decode(body), { longs: String, defaults: false }));
  }
  if (contentType?.startsWith('application/json')) return normalise(JSON.parse(body.toString('utf8')));
  throw new Error(`unexpected Content-Type ${contentType}`);
}

/** An OTLP/HTTP metrics receiver on 127.0.0.1:0 that decodes every request it gets. */
export async function startOtlpReceiver(): Promise<{
  url: string;
  requests: ReceivedRequest[];
  next(): Promise<ReceivedRequest>;
  close(): Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const waiters: ((r: ReceivedRequest) => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        decoded: decodeOtlp(req.headers['content-type'], Buffer.concat(chunks)),
      };
      requests.push(received);
      waiters.shift()?.(received);
      const json = req.headers['content-type']?.startsWith('application/json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
