import { describe, expect, test } from 'vitest';
import {
  advanceStats,
  byName,
  clone,
  EC2,
  EC2_IDS,
  FARGATE,
  FARGATE_IDS,
  type Json,
  poll,
  shiftTime,
  syntheticPoll,
  TELEGRAF_V2,
} from './helpers.js';

/*
 * One test per peer bug in docs/peers.md §4 (and the issues of §5) that the core
 * avoids. Each name says whose bug, the test shows the payload that triggers it and
 * asserts what taskscope computes instead.
 */

const t0 = poll(FARGATE.metadata, FARGATE.stats);
/** The first poll of the EC2 fixture (cgroup v2). */
const ec2 = poll(EC2.metadata, EC2.stats);

describe('CPU', () => {
  test('Datadog #10409: rates use the payload read, so polling between refreshes repeats instead of aliasing', () => {
    // Datadog derives rates with its check-run clock: two runs inside one 10 s refresh see
    // the same counters and report 0, then double. Here a repeated read is a duplicate.
    const again = poll(FARGATE.metadata, FARGATE.stats, t0.state);
    expect(again.metrics.sample.kind).toBe('duplicate');
    expect(byName(again.metrics, 'prometheus').stats!.cpu.cores).toBeCloseTo(7_193_303 / 10_000_941_384, 15);
  });

  test('Datadog #10240: a sub-second window is exact, not truncated to 0 s (ZeroDivisionError)', () => {
    // Datadog's fallback does int(read − preread) seconds; 0.5 s becomes 0 and the check
    // drops the container's other metrics for that run.
    const stats = advanceStats(FARGATE.stats, 0.5, { [FARGATE_IDS.prometheus]: { cpuNs: 250_000_000 } });
    const { metrics } = poll(FARGATE.metadata, stats, t0.state);
    const prometheus = byName(metrics, 'prometheus').stats!;
    expect(prometheus.intervalSeconds).toBe(0.5);
    expect(prometheus.cpu.cores).toBeCloseTo(0.5, 12); // 250_000_000 ns / 0.5 s
    expect(prometheus.memory.workingSetBytes).toBe(75_550_720);
  });

  test('OTel receiver: a counter reset does not underflow into a huge vCPU', () => {
    // uint64(total − pretotal) wraps to ~1.8e19 when the container restarts.
    const stats = advanceStats(FARGATE.stats, 10, { [FARGATE_IDS.prometheus]: { cpuNs: -932_000_000 } });
    const { metrics } = poll(FARGATE.metadata, stats, t0.state);
    expect(byName(metrics, 'prometheus').reset).toBe(true);
    expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
    expect(metrics.totals.cpuCores).toBeLessThan(1);
  });

  test('OTel receiver: without precpu_stats the cumulative CPU is still reported', () => {
    // The receiver leaves every CPU field at 0 (cumulative totals included) when
    // precpu_stats is nil.
    const stats = clone(FARGATE.stats) as Json;
    delete stats[FARGATE_IDS.prometheus].precpu_stats;
    const { metrics } = poll(FARGATE.metadata, stats);
    const cpu = byName(metrics, 'prometheus').stats!.cpu;
    expect(cpu.totalSeconds).toBe(0.932439492);
    expect(cpu.cores).toBeUndefined();
  });

  test('aws/containers-roadmap#1062: zeroed precpu_stats is no baseline (no lifetime average passed off as a rate)', () => {
    const stats = clone(FARGATE.stats) as Json;
    stats[FARGATE_IDS.prometheus].precpu_stats = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0 } };
    const { metrics } = poll(FARGATE.metadata, stats);
    expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
  });

  test('Docker first sample: Go zero-time preread is no baseline', () => {
    const stats = clone(FARGATE.stats) as Json;
    stats[FARGATE_IDS.prometheus].preread = '0001-01-01T00:00:00Z';
    const { metrics } = poll(FARGATE.metadata, stats);
    expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
  });

  test('a precpu total above the current total is no baseline (no negative first rate)', () => {
    const stats = clone(FARGATE.stats) as Json;
    stats[FARGATE_IDS.prometheus].precpu_stats.cpu_usage.total_usage = 999_999_999_999;
    const { metrics } = poll(FARGATE.metadata, stats);
    expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
  });

  test('a preread after read is no baseline', () => {
    const stats = clone(FARGATE.stats) as Json;
    const entry = stats[FARGATE_IDS.prometheus];
    entry.preread = shiftTime(entry.read, 1);
    const { metrics } = poll(FARGATE.metadata, stats);
    expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
  });

  test('ecs_exporter #74: cgroup v2 CPU needs no percpu_usage or online_cpus', () => {
    const stats = clone(EC2.stats) as Json;
    for (const key of ['cpu_stats', 'precpu_stats']) delete stats[EC2_IDS.ecsExporter][key].online_cpus;
    const { metrics } = poll(EC2.metadata, stats);
    expect(byName(metrics, 'ecs-exporter').stats!.cpu.cores).toBeCloseTo(5_162_000 / 1_003_225_381, 15);
  });

  test('Datadog #5403 / docker CLI: system_cpu_usage is never read, nonsense or missing', () => {
    // Datadog and Telegraf divide by Δsystem_cpu_usage; Δsystem ≤ Δcpu or a missing value
    // gives 0 % or garbage. Cores here come from Δtotal_usage / Δread alone.
    const mangled = clone(FARGATE.stats) as Json;
    mangled[FARGATE_IDS.prometheus].cpu_stats.system_cpu_usage = 1;
    mangled[FARGATE_IDS.prometheus].precpu_stats.system_cpu_usage = 2;
    delete mangled[FARGATE_IDS.ecsExporter].cpu_stats.system_cpu_usage;
    delete mangled[FARGATE_IDS.ecsExporter].cpu_stats.online_cpus;
    expect(poll(FARGATE.metadata, mangled).metrics).toEqual(t0.metrics);
  });

  test('aws-otel-collector #1368: Fargate’s 2-share default does not halve CPU utilization', () => {
    // The receiver divides container CPU by Limits.CPU (2 on Fargate when the task
    // definition says 0). Shares are a weight: changing them changes nothing but cpuShares.
    const metadata = clone(FARGATE.metadata) as Json;
    for (const container of metadata.Containers) container.Limits = { CPU: 1024 };
    const { metrics } = poll(metadata, FARGATE.stats);
    expect(byName(metrics, 'prometheus').cpuShares).toBe(1024);
    expect(byName(metrics, 'prometheus').stats!.cpu).toEqual(byName(t0.metrics, 'prometheus').stats!.cpu);
    expect(metrics.totals.cpuUtilization).toBe(t0.metrics.totals.cpuUtilization);
  });

  test('OTel receiver / ecs_exporter: Windows CPU in 100 ns units is scaled, not read as ns', () => {
    const raw = syntheticPoll('aws-amazon-ecs-agent/windows_test_stats.json', {
      dockerId: 'win',
      name: 'win',
      networkMode: 'awsvpc',
    });
    const stats = raw.stats as Json;
    stats['win'].read = '2025-01-01T00:00:10Z';
    stats['win'].preread = '2025-01-01T00:00:00Z';
    stats['win'].cpu_stats.cpu_usage.total_usage = 60_000_000; // 6 s in 100 ns units
    stats['win'].precpu_stats.cpu_usage.total_usage = 20_000_000; // 2 s
    const { metrics } = poll(raw.metadata, stats);
    const cpu = byName(metrics, 'win').stats!.cpu;
    expect(cpu.totalSeconds).toBe(6);
    expect(cpu.cores).toBeCloseTo(0.4, 15); // (6 − 2) s / 10 s, not 0.004
  });
});

