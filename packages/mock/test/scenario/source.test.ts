import { parsePayloadTime, secondsBetween } from '@taskscope/wire';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  builtInScenario,
  builtInScenarioNames,
  createScenarioSource,
  parseScenarioText,
  type ScenarioSource,
} from '../../src/scenario/index.js';
import { ask, jsonOf, ORIGIN_MS, taskMetadataJson, taskStatsText, textOf } from './helpers.js';

// Assertions read payload fields by path; typing every payload shape here would add nothing.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Stats = Record<string, any>;
type Metadata = Stats;

const source = (name: string, seed = 1, cadenceMs?: number): ScenarioSource =>
  createScenarioSource(builtInScenario(name), {
    startTimeMs: ORIGIN_MS,
    seed,
    ...(cadenceMs && { cadenceMs }),
  });

const statsMap = (
  s: ScenarioSource,
  nowMs: number,
  version: 'v2' | 'v3' | 'v4' = 'v4',
): Record<string, Stats | null> => JSON.parse(taskStatsText(s, version, nowMs));

const containersOf = (s: ScenarioSource, nowMs: number, version: 'v2' | 'v3' | 'v4' = 'v4'): Metadata[] =>
  (taskMetadataJson(s, version, nowMs) as Metadata).Containers;

const ROUTES = (s: ScenarioSource) => [
  { kind: 'task', withTags: false } as const,
  { kind: 'task', withTags: true } as const,
  { kind: 'taskStats' } as const,
  ...s
    .endpoints()
    .flatMap((e) => [
      { kind: 'container', dockerId: e.dockerId } as const,
      { kind: 'containerStats', dockerId: e.dockerId } as const,
    ]),
];

test.each(builtInScenarioNames)('%s: the same seed and elapsed time give the same bytes', (name) => {
  const a = source(name, 42);
  const b = source(name, 42);
  // b is asked in a different order and at other times first: no byte may depend on that.
  textOf(ask(b, 'v4', { kind: 'taskStats' }, ORIGIN_MS + 987_654));
  for (const nowMs of [ORIGIN_MS + 2_500, ORIGIN_MS + 61_000, ORIGIN_MS + 3_600_000]) {
    for (const version of ['v2', 'v3', 'v4'] as const) {
      for (const route of ROUTES(a)) {
        const left = ask(a, version, route, nowMs);
        const right = ask(b, version, route, nowMs);
        expect(left === undefined ? undefined : textOf(left)).toBe(
          right === undefined ? undefined : textOf(right),
        );
      }
    }
  }
});

test('another seed gives other ids and other noise', () => {
  const [a, b] = [source('fargate-web', 1), source('fargate-web', 2)];
  expect(a.endpoints().map((e) => e.dockerId)).not.toEqual(b.endpoints().map((e) => e.dockerId));
  const cores = (s: ScenarioSource) => s.truth(ORIGIN_MS + 65_000).containers.map((c) => c.cpuCores);
  expect(cores(a)).not.toEqual(cores(b));
});

test('between refreshes the same read repeats; preread is the previous read', () => {
  const s = source('fargate-web');
  const reads = (nowMs: number) => Object.values(statsMap(s, nowMs)).map((e) => [e!.read, e!.preread]);
  const atRefresh = reads(ORIGIN_MS + 30_600);
  expect(reads(ORIGIN_MS + 35_000)).toEqual(atRefresh);
  // Containers are sampled 250 to 500 ms into each 10 s refresh.
  expect(reads(ORIGIN_MS + 40_240)).toEqual(atRefresh);
  const next = reads(ORIGIN_MS + 40_600);
  for (const [i, [read, preread]] of next.entries()) {
    expect(preread).toBe(atRefresh[i]![0]);
    // About 10 s apart (a millisecond of jitter either way), like real Fargate.
    expect(Math.abs(secondsBetween(parsePayloadTime(preread!)!, parsePayloadTime(read!)!) - 10)).toBeLessThan(
      0.003,
    );
  }
});

