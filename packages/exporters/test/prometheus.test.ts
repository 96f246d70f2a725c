import { promtoolCheckMetrics, zeroNetworkCounters } from '@taskscope/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrometheusEndpoint } from '../src/prometheus/endpoint.js';
import { negotiateExposition } from '../src/prometheus/negotiate.js';
import { PROMETHEUS_FAMILIES, translatePrometheus } from '../src/prometheus/translate.js';
import { appContainer, fargateTask, nextSample, stoppedContainer } from './helpers/task-metrics.js';

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const PROMETHEUS_3_ACCEPT =
  'application/openmetrics-text;version=1.0.0;escaping=allow-utf8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

function samplesOf(body: string, name: string): string[] {
  return body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('translatePrometheus', () => {
  it('gives a container with null stats its info series and nothing else', () => {
    const families = translatePrometheus(fargateTask(), { taskLabels: false });
    const withNonessential = families.filter((f) =>
      f.samples.some((s) => s.labels['container_name'] === 'nonessential'),
    );
    expect(withNonessential.map((f) => f.name)).toEqual(['ecs_container_info']);
    expect(withNonessential[0]!.samples.find((s) => s.labels['container_name'] === 'nonessential')).toEqual({
      labels: {
        container_name: 'nonessential',
        container_id: 'bae32def0ab64f06818e8862e58f8d6d-1585788040',
        image: 'alpine',
        image_id: 'sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c',
        known_status: 'STOPPED',
      },
      value: 1,
    });
  });

  it('counts an awsvpc interface once for the task, without container_name', () => {
    const families = translatePrometheus(fargateTask(), { taskLabels: false });
    const rx = families.find((f) => f.name === 'ecs_network_receive_bytes_total')!;
    expect(rx.samples).toEqual([{ labels: { interface: 'eth1' }, value: 129_045_374 }]);
  });

  it('labels bridge-mode interfaces with their container', () => {
    const task = fargateTask({
      networkMode: 'bridge',
      networks: [
        { interface: 'eth0', containerName: 'app', counters: { ...zeroNetworkCounters(), rxBytes: 10 } },
        { interface: 'eth0', containerName: 'worker', counters: { ...zeroNetworkCounters(), rxBytes: 20 } },
      ],
    });
    const rx = translatePrometheus(task, { taskLabels: false }).find(
      (f) => f.name === 'ecs_network_receive_bytes_total',
    )!;
    expect(rx.samples).toEqual([
      { labels: { interface: 'eth0', container_name: 'app' }, value: 10 },
      { labels: { interface: 'eth0', container_name: 'worker' }, value: 20 },
    ]);
  });

  it('adds the task labels to every series only when asked', () => {
    const off = translatePrometheus(fargateTask(), { taskLabels: false });
    expect(off.flatMap((f) => f.samples).some((s) => 'task_id' in s.labels)).toBe(false);
    const on = translatePrometheus(fargateTask(), { taskLabels: true });
    const all = on.flatMap((f) => f.samples);
    expect(all.length).toBe(off.flatMap((f) => f.samples).length);
    for (const s of all) {
      expect(s.labels).toMatchObject({
        cluster: 'arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox',
        family: 'prom-ecs-exporter-sandbox-main-fargate',
        revision: '9',
        task_id: 'bae32def0ab64f06818e8862e58f8d6d',
      });
    }
  });

  it('returns every family without samples before the first snapshot', () => {
    const families = translatePrometheus(undefined, { taskLabels: false });
    expect(families.map((f) => f.name)).toEqual(PROMETHEUS_FAMILIES.map((f) => f.name));
    expect(families.every((f) => f.samples.length === 0)).toBe(true);
  });

  it('lets a restarted counter simply fall (Prometheus rate() handles resets)', () => {
    const first = fargateTask();
    const restarted = nextSample(first, { restart: true });
    const cpu = (t: typeof first) =>
      translatePrometheus(t, { taskLabels: false })
        .find((f) => f.name === 'ecs_container_cpu_usage_seconds_total')!
        .samples.map((s) => s.value);
    expect(cpu(first)).toEqual([0.932439492]);
    expect(cpu(restarted)).toEqual([0.05]);
  });

  it('renders a duplicate sample with the same values as the sample it repeats', () => {
    const first = fargateTask();
    const strip = (t: typeof first) => translatePrometheus(t, { taskLabels: true });
    expect(strip(nextSample(first, { duplicate: true }))).toEqual(strip(first));
  });

  it('never emits a sample that is not a finite number, for any snapshot values', () => {
    const num = fc.oneof(fc.double(), fc.constant(undefined));
    fc.assert(
      fc.property(num, num, num, (usage, cpuVcpus, rx) => {
        const task = fargateTask({
          limits: { cpuVcpus, memoryBytes: 1 },
          containers: [
            appContainer({
              stats: { ...appContainer().stats!, memory: { usageBytes: usage } },
            }),
          ],
          networks: [{ interface: 'eth1', counters: { ...zeroNetworkCounters(), rxBytes: rx ?? 0 } }],
        });
        for (const f of translatePrometheus(task, { taskLabels: false })) {
          for (const s of f.samples) expect(Number.isFinite(s.value)).toBe(true);
        }
      }),
    );
  });
});

describe('negotiateExposition', () => {
  it.each([
    [undefined, 'text'],
    ['', 'text'],
    ['text/plain', 'text'],
    ['*/*', 'text'],
    ['application/openmetrics-text', 'openmetrics'],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'text'],
    [PROMETHEUS_3_ACCEPT, 'openmetrics'],
    ['text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5', 'text'],
    ['application/openmetrics-text;q=0.9,text/plain;q=0.9', 'text'],
    ['application/openmetrics-text;q=0', 'text'],
    ['application/json', 'text'],
    ['text/plain;q=0, application/openmetrics-text;q=0.1', 'openmetrics'],
  ] as const)('Accept %j → %s', (accept, format) => {
    expect(negotiateExposition(accept)).toBe(format);
  });
});

