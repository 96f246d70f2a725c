import type { TaskMetrics } from '@taskscope/core';
import { InputError } from '@taskscope/input';
import {
  OTLP_AWSVPC_METRICS,
  type OtlpContractKind,
  type OtlpExport,
  type OtlpMetric,
  type OtlpReceiver,
  REFUSED_PORT,
  startOtlpReceiver,
  thrownBy,
  waitFor,
} from '@taskscope/test-support';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskCostSample } from '../src/cost.js';
import { OTLP_SHUTDOWN_BUDGET_MS, OtlpConfigError, readOtlpConfig } from '../src/otlp/config.js';
import { createOtlpExporter, type OtlpExporter } from '../src/otlp/exporter.js';
import { msToHrTime, translateOtlp } from '../src/otlp/translate.js';
import { appContainer, fargateTask, nextSample, READ_AT_MS, STARTED_AT_MS } from './helpers/task-metrics.js';

/** One export as these tests read it: its one resource, its scope's name and every metric. */
interface Exported {
  readonly resource: OtlpExport['resourceMetrics'][number]['resource'];
  readonly scope: string;
  readonly metrics: readonly OtlpMetric[];
}

function exported(received: OtlpExport): Exported {
  expect(received.resourceMetrics).toHaveLength(1);
  const [only] = received.resourceMetrics;
  return {
    resource: only!.resource,
    scope: only!.scopes[0]?.name ?? '',
    metrics: only!.scopes.flatMap((scope) => scope.metrics),
  };
}

/** The OTLP type and monotonic flag this exporter writes for each kind of the contract. */
const ENCODED_AS: Readonly<Record<OtlpContractKind, readonly [OtlpMetric['type'], boolean | undefined]>> = {
  counter: ['sum', true],
  updown: ['sum', false],
  gauge: ['gauge', undefined],
};

const ns = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
const metric = (e: Exported, name: string): OtlpMetric | undefined => e.metrics.find((m) => m.name === name);
const cpuTime = (e: Exported) => metric(e, 'container.cpu.time')!.points[0]!;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  env: Record<string, string>,
  snapshot: () => TaskMetrics | undefined,
  cost: () => TaskCostSample | undefined = () => undefined,
) {
  const receiver = await startOtlpReceiver();
  const errors: Error[] = [];
  const exporter = createOtlpExporter({
    getSnapshot: snapshot,
    getCost: cost,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env },
    onError: (e) => errors.push(e),
  });
  cleanups.push(async () => {
    await exporter.shutdown();
    await receiver.close();
  });
  return { receiver, exporter, errors };
}

async function flush(exporter: OtlpExporter, receiver: OtlpReceiver): Promise<OtlpExport> {
  const next = receiver.next();
  await exporter.forceFlush();
  return next;
}

