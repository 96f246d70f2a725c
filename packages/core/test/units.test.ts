import { zeroNetworkCounters } from '@taskscope/test-support';
import { parseContainerStats, parseTaskMetadata, parseTaskStats, type TaskMetadata } from '@taskscope/wire';
import { describe, expect, test } from 'vitest';
import {
  detectCgroup,
  detectNetworkMode,
  isPauseContainer,
  memoryMetrics,
  normalizeSnapshot,
  normalizeStats,
  parseTaskArn,
  taskIdentityOf,
} from '../src/index.js';
import { advanceStats, clone, FARGATE, FARGATE_IDS, type Json, poll } from './helpers.js';

/*
 * The helpers on their own, each rule with the payload shapes that reach it. Stats and
 * metadata objects are small edits of real payloads, validated by the wire layer as the
 * agent would.
 */

const REAL_ENTRY: Json = (FARGATE.stats as Json)[FARGATE_IDS.prometheus];

function entry(edit: (stats: Json) => void) {
  const copy = clone(REAL_ENTRY);
  edit(copy);
  return parseContainerStats(copy)!;
}

function metadata(edit: (metadata: Json) => void): TaskMetadata {
  const copy = clone(FARGATE.metadata) as Json;
  edit(copy);
  return parseTaskMetadata(copy);
}

describe('parseTaskArn', () => {
  test('the current and the old format', () => {
    expect(parseTaskArn('arn:aws-cn:ecs:cn-north-1:123456789012:task/prod/abc')).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      accountId: '123456789012',
      cluster: 'prod',
      taskId: 'abc',
    });
    expect(parseTaskArn('arn:aws:ecs:us-east-1:123456789012:task/abc')).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      taskId: 'abc',
    });
  });

  test.each([
    'mock-task',
    'arn:aws:ecs:us-east-1:123456789012',
    'arn:aws:s3:us-east-1:123456789012:task/a/b',
    'not:aws:ecs:us-east-1:123456789012:task/a/b',
    'arn:aws:ecs:us-east-1:123456789012:container/a/b',
    'arn::ecs:us-east-1:123456789012:task/a/b',
    'arn:aws:ecs::123456789012:task/a/b',
    'arn:aws:ecs:us-east-1::task/a/b',
    'arn:aws:ecs:us-east-1:123456789012:task/',
    'arn:aws:ecs:us-east-1:123456789012:task/a/',
    'arn:aws:ecs:us-east-1:123456789012:task//b',
    'arn:aws:ecs:us-east-1:123456789012:task/a/b/c',
  ])('%s is not a task ARN', (arn) => {
    expect(parseTaskArn(arn)).toBeUndefined();
  });
});

describe('taskIdentityOf', () => {
  test('a free-form TaskARN (a mock) still yields a task id, no region or cluster ARN', () => {
    const identity = taskIdentityOf(
      metadata((m) => {
        m.TaskARN = 'local/task-1';
        m.Cluster = 'local';
      }),
    );
    expect(identity).toMatchObject({ taskId: 'task-1', clusterName: 'local' });
    expect(identity.clusterArn).toBeUndefined();
    expect(identity.region).toBeUndefined();
    expect(identity.accountId).toBeUndefined();
  });

  // ServiceName empty (a standalone task's, or none at all): the service comes from Group.
  test.each([
    ['', 'service:web', 'web'],
    [undefined, 'family:web', undefined],
    [undefined, 'service:', undefined],
    [undefined, 42, undefined],
  ])('ServiceName %j, Group %j: serviceName %j', (serviceName, group, expected) => {
    const identity = taskIdentityOf(
      metadata((m) => {
        if (serviceName !== undefined) m.ServiceName = serviceName;
        m.Group = group;
      }),
    );
    expect(identity.serviceName).toBe(expected);
  });
});

