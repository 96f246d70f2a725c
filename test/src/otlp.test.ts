import {
  createStopper,
  OTLP_AWSVPC_METRICS,
  type OtlpExport,
  type OtlpMetric,
  startOtlpReceiver,
  TEMPORALITY,
  waitFor,
} from '@taskscope/test-support';
import { afterEach, describe, expect, test } from 'vitest';
import { getJson } from './helpers/http.js';
import { startStack } from './helpers/stack.js';
import { STEADY_SCENARIO } from './helpers/steady-scenario.js';

/*
 * Issue #4: the agent's OTLP/HTTP exporter, configured only through the standard OTEL_*
 * variables, posts to a receiver that decodes both encodings. Checked: semantic-convention
 * names and UCUM units (docs/contract.md "OpenTelemetry (OTLP)"), instrument types, cumulative
 * counters that are monotonic with a start time at the container's StartedAt, the resource
 * attributes from the task metadata, per-container attributes, and values against the truth.
 */

/** docs/contract.md: name → [unit, kind]. `updown` values may be gauges or non-monotonic sums. */
const CONTRACT = OTLP_AWSVPC_METRICS;

const started = createStopper();
afterEach(() => started.stopAll());

function metricsOf(e: OtlpExport): OtlpMetric[] {
  return e.resourceMetrics.flatMap((rm) => rm.scopes.flatMap((s) => s.metrics));
}

const nsOf = (iso: string): bigint => {
  // RFC 3339 with up to 9 fraction digits, UTC (the mock writes `…Z`).
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso)!;
  return (
    BigInt(Date.parse(`${match[1]}Z`)) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0').slice(0, 9))
  );
};

