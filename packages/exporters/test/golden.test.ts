import type { HrTime } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { TaskMetrics } from '@taskscope/core';
import { emfProblems, promtoolCheckMetrics } from '@taskscope/test-support';
import { describe, expect, it } from 'vitest';
import { translateEmf } from '../src/emf/translate.js';
import { type OtlpState, translateOtlp } from '../src/otlp/translate.js';
import { createPrometheusEndpoint } from '../src/prometheus/endpoint.js';
import { FIXTURE_PAIRS, type FixtureName, runFixture } from './helpers/core-fixtures.js';

const NS = 'ECS/Taskscope';

function hrIso([seconds, nanos]: HrTime): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}

/** A readable rendering of OTLP data for review: one entry per metric, times as RFC 3339 with ns. */
function otlpDocument(resource: object, metrics: readonly MetricData[]): string {
  return `${JSON.stringify(
    {
      resource,
      metrics: metrics.map((m) => ({
        name: m.descriptor.name,
        unit: m.descriptor.unit,
        type: m.dataPointType === 2 ? 'gauge' : 'sum',
        ...('isMonotonic' in m
          ? { monotonic: m.isMonotonic, temporality: m.aggregationTemporality === 0 ? 'delta' : 'cumulative' }
          : {}),
        points: (
          m.dataPoints as { startTime: HrTime; endTime: HrTime; attributes: object; value: number }[]
        ).map((p) => ({
          attributes: p.attributes,
          start: hrIso(p.startTime),
          time: hrIso(p.endTime),
          value: p.value,
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

async function renderAll(polls: TaskMetrics[]) {
  const latest = polls.at(-1)!;
  const endpoint = createPrometheusEndpoint({ getSnapshot: () => latest, processMetrics: false });
  const text = await endpoint.scrape();
  const om = await endpoint.scrape('application/openmetrics-text');
  const emf = translateEmf(latest, { namespace: NS, containerMetrics: true }).map((e) => JSON.stringify(e));
  let state: OtlpState | undefined;
  let otlp: ReturnType<typeof translateOtlp> | undefined;
  for (const poll of polls) {
    otlp = translateOtlp(poll, state, { temporality: 'cumulative', nowMs: poll.sample.readAtMs ?? 0 });
    state = otlp.state;
  }
  return { text, om, emf, otlp: otlp! };
}

describe.each(Object.keys(FIXTURE_PAIRS) as FixtureName[])(
  'golden files from the %s fixture through core',
  (name) => {
    it('match, pass promtool and validate as EMF', async () => {
      // First poll, then one refresh later: the second has rates and storage deltas.
      const { text, om, emf, otlp } = await renderAll(runFixture(name, ['grow']));
      await expect(text.body).toMatchFileSnapshot(`__golden__/${name}.prom.txt`);
      await expect(om.body).toMatchFileSnapshot(`__golden__/${name}.om.txt`);
      await expect(`${emf.join('\n')}\n`).toMatchFileSnapshot(`__golden__/${name}.emf.jsonl`);
      await expect(otlpDocument(otlp.resourceAttributes, otlp.scopeMetrics.metrics)).toMatchFileSnapshot(
        `__golden__/${name}.otlp.json`,
      );
      expect(await promtoolCheckMetrics(text.body)).toEqual({ exitCode: 0, output: '' });
      expect(emf.length).toBeGreaterThan(0);
      for (const line of emf) expect(emfProblems(line)).toEqual([]);
    });
  },
);

// The telegraf cgroup v2 capture holds only the pause container (no user container has stats),
// so the interval behaviours are checked on the two ecs_exporter captures (v1 Fargate, v2 EC2).
describe.each(['fargate', 'ec2'] as const)('contract behaviours on the %s fixture through core', (name) => {
  it('on a restart: Prometheus counters fall, OTLP start times move, EMF has no storage delta', async () => {
    const polls = runFixture(name, ['grow', 'restart']);
    const [, before, after] = polls as [TaskMetrics, TaskMetrics, TaskMetrics];
    const withStats = after.containers.filter((c) => c.stats !== undefined);
    expect(withStats.length).toBeGreaterThan(0);
    expect(withStats.every((c) => c.reset)).toBe(true);

    const { text: textBefore } = await renderAll(polls.slice(0, 2));
    const { text, emf, otlp } = await renderAll(polls);
    const cpuLines = (body: string) =>
      body.split('\n').filter((l) => l.startsWith('ecs_container_cpu_usage_seconds_total{'));
    const value = (line: string) => Number(line.split(' ').at(-1));
    const lower = cpuLines(text.body).map((l, i) => value(l) < value(cpuLines(textBefore.body)[i]!));
    expect(lower).toEqual(withStats.map(() => true));

    const cpu = otlp.scopeMetrics.metrics.find((m) => m.descriptor.name === 'container.cpu.time')!;
    for (const c of withStats) {
      const p = cpu.dataPoints.find((d) => d.attributes['container.name'] === c.name)!;
      const start = p.startTime[0] * 1000 + p.startTime[1] / 1e6;
      const previousStart = before.containers.find((b) => b.name === c.name)!.counterStartMs!;
      expect(start).toBeGreaterThan(previousStart);
      expect(Math.abs(start - c.counterStartMs!)).toBeLessThan(0.001);
    }

    const task = JSON.parse(emf[0]!);
    expect(task).not.toHaveProperty('StorageReadBytes');
    expect(task).not.toHaveProperty('StorageWriteBytes');
    for (const line of emf) {
      expect(emfProblems(line)).toEqual([]);
      expect(JSON.parse(line)).not.toHaveProperty('ContainerStorageReadBytes');
    }
  });

  it('on a duplicate: Prometheus values unchanged, no new EMF delta would be emitted', async () => {
    const polls = runFixture(name, ['grow', 'duplicate']);
    const [, fresh, duplicate] = polls as [TaskMetrics, TaskMetrics, TaskMetrics];
    expect(duplicate.sample.kind).toBe('duplicate');
    const a = await renderAll([polls[0]!, fresh]);
    const b = await renderAll(polls);
    expect(b.text.body).toBe(a.text.body);
  });
});
