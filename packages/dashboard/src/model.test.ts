import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NOT_REPORTED } from './format.js';
import {
  containerRow,
  levelOfPercent,
  nextSortOrder,
  pollView,
  SORT_KEYS,
  type SortKey,
  sampleAgeMs,
  showsContainerNetwork,
  sortRows,
  taskHeader,
  totalsView,
} from './model.js';
import { containerOf, snapshotOf } from './testing/snapshots.js';

const NBSP = '\u00a0';
const plain = (text: string) => text.replaceAll(NBSP, ' ');
const MIB = 1024 * 1024;

describe('taskHeader', () => {
  test('family:revision, id, launch type, AZ, size; cost not reported while null', () => {
    const header = taskHeader(snapshotOf());
    expect(header.title).toBe('web:42');
    expect(header.taskId).toBe('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(header.launchType).toBe('FARGATE');
    expect(header.availabilityZone).toBe('us-east-1a');
    expect(plain(header.size)).toBe('1 vCPU · 2 GiB');
    expect(header.cost).toBe(NOT_REPORTED);
  });

  test('cost when the agent reports it, with the priced region when it fell back', () => {
    const cost = {
      currency: 'USD' as const,
      dollarsPerHour: 0.04937,
      estimatedDollarsSoFar: 0.1234,
      pricedRegion: 'us-east-1',
      regionFallback: true,
    };
    expect(taskHeader(snapshotOf({ cost })).cost).toBe('$0.0494/h · $0.1234 so far (us-east-1 prices)');
  });

  test('unreported identity fields and size say so', () => {
    const base = snapshotOf();
    const task = {
      ...base.task!,
      identity: { ...base.task!.identity, launchType: null, availabilityZone: null },
      size: { cpuVcpus: null, memoryBytes: null },
    };
    const header = taskHeader(snapshotOf({ task }));
    expect(header.launchType).toBe(NOT_REPORTED);
    expect(header.availabilityZone).toBe(NOT_REPORTED);
    expect(header.size).toBe(NOT_REPORTED);
  });

  test('before the first metadata', () => {
    const header = taskHeader(snapshotOf({ task: null }));
    expect(header.title).toBe('waiting for the task metadata');
    expect(header.taskId).toBe(NOT_REPORTED);
  });
});

describe('totalsView', () => {
  test('usage against the Fargate size, with levels', () => {
    const totals = totalsView(snapshotOf());
    expect(plain(totals.cpu.text)).toBe('0.5 of 1 vCPU');
    expect(plain(totals.cpu.percent.text)).toBe('50.0 %');
    expect(totals.cpu.percent.level).toBe('ok');
    expect(plain(totals.memory.text)).toBe('600 MiB of 2 GiB');
    expect(plain(totals.networkRx.text)).toBe('420 KiB/s');
    expect(plain(totals.networkTx.text)).toBe('1.3 MiB/s');
    expect(totals.interfaces.map((i) => i.name)).toEqual(['eth1']);
  });

  test('a task without a size (EC2): the usage alone, its share not reported', () => {
    const base = snapshotOf();
    const task = { ...base.task!, size: { cpuVcpus: null, memoryBytes: null } };
    const totals = { ...base.totals!, cpuPercentOfTask: null, memoryPercentOfTask: null };
    const view = totalsView(snapshotOf({ task, totals }));
    expect(plain(view.cpu.text)).toBe('0.5 cores');
    expect(plain(view.memory.text)).toBe('600 MiB');
    expect(view.cpu.percent.text).toBe(NOT_REPORTED);
    expect(
      plain(taskHeader(snapshotOf({ task: { ...task, size: { cpuVcpus: 2, memoryBytes: null } } })).size),
    ).toBe(`2 vCPU · ${NOT_REPORTED}`);
  });

  test('no totals: every figure not reported, no bar value', () => {
    const totals = totalsView(snapshotOf({ totals: null }));
    expect(totals.cpu.text).toBe(NOT_REPORTED);
    expect(totals.memory.text).toBe(NOT_REPORTED);
    expect(totals.cpu.percent).toEqual({ text: NOT_REPORTED, value: null, level: 'none' });
    expect(totals.diskRead.text).toBe(NOT_REPORTED);
  });

  test('bridge interfaces are named by container', () => {
    const networks = [
      {
        interface: 'eth0',
        containerName: 'app',
        rxBytesPerSecond: 1024,
        txBytesPerSecond: null,
        rxPacketsPerSecond: 1,
        txPacketsPerSecond: null,
      },
    ];
    const [only] = totalsView(snapshotOf({ networks })).interfaces;
    expect(only!.name).toBe('app eth0');
    expect(only!.tx.text).toBe(NOT_REPORTED);
  });
});

test.each([
  [null, 'none'],
  [0, 'ok'],
  [74.9, 'ok'],
  [75, 'warn'],
  [89.9, 'warn'],
  [90, 'bad'],
  [130, 'bad'],
] as const)('levelOfPercent(%s) is %s', (percent, level) => {
  expect(levelOfPercent(percent)).toBe(level);
});

describe('containerRow', () => {
  test('figures and their raw values', () => {
    const row = containerRow(
      containerOf({
        name: 'app',
        network: { rxBytesPerSecond: 2048, txBytesPerSecond: 1024 },
        memory: { workingSetBytes: 460 * MIB, limitBytes: 512 * MIB, percentOfLimit: (460 / 512) * 100 },
        restarts: 2,
        health: { status: 'UNHEALTHY', sinceMs: null },
      }),
    );
    expect(row.cpuCores).toEqual({ text: '0.25', value: 0.25, level: 'none' });
    expect(plain(row.cpuPercentOfTask.text)).toBe('25.0 %');
    expect(row.cpuLimit).toBe('of 0.5 reserved');
    expect(plain(row.memoryWorkingSet.text)).toBe('460 MiB');
    expect(plain(row.memoryLimit.text)).toBe('512 MiB');
    expect(row.memoryPercentOfLimit.level).toBe('warn');
    expect(plain(row.networkRx.text)).toBe('2 KiB/s');
    expect(row.networkTotal).toBe(3072);
    expect(row.restarts).toEqual({ text: '2', value: 2, level: 'warn' });
    expect(row.health).toEqual({ text: 'unhealthy', value: null, level: 'bad' });
    expect(row.state).toEqual({ text: 'running', value: null, level: 'ok' });
  });

  test('nothing reported renders as "not reported", never 0', () => {
    const row = containerRow(
      containerOf({
        name: 'starting',
        state: 'PULLED',
        image: null,
        restarts: null,
        cpu: { cores: null, percentOfTask: null, limitCores: null },
        memory: { workingSetBytes: null, limitBytes: null, percentOfLimit: null },
        blockIo: { readBytesPerSecond: null, writeBytesPerSecond: 5 },
      }),
    );
    for (const figure of [
      row.cpuCores,
      row.cpuPercentOfTask,
      row.memoryWorkingSet,
      row.memoryLimit,
      row.memoryPercentOfLimit,
      row.networkRx,
      row.networkTx,
      row.diskRead,
      row.restarts,
    ]) {
      expect(figure.text).toBe(NOT_REPORTED);
      expect(figure.value).toBeNull();
    }
    expect(row.image).toBe(NOT_REPORTED);
    expect(row.cpuLimit).toBeNull();
    // A sum with an unreported part is not reported either.
    expect(row.diskTotal).toBeNull();
    expect(row.state.level).toBe('warn');
    expect(row.health.text).toBe('no check');
  });

  test('a stopped container shows its exit code', () => {
    const row = containerRow(containerOf({ name: 'migrate', state: 'STOPPED', exitCode: 137 }));
    expect(row.state).toEqual({ text: 'stopped (exit 137)', value: null, level: 'bad' });
  });
});

test('showsContainerNetwork: only when a container has its own (bridge)', () => {
  expect(showsContainerNetwork(snapshotOf())).toBe(false);
  const bridged = snapshotOf({
    containers: [containerOf({ name: 'a', network: { rxBytesPerSecond: 1, txBytesPerSecond: 2 } })],
  });
  expect(showsContainerNetwork(bridged)).toBe(true);
});

describe('sorting', () => {
  test('a click on the sorted column reverses it; another column starts biggest first', () => {
    expect(nextSortOrder({ key: 'cpu', direction: 'descending' }, 'cpu')).toEqual({
      key: 'cpu',
      direction: 'ascending',
    });
    expect(nextSortOrder({ key: 'cpu', direction: 'ascending' }, 'memory')).toEqual({
      key: 'memory',
      direction: 'descending',
    });
    expect(nextSortOrder({ key: 'cpu', direction: 'descending' }, 'name')).toEqual({
      key: 'name',
      direction: 'ascending',
    });
  });

  test('by CPU, biggest first, not reported last', () => {
    const rows = ['a', 'b', 'c', 'd'].map((name, index) =>
      containerRow(
        containerOf({
          name,
          cpu: { cores: [0.1, null, 0.7, 0.3][index]!, percentOfTask: null, limitCores: null },
        }),
      ),
    );
    expect(sortRows(rows, { key: 'cpu', direction: 'descending' }).map((r) => r.name)).toEqual([
      'c',
      'd',
      'a',
      'b',
    ]);
    expect(sortRows(rows, { key: 'cpu', direction: 'ascending' }).map((r) => r.name)).toEqual([
      'a',
      'd',
      'c',
      'b',
    ]);
  });

  const reported = fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: null });
  const arbitraryRow = fc
    .record({
      name: fc.string({ minLength: 1, maxLength: 8 }),
      cores: reported,
      memory: reported,
      percent: reported,
      rx: reported,
      read: reported,
      restarts: fc.option(fc.nat(5), { nil: null }),
    })
    .map((r) =>
      containerRow(
        containerOf({
          name: r.name,
          restarts: r.restarts,
          cpu: { cores: r.cores, percentOfTask: null, limitCores: null },
          memory: { workingSetBytes: r.memory, limitBytes: null, percentOfLimit: r.percent },
          network: { rxBytesPerSecond: r.rx, txBytesPerSecond: 0 },
          blockIo: { readBytesPerSecond: r.read, writeBytesPerSecond: 0 },
        }),
      ),
    );

  test('property: every order is a permutation, ordered, with the not reported last', () => {
    const numeric: Record<
      Exclude<SortKey, 'name' | 'state'>,
      (row: ReturnType<typeof containerRow>) => number | null
    > = {
      cpu: (r) => r.cpuCores.value,
      memory: (r) => r.memoryWorkingSet.value,
      memoryPercent: (r) => r.memoryPercentOfLimit.value,
      network: (r) => r.networkTotal,
      disk: (r) => r.diskTotal,
      restarts: (r) => r.restarts.value,
    };
    fc.assert(
      fc.property(
        fc.array(arbitraryRow, { maxLength: 12 }),
        fc.constantFrom(...SORT_KEYS),
        fc.constantFrom('ascending' as const, 'descending' as const),
        (rows, key, direction) => {
          const sorted = sortRows(rows, { key, direction });
          expect([...sorted].sort((a, b) => a.name.localeCompare(b.name)).map((r) => r.name)).toEqual(
            [...rows].sort((a, b) => a.name.localeCompare(b.name)).map((r) => r.name),
          );
          if (key === 'name' || key === 'state') return;
          const values = sorted.map(numeric[key]);
          const firstNull = values.indexOf(null);
          if (firstNull >= 0) expect(values.slice(firstNull).every((v) => v === null)).toBe(true);
          const known = values.filter((v): v is number => v !== null);
          for (let i = 1; i < known.length; i += 1) {
            if (direction === 'ascending') expect(known[i]!).toBeGreaterThanOrEqual(known[i - 1]!);
            else expect(known[i]!).toBeLessThanOrEqual(known[i - 1]!);
          }
        },
      ),
    );
  });
});

