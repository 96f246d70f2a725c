import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceCycle, type CoreState, type CycleState, type RefreshCycle } from '../src/index.js';
import { FARGATE, FARGATE_IDS, type Json, poll } from './helpers.js';

/*
 * The containers of a task refresh at different moments (0.22 s apart in this ecs_exporter
 * Fargate fixture, up to 6 s in others). These tests replay the real fixture with each running
 * container refreshing on its own schedule and check the task-level rule: every container's
 * interval is in exactly one refresh cycle, and the cycles' bytes sum to the counters' growth.
 */

const CADENCE_MS = 10_000;
const RUNNING = [FARGATE_IDS.prometheus, FARGATE_IDS.ecsExporter] as const;
const ORIGIN_MS = Date.parse('2025-02-27T05:22:49Z');

interface Schedule {
  /** Per running container: its read's offset within each refresh, ms. */
  readonly offsetsMs: readonly [number, number];
  /** Per running container and refresh: bytes written during that refresh's interval. */
  readonly writes: readonly [readonly number[], readonly number[]];
  /** Per running container: no refresh after this time (its entry keeps repeating the last read). */
  readonly stalledAfterMs?: readonly [number, number];
}

/** The newest refresh index of a container at `tMs`, or -1 before its first. */
const refreshAt = (offsetMs: number, tMs: number): number => Math.floor((tMs - offsetMs) / CADENCE_MS);

/** The fixture's stats with each running container at its latest refresh at `tMs` after the origin. */
function statsAt(schedule: Schedule, tMs: number): { stats: Json; written: number[]; reads: number[] } {
  const stats = structuredClone(FARGATE.stats) as Json;
  const written: number[] = [];
  const reads: number[] = [];
  RUNNING.forEach((id, i) => {
    const k = refreshAt(schedule.offsetsMs[i]!, Math.min(tMs, schedule.stalledAfterMs?.[i] ?? tMs));
    const readMs = ORIGIN_MS + k * CADENCE_MS + schedule.offsetsMs[i]!;
    const bytes = schedule.writes[i]!.slice(0, k + 1).reduce((a, b) => a + b, 0);
    const entry = stats[id];
    entry.read = new Date(readMs).toISOString();
    entry.preread = new Date(readMs - CADENCE_MS).toISOString();
    entry.cpu_stats.cpu_usage.total_usage += k * 1_000_000;
    for (const io of entry.blkio_stats.io_service_bytes_recursive)
      if (io.op === 'Write' && io.minor === 0) io.value += bytes;
    written.push(bytes);
    reads.push(readMs);
  });
  return { stats, written, reads };
}

/** Polls the fixture at `pollsMs` (ms after the origin), folding each poll into the cycles. */
function run(schedule: Schedule, pollsMs: readonly number[]) {
  let core: CoreState | undefined;
  let cycle: CycleState | undefined;
  const closed: RefreshCycle[] = [];
  const advances = RUNNING.map(() => 0);
  let first: number[] | undefined;
  let last: number[] = [];
  for (const atMs of pollsMs) {
    const { stats, written } = statsAt(schedule, atMs);
    const result = poll(FARGATE.metadata, stats, core);
    core = result.state;
    const step = advanceCycle(result.metrics, cycle);
    cycle = step.state;
    closed.push(...step.closed);
    RUNNING.forEach((id, i) => {
      const name = result.metrics.containers.find((c) => c.dockerId === id)!.name;
      if (step.advanced.includes(name)) advances[i]! += 1;
    });
    first ??= written;
    last = written;
  }
  return { closed, open: cycle!, advances, grown: last.reduce((a, b, i) => a + b - first![i]!, 0) };
}

const NAMES = ['prometheus', 'ecs-exporter'];

/**
 * How far apart the cycle's two reads are, ms: its newest read, less the other container's
 * newest read at or before it (each container reads at its own offset in every refresh).
 */
function spanOf(cycle: RefreshCycle, offsetsMs: readonly [number, number]): number {
  const newest = cycle.readAtMs - ORIGIN_MS;
  return Math.max(
    ...offsetsMs.map((offsetMs) => (((newest - offsetMs) % CADENCE_MS) + CADENCE_MS) % CADENCE_MS),
  );
}