test('a read is never in the future and at most one cadence (and its jitter) old', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...builtInScenarioNames),
      fc.integer({ min: 1000, max: 7_200_000 }),
      (name, elapsedMs) => {
        const s = source(name);
        const cadenceMs = builtInScenario(name).cadenceMs;
        for (const entry of Object.values(statsMap(s, ORIGIN_MS + elapsedMs))) {
          if (!entry || !('read' in entry)) continue;
          const readMs = Date.parse(entry.read);
          expect(readMs).toBeLessThanOrEqual(ORIGIN_MS + elapsedMs);
          // Each read drifts by up to cadence / 5000 (2 ms at 10 s, as real reads do: the
          // model's jitter), so the next refresh may come that much after a whole cadence; the
          // ms of Date.parse lose up to 1 ms more. Found by this property at fargate-10, 2080.308 s.
          expect(ORIGIN_MS + elapsedMs - readMs).toBeLessThan(cadenceMs + cadenceMs / 5000 + 1);
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('--cadence overrides the scenario: 2 s refreshes on Fargate', () => {
  const s = source('fargate-web', 1, 2000);
  const entry = Object.values(statsMap(s, ORIGIN_MS + 20_000))[0]!;
  expect(secondsBetween(parsePayloadTime(entry.preread)!, parsePayloadTime(entry.read)!)).toBeCloseTo(2, 2);
});

test('counters never decrease while a container runs', () => {
  const s = source('fargate-web');
  fc.assert(
    fc.property(fc.integer({ min: 1000, max: 1_700_000 }), fc.integer({ min: 1, max: 100_000 }), (t, dt) => {
      const before = statsMap(s, ORIGIN_MS + t);
      const after = statsMap(s, ORIGIN_MS + t + dt);
      for (const [id, entry] of Object.entries(after)) {
        const old = before[id];
        if (!entry || !old) continue;
        expect(entry.cpu_stats.cpu_usage.total_usage).toBeGreaterThanOrEqual(
          old.cpu_stats.cpu_usage.total_usage,
        );
        expect(entry.networks.eth1.rx_bytes).toBeGreaterThanOrEqual(old.networks.eth1.rx_bytes);
        expect(entry.networks.eth1.tx_packets).toBeGreaterThanOrEqual(old.networks.eth1.tx_packets);
        const sum = (e: Stats) =>
          e.blkio_stats.io_service_bytes_recursive.reduce(
            (n: number, x: Stats) => n + (x.op === 'Total' ? x.value : 0),
            0,
          );
        expect(sum(entry)).toBeGreaterThanOrEqual(sum(old));
      }
    }),
    { numRuns: 40 },
  );
});

test('memory is consistent: usage = working set + inactive file, cache ≥ inactive file', () => {
  for (const [name, flavour] of [
    ['fargate-web', 'v1'],
    ['ec2-bridge', 'v1'],
    ['ec2-cgroup2', 'v2'],
  ] as const) {
    const s = source(name);
    const nowMs = ORIGIN_MS + 93_000;
    const truth = s.truth(nowMs);
    for (const [id, entry] of Object.entries(statsMap(s, nowMs))) {
      const m = entry!.memory_stats;
      const inactive = flavour === 'v1' ? m.stats.total_inactive_file : m.stats.inactive_file;
      const cache = flavour === 'v1' ? m.stats.total_cache : m.stats.file;
      expect(cache).toBeGreaterThanOrEqual(inactive);
      const expected = truth.containers.find((c) => c.dockerId === id)!;
      expect(m.usage - inactive).toBe(expected.memoryWorkingSetBytes);
      if (flavour === 'v1') expect(m.max_usage).toBeGreaterThanOrEqual(m.usage);
      if (flavour === 'v1') {
        expect(m.stats.percpu_usage).toBeUndefined();
        const cpu = entry!.cpu_stats.cpu_usage;
        expect(cpu.percpu_usage.reduce((a: number, b: number) => a + b, 0)).toBe(cpu.total_usage);
      }
    }
  }
});

test('the no-limit sentinels are written exactly as the endpoint writes them', () => {
  expect(taskStatsText(source('fargate-web'), 'v4', ORIGIN_MS + 15_000)).toContain(
    '"limit":9223372036854771712',
  );
  const scenario = parseScenarioText(
    `task: { cluster: c, family: f, revision: 1, region: us-east-1, accountId: "123456789012", launchType: EC2, memory: 1024 }
cgroup: v2
containers: [{ name: app, image: busybox }]`,
    'yaml',
  );
  const s = createScenarioSource(scenario, { startTimeMs: ORIGIN_MS });
  const text = taskStatsText(s, 'v4', ORIGIN_MS + 3_000);
  expect(text).toContain('"limit":18446744073709551615');
  expect(text).not.toContain('18446744073709552000');
});

test('awsvpc: every container reports the task interface; bridge: each its own', () => {
  const awsvpc = Object.values(statsMap(source('fargate-10'), ORIGIN_MS + 50_000)).map((e) => e!);
  const byRead = [...awsvpc].sort((a, b) => (a.read < b.read ? -1 : 1));
  for (let i = 1; i < byRead.length; i++) {
    // The same counters, only sampled a little later.
    expect(byRead[i]!.networks.eth1.rx_bytes).toBeGreaterThanOrEqual(byRead[i - 1]!.networks.eth1.rx_bytes);
  }
  const spread = byRead[byRead.length - 1]!.networks.eth1.rx_bytes - byRead[0]!.networks.eth1.rx_bytes;
  expect(spread / byRead[0]!.networks.eth1.rx_bytes).toBeLessThan(0.01);
  const bridge = Object.values(statsMap(source('ec2-bridge'), ORIGIN_MS + 50_000)).map(
    (e) => e!.networks.eth0.rx_bytes,
  );
  expect(new Set(bridge).size).toBe(bridge.length);
});

test('stopped-container: null on v2/v3, {} on EC2 v4, PULLED only in v4 metadata', () => {
  const s = source('stopped-container');
  const nowMs = ORIGIN_MS + 120_000;
  const ids = Object.fromEntries(s.endpoints().map((e) => [e.containerName, e.dockerId]));
  for (const version of ['v2', 'v3'] as const) {
    const map = statsMap(s, nowMs, version);
    expect(Object.keys(map).sort()).toEqual([ids.app, ids.migrate, ids.warmup].sort());
    expect(map[ids.migrate!]).toBeNull();
    expect(map[ids.warmup!]).toBeNull();
    expect(containersOf(s, nowMs, version).map((c) => c.Name)).toEqual(['app', 'migrate', 'warmup']);
  }
  const v4 = statsMap(s, nowMs, 'v4');
  expect(v4[ids.migrate!]).toEqual({});
  expect(v4[ids['report-builder']!]).toBeUndefined();
  const containers = containersOf(s, nowMs);
  expect(containers.map((c) => [c.Name, c.KnownStatus, c.ExitCode])).toEqual([
    ['app', 'RUNNING', undefined],
    ['migrate', 'STOPPED', 0],
    ['warmup', 'STOPPED', 1],
    ['report-builder', 'PULLED', undefined],
  ]);
  const pulled = containers[3]!;
  expect(pulled.CreatedAt).toBeUndefined();
  expect(pulled.StartedAt).toBeUndefined();
  expect(Date.parse(containers[2]!.FinishedAt)).toBe(ORIGIN_MS + 90_000);
  // Before its stop, warmup is running with stats.
  expect(statsMap(s, ORIGIN_MS + 60_000, 'v2')[ids.warmup!]).not.toBeNull();
  // Single-container stats of a stopped container: v4 500, v2/v3 400, as the agent answers.
  expect(ask(s, 'v4', { kind: 'containerStats', dockerId: ids.migrate! }, nowMs)).toEqual({
    status: 500,
    body: `Unable to get container stats for: ${ids.migrate}`,
  });
  expect(ask(s, 'v2', { kind: 'containerStats', dockerId: ids.migrate! }, nowMs)?.status).toBe(400);
  expect(ask(s, 'v2', { kind: 'container', dockerId: ids['report-builder']! }, nowMs)).toBeUndefined();
  expect(ask(s, 'v4', { kind: 'container', dockerId: 'f'.repeat(64) }, nowMs)).toBeUndefined();
});

test('Fargate v4 shows a container without a sample as null; EC2 v4 as {}', () => {
  // Containers start within the first 2.5 % of a refresh and are first sampled within the
  // next 2.5 %: in between they run without a sample.
  const fargate = source('fargate-web');
  expect(containersOf(fargate, ORIGIN_MS + 250).map((c) => c.KnownStatus)).toEqual([
    'RUNNING',
    'RUNNING',
    'RUNNING',
  ]);
  expect(Object.values(statsMap(fargate, ORIGIN_MS + 250))).toEqual([null, null, null]);
  const ec2 = source('ec2-bridge');
  expect(Object.values(statsMap(ec2, ORIGIN_MS + 25))).toEqual([{}, {}, {}]);
  // Single-container stats of a running container without a sample: 200 null (v2/v3), {} (v4).
  const id = ec2.endpoints()[0]!.dockerId;
  expect(ask(ec2, 'v2', { kind: 'containerStats', dockerId: id }, ORIGIN_MS + 25)).toEqual({
    status: 200,
    rawBody: 'null',
  });
  expect(ask(ec2, 'v4', { kind: 'containerStats', dockerId: id }, ORIGIN_MS + 25)).toEqual({
    status: 200,
    rawBody: '{}',
  });
});

test('v2 metadata has no v4-only fields; v4 has them', () => {
  const s = source('fargate-web');
  const v2 = taskMetadataJson(s, 'v2', ORIGIN_MS + 20_000) as Metadata;
  const v4 = taskMetadataJson(s, 'v4', ORIGIN_MS + 20_000) as Metadata;
  for (const key of ['LaunchType', 'ClockDrift', 'EphemeralStorageMetrics']) {
    expect(v2).not.toHaveProperty(key);
    expect(v4).toHaveProperty(key);
  }
  for (const key of ['ContainerARN', 'LogDriver', 'LogOptions', 'Snapshotter']) {
    expect(v2.Containers[0]).not.toHaveProperty(key);
    expect(v4.Containers[0]).toHaveProperty(key);
  }
  expect(v2.Containers[0].Networks).toEqual([
    { NetworkMode: 'awsvpc', IPv4Addresses: [v4.Containers[0].Networks[0].IPv4Addresses[0]] },
  ]);
  expect(Object.keys(v4.Containers[0].Networks[0])).toEqual([
    'NetworkMode',
    'IPv4Addresses',
    'IPv6Addresses',
    'AttachmentIndex',
    'MACAddress',
    'IPv4SubnetCIDRBlock',
    'IPv6SubnetCIDRBlock',
    'DomainNameServers',
    'DomainNameSearchList',
    'PrivateDNSName',
    'SubnetGatewayIpv4Address',
  ]);
  // Bridge: no Networks on v2.
  expect(containersOf(source('ec2-bridge'), ORIGIN_MS + 5000, 'v2')[0]).not.toHaveProperty('Networks');
});

test('identifiers look like the platform’s', () => {
  const fargate = source('fargate-web');
  const task = taskMetadataJson(fargate, 'v4', ORIGIN_MS) as Metadata;
  const taskId = task.TaskARN.split('/').pop();
  expect(task.Cluster).toBe('arn:aws:ecs:us-east-1:123456789012:cluster/prod');
  expect(task.TaskARN).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/prod\/[0-9a-f]{32}$/);
  for (const e of fargate.endpoints()) {
    expect(e.dockerId).toMatch(new RegExp(`^${taskId}-\\d{10}$`));
    expect(e.endpointId).toBe(e.dockerId);
  }
  const ec2 = source('ec2-bridge');
  expect((taskMetadataJson(ec2, 'v4', ORIGIN_MS) as Metadata).Cluster).toBe('default');
  for (const e of ec2.endpoints()) {
    expect(e.dockerId).toMatch(/^[0-9a-f]{64}$/);
    expect(e.endpointId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  const entry = Object.values(statsMap(ec2, ORIGIN_MS + 5000))[0]!;
  expect(entry.name).toMatch(/^\/ecs-shop-7-web-[0-9a-f]{20}$/);
});

test('restartContainer: new StartedAt, RestartCount + 1, counters from zero at the next refresh', () => {
  const s = source('fargate-web');
  const workerId = s.endpoints().find((e) => e.containerName === 'worker')!.dockerId;
  const worker = (nowMs: number) =>
    jsonOf(ask(s, 'v4', { kind: 'container', dockerId: workerId }, nowMs)) as Metadata;
  const cpu = (nowMs: number) => statsMap(s, nowMs)[workerId]!;
  const t = ORIGIN_MS + 100_700;
  expect(worker(t).RestartCount).toBe(0);
  const beforeCpu = cpu(t).cpu_stats.cpu_usage.total_usage;
  expect(s.restartContainer('worker', t)).toBe(true);
  expect(worker(t).RestartCount).toBe(1);
  // Within the millisecond of the request, at or before it.
  expect(t - Date.parse(worker(t).StartedAt)).toBeGreaterThanOrEqual(0);
  expect(t - Date.parse(worker(t).StartedAt)).toBeLessThanOrEqual(1);
  // Until the next refresh the old sample stays; then counters restart from zero.
  expect(cpu(t + 1000).cpu_stats.cpu_usage.total_usage).toBe(beforeCpu);
  const fresh = cpu(t + 10_000);
  expect(fresh.cpu_stats.cpu_usage.total_usage).toBeLessThan(beforeCpu);
  expect(fresh.preread).toBe('0001-01-01T00:00:00Z');
  expect(s.restartContainer('nope', t)).toBe(false);
  // The scheduled restart at 30 min adds another.
  expect(worker(ORIGIN_MS + 31 * 60_000).RestartCount).toBe(2);
  // Containers without a restart policy show no RestartCount.
  expect(containersOf(s, t)[0]).not.toHaveProperty('RestartCount');
});

test('every container the scenario runs can be restarted at the origin itself', () => {
  for (const name of builtInScenarioNames) {
    const s = source(name);
    for (const c of containersOf(s, ORIGIN_MS)) {
      const runs = s.scenario.containers.find((spec) => spec.name === c.Name)!.state === 'RUNNING';
      expect([c.Name, c.KnownStatus]).toEqual([
        c.Name,
        runs ? 'RUNNING' : expect.not.stringMatching(/^RUNNING$/),
      ]);
      expect([name, c.Name, s.restartContainer(c.Name, ORIGIN_MS)]).toEqual([name, c.Name, runs]);
    }
  }
});

test('a runtime restart has a nanosecond StartedAt, like every other timestamp', () => {
  const s = source('fargate-web');
  const fraction = (text: string) => /\.(\d+)Z$/.exec(text)?.[1] ?? '';
  for (const [i, name] of ['app', 'worker', 'taskscope'].entries()) {
    const t = ORIGIN_MS + 40_000 + i * 1000;
    expect(s.restartContainer(name, t)).toBe(true);
    const startedAt = containersOf(s, t).find((c) => c.Name === name)!.StartedAt as string;
    // 9 digits unless the nanoseconds happen to end in zeros (Go trims them).
    expect(fraction(startedAt).length).toBeGreaterThan(3);
    expect(parsePayloadTime(startedAt)).toBeDefined();
  }
});

test('when an essential container exits, the others stop with 143 and the task stops', () => {
  const scenario = parseScenarioText(
    `task: { cluster: c, family: f, revision: 1, region: us-east-1, accountId: "123456789012", launchType: FARGATE, cpu: 1, memory: 2048 }
containers:
  - { name: app, image: app, events: [{ at: 60s, action: stop, exitCode: 2 }] }
  - { name: side, image: side, essential: false }`,
    'yaml',
  );
  const s = createScenarioSource(scenario, { startTimeMs: ORIGIN_MS });
  const running = taskMetadataJson(s, 'v4', ORIGIN_MS + 59_000) as Metadata;
  expect([running.DesiredStatus, running.KnownStatus]).toEqual(['RUNNING', 'RUNNING']);
  const stopped = taskMetadataJson(s, 'v4', ORIGIN_MS + 61_000) as Metadata;
  expect([stopped.DesiredStatus, stopped.KnownStatus]).toEqual(['STOPPED', 'STOPPED']);
  expect(stopped.Containers.map((c: Metadata) => [c.KnownStatus, c.ExitCode, c.DesiredStatus])).toEqual([
    ['STOPPED', 2, 'STOPPED'],
    ['STOPPED', 143, 'STOPPED'],
  ]);
  expect(Date.parse(stopped.ExecutionStoppedAt)).toBeGreaterThan(ORIGIN_MS + 60_000);
  expect(Object.values(statsMap(s, ORIGIN_MS + 61_000))).toEqual([null, null]);
  expect(s.truth(ORIGIN_MS + 61_000).containers).toEqual([]);
});

test('Windows: CPU in 100 ns units, disk in storage_stats, working set in privateworkingset', () => {
  const s = source('fargate-windows');
  const nowMs = ORIGIN_MS + 45_000;
  const truth = s.truth(nowMs);
  for (const [id, entry] of Object.entries(statsMap(s, nowMs))) {
    const expected = truth.containers.find((c) => c.dockerId === id)!;
    const seconds = secondsBetween(parsePayloadTime(entry!.preread)!, parsePayloadTime(entry!.read)!);
    const delta100ns = entry!.cpu_stats.cpu_usage.total_usage - entry!.precpu_stats.cpu_usage.total_usage;
    expect((delta100ns * 100) / 1e9 / seconds).toBeCloseTo(expected.cpuCores, 12);
    expect(entry!.memory_stats.privateworkingset).toBe(expected.memoryWorkingSetBytes);
    expect(entry!.storage_stats.write_size_bytes).toBeGreaterThan(0);
    expect(entry!.num_procs).toBe(2);
    expect(Object.keys(entry!.networks)).toEqual(['Ethernet 3']);
  }
});

test('Fargate extras move with time: ephemeral storage grows with writes, the clock reference with syncs', () => {
  const s = source('fargate-web');
  const early = taskMetadataJson(s, 'v4', ORIGIN_MS + 1000) as Metadata;
  const late = taskMetadataJson(s, 'v4', ORIGIN_MS + 3_600_000) as Metadata;
  expect(early.EphemeralStorageMetrics).toEqual({ Utilized: 427, Reserved: 20496 });
  expect(late.EphemeralStorageMetrics.Utilized).toBeGreaterThan(427);
  expect(early.ClockDrift.ReferenceTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(late.ClockDrift.ReferenceTimestamp).not.toBe(early.ClockDrift.ReferenceTimestamp);
  expect(early.ClockDrift.ClockSynchronizationStatus).toBe('SYNCHRONIZED');
});

test('metadata bodies are frozen plain values, shared until something changes', () => {
  const s = source('ec2-bridge');
  const a = ask(s, 'v4', { kind: 'task', withTags: false }, ORIGIN_MS + 5000);
  const b = ask(s, 'v4', { kind: 'task', withTags: false }, ORIGIN_MS + 5500);
  expect(a && 'body' in a && b && 'body' in b && a.body === b.body).toBe(true);
  expect(Object.isFrozen((a as { body: Metadata }).body.Containers[0])).toBe(true);
});

test('awsvpc truth measures the task interface over two samples, even right after a restart', () => {
  const s = source('fargate-web');
  const t = ORIGIN_MS + 100_700;
  expect(s.restartContainer('taskscope', t)).toBe(true);
  // At t + 10 s the sidecar's first new sample may be the newest read; the interface is
  // still measured over a container's two successive samples.
  const truth = s.truth(t + 10_000);
  const pairs = Object.values(statsMap(s, t + 10_000)).filter((e) => e!.preread !== '0001-01-01T00:00:00Z');
  const newest = pairs.sort((a, b) => (a!.read < b!.read ? 1 : -1))[0]!;
  const seconds = secondsBetween(parsePayloadTime(newest.preread)!, parsePayloadTime(newest.read)!);
  expect(truth.networks).toHaveLength(1);
  expect(truth.networks[0]!.rxBytesPerSecond).toBeCloseTo(newest.network_rate_stats.rx_bytes_per_sec, 6);
  expect(seconds).toBeGreaterThan(9.99);
});

test('the order of reads within a refresh is the same at every refresh', () => {
  for (const name of ['fargate-10', 'ec2-bridge']) {
    const s = source(name, 3);
    const cadenceMs = builtInScenario(name).cadenceMs;
    const order = (nowMs: number) =>
      Object.entries(statsMap(s, nowMs))
        .sort(([, a], [, b]) => (a!.read < b!.read ? -1 : 1))
        .map(([id]) => id);
    const first = order(ORIGIN_MS + 3 * cadenceMs + 600);
    for (let k = 4; k < 40; k++) expect(order(ORIGIN_MS + k * cadenceMs + 600)).toEqual(first);
  }
});

test('readSpread: the containers of one refresh read that far apart, each still once a cadence', () => {
  // Real tasks: 0.2 s (Datadog, ecs_exporter fixtures) to 6 s (a datadog-agent fixture) between
  // the first and the last container's read of one refresh (docs/endpoint.md).
  const readsAt = (s: ScenarioSource, nowMs: number) =>
    Object.values(statsMap(s, nowMs)).map((entry) => Date.parse(entry!.read));
  const spanMs = (reads: number[]) => Math.max(...reads) - Math.min(...reads);
  const base = builtInScenario('fargate-10');
  const measure = (scenario: typeof base) => {
    const s = createScenarioSource(scenario, { startTimeMs: ORIGIN_MS, seed: 5 });
    // Just before the next refresh: every container shows the same refresh's read.
    return [3, 4, 5].map((k) => {
      const reads = readsAt(s, ORIGIN_MS + (k + 1) * scenario.cadenceMs - 1);
      const previous = Object.values(statsMap(s, ORIGIN_MS + (k + 1) * scenario.cadenceMs - 1)).map((entry) =>
        Date.parse(entry!.preread),
      );
      // Each container's interval is one cadence, whatever the spread.
      for (const [i, read] of reads.entries())
        expect(read - previous[i]!).toBeCloseTo(scenario.cadenceMs, -1);
      return spanMs(reads);
    });
  };
  for (const span of measure(base)) expect(span).toBeLessThanOrEqual(250);
  for (const span of measure({ ...base, readSpreadMs: 6_000 })) {
    expect(span).toBeGreaterThan(3_000);
    expect(span).toBeLessThanOrEqual(6_000);
  }
});
