import { expect, test } from 'vitest';
import type { CoreState } from '../src/index.js';
import {
  advanceStats,
  byName,
  clone,
  EC2,
  EC2_IDS,
  FARGATE,
  FARGATE_IDS,
  poll,
  shiftTime,
  TELEGRAF_CGROUPV2,
} from './helpers.js';

/*
 * Second and later polls. Each t1 is derived from a real payload by advanceStats: `read`
 * moves by exactly the given seconds and counters by known amounts, so every expected
 * rate is the step divided by the seconds.
 */

type MutableMetadata = { Containers: Array<Record<string, unknown>> } & Record<string, unknown>;

function editMetadata(edit: (metadata: MutableMetadata) => void): unknown {
  const metadata = clone(FARGATE.metadata) as MutableMetadata;
  edit(metadata);
  return metadata;
}

function renameStatsKey(stats: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const { [from]: entry, ...rest } = stats;
  return { ...rest, [to]: entry };
}

const t0 = poll(FARGATE.metadata, FARGATE.stats);
const STEP = {
  [FARGATE_IDS.prometheus]: {
    cpuNs: 50_000_000,
    readBytes: 40_960,
    writeBytes: 8_192,
    rxBytes: 10_000,
    txBytes: 5_000,
    rxPackets: 10,
    txPackets: 5,
  },
  [FARGATE_IDS.ecsExporter]: {
    cpuNs: 20_000_000,
    readBytes: 0,
    writeBytes: 4_096,
    rxBytes: 10_000,
    txBytes: 5_000,
    rxPackets: 10,
    txPackets: 5,
  },
};
const stats1 = advanceStats(FARGATE.stats, 10, STEP);
const t1 = poll(FARGATE.metadata, stats1, t0.state);

test('a fresh second poll: rates over exactly the 10 s between reads', () => {
  expect(t1.metrics.sample.kind).toBe('fresh');
  const prometheus = byName(t1.metrics, 'prometheus').stats!;
  expect(prometheus.sample).toBe('fresh');
  expect(prometheus.intervalSeconds).toBe(10);
  // 50_000_000 ns / 10 s = 0.005 cores
  expect(prometheus.cpu.cores).toBeCloseTo(0.005, 15);
  // 40_960 B / 10 s and 8_192 B / 10 s; Total (bumped by 49_152) is not counted
  expect(prometheus.blockIo).toEqual({
    readBytes: 89_202_688 + 40_960,
    writeBytes: 8_192,
    readBytesDelta: 40_960,
    writeBytesDelta: 8_192,
    readBytesPerSecond: 4_096,
    writeBytesPerSecond: 819.2,
  });
  const exporter = byName(t1.metrics, 'ecs-exporter').stats!;
  expect(exporter.cpu.cores).toBeCloseTo(0.002, 15); // 20_000_000 ns / 10 s
  expect(t1.metrics.totals.cpuCores).toBeCloseTo(0.007, 15);
  expect(t1.metrics.totals.cpuUtilization).toBeCloseTo(0.028, 15); // 0.007 / 0.25 vCPU
  // Σ deltas: read 40_960 + 0, write 8_192 + 4_096
  expect(t1.metrics.totals.storageReadBytes).toBe(40_960);
  expect(t1.metrics.totals.storageWriteBytes).toBe(12_288);
});

test('awsvpc eth1: one rate for the task, from successive reads of the interface', () => {
  // t0 counters came from ecs-exporter (newest read …49.406170373), t1 from its read 10 s
  // later: 10_000 B / 10 s. Summing both containers would say 2_000 B/s.
  expect(t1.metrics.networks).toHaveLength(1);
  expect(t1.metrics.networks[0]).toMatchObject({
    interface: 'eth1',
    rxBytesPerSecond: 1_000,
    txBytesPerSecond: 500,
    rxPacketsPerSecond: 1,
    txPacketsPerSecond: 0.5,
    rxBytesDelta: 10_000,
    txBytesDelta: 5_000,
  });
  expect(t1.metrics.totals.networkRxBytesPerSecond).toBe(1_000);
  expect(t1.metrics.totals.networkTxBytesPerSecond).toBe(500);
});

