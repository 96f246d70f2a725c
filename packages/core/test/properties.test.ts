import { parseTaskStats } from '@taskscope/wire';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type CoreState, computeTaskMetrics, type TaskMetrics } from '../src/index.js';
import {
  advanceStats,
  clone,
  DOCS_2020,
  EC2,
  FARGATE,
  type Json,
  numbersIn,
  parsePoll,
  type RawPoll,
  type Step,
  shiftTime,
  syntheticPoll,
  TELEGRAF_CGROUPV2,
  TELEGRAF_V2,
} from './helpers.js';

/*
 * Invariants over real payloads, mutated the ways AWS and Docker vary them (fields
 * dropped, entries null or {}, numbers anywhere from negative to 2^64, reads moved). Each
 * mutated payload is validated by the wire layer first, as the agent does, so core only
 * ever sees what a real poll can hand it.
 */

const BASES: ReadonlyArray<readonly [string, RawPoll]> = [
  ['fargate', FARGATE],
  ['ec2', EC2],
  ['telegraf-v2', TELEGRAF_V2],
  ['telegraf-cgroupv2', TELEGRAF_CGROUPV2],
  ['docs-2020-09', DOCS_2020],
  [
    'windows',
    syntheticPoll('aws-amazon-ecs-agent/windows_test_stats.json', {
      dockerId: 'win',
      name: 'win',
      networkMode: 'awsvpc',
      taskLimits: { CPU: 2, Memory: 4096 },
    }),
  ],
  [
    'unix',
    syntheticPoll('aws-amazon-ecs-agent/unix_test_stats.json', {
      dockerId: 'unix',
      name: 'unix',
      networkMode: 'bridge',
    }),
  ],
];

/** Keys AWS or Docker have been seen to omit or null (docs/endpoint.md §5). */
const DROPPABLE = [
  'preread',
  'precpu_stats',
  'memory_stats',
  'blkio_stats',
  'networks',
  'storage_stats',
  'pids_stats',
  'num_procs',
  'network_rate_stats',
] as const;

const anyNumber = fc.oneof(
  fc.nat({ max: 1_000_000 }),
  fc.nat(),
  fc.double({ min: 0, max: 2 ** 64, noNaN: true }),
  fc.constantFrom(0, 2 ** 53, 2 ** 63 - 4096, 2 ** 64 - 1, 9223372036854772000),
  fc.integer({ min: -1_000_000, max: -1 }),
);

/** Paths of every number in a stats entry. */
function numberPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === 'number') return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => numberPaths(child, [...path, key]));
}

function setPath(root: Json, path: readonly string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path.at(-1)!] = value;
}

interface Mutation {
  readonly base: number;
  /** Per stats entry (by index): how to mutate it. */
  readonly entries: ReadonlyArray<{
    readonly kind: 'keep' | 'null' | 'empty';
    readonly drop: readonly (typeof DROPPABLE)[number][];
    readonly numbers: ReadonlyArray<readonly [number, number]>;
    readonly shiftSeconds: number;
  }>;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  base: fc.nat({ max: BASES.length - 1 }),
  entries: fc.array(
    fc.record({
      kind: fc.constantFrom('keep', 'keep', 'keep', 'null', 'empty'),
      drop: fc.subarray([...DROPPABLE]),
      numbers: fc.array(fc.tuple(fc.nat(), anyNumber), { maxLength: 6 }),
      shiftSeconds: fc.oneof(fc.constant(0), fc.double({ min: -3600, max: 3600, noNaN: true })),
    }),
    { minLength: 3, maxLength: 3 },
  ),
});

function mutate(mutation: Mutation): RawPoll {
  const [, base] = BASES[mutation.base]!;
  const stats = clone(base.stats) as Json;
  Object.keys(stats).forEach((id, index) => {
    const plan = mutation.entries[index % mutation.entries.length]!;
    if (stats[id] === null || plan.kind === 'null') {
      stats[id] = null;
      return;
    }
    if (plan.kind === 'empty') {
      stats[id] = {};
      return;
    }
    const entry = stats[id];
    for (const key of plan.drop) delete entry[key];
    const paths = numberPaths(entry);
    for (const [pick, value] of plan.numbers)
      if (paths.length > 0) setPath(entry, paths[pick % paths.length]!, value);
    if (plan.shiftSeconds !== 0 && typeof entry.read === 'string') {
      entry.read = shiftTime(entry.read, plan.shiftSeconds);
    }
  });
  return { metadata: base.metadata, stats };
}