describe('OTLP over http/protobuf (default)', () => {
  it('sends the contract names, units, resource and start times, with the configured headers', async () => {
    let snapshot = fargateTask();
    const { receiver, exporter, errors } = await setup(
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=generic,x-tenant=a%20b',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=metrics',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,aws.ecs.task.id=spoofed',
        OTEL_SERVICE_NAME: 'checkout-infra',
      },
      () => snapshot,
      () => ({ dollarsPerHour: 0.0123425, estimatedDollarsSoFar: 0.000205708 }),
    );
    const request = await flush(exporter, receiver);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/metrics');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['x-api-key']).toBe('metrics');
    expect(request.headers['x-tenant']).toBe('a b');
    const first = exported(request);
    expect(first.resource).toMatchObject({
      'service.name': 'checkout-infra',
      'deployment.environment.name': 'prod',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_ecs',
      'cloud.region': 'us-east-1',
      'cloud.account.id': '829490980523',
      'cloud.availability_zone': 'us-east-1a',
      'aws.ecs.cluster.arn': 'arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox',
      'aws.ecs.task.arn':
        'arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d',
      'aws.ecs.task.id': 'bae32def0ab64f06818e8862e58f8d6d',
      'aws.ecs.task.family': 'prom-ecs-exporter-sandbox-main-fargate',
      'aws.ecs.task.revision': '9',
      'aws.ecs.launchtype': 'fargate',
    });
    expect(first.scope).toBe('@taskscope/exporters');
    // The contract's metric set of an awsvpc task, in order; up-down values are non-monotonic sums here.
    expect(first.metrics.map((m) => [m.name, m.unit, m.type, m.monotonic])).toEqual(
      Object.entries(OTLP_AWSVPC_METRICS).map(([name, [unit, kind]]) => [name, unit, ...ENCODED_AS[kind]]),
    );
    // Only the container with stats has points: the stopped one (null stats) has none.
    expect(cpuTime(first)).toEqual({
      attributes: {
        'container.name': 'prometheus',
        'container.id': 'bae32def0ab64f06818e8862e58f8d6d-2531612879',
        'container.image.name': 'prom/prometheus',
      },
      startTimeUnixNano: ns(STARTED_AT_MS),
      timeUnixNano: ns(READ_AT_MS),
      value: 0.932439492,
    });
    expect(metric(first, 'container.cpu.time')!.temporality).toBe(2);
    expect(metric(first, 'aws.ecs.task.network.io')!.points.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'network.interface.name': 'eth1', 'network.io.direction': 'receive' }, 129_045_374],
      [{ 'network.interface.name': 'eth1', 'network.io.direction': 'transmit' }, 3_170_520],
    ]);
    // The cost meter: the price as a gauge, the cost as a counter running from the image pull.
    expect(metric(first, 'aws.ecs.task.price')!.points.map((p) => p.value)).toEqual([0.0123425]);
    expect(metric(first, 'aws.ecs.task.cost')!.points).toMatchObject([
      { attributes: {}, startTimeUnixNano: ns(snapshot.imagePull!.startedAtMs!), value: 0.000205708 },
    ]);
    expect(metric(first, 'container.uptime')!.points[0]!.value).toBeCloseTo(
      (READ_AT_MS - STARTED_AT_MS) / 1000,
      9,
    );

    // A restart: the counter falls and its start time moves to the new StartedAt.
    snapshot = nextSample(snapshot, { restart: true });
    const restarted = exported(await flush(exporter, receiver));
    expect(cpuTime(restarted).value).toBe(0.05);
    expect(cpuTime(restarted).startTimeUnixNano).toBe(ns(READ_AT_MS + 8_000));
    expect(cpuTime(restarted).timeUnixNano).toBe(ns(READ_AT_MS + 10_000));
    // The task's network counters did not reset, so their start stays put.
    const netStarts = (e: Exported) =>
      metric(e, 'aws.ecs.task.network.io')!.points.map((p) => p.startTimeUnixNano);
    expect(netStarts(restarted)).toEqual(netStarts(first));
    expect(errors).toEqual([]);
  });

  it('exports on the OTEL_METRIC_EXPORT_INTERVAL timer without being asked', async () => {
    const { receiver } = await setup({ OTEL_METRIC_EXPORT_INTERVAL: '150' }, () => fargateTask());
    // An export that nobody asked for: the default interval is 60 s, so one within 30 s can
    // only come from the 150 ms setting. Waits for the export, not a fixed time (issue #9).
    const request = await waitFor('an export on the 150 ms timer', () => receiver.exports[0], {
      timeoutMs: 30_000,
    });
    expect(exported(request).metrics.length).toBeGreaterThan(0);
  });

  it('sends nothing before the first snapshot', async () => {
    const { receiver, exporter } = await setup({}, () => undefined);
    await exporter.forceFlush();
    expect([receiver.exports, receiver.rejected]).toEqual([[], []]);
  });

  it('gives a container with null stats no points at all', async () => {
    const { receiver, exporter } = await setup({}, () =>
      fargateTask({ containers: [fargateTask().containers[0]!] }),
    );
    const sent = exported(await flush(exporter, receiver));
    expect(sent.metrics.flatMap((m) => m.points).filter((p) => 'container.name' in p.attributes)).toEqual([]);
    expect(metric(sent, 'aws.ecs.task.cpu.limit')!.points[0]!.value).toBe(0.25);
  });
});