/** The open cycle when only prometheus has refreshed since the last closed one: its read, what it wrote. */
const prometheusOnlyOpen = (readOffsetMs: number, storageWriteBytes: number) => ({
  version: 1,
  open: { prometheus: ORIGIN_MS + readOffsetMs },
  storageReadBytes: 0,
  storageWriteBytes,
});

/**
 * The fixture's own spread (0.22 s), prometheus writing 4096 and 8192 B in its refreshes 1 and 2,
 * ecs-exporter `firstWriteBytes` in its refresh 0, then 1000, 2000 and 3000 B.
 */
const fixtureSpread = (firstWriteBytes: number): Schedule => ({
  offsetsMs: [186, 406],
  writes: [
    [0, 4096, 8192, 0],
    [firstWriteBytes, 1000, 2000, 3000],
  ],
});

describe('refresh cycles', () => {
  it('the first poll is a cycle of its own; then each refresh of the whole task is one cycle', () => {
    // One poll before, one between and one after each refresh.
    const { closed, open, grown } = run(
      fixtureSpread(0),
      [500, 10_300, 10_500, 20_300, 20_500, 30_300, 30_500],
    );
    expect(closed.map((c) => c.readAtMs - ORIGIN_MS)).toEqual([406, 10_406, 20_406, 30_406]);
    expect(closed.map((c) => c.containers)).toEqual([NAMES, ['prometheus', 'ecs-exporter'], NAMES, NAMES]);
    // Each interval once: not 4096 + 1000 and then 4096 again when ecs-exporter refreshes.
    expect(closed.map((c) => c.storageWriteBytes)).toEqual([undefined, 5096, 10_192, 3000]);
    expect(open.open).toEqual({});
    expect(grown).toBe(5096 + 10_192 + 3000);
  });

  it('a poll that sees only some containers refreshed closes nothing', () => {
    const schedule: Schedule = {
      offsetsMs: [186, 406],
      writes: [
        [0, 4096],
        [0, 1000],
      ],
    };
    const { closed, open } = run(schedule, [500, 10_300]);
    expect(closed).toHaveLength(1);
    expect(open).toEqual(prometheusOnlyOpen(10_186, 4096));
  });

  it('a container that stops refreshing delays the cycle by one refresh, never loses or repeats an interval', () => {
    // ecs-exporter's reads stop after its refresh 1 (its entry keeps repeating that read).
    const schedule: Schedule = {
      offsetsMs: [186, 406],
      stalledAfterMs: [Number.POSITIVE_INFINITY, 10_999],
      writes: [
        [0, 10, 20, 40],
        [0, 1],
      ],
    };
    const { closed, open } = run(schedule, [500, 11_000, 21_000, 31_000]);
    expect(closed.map((c) => [c.readAtMs - ORIGIN_MS, c.containers, c.storageWriteBytes])).toEqual([
      [406, NAMES, undefined],
      [10_406, NAMES, 11],
      // prometheus advanced again while ecs-exporter had not: its refresh 2 closes alone…
      [20_186, ['prometheus'], 20],
    ]);
    // …and refresh 3 waits in the open cycle for the next advance.
    expect(open).toEqual(prometheusOnlyOpen(30_186, 40));
  });

  it('an agent that starts between two containers’ refreshes settles on the refresh they share', () => {
    // The first poll (300 ms) sees prometheus's refresh 0 (186 ms) and ecs-exporter's -1: the
    // tight pairing is {refresh k of both}, 220 ms wide, not {ecs-exporter k, prometheus k+1},
    // 9.78 s wide, which would mix two refreshes in every cycle from then on.
    const { closed, grown } = run(
      fixtureSpread(7),
      [300, 500, 10_300, 10_500, 20_300, 20_500, 30_300, 30_500],
    );
    expect(closed.map((c) => [c.readAtMs - ORIGIN_MS, c.containers, c.storageWriteBytes])).toEqual([
      [186, NAMES, undefined],
      // ecs-exporter's refresh 0 closes alone, once: its partner went out in the first cycle.
      [406, ['ecs-exporter'], 7],
      [10_406, NAMES, 5096],
      [20_406, NAMES, 10_192],
      [30_406, NAMES, 3000],
    ]);
    expect(grown).toBe(7 + 5096 + 10_192 + 3000);
  });

  it('a sample with no interval behind it (a first one, or a read with no usable previous) joins the open cycle', () => {
    // Only what advanceCycle reads: each container's name and its sample's kind, read and interval.
    const metricsOf = (
      containers: readonly { name: string; sample: string; readAtMs: number; intervalSeconds?: number }[],
    ) =>
      ({
        containers: containers.map(({ name, ...stats }) => ({ name, stats })),
      }) as unknown as Parameters<typeof advanceCycle>[0];
    const open: CycleState = { version: 1, open: { a: 10_000 } };
    // b's previous read (10.1 s − 10 s) lay nearer a's 10 s than its new one: it leaves…
    const leaving = advanceCycle(
      metricsOf([
        { name: 'a', sample: 'duplicate', readAtMs: 10_000, intervalSeconds: 10 },
        { name: 'b', sample: 'fresh', readAtMs: 19_900, intervalSeconds: 9.8 },
      ]),
      open,
    );
    expect(leaving.closed.map((c) => c.containers)).toEqual([['a']]);
    expect(leaving.state.open).toEqual({ b: 19_900 });
    // …but with no interval (a first sample, a fresh one whose previous read was unusable) there
    // is no previous read to place, and it joins.
    for (const sample of [
      { name: 'b', sample: 'first', readAtMs: 19_900, intervalSeconds: 9.8 },
      { name: 'b', sample: 'fresh', readAtMs: 19_900 },
    ]) {
      const step = advanceCycle(
        metricsOf([{ name: 'a', sample: 'duplicate', readAtMs: 10_000, intervalSeconds: 10 }, sample]),
        open,
      );
      expect(step.closed.map((c) => c.containers)).toEqual([['a', 'b']]);
    }
  });

  it('property: polled every second from any moment, cycles settle on a phase narrower than 2/3 of the cadence', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 9_999 }), fc.integer({ min: 1, max: 9_999 })),
        fc.integer({ min: 0, max: 9_999 }),
        (offsetsMs, startMs) => {
          const writes = [Array(8).fill(1), Array(8).fill(1)] as const;
          const pollsMs = Array.from({ length: 60 }, (_, i) => CADENCE_MS + startMs + i * 1000);
          const { closed } = run({ offsetsMs, writes }, pollsMs);
          const spreadMs = Math.abs(offsetsMs[0] - offsetsMs[1]);
          const tightMs = Math.min(spreadMs, CADENCE_MS - spreadMs);
          const settled = closed.slice(3);
          expect(settled.every((c) => c.containers.length === 2)).toBe(true);
          if (tightMs < CADENCE_MS / 3) {
            // Every settled cycle spans exactly the tight pairing's width.
            for (const c of settled) expect(spanOf(c, offsetsMs)).toBe(tightMs);
          } else {
            for (const c of settled) expect(spanOf(c, offsetsMs)).toBeLessThanOrEqual((2 * CADENCE_MS) / 3);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: whatever the spread and the poll times, each interval is in one cycle and the bytes add up', () => {
    const refreshes = 8;
    const arbitrary = fc.record({
      offsetsMs: fc.tuple(fc.integer({ min: 1, max: 9_000 }), fc.integer({ min: 1, max: 9_000 })),
      writes: fc.tuple(
        fc.array(fc.nat({ max: 1 << 20 }), { minLength: refreshes, maxLength: refreshes }),
        fc.array(fc.nat({ max: 1 << 20 }), { minLength: refreshes, maxLength: refreshes }),
      ),
      pollsMs: fc.uniqueArray(fc.integer({ min: 9_001, max: (refreshes - 1) * CADENCE_MS }), {
        minLength: 1,
        maxLength: 40,
      }),
    });
    fc.assert(
      fc.property(arbitrary, ({ offsetsMs, writes, pollsMs }) => {
        const sorted = [...pollsMs].sort((a, b) => a - b);
        const { closed, open, advances, grown } = run({ offsetsMs, writes }, sorted);
        const pending = open.storageWriteBytes ?? 0;
        expect(closed.reduce((sum, c) => sum + (c.storageWriteBytes ?? 0), 0) + pending).toBe(grown);
        NAMES.forEach((name, i) => {
          const inCycles = closed.filter((c) => c.containers.includes(name)).length;
          expect(inCycles + (name in open.open ? 1 : 0)).toBe(advances[i]);
        });
        for (let i = 1; i < closed.length; i++)
          expect(closed[i]!.readAtMs).toBeGreaterThan(closed[i - 1]!.readAtMs);
      }),
      { numRuns: 300 },
    );
  });
});