describe('detectNetworkMode', () => {
  const withModes = (modes: Array<string | null>, launchType?: string) =>
    metadata((m) => {
      delete m.LaunchType;
      if (launchType) m.LaunchType = launchType;
      m.Containers = modes.map((mode, index) => ({
        DockerId: `c${index}`,
        Name: `c${index}`,
        Networks: mode === null ? undefined : [{ NetworkMode: mode }],
      }));
    });

  test.each([
    [['bridge', 'awsvpc'], undefined, 'awsvpc'],
    [[null], 'FARGATE', 'awsvpc'],
    [['host'], 'EC2', 'host'],
    [['bridge'], 'EC2', 'bridge'],
    [['myproject_default'], undefined, 'bridge'],
    [['host', 'bridge'], undefined, 'bridge'],
    [['none'], undefined, 'unknown'],
    [[null], 'EC2', 'unknown'],
    [[''], undefined, 'unknown'],
  ] as const)('%j with launch type %s is %s', (modes, launchType, expected) => {
    expect(detectNetworkMode(withModes([...modes], launchType))).toBe(expected);
  });

  test('no Containers at all', () => {
    expect(detectNetworkMode(metadata((m) => void delete m.Containers))).toBe('awsvpc'); // FARGATE
  });
});

test('isPauseContainer: by name or by the agent’s pause types', () => {
  const base = { DockerId: 'x', Name: 'app' };
  expect(isPauseContainer({ ...base })).toBe(false);
  expect(isPauseContainer({ ...base, Name: '~internal~ecs~pause' })).toBe(true);
  expect(isPauseContainer({ ...base, Type: 'CNI_PAUSE' })).toBe(true);
  expect(isPauseContainer({ ...base, Type: 'NAMESPACE_PAUSE' })).toBe(true);
  expect(isPauseContainer({ ...base, Type: 'NORMAL' })).toBe(false);
});

describe('detectCgroup', () => {
  // Only memory_stats.stats differs from the Fargate entry.
  test.each([
    ['v1 by a total_* key without cache', { total_rss: 1, inactive_file: 2 }, 'v1'],
    ['v2 by anon', { anon: 1 }, 'v2'],
    ['v2 by file', { file: 1 }, 'v2'],
    ['v2 by inactive_file', { inactive_file: 1 }, 'v2'],
    ['v1 by capitalised blkio ops', { pgfault: 1 }, 'v1'],
  ] as const)('%s', (_name, stats, expected) => {
    expect(
      detectCgroup(
        entry((s) => {
          s.memory_stats.stats = stats;
        }),
      ),
    ).toBe(expected);
  });

  test.each([
    ['v1 by cache', (s: Json) => s, 'v1'],
    [
      'v2 by lower-case blkio ops',
      (s: Json) => {
        s.memory_stats = { usage: 1 };
        s.blkio_stats.io_service_bytes_recursive = [{ op: 'read', value: 1 }];
      },
      'v2',
    ],
    [
      'v1 by percpu_usage',
      (s: Json) => {
        s.memory_stats = null;
        s.blkio_stats = null;
      },
      'v1',
    ],
    [
      'v2 without percpu_usage',
      (s: Json) => {
        s.memory_stats = { usage: 1 };
        s.blkio_stats.io_service_bytes_recursive = [];
        delete s.cpu_stats.cpu_usage.percpu_usage;
      },
      'v2',
    ],
    [
      'windows by privateworkingset',
      (s: Json) => {
        s.memory_stats = { privateworkingset: 5 };
      },
      'windows',
    ],
    [
      'windows by privateworkingset next to usage, without a stats map (DataDog Windows Fargate)',
      (s: Json) => {
        s.memory_stats = { usage: 210485248, max_usage: 211410944, privateworkingset: 140673024 };
        s.num_procs = 0;
      },
      'windows',
    ],
    [
      'not windows: privateworkingset next to usage and a stats map (the ECS agent synthetic input)',
      (s: Json) => {
        s.memory_stats = { usage: 30, stats: { cache: 20, rss: 10 }, privateworkingset: 10 };
      },
      'v1',
    ],
    [
      'windows by num_procs',
      (s: Json) => {
        s.memory_stats = { commitbytes: 1 };
        s.num_procs = 4;
      },
      'windows',
    ],
    [
      'not windows: num_procs 0 and no usage',
      (s: Json) => {
        s.memory_stats = { stats: { cache: 1 } };
        delete s.num_procs;
      },
      'v1',
    ],
  ] as const)('%s', (_name, edit, expected) => {
    expect(detectCgroup(entry(edit))).toBe(expected);
  });
});