describe('pollView', () => {
  test('live when fresh and the polls succeed', () => {
    const view = pollView(snapshotOf(), 4000, 'open');
    expect(view.level).toBe('live');
    expect(view.warning).toBeNull();
    expect(plain(view.lastSampleAge)).toBe('4.0 s');
    expect(plain(view.interval)).toBe('10 s (learned)');
    expect(view.endpointVersion).toBe('v4');
    expect(view.lastError).toBe('none');
  });

  test('stale after three intervals without a fresh sample', () => {
    expect(pollView(snapshotOf(), 30_000, 'open').level).toBe('live');
    const view = pollView(snapshotOf(), 30_001, 'open');
    expect(view.level).toBe('stale');
    expect(plain(view.warning!)).toBe('No fresh sample for 30 s (expected one every 10 s (learned)).');
  });

  test('polled faster than the endpoint refreshes, stale after three refreshes, not three polls', () => {
    const snapshot = snapshotOf({
      poll: { interval: { mode: 'fixed', intervalMs: 200, learned: false } },
      sample: { kind: 'fresh', intervalSeconds: 1 },
    });
    // A 1 s refresh polled every 200 ms: a 0.9 s old sample is the newest there is.
    expect(pollView(snapshot, 900, 'open').level).toBe('live');
    expect(pollView(snapshot, 3000, 'open').level).toBe('live');
    expect(pollView(snapshot, 3001, 'open').level).toBe('stale');
  });

  test('stale after a minute while neither the poll interval nor a refresh interval is known', () => {
    const snapshot = snapshotOf({
      poll: { interval: { mode: 'auto', intervalMs: null, learned: false } },
      sample: { kind: 'first', intervalSeconds: null },
    });
    expect(pollView(snapshot, 59_000, 'open').level).toBe('live');
    expect(pollView(snapshot, 61_000, 'open').level).toBe('stale');
  });

  test('failing polls win over staleness, with the error in words', () => {
    const snapshot = snapshotOf({
      poll: {
        consecutiveFailures: 3,
        failures: 5,
        lastError: {
          code: 'TMDS_TIMEOUT',
          message: 'no answer in 2 s',
          endpoint: 'task_stats',
          at: '2026-01-05T10:00:00Z',
        },
      },
    });
    const view = pollView(snapshot, 90_000, 'open');
    expect(view.level).toBe('failing');
    expect(view.summary).toBe('failing: 3 in a row');
    expect(plain(view.warning!)).toBe(
      "The agent's last 3 polls of the task metadata endpoint failed (TMDS_TIMEOUT: no answer in 2 s). Last sample 1 min 30 s ago.",
    );
    expect(view.lastError).toBe('TMDS_TIMEOUT on task_stats at 2026-01-05T10:00:00Z: no answer in 2 s');
  });

  test('a lost stream, a 401 and the wait for the first sample', () => {
    expect(pollView(snapshotOf(), 1000, 'retrying').level).toBe('offline');
    expect(pollView(undefined, null, 'retrying').level).toBe('offline');
    expect(pollView(undefined, null, 'connecting')).toMatchObject({ level: 'waiting', warning: null });
    const unauthorized = pollView(undefined, null, 'unauthorized');
    expect(unauthorized.level).toBe('unauthorized');
    expect(unauthorized.warning).toContain('/?token=TOKEN');
    const first = snapshotOf({ id: null, sample: null, poll: { lastSampleAgeMs: null } });
    expect(pollView(first, null, 'open').level).toBe('waiting');
  });
});

test('sampleAgeMs: the document’s age plus the time since it arrived, on one clock', () => {
  const snapshot = snapshotOf({ poll: { lastSampleAgeMs: 1500 } });
  expect(sampleAgeMs(snapshot, 10_000, 12_000)).toBe(3500);
  expect(sampleAgeMs(snapshot, 10_000, 9_000)).toBe(1500);
  expect(sampleAgeMs(snapshotOf({ poll: { lastSampleAgeMs: null } }), 0, 1)).toBeNull();
});