describe('OTLP over http/json with delta temporality', () => {
  it('uses the per-signal endpoint as is and sends deltas between distinct reads', async () => {
    let snapshot = fargateTask();
    const receiver0 = await startOtlpReceiver({ path: '/custom/metrics' });
    cleanups.push(() => receiver0.close());
    const { receiver, exporter } = await setup(
      {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver0.url}/custom/metrics`,
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
      },
      () => snapshot,
    );
    const firstRequest = await flush(exporter, receiver0);
    expect([receiver.exports, receiver.rejected]).toEqual([[], []]);
    expect(firstRequest.path).toBe('/custom/metrics');
    expect(firstRequest.headers['content-type']).toBe('application/json');
    // First sight of a counter: no interval known yet, so no delta point.
    expect(metric(exported(firstRequest), 'container.cpu.time')).toBeUndefined();
    expect(metric(exported(firstRequest), 'container.memory.usage')!.temporality).toBe(2);

    snapshot = nextSample(snapshot);
    const second = exported(await flush(exporter, receiver0));
    expect(metric(second, 'container.cpu.time')!.temporality).toBe(1);
    expect(cpuTime(second).startTimeUnixNano).toBe(ns(READ_AT_MS));
    expect(cpuTime(second).timeUnixNano).toBe(ns(READ_AT_MS + 10_000));
    expect(cpuTime(second).value).toBeCloseTo(0.2, 12);
    expect(metric(second, 'aws.ecs.task.network.io')!.points.map((p) => p.value)).toEqual([20_000, 10_000]);

    // A duplicate read: no new delta.
    snapshot = nextSample(snapshot, { duplicate: true });
    const third = exported(await flush(exporter, receiver0));
    expect(metric(third, 'container.cpu.time')).toBeUndefined();

    // After a restart the delta is the whole value since the new start.
    snapshot = nextSample(snapshot, { restart: true });
    const fourth = exported(await flush(exporter, receiver0));
    expect(cpuTime(fourth)).toMatchObject({
      startTimeUnixNano: ns(READ_AT_MS + 18_000),
      timeUnixNano: ns(READ_AT_MS + 20_000),
      value: 0.05,
    });
  });
});

describe('bounded shutdown', () => {
  it('finishes well within 5 s when the collector is unreachable, and reports the failure', async () => {
    // A port nothing can listen on, not one freed a moment ago that another process could take.
    const port = REFUSED_PORT;
    const errors: Error[] = [];
    const exporter = createOtlpExporter({
      getSnapshot: () => fargateTask(),
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
      onError: (e) => errors.push(e),
    });
    const started = performance.now();
    await exporter.shutdown();
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(OTLP_SHUTDOWN_BUDGET_MS + 500);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('readOtlpConfig', () => {
  it('applies the spec defaults', () => {
    expect(readOtlpConfig({})).toEqual({
      protocol: 'http/protobuf',
      url: 'http://localhost:4318/v1/metrics',
      headers: {},
      temporality: 'cumulative',
      temporalityPreference: 'cumulative',
      exportIntervalMs: 60_000,
      exportTimeoutMs: 30_000,
      requestTimeoutMs: 10_000,
      resourceAttributes: {},
    });
  });

  it('clamps the default timeouts to a shorter interval, and lowmemory means cumulative for observed counters', () => {
    const config = readOtlpConfig({
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LOWMEMORY',
    });
    expect(config).toMatchObject({
      url: 'https://collector:4318/v1/metrics',
      exportIntervalMs: 5_000,
      exportTimeoutMs: 5_000,
      requestTimeoutMs: 5_000,
      temporality: 'cumulative',
      temporalityPreference: 'lowmemory',
    });
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_PROTOCOL is "grpc" (string); expected http/protobuf or http/json: taskscope ships no gRPC exporter; point it at the collector\'s OTLP/HTTP port (4318)',
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/xml' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL is "http/xml" (string); expected http/protobuf (default) or http/json',
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'sometimes' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE is "sometimes" (string); expected cumulative (default), delta or lowmemory',
    ],
    [
      { OTEL_METRIC_EXPORT_INTERVAL: '10s' },
      'invalid OTLP configuration: OTEL_METRIC_EXPORT_INTERVAL is "10s" (string); expected a whole number of milliseconds > 0',
    ],
    [
      { OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '2000' },
      'invalid OTLP configuration: OTEL_METRIC_EXPORT_TIMEOUT is "2000" (string); expected at most OTEL_METRIC_EXPORT_INTERVAL (1000)',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_ENDPOINT is "collector:4318" (string); expected an http:// or https:// URL',
    ],
    [
      { OTEL_METRIC_EXPORT_TIMEOUT: '-5' },
      'invalid OTLP configuration: OTEL_METRIC_EXPORT_TIMEOUT is "-5" (string); expected a whole number of milliseconds > 0',
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2.5' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_METRICS_TIMEOUT is "2.5" (string); expected a whole number of milliseconds > 0',
    ],
    [
      // setInterval would warn (TimeoutOverflowWarning) and export every millisecond.
      { OTEL_METRIC_EXPORT_INTERVAL: '3000000000' },
      'invalid OTLP configuration: OTEL_METRIC_EXPORT_INTERVAL is "3000000000" (string); expected a whole number of milliseconds from 1 to 2147483647 (Node\'s timer limit)',
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'ftp://collector/v1/metrics' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is "ftp://collector/v1/metrics" (string); expected an http:// or https:// URL',
    ],
    [
      { OTEL_RESOURCE_ATTRIBUTES: 'team=web,=orphan' },
      'invalid OTLP configuration: OTEL_RESOURCE_ATTRIBUTES is "team=web,=orphan" (string); expected a comma-separated list of key=value pairs',
    ],
    // Header values are credentials: keys are shown, values and keyless items are not.
    [
      { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_HEADERS is "…" (string); expected a comma-separated list of key=value pairs',
    ],
    [
      { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20s3cr3t,x-team-s3cr3t' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_HEADERS is "Authorization=…,…" (string); expected a comma-separated list of key=value pairs',
    ],
    [
      { OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=s3cr3t%ZZ' },
      'invalid OTLP configuration: OTEL_EXPORTER_OTLP_METRICS_HEADERS is "x-api-key=…" (string); expected key=value pairs whose values are valid percent-encoding',
    ],
  ])('rejects %j with one message naming the variable', (env, message) => {
    expect(() => readOtlpConfig(env)).toThrow(message);
    expect(() => readOtlpConfig(env)).toThrow(OtlpConfigError);
  });

  it('reports every bad variable at once, in one InputError coded OTLP_CONFIG', () => {
    const caught = thrownBy(() =>
      readOtlpConfig({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_METRIC_EXPORT_INTERVAL: '10s',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20s3cr3t,novalue',
      }),
    );
    expect(caught).toBeInstanceOf(OtlpConfigError);
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as OtlpConfigError;
    expect([error.code, error.origin, error.exitCode]).toEqual(['OTLP_CONFIG', 'input', 2]);
    expect(error.problems).toEqual([
      {
        field: 'OTEL_EXPORTER_OTLP_PROTOCOL',
        value: 'grpc',
        allowed:
          "http/protobuf or http/json: taskscope ships no gRPC exporter; point it at the collector's OTLP/HTTP port (4318)",
      },
      { field: 'OTEL_METRIC_EXPORT_INTERVAL', value: '10s', allowed: 'a whole number of milliseconds > 0' },
      {
        field: 'OTEL_EXPORTER_OTLP_HEADERS',
        value: 'Authorization=…,…',
        allowed: 'a comma-separated list of key=value pairs',
      },
    ]);
    expect(error.message).toBe(
      [
        'invalid OTLP configuration (3 problems):',
        `  OTEL_EXPORTER_OTLP_PROTOCOL is "grpc" (string); expected ${error.problems[0]!.allowed}`,
        '  OTEL_METRIC_EXPORT_INTERVAL is "10s" (string); expected a whole number of milliseconds > 0',
        '  OTEL_EXPORTER_OTLP_HEADERS is "Authorization=…,…" (string); expected a comma-separated list of key=value pairs',
      ].join('\n'),
    );
  });

  it('reads the protocol, headers and the per-signal variables before the generic ones', () => {
    expect(
      readOtlpConfig({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://otlp.example.com/custom/path',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=web,x-api-key=a%2Cb',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=metrics',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: ' Delta ',
        OTEL_METRIC_EXPORT_INTERVAL: '10000',
        OTEL_METRIC_EXPORT_TIMEOUT: '8000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '9000',
        OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '3000',
        OTEL_SERVICE_NAME: 'web',
      }),
    ).toEqual({
      protocol: 'http/json',
      url: 'https://otlp.example.com/custom/path',
      headers: { 'x-team': 'web', 'x-api-key': 'metrics' },
      temporality: 'delta',
      temporalityPreference: 'delta',
      exportIntervalMs: 10_000,
      exportTimeoutMs: 8_000,
      requestTimeoutMs: 3_000,
      resourceAttributes: {},
      serviceName: 'web',
    });
  });

  it('never echoes a header value, whatever makes the variable invalid', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9]{12,40}$/);
    const junk = fc.stringMatching(/^[^=,%]{0,8}$/);
    fc.assert(
      fc.property(token, junk, fc.boolean(), (secret, extra, specific) => {
        const name = specific ? 'OTEL_EXPORTER_OTLP_METRICS_HEADERS' : 'OTEL_EXPORTER_OTLP_HEADERS';
        // A keyless item (maybe the bare token) or a broken escape makes the list invalid.
        const value = extra.trim() === '' ? `k=${secret}%G` : `k=${secret},${extra}${secret}`;
        let message = '';
        try {
          readOtlpConfig({ [name]: value });
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toMatch(new RegExp(`^invalid OTLP configuration: ${name} is `));
        expect(message).not.toContain(secret);
      }),
    );
  });
});

describe('the cost meter as OTLP', () => {
  const names = (t: ReturnType<typeof translateOtlp>) => t.scopeMetrics.metrics.map((m) => m.descriptor.name);
  const points = (t: ReturnType<typeof translateOtlp>, name: string) =>
    t.scopeMetrics.metrics.find((m) => m.descriptor.name === name)?.dataPoints;

  it('has no price or cost point without a cost (EC2, no size), and the price alone without a pull start', () => {
    const none = translateOtlp(fargateTask(), undefined, { temporality: 'cumulative', nowMs: READ_AT_MS });
    expect(names(none).filter((n) => n.startsWith('aws.ecs.task.c') || n.endsWith('.price'))).toEqual([
      'aws.ecs.task.cpu.limit',
      'aws.ecs.task.cpu.limit.utilization',
    ]);
    const priceOnly = translateOtlp(fargateTask(), undefined, {
      temporality: 'cumulative',
      nowMs: READ_AT_MS,
      cost: { dollarsPerHour: 0.0123425 },
    });
    expect(points(priceOnly, 'aws.ecs.task.price')!.map((p) => p.value)).toEqual([0.0123425]);
    expect(points(priceOnly, 'aws.ecs.task.cost')).toBeUndefined();
  });

  it('sends the cost as deltas between collections when delta temporality is asked', () => {
    const task = fargateTask();
    const at = (nowMs: number, dollars: number, state?: ReturnType<typeof translateOtlp>['state']) =>
      translateOtlp(task, state, {
        temporality: 'delta',
        nowMs,
        cost: { dollarsPerHour: 0.0123425, estimatedDollarsSoFar: dollars },
      });
    const first = at(READ_AT_MS, 0.000205708);
    // First sight of a counter: no interval yet, so no delta point.
    expect(points(first, 'aws.ecs.task.cost')).toBeUndefined();
    const second = at(READ_AT_MS + 60_000, 0.000411416, first.state);
    expect(points(second, 'aws.ecs.task.cost')).toEqual([
      {
        startTime: msToHrTime(READ_AT_MS),
        endTime: msToHrTime(READ_AT_MS + 60_000),
        attributes: {},
        value: 0.000411416 - 0.000205708,
      },
    ]);
  });
});

describe('translateOtlp invariants', () => {
  // A counter's life: growth, duplicates (same read) and restarts (fall + new start).
  const step = fc.oneof(
    fc.record({ kind: fc.constant('grow' as const), by: fc.double({ min: 0, max: 1e6, noNaN: true }) }),
    fc.record({ kind: fc.constant('duplicate' as const) }),
    fc.record({ kind: fc.constant('restart' as const), to: fc.double({ min: 0, max: 10, noNaN: true }) }),
  );

  it('cumulative points never fall within one start time, and deltas are never negative', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let total = 1;
        let readAtMs = READ_AT_MS;
        let startMs = STARTED_AT_MS;
        const snapshots: TaskMetrics[] = [];
        for (const s of [{ kind: 'grow' as const, by: 0 }, ...steps]) {
          if (s.kind === 'grow') {
            total += s.by;
            readAtMs += 10_000;
          } else if (s.kind === 'restart') {
            readAtMs += 10_000;
            startMs = readAtMs - 1_000;
            total = Math.min(s.to, Math.max(total - 1e-9, 0));
          }
          const base = appContainer();
          snapshots.push(
            fargateTask({
              containers: [
                {
                  ...base,
                  counterStartMs: startMs,
                  stats: { ...base.stats!, readAtMs, cpu: { totalSeconds: total } },
                },
              ],
              networks: [],
              sample: { kind: 'fresh', readAtMs },
            }),
          );
        }
        for (const temporality of ['cumulative', 'delta'] as const) {
          let state: ReturnType<typeof translateOtlp>['state'] | undefined;
          let last: { start: string; value: number; end: string } | undefined;
          for (const snapshot of snapshots) {
            const t = translateOtlp(snapshot, state, { temporality, nowMs: readAtMs });
            state = t.state;
            const cpu = t.scopeMetrics.metrics.find((m) => m.descriptor.name === 'container.cpu.time');
            for (const p of cpu?.dataPoints ?? []) {
              const value = p.value as number;
              const start = String(p.startTime);
              const end = String(p.endTime);
              expect(hrLessOrEqual(p.startTime, p.endTime)).toBe(true);
              if (temporality === 'delta') {
                expect(value).toBeGreaterThanOrEqual(0);
                // Delta intervals never overlap: each starts at or after the previous end.
                if (last) expect(hrLessOrEqual(parseHr(last.end), p.startTime)).toBe(true);
              } else if (last && last.start === start) {
                expect(value).toBeGreaterThanOrEqual(last.value);
              }
              last = { start, value, end };
            }
          }
        }
      }),
    );
  });

  it('converts fractional ms to [s, ns] exactly', () => {
    expect(msToHrTime(1_740_632_789_613.123)).toEqual([1_740_632_789, 613_123_047]);
    expect(msToHrTime(0)).toEqual([0, 0]);
  });
});

function parseHr(s: string): [number, number] {
  const [a, b] = s.split(',').map(Number);
  return [a!, b!];
}

function hrLessOrEqual(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
}