describe('createPrometheusEndpoint', () => {
  it('serves text 0.0.4 with its content type that promtool accepts without a finding, process metrics included', async () => {
    const endpoint = createPrometheusEndpoint({ getSnapshot: () => fargateTask(), taskLabels: true });
    endpoint.selfTelemetry.observePoll('task_stats', 0.012);
    endpoint.selfTelemetry.countPollError('task', 'http_503');
    endpoint.selfTelemetry.countSample('fresh');
    endpoint.selfTelemetry.countFieldDropped('task_stats', 'field');
    endpoint.selfTelemetry.countFieldDropped('task_stats', 'field');
    endpoint.selfTelemetry.countFieldDropped('task_stats', 'sample');
    const scrape = await endpoint.scrape();
    expect(scrape.contentType).toBe(TEXT);
    expect(samplesOf(scrape.body, 'taskscope_payload_fields_dropped_total')).toEqual([
      'taskscope_payload_fields_dropped_total{endpoint="task_stats",cost="field"} 2',
      'taskscope_payload_fields_dropped_total{endpoint="task_stats",cost="sample"} 1',
    ]);
    expect(scrape.body).toContain('process_cpu_user_seconds_total');
    expect(scrape.body).toContain('nodejs_active_handles');
    expect(scrape.body).not.toContain('nodejs_active_handles_total');
    expect(samplesOf(scrape.body, 'taskscope_samples_total')).toEqual([
      'taskscope_samples_total{result="fresh"} 1',
      'taskscope_samples_total{result="duplicate"} 0',
    ]);
    expect(await promtoolCheckMetrics(scrape.body)).toEqual({ exitCode: 0, output: '' });
  });

  it('is promtool-clean before the first snapshot too', async () => {
    const scrape = await createPrometheusEndpoint({ getSnapshot: () => undefined }).scrape();
    expect(samplesOf(scrape.body, 'ecs_task_cpu_limit_vcpus')).toEqual([]);
    expect(await promtoolCheckMetrics(scrape.body)).toEqual({ exitCode: 0, output: '' });
  });

  it('serves OpenMetrics only when asked, and text stays uncorrupted after an OpenMetrics scrape', async () => {
    const endpoint = createPrometheusEndpoint({ getSnapshot: () => fargateTask(), processMetrics: false });
    const before = await endpoint.scrape('text/plain');
    const om = await endpoint.scrape(PROMETHEUS_3_ACCEPT);
    const after = await endpoint.scrape();
    expect(om.contentType).toBe(OPENMETRICS);
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.body).toContain('# TYPE ecs_container_cpu_usage_seconds counter\n');
    expect(samplesOf(om.body, 'ecs_container_cpu_usage_seconds_total')).toEqual([
      'ecs_container_cpu_usage_seconds_total{container_name="prometheus"} 0.932439492',
    ]);
    // prom-client renames shared counter objects in place; separate registries keep text intact.
    expect(after).toEqual(before);
    expect(after.body).toContain('# TYPE ecs_container_cpu_usage_seconds_total counter\n');
    expect(await promtoolCheckMetrics(after.body)).toEqual({ exitCode: 0, output: '' });
  });

  it('produces OpenMetrics that promtool parses (its only findings are the OM-style counter HELP names)', async () => {
    const endpoint = createPrometheusEndpoint({ getSnapshot: () => fargateTask() });
    const om = await endpoint.scrape('application/openmetrics-text');
    const check = await promtoolCheckMetrics(om.body);
    // promtool 2.42 lints OpenMetrics with text-format rules: exit 1 is a parse error, exit 3
    // a lint finding. Its only finding is that OM names counter families without `_total`.
    expect(check.exitCode).not.toBe(1);
    for (const line of check.output.trim().split('\n').filter(Boolean)) {
      expect(line).toMatch(/^\S+_total no help text$/);
    }
  });

  it('serves the cost meter’s two series from getCost at scrape time, and none without a cost', async () => {
    let cost: { dollarsPerHour: number; estimatedDollarsSoFar?: number } | undefined = {
      dollarsPerHour: 0.04937,
      estimatedDollarsSoFar: 0.0123425,
    };
    const endpoint = createPrometheusEndpoint({
      getSnapshot: () => fargateTask(),
      getCost: () => cost,
      processMetrics: false,
    });
    const body = (await endpoint.scrape()).body;
    expect(samplesOf(body, 'ecs_task_price_dollars_per_hour')).toEqual([
      'ecs_task_price_dollars_per_hour 0.04937',
    ]);
    expect(samplesOf(body, 'ecs_task_estimated_cost_dollars_total')).toEqual([
      'ecs_task_estimated_cost_dollars_total 0.0123425',
    ]);
    expect(body).toContain('# TYPE ecs_task_estimated_cost_dollars_total counter');
    expect(await promtoolCheckMetrics(body)).toEqual({ exitCode: 0, output: '' });
    // A price without a pull start: the price alone. No cost (EC2, no size): neither.
    cost = { dollarsPerHour: 0.04937 };
    const priceOnly = (await endpoint.scrape()).body;
    expect(samplesOf(priceOnly, 'ecs_task_price_dollars_per_hour')).toHaveLength(1);
    expect(samplesOf(priceOnly, 'ecs_task_estimated_cost_dollars_total')).toEqual([]);
    cost = undefined;
    const none = (await endpoint.scrape()).body;
    expect(samplesOf(none, 'ecs_task_price_dollars_per_hour')).toEqual([]);
  });

  it('reads the snapshot at scrape time, not at construction', async () => {
    let snapshot = fargateTask();
    const endpoint = createPrometheusEndpoint({ getSnapshot: () => snapshot, processMetrics: false });
    const first = await endpoint.scrape();
    snapshot = nextSample(snapshot);
    const second = await endpoint.scrape();
    expect(samplesOf(first.body, 'ecs_container_cpu_usage_seconds_total')).toEqual([
      'ecs_container_cpu_usage_seconds_total{container_name="prometheus"} 0.932439492',
    ]);
    expect(samplesOf(second.body, 'ecs_container_cpu_usage_seconds_total')).toEqual([
      'ecs_container_cpu_usage_seconds_total{container_name="prometheus"} 1.132439492',
    ]);
  });

  it('keeps concurrent scrapes of different formats consistent', async () => {
    let n = 0;
    const endpoint = createPrometheusEndpoint({
      getSnapshot: () => {
        n += 1;
        return n % 2 === 0 ? fargateTask() : fargateTask({ containers: [stoppedContainer()] });
      },
      processMetrics: false,
    });
    const scrapes = await Promise.all([
      endpoint.scrape(),
      endpoint.scrape('application/openmetrics-text'),
      endpoint.scrape(),
    ]);
    expect(samplesOf(scrapes[0]!.body, 'ecs_container_memory_usage_bytes')).toEqual([]);
    expect(samplesOf(scrapes[1]!.body, 'ecs_container_memory_usage_bytes')).toEqual([
      'ecs_container_memory_usage_bytes{container_name="prometheus"} 127934464',
    ]);
    expect(samplesOf(scrapes[2]!.body, 'ecs_container_memory_usage_bytes')).toEqual([]);
  });
});