describe('memoryMetrics', () => {
  test.each([
    ['no memory_stats: nothing', null, 'v1', {}],
    ['no memory_stats: nothing', undefined, 'v2', {}],
    ['windows without privateworkingset: nothing', { commitbytes: 5 }, 'windows', {}],
    [
      'v1 without usage keeps the stats-only figures',
      { stats: { cache: 7, rss: 3 } },
      'v1',
      { rssBytes: 3, cacheBytes: 7, pageCacheBytes: 7 },
    ],
    [
      'v1 with cache ≥ usage: MemoryUtilized falls back to usage, as the agent does; working set clamped, never negative',
      { usage: 10, stats: { cache: 12, total_inactive_file: 11 } },
      'v1',
      { usageBytes: 10, workingSetBytes: 0, utilizedBytes: 10, cacheBytes: 12, pageCacheBytes: 12 },
    ],
    [
      'v2 without inactive_file: working set and utilized are the usage',
      { usage: 100, stats: { anon: 60 } },
      'v2',
      { usageBytes: 100, workingSetBytes: 100, utilizedBytes: 100, rssBytes: 60 },
    ],
    [
      'v2 with inactive_file ≥ usage',
      { usage: 100, stats: { inactive_file: 150 } },
      'v2',
      { usageBytes: 100, workingSetBytes: 0, utilizedBytes: 100 },
    ],
    [
      'v2 with no stats map',
      { usage: 100 },
      'v2',
      { usageBytes: 100, workingSetBytes: 100, utilizedBytes: 100 },
    ],
    ['v2 with an empty stats map and no usage', { stats: {} }, 'v2', {}],
  ] as const)('%s (%j, %s)', (_name, memoryStats, cgroup, expected) => {
    expect(memoryMetrics(memoryStats, cgroup)).toEqual(expected);
  });

  test('v1 without the total_* twins uses the cgroup’s own keys', () => {
    expect(
      memoryMetrics({ usage: 100, stats: { cache: 40, inactive_file: 30, rss: 50 } }, 'v1'),
    ).toMatchObject({
      workingSetBytes: 70,
      utilizedBytes: 60,
      rssBytes: 50,
      cacheBytes: 40,
    });
  });
});

describe('normalizeStats', () => {
  test.each([
    [
      'a read that is no timestamp',
      (s: Json) => {
        s.read = 'yesterday';
      },
    ],
    [
      'a negative total_usage',
      (s: Json) => {
        s.cpu_stats.cpu_usage.total_usage = -1;
      },
    ],
  ])('%s is no sample', (_name, edit) => {
    expect(normalizeStats(entry(edit))).toBeUndefined();
  });

  /** A Windows entry (privateworkingset) with these storage_stats, or none. */
  const windowsSample = (storageStats?: Json) =>
    normalizeStats(
      entry((s) => {
        s.memory_stats = { privateworkingset: 1 };
        if (storageStats !== undefined) s.storage_stats = storageStats;
      }),
    )!;

  test.each([
    [{ write_size_bytes: 9 }, { readBytes: 0, writeBytes: 9 }],
    [{ read_size_bytes: 4 }, { readBytes: 4, writeBytes: 0 }],
  ])('windows storage_stats with one side missing counts the other: %j', (storageStats, blockIo) => {
    expect(windowsSample(storageStats).blockIo).toEqual(blockIo);
  });

  test('windows without storage_stats: no block I/O, and num_procs 0 is no count', () => {
    const none = windowsSample();
    expect(none.blockIo).toBeUndefined();
    expect(none.pids).toBeUndefined(); // num_procs 0 is no count
  });

  test('negative blkio values are skipped, not subtracted', () => {
    const sample = normalizeStats(
      entry((s) => {
        s.blkio_stats.io_service_bytes_recursive = [
          { op: 'Read', value: 10 },
          { op: 'READ', value: -5 },
          { op: 'Write', value: 3 },
        ];
      }),
    )!;
    expect(sample.blockIo).toEqual({ readBytes: 10, writeBytes: 3 });
  });

  test('pids_stats.current, else nothing on Linux', () => {
    expect(
      normalizeStats(
        entry((s) => {
          s.pids_stats = { current: 7 };
        }),
      )!.pids,
    ).toBe(7);
    expect(
      normalizeStats(
        entry((s) => {
          s.pids_stats = null;
        }),
      )!.pids,
    ).toBeUndefined();
  });
});