describe('memory', () => {
  test('OTel receiver: cgroup v2 MemoryUtilized subtracts inactive_file (45 MiB, not 62)', () => {
    // The receiver subtracts stats["cache"], absent on v2, so page cache counts as used.
    expect(Math.floor(byName(ec2.metrics, 'ecs-exporter').stats!.memory.utilizedBytes! / 1_048_576)).toBe(45);
  });

  test('Telegraf vs docker CLI: both working set (usage − inactive) and MemoryUtilized (usage − cache) on v1', () => {
    // Telegraf reports usage − cache as "usage"; docker stats and cAdvisor use the working set.
    const stats = byName(t0.metrics, 'prometheus').stats!.memory;
    expect(stats.workingSetBytes).toBe(75_550_720); // docker stats
    expect(stats.utilizedBytes).toBe(42_508_288); // ECS agent / Container Insights
  });

  test('ecs_exporter: page cache on cgroup v2 is `file`, not 0', () => {
    expect(byName(ec2.metrics, 'prometheus').stats!.memory.pageCacheBytes).toBe(19_619_840);
  });

  test('Datadog: rss and cache do not vanish on cgroup v2 (anon, file)', () => {
    expect(byName(ec2.metrics, 'prometheus').stats!.memory).toMatchObject({
      rssBytes: 39_268_352,
      cacheBytes: 19_619_840,
    });
  });

  test('ecs_exporter #35 / Telegraf #9037: the 2^63 stats limit is no limit; metadata gives it', () => {
    // stats limit 9223372036854771712 on Fargate: percentages against it read ~0 %.
    expect(byName(t0.metrics, 'prometheus').memoryLimitBytes).toBe(512 * 1_048_576);
    expect(t0.metrics.totals.memoryWorkingSetUtilization).toBeCloseTo(120_561_664 / 536_870_912, 15);
  });

  test('OTel receiver: task memory is no overflowing sum of 2^63 limits', () => {
    // Σ of two ~2^63 container limits overflows uint64 into a negative task value.
    const metadata = clone(FARGATE.metadata) as Json;
    metadata.Limits.Memory = 2 ** 63;
    const { metrics } = poll(metadata, FARGATE.stats);
    expect(metrics.limits.memoryBytes).toBeUndefined();
    expect(byName(metrics, 'prometheus').memoryLimitBytes).toBeUndefined();
    expect(metrics.totals.memoryUtilization).toBeUndefined();
  });
});

