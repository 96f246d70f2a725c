import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMetricsRequest } from '../src/otlp/protobuf.js';
import { translateOtlp } from '../src/otlp/translate.js';
import { appContainer, fargateTask, nextSample } from './helpers/task-metrics.js';

const library = (request: ResourceMetrics): Buffer =>
  Buffer.from(ProtobufMetricsSerializer.serializeRequest(request)!);
const ours = (request: ResourceMetrics): Buffer | undefined => {
  const bytes = encodeMetricsRequest(request);
  return bytes === undefined ? undefined : Buffer.from(bytes);
};

/** Buffer#equals first: vitest's deep equality walks a 64 KiB buffer index by index. */
function expectLibraryBytes(request: ResourceMetrics): void {
  const expected = library(request);
  const actual = ours(request);
  if (actual === undefined || !actual.equals(expected)) expect(actual).toEqual(expected);
}

/** A request as the exporter's producer builds it (exporter.ts). */
function producerRequest(translation: ReturnType<typeof translateOtlp>): ResourceMetrics {
  return {
    resource: defaultResource().merge(
      resourceFromAttributes({ 'service.name': 'taskscope', ...translation.resourceAttributes }),
    ),
    scopeMetrics: [translation.scopeMetrics],
  };
}

describe('the producer requests', () => {
  it('are the library bytes for the Fargate task, cumulative and delta, first and next sample', () => {
    const first = fargateTask();
    const next = nextSample(first);
    for (const temporality of ['cumulative', 'delta'] as const) {
      const one = translateOtlp(first, undefined, { temporality, nowMs: 1_740_632_800_000 });
      const two = translateOtlp(next, one.state, { temporality, nowMs: 1_740_632_810_000 });
      for (const translation of [one, two]) {
        const request = producerRequest(translation);
        expect(translation.scopeMetrics.metrics.length).toBeGreaterThan(5);
        expectLibraryBytes(request);
      }
    }
  });

  it('are the library bytes for 50 containers (messages past 16 KiB and three-byte lengths)', () => {
    const containers = Array.from({ length: 50 }, (_, index) =>
      appContainer({
        name: `app-${index}-${'x'.repeat(index * 4)}`,
        dockerId: `${'d'.repeat(32)}-${1_000_000_000 + index}`,
        image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/ünïcode-${index}:1.${index}`,
      }),
    );
    const request = producerRequest(
      translateOtlp(fargateTask({ containers }), undefined, { temporality: 'cumulative', nowMs: 0 }),
    );
    expect(ours(request)!.length).toBeGreaterThan(64 * 1024);
    expectLibraryBytes(request);
  });
});

// A string with any UTF-16 code unit, lone surrogates included: both sides must replace them alike.
const anyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom('a', 'é', '€', '😀', '\u0000'),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 200,
});
const coveredValue = fc.oneof(
  anyString,
  fc.boolean(),
  // Integral doubles outside [0, 2^32) are left to the library (see below).
  fc.double().filter((value) => !Number.isInteger(value) || (value >= 0 && value < 2 ** 32)),
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.constantFrom(0, -0, 127, 128, 16_383, 16_384, 0xffff_ffff, Number.NaN, Number.POSITIVE_INFINITY, 0.5),
);
const attributes = fc.dictionary(anyString, coveredValue, { maxKeys: 6 }) as fc.Arbitrary<Attributes>;
const hrTime = fc.tuple(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.integer({ min: 0, max: 999_999_999 }),
) as fc.Arbitrary<HrTime>;
const point = fc.record({ startTime: hrTime, endTime: hrTime, value: fc.double(), attributes });
const metric: fc.Arbitrary<MetricData> = fc
  .record({
    name: anyString,
    description: fc.oneof(fc.constant(''), anyString),
    unit: fc.oneof(fc.constant(''), fc.constantFrom('s', 'By', '{cpu}', '1')),
    sum: fc.boolean(),
    monotonic: fc.boolean(),
    temporality: fc.constantFrom(AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA),
    points: fc.array(point, { maxLength: 12 }),
  })
  .map(({ name, description, unit, sum, monotonic, temporality, points }) => {
    const descriptor = { name, description, unit, valueType: ValueType.DOUBLE };
    return sum
      ? {
          descriptor,
          aggregationTemporality: temporality,
          dataPointType: DataPointType.SUM,
          isMonotonic: monotonic,
          dataPoints: points,
        }
      : {
          descriptor,
          aggregationTemporality: temporality,
          dataPointType: DataPointType.GAUGE,
          dataPoints: points,
        };
  });
const request: fc.Arbitrary<ResourceMetrics> = fc
  .record({
    resourceAttributes: attributes,
    schemaUrl: fc.option(anyString, { nil: undefined }),
    scopes: fc.array(
      fc.record({
        name: anyString,
        version: fc.option(anyString, { nil: undefined }),
        schemaUrl: fc.option(anyString, { nil: undefined }),
        metrics: fc.array(metric, { maxLength: 6 }),
      }),
      { maxLength: 3 },
    ),
  })
  .map(({ resourceAttributes, schemaUrl, scopes }) => ({
    resource: resourceFromAttributes(resourceAttributes, schemaUrl === undefined ? {} : { schemaUrl }),
    scopeMetrics: scopes.map(({ metrics, ...scope }) => ({
      scope: {
        name: scope.name,
        ...(scope.version !== undefined && { version: scope.version }),
        ...(scope.schemaUrl !== undefined && { schemaUrl: scope.schemaUrl }),
      },
      metrics,
    })),
  }));

it('writes the library bytes for any request it covers', () => {
  fc.assert(
    fc.property(request, (generated) => {
      expectLibraryBytes(generated);
    }),
    { numRuns: 400 },
  );
});

describe('leaves to the library', () => {
  const base = producerRequest(
    translateOtlp(fargateTask(), undefined, { temporality: 'cumulative', nowMs: 0 }),
  );
  const withMetric = (change: (metric: MetricData) => MetricData): ResourceMetrics => ({
    ...base,
    scopeMetrics: [{ ...base.scopeMetrics[0]!, metrics: base.scopeMetrics[0]!.metrics.map(change) }],
  });
  const withPointAttribute = (value: unknown): ResourceMetrics =>
    withMetric(
      (m) =>
        ({
          ...m,
          dataPoints: m.dataPoints.map((p) => ({ ...p, attributes: { ...p.attributes, extra: value } })),
        }) as MetricData,
    );

  it.each([
    ['INT points', withMetric((m) => ({ ...m, descriptor: { ...m.descriptor, valueType: ValueType.INT } }))],
    [
      'a histogram',
      withMetric((m) => ({ ...m, dataPointType: DataPointType.HISTOGRAM }) as unknown as MetricData),
    ],
    ['a negative integer attribute', withPointAttribute(-1)],
    ['an integer attribute of 2^32 or more', withPointAttribute(2 ** 32)],
    ['an array attribute', withPointAttribute(['a', 'b'])],
    ['an undefined attribute', withPointAttribute(undefined)],
    [
      'scope attributes',
      {
        ...base,
        scopeMetrics: [{ ...base.scopeMetrics[0]!, scope: { name: 's', attributes: { a: 1 } } }],
      } as unknown as ResourceMetrics,
    ],
  ])('%s', (_what, request) => {
    expect(encodeMetricsRequest(request)).toBeUndefined();
  });
});