describe.each([
  ['http/json', 'json'],
  ['http/protobuf', 'protobuf'],
] as const)('OTLP over %s', (protocol, encoding) => {
  test('names, units, types, monotonic counters, start times, resource and values', async () => {
    const rec = started.track(await startOtlpReceiver(), (it) => it.close());
    const current = started.track(
      await startStack({
        scenario: STEADY_SCENARIO,
        cadenceMs: 250,
        flags: { interval: '100ms', exporters: 'prometheus,otlp' },
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: rec.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_METRIC_EXPORT_INTERVAL: '500',
          OTEL_SERVICE_NAME: 'taskscope-e2e',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
        },
      }),
      (it) => it.stop(),
    );
    await waitFor(
      'four OTLP exports with container points',
      () =>
        rec.exports.filter((e) =>
          metricsOf(e).some((m) => m.name === 'container.cpu.usage' && m.points.length > 0),
        ).length >= 4
          ? true
          : undefined,
      { timeoutMs: 20_000 },
    );
    expect(rec.rejected).toEqual([]);
    const exports = rec.exports.filter((e) => metricsOf(e).some((m) => m.name === 'container.cpu.usage'));
    expect(exports.every((e) => e.contentType === encoding)).toBe(true);

    // Resource: from the task metadata the agent polled, plus OTEL_* attributes.
    const task = await getJson<Record<string, string>>(`${current.mock.v4Urls.app}/task`);
    const last = exports.at(-1)!;
    expect(last.resourceMetrics).toHaveLength(1);
    const resource = last.resourceMetrics[0]!.resource;
    const taskId = task.TaskARN!.split('/').at(-1)!;
    expect(resource).toMatchObject({
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_ecs',
      'cloud.region': 'eu-central-1',
      'cloud.account.id': '123456789012',
      'cloud.availability_zone': task.AvailabilityZone,
      'aws.ecs.cluster.arn': 'arn:aws:ecs:eu-central-1:123456789012:cluster/e2e',
      'aws.ecs.task.arn': task.TaskARN,
      'aws.ecs.task.id': taskId,
      'aws.ecs.task.family': 'steady',
      'aws.ecs.task.revision': '3',
      'aws.ecs.launchtype': 'fargate',
      'service.name': 'taskscope-e2e',
      'deployment.environment.name': 'e2e',
    });

    // Names, units and instrument types.
    const byName = new Map(metricsOf(last).map((m) => [m.name, m]));
    for (const [name, [unit, kind]] of Object.entries(CONTRACT)) {
      const m = byName.get(name);
      expect(m, `${name} exported`).toBeDefined();
      expect(m!.unit, `${name} unit`).toBe(unit);
      if (kind === 'counter') {
        expect(m!.type, `${name} is a Sum`).toBe('sum');
        expect(m!.monotonic, `${name} is monotonic`).toBe(true);
        expect(m!.temporality, `${name} is cumulative`).toBe(TEMPORALITY.cumulative);
      } else if (kind === 'gauge') {
        expect(m!.type, `${name} is a Gauge`).toBe('gauge');
      } else {
        expect(m!.type === 'gauge' || (m!.type === 'sum' && m!.monotonic === false), `${name} up-down`).toBe(
          true,
        );
      }
    }
    // Bridge-only container.network.io is absent on awsvpc; nothing outside the contract.
    expect([...byName.keys()].filter((n) => !(n in CONTRACT))).toEqual([]);

    // Per-container attributes.
    const containers = (
      task as unknown as {
        Containers: { Name: string; DockerId: string; Image: string; StartedAt: string }[];
      }
    ).Containers;
    const cpuTime = byName.get('container.cpu.time')!;
    expect(cpuTime.points.map((p) => p.attributes['container.name']).sort()).toEqual(['app', 'sidecar']);
    for (const point of cpuTime.points) {
      const c = containers.find((x) => x.Name === point.attributes['container.name'])!;
      expect(point.attributes['container.id']).toBe(c.DockerId);
      expect(c.Image.startsWith(String(point.attributes['container.image.name']))).toBe(true);
      // The start time of a cumulative run is the container's StartedAt. Core keeps times as
      // float ms, exact to about 0.25 µs at today's epoch: compare to the microsecond.
      const offsetNs = point.startTimeUnixNano - nsOf(c.StartedAt);
      expect(
        offsetNs < 1000n && offsetNs > -1000n,
        `start ${point.startTimeUnixNano} vs ${c.StartedAt}`,
      ).toBe(true);
      expect(point.timeUnixNano > point.startTimeUnixNano).toBe(true);
    }
    const disk = byName.get('container.disk.io')!;
    expect(new Set(disk.points.map((p) => p.attributes['disk.io.direction']))).toEqual(
      new Set(['read', 'write']),
    );
    const net = byName.get('aws.ecs.task.network.io')!;
    expect(
      net.points
        .map((p) => `${p.attributes['network.interface.name']}/${p.attributes['network.io.direction']}`)
        .sort(),
    ).toEqual(['eth1/receive', 'eth1/transmit']);
    expect(net.points.every((p) => p.attributes['container.name'] === undefined)).toBe(true);

    // Across exports every counter series is monotonic with an unchanged start time.
    for (const name of Object.keys(CONTRACT).filter((n) => CONTRACT[n]![1] === 'counter')) {
      const series = new Map<string, { start: bigint; time: bigint; value: number }>();
      for (const e of exports) {
        for (const point of metricsOf(e).find((m) => m.name === name)?.points ?? []) {
          const key = JSON.stringify(Object.entries(point.attributes).sort());
          const before = series.get(key);
          if (before) {
            expect(point.startTimeUnixNano, `${name} ${key} start`).toBe(before.start);
            expect(point.value, `${name} ${key} value`).toBeGreaterThanOrEqual(before.value);
            expect(point.timeUnixNano >= before.time, `${name} ${key} time`).toBe(true);
          }
          series.set(key, { start: point.startTimeUnixNano, time: point.timeUnixNano, value: point.value });
        }
      }
      expect(series.size, `${name} series`).toBeGreaterThan(0);
    }

    // Values: the load is constant, so the latest gauges equal the truth.
    const truth = await current.truth();
    for (const point of byName.get('container.cpu.usage')!.points) {
      const t = truth.containers.find((c) => c.name === point.attributes['container.name'])!;
      expect(Math.abs(point.value - t.cpuCores)).toBeLessThanOrEqual(0.01 * t.cpuCores);
    }
    for (const point of byName.get('container.memory.working_set')!.points) {
      const t = truth.containers.find((c) => c.name === point.attributes['container.name'])!;
      expect(point.value).toBe(t.memoryWorkingSetBytes);
    }
    expect(byName.get('aws.ecs.task.cpu.limit')!.points[0]!.value).toBe(1);
    expect(byName.get('aws.ecs.task.memory.limit')!.points[0]!.value).toBe(2048 * 1024 * 1024);
  });
});