function compute(raw: RawPoll, previous?: CoreState) {
  const poll = parsePoll(raw);
  return computeTaskMetrics({ metadata: poll.metadata, stats: poll.stats, previous });
}

/** Every rate and delta in the output, with its path. */
function ratesIn(metrics: TaskMetrics): Array<[string, number]> {
  return numbersIn(metrics).filter(([path]) => /(cores|PerSecond|Delta|storage\w+Bytes)$/i.test(path));
}

function assertSane(metrics: TaskMetrics, state: CoreState): void {
  for (const [path, value] of [...numbersIn(metrics), ...numbersIn(state, '$state')]) {
    expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  }
  for (const [path, value] of ratesIn(metrics)) expect(value, path).toBeGreaterThanOrEqual(0);
  for (const container of metrics.containers) {
    if (container.reset) {
      expect(container.stats?.cpu.cores).toBeUndefined();
      expect(container.stats?.blockIo?.readBytesDelta).toBeUndefined();
    }
  }
  expect(JSON.parse(JSON.stringify(state))).toEqual(state);
}

describe('any mutated real payload', () => {
  test('never throws, never yields NaN, Infinity or a negative rate', () => {
    fc.assert(
      fc.property(mutationArb, mutationArb, (first, second) => {
        const t0 = compute(mutate(first));
        assertSane(t0.metrics, t0.state);
        // A second poll of another mutation over the first one's state: identities,
        // counters and reads all change arbitrarily.
        const t1 = compute(mutate({ ...second, base: first.base }), t0.state);
        assertSane(t1.metrics, t1.state);
      }),
      { numRuns: 300 },
    );
  });

  test('the same payload polled twice is a duplicate with the same figures', () => {
    fc.assert(
      fc.property(mutationArb, (mutation) => {
        const raw = mutate(mutation);
        const t0 = compute(raw);
        const t1 = compute(raw, t0.state);
        expect(t1.metrics.sample.kind).toBe('duplicate');
        expect(t1.metrics.totals).toEqual(t0.metrics.totals);
        expect(t1.metrics.networks).toEqual(t0.metrics.networks);
        t1.metrics.containers.forEach((container, index) => {
          const before = t0.metrics.containers[index]!;
          expect(container.reset).toBe(false);
          if (container.stats) expect(container.stats).toEqual({ ...before.stats, sample: 'duplicate' });
          else expect(before.stats).toBeUndefined();
        });
      }),
      { numRuns: 200 },
    );
  });
});

const stepArb: fc.Arbitrary<Step> = fc.record({
  cpuNs: fc.oneof(fc.nat({ max: 10 ** 12 }), fc.integer({ min: -(10 ** 9), max: -1 })),
  readBytes: fc.nat({ max: 10 ** 12 }),
  writeBytes: fc.nat({ max: 10 ** 12 }),
});

const networkStepArb = fc.record({
  rxBytes: fc.integer({ min: -1_000, max: 10 ** 10 }),
  txBytes: fc.integer({ min: -1_000, max: 10 ** 10 }),
  rxPackets: fc.integer({ min: -10, max: 10 ** 7 }),
  txPackets: fc.integer({ min: -10, max: 10 ** 7 }),
});

