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

  string(value: string): void {
    const utf8 = utf8Of(value);
    this.varint32(utf8.length);
    this.ensure(utf8.length);
    this.bytes.set(utf8, this.pos);
    this.pos += utf8.length;
  }

  double(value: number): void {
    this.ensure(8);
    if (!LITTLE_ENDIAN_HOST) {
      this.pos = this.bytes.writeDoubleLE(value, this.pos);
      return;
    }
    doubleScratch[0] = value;
    this.bytes.set(doubleBytes, this.pos);
    this.pos += 8;
  }

  /** An HrTime as fixed64 nanoseconds since the epoch. */
  hrTime(time: HrTime): void {
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

function writeResourceMetrics(writer: Writer, resourceMetrics: ResourceMetrics): void {
  const { resource } = resourceMetrics;
  const outer = writer.begin(1);
  const resourceAt = writer.begin(1);
  writeAttributes(writer, resource.attributes, 1);
  // dropped_attributes_count: always written, as 0, by the library.
  writer.tag(2, WIRE_VARINT);
  writer.varint32(0);
  writer.end(resourceAt);
  for (const scopeMetrics of resourceMetrics.scopeMetrics) writeScopeMetrics(writer, scopeMetrics);
  if (resource.schemaUrl) {
    writer.tag(3, WIRE_LENGTH_DELIMITED);
    writer.string(resource.schemaUrl);
  }
  writer.end(outer);
}

function writeScopeMetrics(writer: Writer, scopeMetrics: ScopeMetrics): void {
  const { scope } = scopeMetrics;
  if ('attributes' in scope || 'droppedAttributesCount' in scope) throw new Unsupported();
  const at = writer.begin(2);
  const scopeAt = writer.begin(1);
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, WIRE_LENGTH_DELIMITED);
    writer.string(scope.version);
  }
  writer.end(scopeAt);
  for (const metric of scopeMetrics.metrics) writeMetric(writer, metric);
  if (scope.schemaUrl) {
    writer.tag(3, WIRE_LENGTH_DELIMITED);
    writer.string(scope.schemaUrl);
  }
  writer.end(at);
}

function writeMetric(writer: Writer, metric: MetricData): void {
  const { descriptor } = metric;
  // translateOtlp's points are all doubles; INT (sfixed64) is left to the library.
  if (descriptor.valueType !== ValueType.DOUBLE) throw new Unsupported();
  const at = writer.begin(2);
  writer.tag(1, WIRE_LENGTH_DELIMITED);
  writer.string(descriptor.name);
  if (descriptor.description) {
    writer.tag(2, WIRE_LENGTH_DELIMITED);
    writer.string(descriptor.description);
  }
  if (descriptor.unit) {
    writer.tag(3, WIRE_LENGTH_DELIMITED);
    writer.string(descriptor.unit);
  }
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
    if (temporality !== 0) {
      writer.tag(2, WIRE_VARINT);
      writer.varint32(temporality);
    }
    if (metric.isMonotonic) {
      writer.tag(3, WIRE_VARINT);
      writer.varint32(1);
    }
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
    writer.tag(2, WIRE_FIXED64);
    writer.hrTime(point.startTime);
    writer.tag(3, WIRE_FIXED64);
    writer.hrTime(point.endTime);
    writer.tag(4, WIRE_FIXED64);
    writer.double(point.value);
    if (point.attributes) writeAttributes(writer, point.attributes, 7);
    writer.end(at);
  }
}

function writeAttributes(writer: Writer, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.hasOwn(attributes, key)) continue;
    const keyValueAt = writer.begin(field);
    writer.tag(1, WIRE_LENGTH_DELIMITED);
    writer.string(key);
    const valueAt = writer.begin(2);
    writeAnyValue(writer, attributes[key]);
    writer.end(valueAt);
    writer.end(keyValueAt);
  }
}

function writeAnyValue(writer: Writer, value: AttributeValue | undefined): void {
  if (typeof value === 'string') {
    writer.tag(1, WIRE_LENGTH_DELIMITED);
    writer.string(value);
  } else if (typeof value === 'boolean') {
    writer.tag(2, WIRE_VARINT);
    writer.varint32(value ? 1 : 0);
  } else if (typeof value === 'number' && !Number.isInteger(value)) {
    // The library writes a non-integer (NaN and ±Infinity included) as double_value.
    writer.tag(4, WIRE_FIXED64);
    writer.double(value);
  } else if (typeof value === 'number' && value >= 0 && value < TWO_POW_32) {
    writer.tag(3, WIRE_VARINT);
    writer.varint32(value);
  } else {
    // Negative and 64-bit integers, arrays, bytes and nested lists: the library's serializer.
    throw new Unsupported();
  }
}