describe('normalizeSnapshot', () => {
  const stats = parseTaskStats(FARGATE.stats);

  test('metadata without Containers, Limits or EphemeralStorageMetrics values', () => {
    const snapshot = normalizeSnapshot(
      metadata((m) => {
        delete m.Containers;
        delete m.Limits;
        delete m.PullStartedAt;
        m.PullStoppedAt = '0001-01-01T00:00:00Z';
        m.EphemeralStorageMetrics = {};
      }),
      stats,
    );
    expect(snapshot.containers).toEqual([]);
    expect(snapshot.limits).toEqual({});
    expect(snapshot.cpuReservedUnits).toBeUndefined();
    expect(snapshot.ephemeralStorage).toBeUndefined();
    expect(snapshot.imagePull).toBeUndefined();
    expect(snapshot.newestRead).toBeUndefined();
  });

  test('only the pull stop time, and storage used without an allocation', () => {
    const snapshot = normalizeSnapshot(
      metadata((m) => {
        delete m.PullStartedAt;
        m.EphemeralStorageMetrics = { Utilized: 0, Reserved: 0 };
      }),
      stats,
    );
    expect(snapshot.imagePull).toEqual({ stoppedAtMs: Date.UTC(2025, 1, 27, 5, 6, 18) + 599.126545 });
    expect(snapshot.ephemeralStorage).toEqual({ usedBytes: 0 });
  });

  test('a container with only DockerId and Name', () => {
    const snapshot = normalizeSnapshot(
      metadata((m) => {
        delete m.Limits;
        m.Containers = [{ DockerId: FARGATE_IDS.prometheus, Name: 'bare' }];
      }),
      stats,
    );
    const { identity, startedAt, stats: sample } = snapshot.containers[0]!;
    expect(identity).toEqual({ name: 'bare', dockerId: FARGATE_IDS.prometheus });
    expect(startedAt).toBeUndefined();
    expect(sample?.cgroup).toBe('v1');
  });

  test('a DockerId like "constructor" does not reach Object.prototype', () => {
    const snapshot = normalizeSnapshot(
      metadata((m) => {
        m.Containers = [{ DockerId: 'constructor', Name: 'odd' }];
      }),
      stats,
    );
    expect(snapshot.containers[0]!.stats).toBeUndefined();
  });

  test('host mode keeps no interfaces: the host’s counters are not the task’s', () => {
    const snapshot = normalizeSnapshot(
      metadata((m) => {
        delete m.LaunchType;
        for (const container of m.Containers) container.Networks = [{ NetworkMode: 'host' }];
      }),
      stats,
    );
    expect(snapshot.networkMode).toBe('host');
    expect(snapshot.interfaces).toEqual([]);
  });

  test('an interface with no counters at all reads as the agent’s zeros', () => {
    const raw = clone(FARGATE.stats) as Json;
    raw[FARGATE_IDS.prometheus].networks = { eth9: {} };
    const snapshot = normalizeSnapshot(parseTaskMetadata(FARGATE.metadata), parseTaskStats(raw));
    expect(snapshot.interfaces.find((each) => each.interface === 'eth9')!.readings[0]!.counters).toEqual(
      zeroNetworkCounters(),
    );
  });
});

