import { type Attributes, type AttributeValue, type HrTime, ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/*
 * OTLP/protobuf encoding of the requests this package's producer builds, byte for byte what
 * @opentelemetry/otlp-transformer 0.223's ProtobufMetricsSerializer writes for them.
 *
 * Why not just that serializer: it measures every string, checks it for ASCII and copies it
 * one char code at a time, in JavaScript. The agent runs with V8's optimizing compilers off
 * (packages/agent/README.md, "V8 flags"), and there those three loops over the attribute
 * strings every point repeats (container.id, container.image.name, ...) took 3.3 ms of CPU
 * per export of fargate-10's 86 points, 0.033 % of a core at a 10 s interval: more than
 * validating and computing every poll of those 10 s together. Here a string is encoded once by
 * Buffer's native UTF-8 code and its bytes are reused while it keeps coming back.
 *
 * The encoder covers what translateOtlp produces: gauges and sums of numbers, string,
 * boolean and number attributes, an instrumentation scope without attributes. For anything
 * else it returns undefined and the caller falls back to the library's serializer, so the
 * bytes on the wire never depend on which one ran. protobuf.test.ts asserts byte equality
 * with the library on translated fixtures and on fast-check's generated requests.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const INITIAL_BYTES = 16 * 1024;
const TWO_POW_32 = 0x1_0000_0000;

class Unsupported extends Error {}

/*
 * The UTF-8 bytes of recent strings. A point repeats its container's id, name and image, and
 * the next export repeats them all again: a lookup and a TypedArray copy cost less than
 * Buffer#write, whose argument checks run as JavaScript. Cleared when full, so a task whose
 * containers keep changing cannot grow it.
 */
const ENCODED_LIMIT = 1024;
const encodedStrings = new Map<string, Uint8Array>();

function utf8Of(value: string): Uint8Array {
  let bytes = encodedStrings.get(value);
  if (bytes === undefined) {
    if (encodedStrings.size >= ENCODED_LIMIT) encodedStrings.clear();
    bytes = Buffer.from(value, 'utf8');
    encodedStrings.set(value, bytes);
  }
  return bytes;
}

const doubleScratch = new Float64Array(1);
const doubleBytes = new Uint8Array(doubleScratch.buffer);
/** A Float64Array holds host-order bytes; protobuf's are little-endian. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A growable buffer; a nested message reserves one length byte and shifts when it needs more. */
class Writer {
  bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  pos = 0;

  private ensure(more: number): void {
    if (this.pos + more <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + more) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.bytes.copy(grown, 0, 0, this.pos);
    this.bytes = grown;
  }

  /** A field's key; every field number here is below 16, so it is one byte. */
  tag(field: number, wireType: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = (field << 3) | wireType;
  }

  /** A varint of an integer in [0, 2^32). */
  varint32(value: number): void {
    this.ensure(5);
    let rest = value >>> 0;
    while (rest > 0x7f) {
      this.bytes[this.pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.bytes[this.pos++] = rest;
  }

  /** A varint field of an integer in [0, 2^32). */
  varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint32(value);
  }

  stringField(field: number, value: string): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    const utf8 = utf8Of(value);
    this.varint32(utf8.length);
    this.ensure(utf8.length);
    this.bytes.set(utf8, this.pos);
    this.pos += utf8.length;
  }

  /** A string field the library leaves out when it is empty or absent (proto3 defaults). */
  optionalStringField(field: number, value: string | undefined): void {
    if (value) this.stringField(field, value);
  }

  doubleField(field: number, value: number): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    if (!LITTLE_ENDIAN_HOST) {
      this.pos = this.bytes.writeDoubleLE(value, this.pos);
      return;
    }
    doubleScratch[0] = value;
    this.bytes.set(doubleBytes, this.pos);
    this.pos += 8;
  }

  /** An HrTime as a fixed64 field of nanoseconds since the epoch. */
  hrTimeField(field: number, time: HrTime): void {
    this.tag(field, WIRE_FIXED64);
    this.ensure(8);
    // In a BigInt: seconds × 1e9 passes 2^53 within 105 days of 1970.
    const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
    this.pos = this.bytes.writeBigUInt64LE(BigInt.asUintN(64, nanos), this.pos);
  }

  /** Starts a length-delimited message after its tag; returns where its length goes. */
  begin(field: number): number {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the message begun at `at`, moving its body if the length needs more than a byte. */
  end(at: number): void {
    const length = this.pos - at - 1;
    let lengthBytes = 1;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) lengthBytes += 1;
    if (lengthBytes > 1) {
      this.ensure(lengthBytes - 1);
      this.bytes.copyWithin(at + lengthBytes, at + 1, this.pos);
      this.pos += lengthBytes - 1;
    }
    let rest = length;
    let cursor = at;
    while (rest > 0x7f) {
      this.bytes[cursor++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.bytes[cursor] = rest;
  }
}

/**
 * ExportMetricsServiceRequest with one ResourceMetrics, as the library writes it; undefined
 * when the request holds something outside what this encoder covers (see above).
 */
export function encodeMetricsRequest(resourceMetrics: ResourceMetrics): Uint8Array | undefined {
  const writer = new Writer();
  try {
    writeResourceMetrics(writer, resourceMetrics);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return writer.bytes.subarray(0, writer.pos);
}

/**
 * ResourceMetrics and ScopeMetrics share one layout: 1 the resource or the scope (`writeHead`),
 * 2 each child (a ScopeMetrics, a Metric), 3 the schema URL.
 */
function writeLevel<Child>(
  writer: Writer,
  field: number,
  writeHead: () => void,
  children: readonly Child[],
  writeChild: (writer: Writer, child: Child) => void,
  schemaUrl: string | undefined,
): void {
  const at = writer.begin(field);
  const headAt = writer.begin(1);
  writeHead();
  writer.end(headAt);
  for (const child of children) writeChild(writer, child);
  writer.optionalStringField(3, schemaUrl);
  writer.end(at);
}

function writeResourceMetrics(writer: Writer, resourceMetrics: ResourceMetrics): void {
  const { resource } = resourceMetrics;
  const writeResource = () => {
    writeAttributes(writer, resource.attributes, 1);
    // dropped_attributes_count: always written, as 0, by the library.
    writer.varintField(2, 0);
  };
  writeLevel(writer, 1, writeResource, resourceMetrics.scopeMetrics, writeScopeMetrics, resource.schemaUrl);
}

function writeScopeMetrics(writer: Writer, scopeMetrics: ScopeMetrics): void {
  const { scope } = scopeMetrics;
  if ('attributes' in scope || 'droppedAttributesCount' in scope) throw new Unsupported();
  const writeScope = () => {
    writer.stringField(1, scope.name);
    writer.optionalStringField(2, scope.version);
  };
  writeLevel(writer, 2, writeScope, scopeMetrics.metrics, writeMetric, scope.schemaUrl);
}

function writeMetric(writer: Writer, metric: MetricData): void {
  const { descriptor } = metric;
  // translateOtlp's points are all doubles; INT (sfixed64) is left to the library.
  if (descriptor.valueType !== ValueType.DOUBLE) throw new Unsupported();
  const at = writer.begin(2);
  writer.stringField(1, descriptor.name);
  writer.optionalStringField(2, descriptor.description);
  writer.optionalStringField(3, descriptor.unit);
  if (metric.dataPointType === DataPointType.GAUGE) {
    const gaugeAt = writer.begin(5);
    writeNumberPoints(writer, metric.dataPoints);
    writer.end(gaugeAt);
  } else if (metric.dataPointType === DataPointType.SUM) {
    const sumAt = writer.begin(7);
    writeNumberPoints(writer, metric.dataPoints);
    const temporality =
      metric.aggregationTemporality === AggregationTemporality.DELTA
        ? 1
        : metric.aggregationTemporality === AggregationTemporality.CUMULATIVE
          ? 2
          : 0;
    if (temporality !== 0) writer.varintField(2, temporality);
    if (metric.isMonotonic) writer.varintField(3, 1);
    writer.end(sumAt);
  } else {
    throw new Unsupported();
  }
  writer.end(at);
}

function writeNumberPoints(
  writer: Writer,
  points: readonly { startTime: HrTime; endTime: HrTime; value: number; attributes: Attributes }[],
): void {
  for (const point of points) {
    const at = writer.begin(1);
    writer.hrTimeField(2, point.startTime);
    writer.hrTimeField(3, point.endTime);
    writer.doubleField(4, point.value);
    if (point.attributes) writeAttributes(writer, point.attributes, 7);
    writer.end(at);
  }
}

function writeAttributes(writer: Writer, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const keyValueAt = writer.begin(field);
    writer.stringField(1, key);
    const valueAt = writer.begin(2);
    writeAnyValue(writer, attributes[key]);
    writer.end(valueAt);
    writer.end(keyValueAt);
  }
}

function writeAnyValue(writer: Writer, value: AttributeValue | undefined): void {
  if (typeof value === 'string') {
    writer.stringField(1, value);
  } else if (typeof value === 'boolean') {
    writer.varintField(2, value ? 1 : 0);
  } else if (typeof value === 'number' && !Number.isInteger(value)) {
    // The library writes a non-integer (NaN and ±Infinity included) as double_value.
    writer.doubleField(4, value);
  } else if (typeof value === 'number' && value >= 0 && value < TWO_POW_32) {
    writer.varintField(3, value);
  } else {
    // Negative and 64-bit integers, arrays, bytes and nested lists: the library's serializer.
    throw new Unsupported();
  }
}
