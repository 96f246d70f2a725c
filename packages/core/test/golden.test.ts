import { describe, expect, test } from 'vitest';
import { type CoreState, computeTaskMetrics, type TaskMetrics } from '../src/index.js';
import {
  DOCS_2020,
  EC2,
  EC2_IDS,
  FARGATE,
  parsePoll,
  type RawPoll,
  syntheticPoll,
  TELEGRAF_CGROUPV2,
  TELEGRAF_V2,
} from './helpers.js';

/*
 * Golden output for every stats payload in the fixture set. Each test pins the numbers
 * worked out by hand from the formulas (arithmetic in the comments; docs/peers.md
 * §3.8 has the same vectors), then the whole output against a JSON file in __golden__/
 * that was read line by line when it was written.
 */

const MIB = 1_048_576;

function compute(raw: RawPoll, previous?: CoreState): { metrics: TaskMetrics; state: CoreState } {
  const poll = parsePoll(raw);
  return computeTaskMetrics({ metadata: poll.metadata, stats: poll.stats, previous });
}

function container(metrics: TaskMetrics, name: string) {
  const found = metrics.containers.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** {@link compute} over a stats fixture in synthetic metadata, with its one container's stats. */
function computeSynthetic(statsFixture: string, options: Parameters<typeof syntheticPoll>[1]) {
  const { metrics, state } = compute(syntheticPoll(statsFixture, options));
  return { metrics, state, stats: container(metrics, options.name).stats! };
}

async function matchGolden(name: string, value: unknown): Promise<void> {
  await expect(`${JSON.stringify(value, null, 2)}\n`).toMatchFileSnapshot(`__golden__/${name}.json`);
}

describe('ecs_exporter Fargate task (cgroup v1, awsvpc, a null entry)', () => {
  const { metrics, state } = compute(FARGATE);

  test('prometheus: CPU, memory and block I/O from the worked example', () => {
    const stats = container(metrics, 'prometheus').stats!;
    expect(stats.sample).toBe('first');
    expect(stats.cgroup).toBe('v1');
    // read − preread = 05:22:49.186680233 − 05:22:39.185738849 = 10.000941384 s
    expect(stats.intervalSeconds).toBeCloseTo(10.000941384, 9);
    // total_usage 932_439_492 ns = 0.932439492 s; never user + system (0.88 + 0.12 = 1.0)
    expect(stats.cpu.totalSeconds).toBe(0.932439492);
    expect(stats.cpu.userSeconds).toBe(0.88);
    expect(stats.cpu.systemSeconds).toBe(0.12);
    // (932_439_492 − 925_246_189) ns / 10.000941384 s = 7_193_303 / 10_000_941_384 = 0.000719263 cores
    expect(stats.cpu.cores).toBeCloseTo(7_193_303 / 10_000_941_384, 15);
    // working set = usage − total_inactive_file = 127_934_464 − 52_383_744 = 75_550_720 B
    expect(stats.memory.workingSetBytes).toBe(75_550_720);
    // MemoryUtilized (agent, v1) = usage − cache = 127_934_464 − 85_426_176 = 42_508_288 B (40.54 MiB)
    expect(stats.memory.utilizedBytes).toBe(42_508_288);
    expect(stats.memory.usageBytes).toBe(127_934_464);
    expect(stats.memory.rssBytes).toBe(40_820_736);
    expect(stats.memory.cacheBytes).toBe(85_426_176);
    // Read over devices 259:1 and 259:0 = 23_793_664 + 65_409_024 = 89_202_688 (Total/Sync ignored)
    expect(stats.blockIo).toEqual({ readBytes: 89_202_688, writeBytes: 0 });
  });

  test('ecs-exporter: CPU, memory and block I/O', () => {
    const stats = container(metrics, 'ecs-exporter').stats!;
    // 05:22:49.406170373 − 05:22:39.406479661 = 9.999690712 s
    expect(stats.intervalSeconds).toBeCloseTo(9.999690712, 9);
    // (322_633_383 − 242_770_940) / 9.999690712 s = 79_862_443 / 9_999_690_712 = 0.007986491 cores
    expect(stats.cpu.cores).toBeCloseTo(79_862_443 / 9_999_690_712, 15);
    // 84_111_360 − 39_100_416 = 45_010_944 B working set; 84_111_360 − 42_442_752 = 41_668_608 B utilized
    expect(stats.memory.workingSetBytes).toBe(45_010_944);
    expect(stats.memory.utilizedBytes).toBe(41_668_608);
    // Read 28_639_232 + 14_655_488 = 43_294_720; Write 0 + 4_096 (Total 14_659_584 ignored)
    expect(stats.blockIo).toEqual({ readBytes: 43_294_720, writeBytes: 4_096 });
  });

  test('the stopped container with a null entry gets identity and no invented zeros', () => {
    const stopped = container(metrics, 'nonessential');
    expect(stopped.stats).toBeUndefined();
    expect(stopped.knownStatus).toBe('STOPPED');
    expect(stopped.exitCode).toBe(0);
  });

  test('eth1 is counted once for the task, from the newest read', () => {
    // Both containers report the task's eth1; ecs-exporter's read (…49.406) is newer than
    // prometheus' (…49.186), so its counters stand: rx 129_046_293, not 2 × 129 M.
    expect(metrics.networks).toEqual([
      {
        interface: 'eth1',
        counters: {
          rxBytes: 129_046_293,
          rxPackets: 88_938,
          rxErrors: 0,
          rxDropped: 0,
          txBytes: 348_223,
          txPackets: 3_507,
          txErrors: 0,
          txDropped: 0,
        },
      },
    ]);
  });

  test('task totals and limits', () => {
    expect(metrics.limits).toEqual({ cpuVcpus: 0.25, memoryBytes: 512 * MIB });
    // Σ cores = 0.000719263 + 0.007986491 = 0.008705754 = 8.91 CPU units; ÷ 0.25 vCPU = 3.48 %
    const cores = 7_193_303 / 10_000_941_384 + 79_862_443 / 9_999_690_712;
    expect(metrics.totals.cpuCores).toBeCloseTo(cores, 15);
    expect(metrics.totals.cpuUtilization).toBeCloseTo(cores / 0.25, 15);
    expect((metrics.totals.cpuCores ?? 0) * 1024).toBeCloseTo(8.91, 2);
    // CpuReserved = 0.25 vCPU × 1024 (the containers' 2 shares each change nothing)
    expect(metrics.totals.cpuReservedUnits).toBe(256);
    // MemoryUtilized = ⌊42_508_288 / MiB⌋ + ⌊41_668_608 / MiB⌋ = 40 + 39 = 79 MiB; ÷ 512 MiB
    expect(metrics.totals.memoryUtilizedMiB).toBe(79);
    expect(metrics.totals.memoryUtilization).toBe(79 / 512);
    // working set 75_550_720 + 45_010_944 = 120_561_664 B ÷ 536_870_912 B
    expect(metrics.totals.memoryWorkingSetBytes).toBe(120_561_664);
    expect(metrics.totals.memoryWorkingSetUtilization).toBe(120_561_664 / 536_870_912);
    // No interval for network or storage yet: absent, not 0.
    expect(metrics.totals.networkRxBytesPerSecond).toBeUndefined();
    expect(metrics.totals.storageReadBytes).toBeUndefined();
    // EphemeralStorageMetrics 427 / 20_496 MiB
    expect(metrics.ephemeralStorage).toEqual({ usedBytes: 427 * MIB, allocatedBytes: 20_496 * MIB });
    expect(metrics.sample).toEqual({
      kind: 'first',
      readAtMs: Date.UTC(2025, 1, 27, 5, 22, 49) + 406.170373,
    });
  });

  test('identity: no ServiceName', () => {
    // Fargate sends no ServiceName here: no invented one.
    expect(metrics.identity.serviceName).toBeUndefined();
  });

  test('golden file', async () => {
    await matchGolden('fargate', { metrics, state });
  });
});

test.each([
  {
    task: 'ecs_exporter Fargate task',
    poll: FARGATE,
    identity: {
      clusterName: 'prom-ecs-exporter-sandbox',
      clusterArn: 'arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox',
      taskId: 'bae32def0ab64f06818e8862e58f8d6d',
      region: 'us-east-1',
      accountId: '829490980523',
      launchType: 'FARGATE',
    },
  },
  {
    task: 'telegraf v2 payload, old task ARN format (task/<id>, no cluster segment)',
    poll: TELEGRAF_V2,
    identity: {
      cluster: 'test',
      clusterName: 'test',
      clusterArn: 'arn:aws:ecs:aws-region-1:012345678901:cluster/test',
      taskId: 'a1234abc-a0a0-0a01-ab01-0abc012a0a0a',
      region: 'aws-region-1',
      accountId: '012345678901',
    },
  },
])('identity of the $task', ({ poll, identity }) => {
  expect(compute(poll).metrics.identity).toMatchObject(identity);
});

describe('ecs_exporter EC2 task (cgroup v2, bridge, a {} entry)', () => {
  const { metrics, state } = compute(EC2);

  test('ecs-exporter: v2 memory and lower-case block I/O ops', () => {
    const stats = container(metrics, 'ecs-exporter').stats!;
    expect(stats.cgroup).toBe('v2');
    // (331_125_000 − 325_963_000) / (05:18:07.856950259 − 05:18:06.853724878 = 1.003225381 s)
    expect(stats.intervalSeconds).toBeCloseTo(1.003225381, 9);
    expect(stats.cpu.cores).toBeCloseTo(5_162_000 / 1_003_225_381, 15);
    // 65_249_280 − inactive_file 17_641_472 = 47_607_808 B = 45.4 MiB (not 62 MiB with the cache)
    expect(stats.memory.workingSetBytes).toBe(47_607_808);
    expect(stats.memory.utilizedBytes).toBe(47_607_808);
    expect(stats.memory.rssBytes).toBe(37_691_392); // anon
    expect(stats.memory.pageCacheBytes).toBe(25_296_896); // file, where ecs_exporter reads 0
    expect(stats.blockIo).toEqual({ readBytes: 60_960_768, writeBytes: 57_344 });
    expect(stats.pids).toBe(33);
  });

  test('prometheus: precpu equal to cpu is an idle interval, 0 cores', () => {
    // total_usage and precpu total_usage are both 566_060_000
    expect(container(metrics, 'prometheus').stats!.cpu.cores).toBe(0);
  });

  test('limits come from metadata: 256 MiB per container, no task limit', () => {
    expect(metrics.limits).toEqual({});
    for (const each of metrics.containers) expect(each.memoryLimitBytes).toBe(256 * MIB);
    // No task CPU: CpuReserved = Σ container units = 3 × 128
    expect(metrics.totals.cpuReservedUnits).toBe(384);
    // ⌊47_607_808 / MiB⌋ + ⌊49_934_336 / MiB⌋ = 45 + 47
    expect(metrics.totals.memoryUtilizedMiB).toBe(92);
    expect(metrics.totals.memoryUtilization).toBeUndefined();
  });

  test('the {} entry of the stopped container yields identity only', () => {
    const stopped = container(metrics, 'nonessential');
    expect(stopped.dockerId).toBe(EC2_IDS.nonessential);
    expect(stopped.stats).toBeUndefined();
  });

  test('bridge networks are per container', () => {
    expect(metrics.networkMode).toBe('bridge');
    expect(
      metrics.networks.map((each) => [each.containerName, each.interface, each.counters.rxBytes]),
    ).toEqual([
      ['ecs-exporter', 'eth0', 101_869],
      ['prometheus', 'eth0', 45_368],
    ]);
    expect(metrics.identity.serviceName).toBe('prom-ecs-exporter-sandbox-main-ec2');
    // Cluster is a short name on EC2: the ARN is built from the task ARN.
    expect(metrics.identity.clusterArn).toBe(
      'arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox',
    );
  });

  test('golden file', async () => {
    await matchGolden('ec2', { metrics, state });
  });
});

describe('telegraf v2 payload (2018: pause container with networks, app with legacy network: {})', () => {
  const { metrics, state } = compute(TELEGRAF_V2);

  test('the pause container is not a user container, but its interfaces are the task’s', () => {
    expect(metrics.containers.map((each) => each.name)).toEqual(['nginx']);
    expect(metrics.networkMode).toBe('awsvpc');
    expect(
      metrics.networks.map((each) => [each.interface, each.counters.rxBytes, each.counters.txBytes]),
    ).toEqual([
      ['eth0', 5_338, 648],
      ['eth5', 4_641, 690],
    ]);
  });

  test('nginx: memory, four stacked devices, Write entries without value', () => {
    const stats = container(metrics, 'nginx').stats!;
    // 8_179_712 − total_inactive_file 4_321_280 = 3_858_432; − cache 5_787_648 = 2_392_064
    expect(stats.memory.workingSetBytes).toBe(3_858_432);
    expect(stats.memory.utilizedBytes).toBe(2_392_064);
    // Read 5_730_304 on 202:26368, 253:1, 253:2, 253:5 (device-mapper stack; Docker sums them too)
    expect(stats.blockIo).toEqual({ readBytes: 4 * 5_730_304, writeBytes: 0 });
    // precpu total = total = 65_599_511 over 1.003041061 s: 0 cores
    expect(stats.intervalSeconds).toBeCloseTo(1.003041061, 9);
    expect(stats.cpu.cores).toBe(0);
  });

  test('limits: container 0/0 means none, so the task limit applies', () => {
    const nginx = container(metrics, 'nginx');
    expect(nginx.cpuShares).toBeUndefined();
    expect(nginx.memoryLimitBytes).toBe(512 * MIB);
    expect(metrics.totals.cpuReservedUnits).toBe(512); // 0.5 vCPU × 1024
    // ⌊2_392_064 / MiB⌋ = 2 MiB of 512
    expect(metrics.totals.memoryUtilizedMiB).toBe(2);
  });

  test('golden file', async () => {
    await matchGolden('telegraf-v2', { metrics, state });
  });
});

describe('telegraf cgroupv2 payload (a task of only the pause container)', () => {
  const { metrics, state } = compute(TELEGRAF_CGROUPV2);

  test('no user containers, the pause interface, task limits', () => {
    expect(metrics.containers).toEqual([]);
    expect(metrics.cgroup).toBeUndefined();
    expect(metrics.networks).toEqual([
      {
        interface: 'eth0',
        counters: {
          rxBytes: 14,
          rxPackets: 0,
          rxErrors: 0,
          rxDropped: 0,
          txBytes: 21,
          txPackets: 0,
          txErrors: 0,
          txDropped: 0,
        },
      },
    ]);
    expect(metrics.limits).toEqual({ cpuVcpus: 0.5, memoryBytes: 1024 * MIB });
    expect(metrics.totals).toEqual({ cpuReservedUnits: 512 });
    // The pause container's read (2023-10-26T15:58:32.690109934Z) is the task's newest.
    expect(metrics.sample).toEqual({
      kind: 'first',
      readAtMs: Date.UTC(2023, 9, 26, 15, 58, 32) + 690.109934,
    });
  });

  test('golden file', async () => {
    await matchGolden('telegraf-cgroupv2', { metrics, state });
  });
});

describe('AWS docs rev 2020-09 v4 task (no system_cpu_usage, float-mangled limit)', () => {
  test('as published, the stats key does not match the metadata DockerId: no stats, none invented', async () => {
    // metadata: febee046…04aquery-metadata; stats: 1823e1f6-…-eea1fa7501a5query-metadata.
    // The docs took the two examples from different tasks; the metadata lists the containers.
    const { metrics, state } = compute(DOCS_2020);
    expect(metrics.containers).toHaveLength(1);
    expect(metrics.containers[0]!.stats).toBeUndefined();
    expect(metrics.networks).toEqual([]);
    await matchGolden('docs-2020-09-as-published', { metrics, state });
  });

  test('re-keyed to the metadata DockerId: memory from metadata limits, zeroed precpu is no baseline', async () => {
    // Test-only variant: the same stats entry under the metadata's DockerId.
    const stats = DOCS_2020.stats as Record<string, unknown>;
    const rekeyed: RawPoll = {
      metadata: DOCS_2020.metadata,
      stats: { 'febee046097849aba589d4435207c04aquery-metadata': Object.values(stats)[0] },
    };
    const { metrics, state } = compute(rekeyed);
    const stats0 = container(metrics, 'query-metadata').stats!;
    // precpu_stats is all zeros with a real preread 5 s earlier (Fargate PV 1.4,
    // aws/containers-roadmap#1062): 410_557_100 ns ÷ 5 s would be the container's
    // lifetime average, not a rate. No cores on the first sample.
    expect(stats0.cpu.cores).toBeUndefined();
    expect(stats0.intervalSeconds).toBeUndefined();
    expect(stats0.cpu.totalSeconds).toBe(0.4105571);
    // 4_390_912 − total_inactive_file 3_108_864 = 1_282_048; − cache 3_452_928 = 937_984
    expect(stats0.memory.workingSetBytes).toBe(1_282_048);
    expect(stats0.memory.utilizedBytes).toBe(937_984);
    // stats limit 9223372036854772000 (2^63 float-rounded) is ignored: 512 MiB from metadata
    expect(container(metrics, 'query-metadata').memoryLimitBytes).toBe(512 * MIB);
    expect(stats0.blockIo).toEqual({ readBytes: 3_452_928, writeBytes: 0 });
    expect(metrics.networks[0]!.counters.rxBytes).toBe(564_655_295);
    expect(metrics.totals.memoryUtilizedMiB).toBe(0); // ⌊937_984 / MiB⌋
    await matchGolden('docs-2020-09-rekeyed', { metrics, state });
  });
});

describe('payloads without a metadata partner, in synthetic metadata', () => {
  test('docs rev 2020-09 single-container stats: empty blkio lists are 0 bytes', async () => {
    const { metrics, state, stats } = computeSynthetic(
      'awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-container-stats.json',
      {
        dockerId: '1823e1f6-7248-43c3-bed6-eea1fa7501a5query-metadata',
        name: 'query-metadata',
        networkMode: 'awsvpc',
        taskLimits: { CPU: 0.25, Memory: 512 },
        containerLimits: { CPU: 2, Memory: 128 },
      },
    );
    // (412_520_458 − 412_420_561) = 99_897 ns over 22:45:31.349948898 − 22:45:30.347408046 = 1.002540852 s
    expect(stats.intervalSeconds).toBeCloseTo(1.002540852, 9);
    expect(stats.cpu.cores).toBeCloseTo(99_897 / 1_002_540_852, 15);
    // io_service_bytes_recursive is [] (not null): a real 0
    expect(stats.blockIo).toEqual({ readBytes: 0, writeBytes: 0 });
    // usage 1_896_448 − total_inactive_file 0; utilized = usage − cache 0
    expect(stats.memory.workingSetBytes).toBe(1_896_448);
    expect(stats.memory.utilizedBytes).toBe(1_896_448);
    expect(stats.pids).toBe(2);
    // Container Limits.Memory 128 MiB wins over the task's 512 MiB
    expect(container(metrics, 'query-metadata').memoryLimitBytes).toBe(128 * MIB);
    expect(metrics.totals.cpuUtilization).toBeCloseTo(99_897 / 1_002_540_852 / 0.25, 15);
    await matchGolden('docs-2020-09-container-stats', { metrics, state });
  });

  /** The ECS agent's own test inputs, with what each gives for the figures both have. */
  const UNIX = {
    input: 'unix',
    fixture: 'aws-amazon-ecs-agent/unix_test_stats.json',
    options: {
      dockerId: 'unix-test',
      name: 'unix',
      networkMode: 'bridge',
      taskLimits: { CPU: 1, Memory: 1024 },
    },
    golden: 'ecs-agent-unix',
    // `usage` is present, so privateworkingset (set by the synthetic input) does not make it Windows
    cgroup: 'v1',
    totalSeconds: 262.857821518,
    // usage 30 − cache 20 = 10 utilized; no inactive_file key: working set = usage
    memory: {
      usageBytes: 30,
      workingSetBytes: 30,
      utilizedBytes: 10,
      rssBytes: 10,
      cacheBytes: 20,
      pageCacheBytes: 20,
      maxUsageBytes: 100,
    },
    // Read 1 + 1 + 1, Write 5 + 5 + 5
    blockIo: { readBytes: 3, writeBytes: 15 },
  } as const;
  const WINDOWS = {
    input: 'windows',
    fixture: 'aws-amazon-ecs-agent/windows_test_stats.json',
    options: {
      dockerId: 'windows-test',
      name: 'windows',
      networkMode: 'awsvpc',
      taskLimits: { CPU: 1, Memory: 2048 },
    },
    golden: 'ecs-agent-windows',
    cgroup: 'windows',
    // total_usage 100 × 100 ns = 10_000 ns = 0.00001 s
    totalSeconds: 0.00001,
    // privateworkingset 85_532_672 B is usage, working set and MemoryUtilized (81 MiB)
    memory: { usageBytes: 85_532_672, workingSetBytes: 85_532_672, utilizedBytes: 85_532_672 },
    // storage_stats read_size_bytes 3, write_size_bytes 15 (all blkio lists are null)
    blockIo: { readBytes: 3, writeBytes: 15 },
  } as const;

  test.each([UNIX, WINDOWS])(
    'ECS agent $input test input: cgroup, CPU seconds, memory, block I/O, golden output',
    async (c) => {
      const { metrics, state, stats } = computeSynthetic(c.fixture, c.options);
      expect(stats.cgroup).toBe(c.cgroup);
      expect(stats.cpu.totalSeconds).toBe(c.totalSeconds);
      expect(stats.cpu.cores).toBeUndefined(); // no precpu_stats, no preread
      expect(stats.memory).toEqual(c.memory);
      expect(stats.blockIo).toEqual(c.blockIo);
      await matchGolden(c.golden, { metrics, state });
    },
  );

  test('ECS agent unix test input: 1969 read is no sample time, counters over 2 interfaces', () => {
    const { metrics } = computeSynthetic(UNIX.fixture, UNIX.options);
    expect(
      metrics.networks.map((each) => [each.containerName, each.interface, each.counters.txDropped]),
    ).toEqual([
      ['unix', 'eth0', 5],
      ['unix', 'eth1', 5],
    ]);
    // 1969-12-31T23:59:59.99999999Z is before the epoch: not a sample time, so the task has no read
    expect(metrics.sample).toEqual({ kind: 'first' });
  });

  test('ECS agent windows test input: MemoryUtilized in MiB, num_procs, the agent’s 0 rx/tx errors', () => {
    const { metrics, stats } = computeSynthetic(WINDOWS.fixture, WINDOWS.options);
    expect(metrics.totals.memoryUtilizedMiB).toBe(81);
    expect(stats.pids).toBe(8); // num_procs
    // rx_errors/tx_errors absent on Windows: the agent's own 0
    expect(metrics.networks[0]!.counters).toEqual({
      rxBytes: 796,
      rxPackets: 10,
      rxErrors: 0,
      rxDropped: 0,
      txBytes: 8192,
      txPackets: 112,
      txErrors: 0,
      txDropped: 5,
    });
  });
});