describe('block I/O', () => {
  test('OTel #50791 / Datadog: lower-case cgroup v2 ops are counted', () => {
    expect(byName(ec2.metrics, 'prometheus').stats!.blockIo).toEqual({
      readBytes: 99_926_016,
      writeBytes: 274_432,
    });
  });

  test('OTel #38301: every device is summed, not only the last', () => {
    // 259:1 Read 23_793_664 + 259:0 Read 65_409_024
    expect(byName(t0.metrics, 'prometheus').stats!.blockIo!.readBytes).toBe(89_202_688);
  });

  test('Total, Sync, Async and Discard are never added to read/write', () => {
    // Adding Total would double the Fargate figure to 178_405_376.
    expect(byName(t0.metrics, 'ecs-exporter').stats!.blockIo).toEqual({
      readBytes: 43_294_720,
      writeBytes: 4_096,
    });
  });

  test('Datadog: a null io_service_bytes_recursive is no data, not 0', () => {
    const stats = clone(EC2.stats) as Json;
    stats[EC2_IDS.prometheus].blkio_stats.io_service_bytes_recursive = null;
    const { metrics } = poll(EC2.metadata, stats);
    expect(byName(metrics, 'prometheus').stats!.blockIo).toBeUndefined();
  });

  test('awsemf: a storage counter reset emits no delta (never the raw cumulative value)', () => {
    const stats = advanceStats(FARGATE.stats, 10, {
      [FARGATE_IDS.prometheus]: { cpuNs: 1, readBytes: -65_409_024 },
    });
    const { metrics } = poll(FARGATE.metadata, stats, t0.state);
    expect(byName(metrics, 'prometheus').stats!.blockIo!.readBytesDelta).toBeUndefined();
    expect(metrics.totals.storageReadBytes).toBe(0); // ecs-exporter's 0-byte interval only
  });
});

describe('network', () => {
  test('aws/amazon-ecs-agent#4505: awsvpc interfaces are counted once, not once per container', () => {
    const stats = advanceStats(FARGATE.stats, 10, {
      [FARGATE_IDS.prometheus]: { rxBytes: 25_000 },
      [FARGATE_IDS.ecsExporter]: { rxBytes: 25_000 },
    });
    const { metrics } = poll(FARGATE.metadata, stats, t0.state);
    expect(metrics.networks).toHaveLength(1);
    expect(metrics.totals.networkRxBytesPerSecond).toBe(2_500); // not 5_000
    expect(metrics.networks[0]!.counters.rxBytes).toBe(129_046_293 + 25_000); // not 258 M
  });

  test('ecs_exporter: the interface is deduplicated by the newest read, not the last container listed', () => {
    // ecs_exporter keeps the last container's counters. Reverse the metadata order: the
    // newest read (ecs-exporter's) still wins.
    const metadata = clone(FARGATE.metadata) as Json;
    metadata.Containers.reverse();
    expect(poll(metadata, FARGATE.stats).metrics.networks).toEqual(t0.metrics.networks);
  });

  test('Telegraf stats.golden: legacy `network: {}` on the app and networks only on the pause container', () => {
    const { metrics } = poll(TELEGRAF_V2.metadata, TELEGRAF_V2.stats);
    expect(metrics.networks.map((each) => each.interface)).toEqual(['eth0', 'eth5']);
  });
});

describe('containers', () => {
  test('Telegraf #15455: null and {} stats produce no zero-valued metrics', () => {
    const fargate = byName(t0.metrics, 'nonessential');
    const onEc2 = byName(ec2.metrics, 'nonessential');
    for (const stopped of [fargate, onEc2]) {
      expect(stopped.stats).toBeUndefined();
      expect(stopped.knownStatus).toBe('STOPPED');
    }
  });

  test('OTel receiver / ecs_exporter: the ECS pause container is no user container', () => {
    const { metrics } = poll(TELEGRAF_V2.metadata, TELEGRAF_V2.stats);
    expect(metrics.containers.map((each) => each.name)).not.toContain('~internal~ecs~pause');
    // Its memory is not in the task totals either: nginx's alone.
    expect(metrics.totals.memoryUsageBytes).toBe(8_179_712);
  });

  test('OTel receiver: counters carry a start time that moves on reset', () => {
    // The receiver sets no StartTimestamp, so backends cannot see a restart.
    const startedAt = byName(t0.metrics, 'prometheus').counterStartMs!;
    const metadata = clone(FARGATE.metadata) as Json;
    metadata.Containers[1].StartedAt = '2025-02-27T05:30:00Z';
    const stats = advanceStats(FARGATE.stats, 10);
    const { metrics } = poll(metadata, stats, t0.state);
    expect(byName(metrics, 'prometheus').counterStartMs).toBe(Date.UTC(2025, 1, 27, 5, 30, 0));
    expect(byName(metrics, 'prometheus').counterStartMs).toBeGreaterThan(startedAt);
  });
});