describe('a real payload and its next refresh', () => {
  test('rates are exactly Δcounter / Δread; any decrease is a reset with no rate', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: BASES.length - 1 }),
        fc.oneof(
          fc.double({ min: 0.001, max: 86_400, noNaN: true }),
          fc.double({ min: -60, max: -0.001, noNaN: true }),
        ),
        fc.array(stepArb, { minLength: 3, maxLength: 3 }),
        networkStepArb,
        (baseIndex, seconds, steps, network) => {
          const [, base] = BASES[baseIndex]!;
          const ids = Object.keys(base.stats as Json);
          // awsvpc interfaces are the task's: every container sees the same network step.
          const byId = Object.fromEntries(ids.map((id, index) => [id, { ...steps[index % 3]!, ...network }]));
          const t0 = compute(base);
          const t1 = compute(
            { metadata: base.metadata, stats: advanceStats(base.stats, seconds, byId) },
            t0.state,
          );
          assertSane(t1.metrics, t1.state);
          const advanced = seconds > 0;
          const statsById = parseTaskStats(base.stats);

          for (const container of t1.metrics.containers) {
            const before = t0.metrics.containers.find((each) => each.name === container.name)!;
            const step = byId[container.dockerId];
            if (!step || !before.stats) continue;
            const cpuGone =
              (statsById[container.dockerId]?.cpu_stats.cpu_usage.total_usage ?? 0) + step.cpuNs! < 0;
            if (cpuGone) {
              // A total_usage below 0 is no sample at all.
              expect(container.stats).toBeUndefined();
              continue;
            }
            const stats = container.stats!;
            const bridgeDecrease =
              t1.metrics.networkMode !== 'awsvpc' &&
              t0.metrics.networks.some(
                (each) =>
                  each.containerName === container.name &&
                  ((network.rxBytes < 0 && each.counters.rxBytes > 0) ||
                    (network.txBytes < 0 && each.counters.txBytes > 0) ||
                    (network.rxPackets < 0 && each.counters.rxPackets > 0) ||
                    (network.txPackets < 0 && each.counters.txPackets > 0)),
              );
            const decreased = step.cpuNs! < 0 || bridgeDecrease;
            expect(container.reset).toBe(decreased);
            if (
              decreased ||
              !advanced ||
              !isSampleTimeMs(before.stats.readAtMs) ||
              !isSampleTimeMs(stats.readAtMs)
            ) {
              expect(stats.cpu.cores).toBeUndefined();
              expect(stats.blockIo?.readBytesDelta).toBeUndefined();
              continue;
            }
            expect(stats.sample).toBe('fresh');
            const interval = stats.intervalSeconds!;
            expect(interval).toBeCloseTo(seconds, 6);
            // cores × interval = Δtotal: never more than the counters explain.
            const scale = stats.cgroup === 'windows' ? 100 : 1;
            expect(Math.abs(stats.cpu.cores! * interval * 1e9 - step.cpuNs! * scale)).toBeLessThanOrEqual(
              1e-9 * step.cpuNs! * scale + 1e-3,
            );
            if (stats.blockIo && before.stats.blockIo) {
              expect(stats.blockIo.readBytesDelta).toBe(
                stats.blockIo.readBytes - before.stats.blockIo.readBytes,
              );
              expect(stats.blockIo.writeBytesDelta).toBe(
                stats.blockIo.writeBytes - before.stats.blockIo.writeBytes,
              );
              expect(stats.blockIo.readBytesPerSecond! * interval).toBeCloseTo(
                stats.blockIo.readBytesDelta!,
                0,
              );
            }
          }

          for (const iface of t1.metrics.networks) {
            const before = t0.metrics.networks.find(
              (each) => each.interface === iface.interface && each.containerName === iface.containerName,
            )!;
            const decreased = (['rxBytes', 'txBytes', 'rxPackets', 'txPackets'] as const).some(
              (key) => iface.counters[key] < before.counters[key],
            );
            if (decreased || !advanced || iface.rxBytesDelta === undefined) {
              if (decreased) expect(iface.rxBytesPerSecond).toBeUndefined();
              continue;
            }
            expect(iface.rxBytesDelta).toBe(iface.counters.rxBytes - before.counters.rxBytes);
            // `seconds` was rounded to whole nanoseconds in the payload: compare relatively.
            expect(Math.abs(iface.rxBytesPerSecond! * seconds - iface.rxBytesDelta)).toBeLessThanOrEqual(
              1e-6 * iface.rxBytesDelta + 1e-6,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * wire's isSampleTime (whole epoch seconds > 0) in ms: the agent's 1969 test read, even
 * moved a little, is no sample time and no interval is measured from or to it.
 */
function isSampleTimeMs(readAtMs: number): boolean {
  return readAtMs >= 1000;
}