describe('diff edges', () => {
  test('a new DockerId after a null-stats history: reset, no precpu rate, counters start at StartedAt', () => {
    const nullFirst = poll(FARGATE.metadata, { ...(FARGATE.stats as Json), [FARGATE_IDS.prometheus]: null });
    const newId = 'bae32def0ab64f06818e8862e58f8d6d-0000000002';
    const meta = clone(FARGATE.metadata) as Json;
    meta.Containers[1].DockerId = newId;
    const stats = { ...(FARGATE.stats as Json), [newId]: (FARGATE.stats as Json)[FARGATE_IDS.prometheus] };
    const { metrics } = poll(meta, stats, nullFirst.state);
    const prometheus = metrics.containers.find((each) => each.name === 'prometheus')!;
    expect(prometheus.reset).toBe(true);
    expect(prometheus.stats!.sample).toBe('first');
    expect(prometheus.stats!.cpu.cores).toBeUndefined();
    expect(prometheus.counterStartMs).toBeCloseTo(Date.UTC(2025, 1, 27, 5, 6, 19) + 179.996393, 3);
  });

  test('a reset whose previous read was no sample time starts at the new read', () => {
    // The agent's 1969 test read as the previous sample, then a real one under a new DockerId.
    const meta = clone(FARGATE.metadata) as Json;
    delete meta.Containers[1].StartedAt;
    const stale = clone(FARGATE.stats) as Json;
    stale[FARGATE_IDS.prometheus].read = '1969-12-31T23:59:59.99999999Z';
    const first = poll(meta, stale);
    const newId = 'bae32def0ab64f06818e8862e58f8d6d-0000000003';
    meta.Containers[1].DockerId = newId;
    const { metrics } = poll(
      meta,
      { ...(FARGATE.stats as Json), [newId]: (FARGATE.stats as Json)[FARGATE_IDS.prometheus] },
      first.state,
    );
    const prometheus = metrics.containers.find((each) => each.name === 'prometheus')!;
    expect(prometheus.reset).toBe(true);
    expect(prometheus.counterStartMs).toBeCloseTo(Date.UTC(2025, 1, 27, 5, 22, 49) + 186.680233, 3);
  });

  test('block I/O that appears only in the later sample has no delta yet', () => {
    const before = clone(FARGATE.stats) as Json;
    before[FARGATE_IDS.prometheus].blkio_stats = null;
    const first = poll(FARGATE.metadata, before);
    const { metrics } = poll(FARGATE.metadata, advanceStats(FARGATE.stats, 10), first.state);
    const blockIo = metrics.containers.find((each) => each.name === 'prometheus')!.stats!.blockIo!;
    expect(blockIo.readBytes).toBe(89_202_688);
    expect(blockIo.readBytesDelta).toBeUndefined();
  });

  test('a container without memory_stats adds nothing to the memory totals', () => {
    const stats = clone(FARGATE.stats) as Json;
    delete stats[FARGATE_IDS.prometheus].memory_stats;
    const { metrics } = poll(FARGATE.metadata, stats);
    expect(metrics.containers.find((each) => each.name === 'prometheus')!.stats!.memory).toEqual({});
    expect(metrics.totals.memoryUtilizedMiB).toBe(39); // ecs-exporter's alone
    expect(metrics.totals.memoryUsageBytes).toBe(84_111_360);
  });

  test('an awsvpc interface missing for a poll keeps its baseline', () => {
    const first = poll(FARGATE.metadata, FARGATE.stats);
    const gone = advanceStats(FARGATE.stats, 10) as Json;
    for (const id of [FARGATE_IDS.prometheus, FARGATE_IDS.ecsExporter]) gone[id].networks = null;
    const middle = poll(FARGATE.metadata, gone, first.state);
    expect(middle.metrics.networks).toEqual([]);
    expect(middle.state.interfaces['task/eth1']).toEqual(first.state.interfaces['task/eth1']);
    const back = advanceStats(FARGATE.stats, 20, {
      [FARGATE_IDS.prometheus]: { rxBytes: 4_000 },
      [FARGATE_IDS.ecsExporter]: { rxBytes: 4_000 },
    });
    expect(poll(FARGATE.metadata, back, middle.state).metrics.networks[0]!.rxBytesPerSecond).toBe(200);
  });
});