test('the same payload polled again is a duplicate that repeats the previous rates', () => {
  const again = poll(FARGATE.metadata, stats1, t1.state);
  expect(again.metrics.sample.kind).toBe('duplicate');
  const prometheus = byName(again.metrics, 'prometheus').stats!;
  expect(prometheus.sample).toBe('duplicate');
  expect(prometheus.cpu.cores).toBe(byName(t1.metrics, 'prometheus').stats!.cpu.cores);
  expect(prometheus.blockIo).toEqual(byName(t1.metrics, 'prometheus').stats!.blockIo);
  expect(again.metrics.networks).toEqual(t1.metrics.networks);
  expect(again.metrics.totals).toEqual(t1.metrics.totals);
});

test('a duplicate of the first poll repeats the precpu rates', () => {
  const again = poll(FARGATE.metadata, FARGATE.stats, t0.state);
  expect(again.metrics.sample.kind).toBe('duplicate');
  expect(byName(again.metrics, 'prometheus').stats!.cpu.cores).toBe(
    byName(t0.metrics, 'prometheus').stats!.cpu.cores,
  );
  expect(again.metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
});

test('counterStartMs is StartedAt while nothing resets', () => {
  // prometheus StartedAt 2025-02-27T05:06:19.179996393Z
  const startedAt = Date.UTC(2025, 1, 27, 5, 6, 19) + 179.996393;
  expect(byName(t0.metrics, 'prometheus').counterStartMs).toBeCloseTo(startedAt, 3);
  expect(byName(t1.metrics, 'prometheus').counterStartMs).toBe(
    byName(t0.metrics, 'prometheus').counterStartMs,
  );
  expect(byName(t1.metrics, 'prometheus').reset).toBe(false);
});

test('reset: a new DockerId under the same name', () => {
  const newId = 'bae32def0ab64f06818e8862e58f8d6d-0000000001';
  const metadata = editMetadata((m) => {
    m.Containers[1]!.DockerId = newId;
  });
  const stats = renameStatsKey(stats1, FARGATE_IDS.prometheus, newId);
  const { metrics, state } = poll(metadata, stats, t0.state);
  const prometheus = byName(metrics, 'prometheus');
  expect(prometheus.reset).toBe(true);
  expect(prometheus.dockerId).toBe(newId);
  expect(prometheus.stats!.cpu.cores).toBeUndefined();
  expect(prometheus.stats!.intervalSeconds).toBeUndefined();
  expect(prometheus.stats!.blockIo!.readBytesDelta).toBeUndefined();
  // StartedAt did not change: the counters restarted after the previous read, 05:22:49.186680233
  expect(prometheus.counterStartMs).toBeCloseTo(Date.UTC(2025, 1, 27, 5, 22, 49) + 186.680233, 3);
  // The other container is untouched; the task sample is fresh.
  expect(byName(metrics, 'ecs-exporter').reset).toBe(false);
  expect(metrics.sample.kind).toBe('fresh');
  expect(state.containers['prometheus']!.dockerId).toBe(newId);
  // The next poll diffs against the new container only.
  const next = poll(metadata, advanceStats(stats, 10, { [newId]: { cpuNs: 1_000_000 } }), state);
  expect(byName(next.metrics, 'prometheus').reset).toBe(false);
  expect(byName(next.metrics, 'prometheus').stats!.cpu.cores).toBeCloseTo(0.0001, 15);
});

test('reset: a new StartedAt moves counterStartMs to it', () => {
  const metadata = editMetadata((m) => {
    m.Containers[1]!.StartedAt = '2025-02-27T05:22:55.5Z';
  });
  const { metrics } = poll(metadata, stats1, t0.state);
  const prometheus = byName(metrics, 'prometheus');
  expect(prometheus.reset).toBe(true);
  expect(prometheus.counterStartMs).toBe(Date.UTC(2025, 1, 27, 5, 22, 55) + 500);
  expect(prometheus.stats!.cpu.cores).toBeUndefined();
});

test('reset: a new RestartCount, even when the agent kept the counters monotonic', () => {
  const withCount = (count: number) =>
    editMetadata((m) => {
      m.Containers[1]!.RestartCount = count;
    });
  const first = poll(withCount(0), FARGATE.stats);
  expect(byName(first.metrics, 'prometheus').restartCount).toBe(0);
  // aws/amazon-ecs-agent#4206 adds the pre-restart stats, so counters grew; still a reset.
  const { metrics } = poll(withCount(1), stats1, first.state);
  expect(byName(metrics, 'prometheus').reset).toBe(true);
  expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeUndefined();
  expect(byName(metrics, 'prometheus').restartCount).toBe(1);
});

test('reset: the CPU counter going down; no negative or huge rate', () => {
  const stats = advanceStats(FARGATE.stats, 10, { [FARGATE_IDS.prometheus]: { cpuNs: -900_000_000 } });
  const { metrics, state } = poll(FARGATE.metadata, stats, t0.state);
  const prometheus = byName(metrics, 'prometheus');
  expect(prometheus.reset).toBe(true);
  expect(prometheus.stats!.cpu.totalSeconds).toBeCloseTo(0.032439492, 12);
  expect(prometheus.stats!.cpu.cores).toBeUndefined();
  expect(prometheus.counterStartMs).toBeCloseTo(Date.UTC(2025, 1, 27, 5, 22, 49) + 186.680233, 3);
  expect(state.containers['prometheus']!.counterStartMs).toBe(prometheus.counterStartMs);
  expect(metrics.totals.cpuCores).toBe(byName(metrics, 'ecs-exporter').stats!.cpu.cores);
});

test('reset: block I/O going down', () => {
  // Device 259:1's Read 28_639_232 drops to 0; 259:0's 14_655_488 stays.
  const stats = advanceStats(FARGATE.stats, 10, {
    [FARGATE_IDS.ecsExporter]: { cpuNs: 1, readBytes: -28_639_232 },
  });
  const { metrics } = poll(FARGATE.metadata, stats, t0.state);
  const exporter = byName(metrics, 'ecs-exporter');
  expect(exporter.reset).toBe(true);
  expect(exporter.stats!.blockIo).toEqual({ readBytes: 14_655_488, writeBytes: 4_096 });
  expect(metrics.totals.storageReadBytes).toBe(0); // prometheus' 0-byte delta only
});

test('a container going to null stats keeps its series; it resumes over the longer interval', () => {
  const stats = { ...stats1, [FARGATE_IDS.prometheus]: null };
  const gone = poll(FARGATE.metadata, stats, t0.state);
  const prometheus = byName(gone.metrics, 'prometheus');
  expect(prometheus.stats).toBeUndefined();
  expect(prometheus.reset).toBe(false);
  expect(gone.metrics.sample.kind).toBe('fresh');
  expect(gone.metrics.totals.cpuCores).toBe(byName(gone.metrics, 'ecs-exporter').stats!.cpu.cores);
  // Back 20 s after t0 with 0.1 s more CPU: 100_000_000 ns / 20 s = 0.005 cores
  const back = advanceStats(FARGATE.stats, 20, { [FARGATE_IDS.prometheus]: { cpuNs: 100_000_000 } });
  const resumed = poll(FARGATE.metadata, back, gone.state);
  expect(byName(resumed.metrics, 'prometheus').stats!.intervalSeconds).toBe(20);
  expect(byName(resumed.metrics, 'prometheus').stats!.cpu.cores).toBeCloseTo(0.005, 15);
});

test('a container whose stats go null is a fresh task sample even when no read advanced', () => {
  const stats = { ...(FARGATE.stats as Record<string, unknown>), [FARGATE_IDS.prometheus]: null };
  const { metrics } = poll(FARGATE.metadata, stats, t0.state);
  expect(metrics.sample.kind).toBe('fresh');
  expect(byName(metrics, 'ecs-exporter').stats!.sample).toBe('duplicate');
});

test('a container first seen with null stats starts from precpu when its stats arrive', () => {
  const noStats = poll(FARGATE.metadata, {
    ...(FARGATE.stats as Record<string, unknown>),
    [FARGATE_IDS.prometheus]: null,
  });
  const { metrics } = poll(FARGATE.metadata, FARGATE.stats, noStats.state);
  const prometheus = byName(metrics, 'prometheus').stats!;
  expect(prometheus.sample).toBe('first');
  expect(prometheus.cpu.cores).toBeCloseTo(7_193_303 / 10_000_941_384, 15);
  expect(metrics.sample.kind).toBe('fresh');
});

test('awsvpc interface counters going down: no rate that interval, no container reset', () => {
  const stats = advanceStats(FARGATE.stats, 10, {
    [FARGATE_IDS.prometheus]: { cpuNs: 1, rxBytes: -129_000_000 },
    [FARGATE_IDS.ecsExporter]: { cpuNs: 1, rxBytes: -129_000_000 },
  });
  const { metrics, state } = poll(FARGATE.metadata, stats, t0.state);
  expect(metrics.networks[0]!.counters.rxBytes).toBe(46_293);
  expect(metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
  expect(metrics.totals.networkRxBytesPerSecond).toBeUndefined();
  expect(metrics.containers.every((each) => !each.reset)).toBe(true);
  // The next interval is measured from the new, lower counters.
  const later = advanceStats(stats, 10, {
    [FARGATE_IDS.prometheus]: { rxBytes: 2_000 },
    [FARGATE_IDS.ecsExporter]: { rxBytes: 2_000 },
  });
  expect(poll(FARGATE.metadata, later, state).metrics.networks[0]!.rxBytesPerSecond).toBe(200);
});

test('awsvpc: rates follow one source container while it reports the interface', () => {
  // t0 took eth1 from ecs-exporter (newest read). At t1 only prometheus refreshed: its
  // copy is newer, but ecs-exporter still reports eth1, so the interface stays with it
  // and its unchanged read is a duplicate, not a 9.78 s interval across two containers.
  const stats = advanceStats(FARGATE.stats, 10, { [FARGATE_IDS.prometheus]: { rxBytes: 5_000 } });
  stats[FARGATE_IDS.ecsExporter] = (FARGATE.stats as Record<string, unknown>)[FARGATE_IDS.ecsExporter];
  const stalled = poll(FARGATE.metadata, stats, t0.state);
  expect(stalled.metrics.networks[0]!.counters.rxBytes).toBe(129_046_293);
  expect(stalled.metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
  expect(stalled.state.interfaces['task/eth1']!.source).toBe('ecs-exporter');
  expect(stalled.metrics.sample.kind).toBe('fresh'); // prometheus' own read advanced
  // When ecs-exporter refreshes, the interval is its own 10 s.
  const both = poll(FARGATE.metadata, stats1, stalled.state);
  expect(both.metrics.networks[0]!.rxBytesPerSecond).toBe(1_000);
});

test('awsvpc: when the source container stops reporting, the next one starts a new baseline', () => {
  // ecs-exporter's entry goes null; prometheus' copy of eth1 (read 0.22 s before
  // ecs-exporter's t0 read + 10 s) takes over. Pairing it with ecs-exporter's t0 read
  // would mix two containers' sample instants, so that interval has no rate.
  const stats = { ...stats1, [FARGATE_IDS.ecsExporter]: null };
  const switched = poll(FARGATE.metadata, stats, t0.state);
  expect(switched.metrics.networks[0]!.counters.rxBytes).toBe(129_045_374 + 10_000);
  expect(switched.metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
  expect(switched.state.interfaces['task/eth1']!.source).toBe('prometheus');
  expect(switched.metrics.sample.kind).toBe('fresh');
  const next = advanceStats(stats, 10, { [FARGATE_IDS.prometheus]: { rxBytes: 3_000 } });
  expect(poll(FARGATE.metadata, next, switched.state).metrics.networks[0]!.rxBytesPerSecond).toBe(300);
});

test('a read that goes back in time gives no interval and no reset', () => {
  const stats = advanceStats(FARGATE.stats, -5);
  const { metrics } = poll(FARGATE.metadata, stats, t0.state);
  const prometheus = byName(metrics, 'prometheus');
  expect(prometheus.reset).toBe(false);
  expect(prometheus.stats!.sample).toBe('fresh');
  expect(prometheus.stats!.cpu.cores).toBeUndefined();
  expect(metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
  expect(metrics.sample.kind).toBe('fresh');
});

test('a container added to the task is a first sample in a fresh task poll', () => {
  const metadata = editMetadata((m) => {
    m.Containers = m.Containers.slice(0, 2);
  });
  const before = poll(metadata, FARGATE.stats);
  expect(before.metrics.containers.map((each) => each.name)).toEqual(['nonessential', 'prometheus']);
  const { metrics } = poll(FARGATE.metadata, FARGATE.stats, before.state);
  expect(metrics.sample.kind).toBe('fresh');
  expect(byName(metrics, 'ecs-exporter').stats!.sample).toBe('first');
  expect(byName(metrics, 'prometheus').stats!.sample).toBe('duplicate');
});

test('a container removed from the task is dropped from the state', () => {
  const metadata = editMetadata((m) => {
    m.Containers = m.Containers.slice(0, 2);
  });
  const { metrics, state } = poll(metadata, FARGATE.stats, t0.state);
  expect(metrics.sample.kind).toBe('fresh');
  expect(Object.keys(state.containers)).toEqual(['nonessential', 'prometheus']);
});

test('a PULLED container that gains its StartedAt is no restart', () => {
  const pulled = editMetadata((m) => {
    delete m.Containers[1]!.StartedAt;
    m.Containers[1]!.KnownStatus = 'PULLED';
  });
  const first = poll(pulled, {
    ...(FARGATE.stats as Record<string, unknown>),
    [FARGATE_IDS.prometheus]: null,
  });
  expect(byName(first.metrics, 'prometheus').counterStartMs).toBeUndefined();
  const { metrics } = poll(FARGATE.metadata, FARGATE.stats, first.state);
  expect(byName(metrics, 'prometheus').reset).toBe(false);
  expect(byName(metrics, 'prometheus').counterStartMs).toBe(byName(t0.metrics, 'prometheus').counterStartMs);
});

test('without StartedAt, the counters start at the first read seen', () => {
  const metadata = editMetadata((m) => {
    delete m.Containers[1]!.StartedAt;
  });
  const first = poll(metadata, FARGATE.stats);
  const readMs = Date.UTC(2025, 1, 27, 5, 22, 49) + 186.680233;
  expect(byName(first.metrics, 'prometheus').counterStartMs).toBeCloseTo(readMs, 3);
  const second = poll(metadata, stats1, first.state);
  expect(byName(second.metrics, 'prometheus').counterStartMs).toBe(
    byName(first.metrics, 'prometheus').counterStartMs,
  );
});

test('the state survives a JSON round trip', () => {
  const revived = JSON.parse(JSON.stringify(t0.state)) as CoreState;
  expect(poll(FARGATE.metadata, stats1, revived)).toEqual(t1);
});

test('bridge: per-container interface rates', () => {
  const first = poll(EC2.metadata, EC2.stats);
  const stats = advanceStats(EC2.stats, 1, {
    [EC2_IDS.ecsExporter]: { cpuNs: 10_000_000, rxBytes: 2_000, txBytes: 1_000 },
    [EC2_IDS.prometheus]: { rxBytes: 500 },
  });
  const { metrics } = poll(EC2.metadata, stats, first.state);
  expect(
    metrics.networks.map((each) => [each.containerName, each.rxBytesPerSecond, each.txBytesPerSecond]),
  ).toEqual([
    ['ecs-exporter', 2_000, 1_000],
    ['prometheus', 500, 0],
  ]);
  // Bridge namespaces are separate: the task rate is their sum.
  expect(metrics.totals.networkRxBytesPerSecond).toBe(2_500);
  expect(byName(metrics, 'ecs-exporter').stats!.cpu.cores).toBeCloseTo(0.01, 15);
});

test('bridge: a container’s interface counters going down is a reset of that container', () => {
  const first = poll(EC2.metadata, EC2.stats);
  const stats = advanceStats(EC2.stats, 1, {
    [EC2_IDS.ecsExporter]: { cpuNs: 10_000_000, rxBytes: -100_000 },
    [EC2_IDS.prometheus]: { cpuNs: 10_000_000 },
  });
  const { metrics } = poll(EC2.metadata, stats, first.state);
  expect(byName(metrics, 'ecs-exporter').reset).toBe(true);
  expect(byName(metrics, 'ecs-exporter').stats!.cpu.cores).toBeUndefined();
  expect(byName(metrics, 'prometheus').reset).toBe(false);
  expect(byName(metrics, 'prometheus').stats!.cpu.cores).toBeCloseTo(0.01, 15);
  expect(metrics.networks[0]!.rxBytesPerSecond).toBeUndefined();
});

test('bridge: a restarted container’s interfaces start over even if its counters are higher', () => {
  const first = poll(EC2.metadata, EC2.stats);
  const newId = 'f'.repeat(64);
  const metadata = clone(EC2.metadata) as MutableMetadata;
  metadata.Containers[1]!.DockerId = newId;
  metadata.Containers[1]!.StartedAt = '2025-02-27T05:18:07.5Z';
  const stats = renameStatsKey(
    advanceStats(EC2.stats, 1, { [EC2_IDS.ecsExporter]: { cpuNs: 5, rxBytes: 5_000 } }),
    EC2_IDS.ecsExporter,
    newId,
  );
  const { metrics, state } = poll(metadata, stats, first.state);
  expect(byName(metrics, 'ecs-exporter').reset).toBe(true);
  expect(
    metrics.networks.find((each) => each.containerName === 'ecs-exporter')!.rxBytesPerSecond,
  ).toBeUndefined();
  expect(state.interfaces['container/ecs-exporter/eth0']!.counters.rxBytes).toBe(101_869 + 5_000);
});

test('bridge: an interface missing for a poll keeps its baseline while its container exists', () => {
  const first = poll(EC2.metadata, EC2.stats);
  const gone = clone(EC2.stats) as Record<string, Record<string, unknown>>;
  gone[EC2_IDS.prometheus]!.networks = null;
  const middle = poll(EC2.metadata, gone, first.state);
  expect(middle.metrics.networks.map((each) => each.containerName)).toEqual(['ecs-exporter']);
  expect(middle.state.interfaces['container/prometheus/eth0']).toEqual(
    first.state.interfaces['container/prometheus/eth0'],
  );
  // A container that leaves the task takes its interfaces with it.
  const metadata = clone(EC2.metadata) as MutableMetadata;
  metadata.Containers = metadata.Containers.filter((each) => each.Name !== 'prometheus');
  const left = poll(metadata, gone, first.state);
  expect(Object.keys(left.state.interfaces)).toEqual(['container/ecs-exporter/eth0']);
});

test('a pause-only task is fresh when the pause container’s read advances', () => {
  const first = poll(TELEGRAF_CGROUPV2.metadata, TELEGRAF_CGROUPV2.stats);
  const id = 'c69461b2c836cc3f0e3e5deb07b1f16e25f6009da2a48bb0adc7dd580befaf55';
  const same = poll(TELEGRAF_CGROUPV2.metadata, TELEGRAF_CGROUPV2.stats, first.state);
  expect(same.metrics.sample.kind).toBe('duplicate');
  const stats = advanceStats(TELEGRAF_CGROUPV2.stats, 2, { [id]: { rxBytes: 100, txBytes: 300 } });
  const { metrics } = poll(TELEGRAF_CGROUPV2.metadata, stats, first.state);
  expect(metrics.sample.kind).toBe('fresh');
  expect(metrics.networks[0]).toMatchObject({ rxBytesPerSecond: 50, txBytesPerSecond: 150 });
  expect(metrics.totals.networkRxBytesPerSecond).toBe(50);
});

test('shiftTime keeps nanoseconds exact', () => {
  expect(shiftTime('2025-02-27T05:22:49.186680233Z', 10)).toBe('2025-02-27T05:22:59.186680233Z');
  expect(shiftTime('2025-02-27T05:22:49.186680233Z', -0.2)).toBe('2025-02-27T05:22:48.986680233Z');
});
