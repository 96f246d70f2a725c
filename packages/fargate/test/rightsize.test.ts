import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, test } from 'vitest';
import {
  BUILT_IN_PRICES,
  type ContainerSample,
  FARGATE_PLATFORMS,
  type FargateSize,
  fargateSizes,
  isFargateSize,
  parsePriceTable,
  percentileOf,
  type RightsizeOptions,
  recommendationSchema,
  repriceRecommendation,
  rightsize,
  type TaskUsage,
} from '../src/index.js';

const START_MS = Date.parse('2026-12-03T10:00:00.000Z');
const CADENCE_MS = 10_000;
const TWO_HOURS = 720;

const OPTIONS: RightsizeOptions = {
  percentile: 95,
  headroomPercent: 20,
  platform: 'linux/x86_64',
  prices: BUILT_IN_PRICES,
  region: 'us-east-1',
};

interface Load {
  readonly name: string;
  /** vCPU at sample `i`. */
  readonly cpu: (i: number) => number | null;
  readonly memoryMiB: (i: number) => number | null;
  readonly limitMiB?: number;
  readonly startedAtMs?: (i: number) => number;
}

/** A task sampled every 10 s, as the agent's history holds one (a refresh cycle a sample). */
function task(size: FargateSize, count: number, loads: readonly Load[], name = 'task-1'): TaskUsage {
  return {
    task: name,
    size,
    samples: Array.from({ length: count }, (_, i) => ({
      atMs: START_MS + i * CADENCE_MS,
      containers: loads.map(
        (load): ContainerSample => ({
          name: load.name,
          cpuVcpu: load.cpu(i),
          memoryMiB: load.memoryMiB(i),
          memoryLimitMiB: load.limitMiB ?? size.memoryMiB,
          startedAtMs: load.startedAtMs?.(i) ?? START_MS - 60_000,
          restarts: null,
        }),
      ),
    })),
  };
}

const constant = (value: number | null) => () => value;

describe('golden recommendations on scenario histories', () => {
  test('steady: a 2 vCPU task using 0.45 needs 1 vCPU and 2 GB', () => {
    const steady = task({ cpuUnits: 2048, memoryMiB: 4096 }, TWO_HOURS, [
      { name: 'app', cpu: constant(0.4), memoryMiB: constant(300) },
      { name: 'sidecar', cpu: constant(0.05), memoryMiB: constant(48) },
    ]);
    expect(rightsize([steady], OPTIONS)).toEqual({
      current: { cpu: '2048', memory: '4096', dollarsPerHour: 0.09874 },
      recommended: { cpu: '1024', memory: '2048', dollarsPerHour: 0.04937 },
      observed: {
        cpuP50Vcpu: 0.45,
        cpuPercentileVcpu: 0.45,
        cpuPeakVcpu: 0.45,
        memoryPeakMiB: 348,
        samples: 720,
        tasks: 1,
        windowStart: '2026-12-03T10:00:00.000Z',
        windowEnd: '2026-12-03T11:59:50.000Z',
      },
      percentile: 95,
      headroomPercent: 20,
      requiredCpuVcpu: 0.54,
      requiredMemoryMiB: 418,
      // (0.09874 − 0.04937) $/h × 730 h
      savingsDollarsPerMonth: 36.04,
      undersized: false,
      platform: 'linux/x86_64',
      region: 'us-east-1',
      pricedRegion: 'us-east-1',
      containers: [
        // 0.4 × 1.2 × 1024 = 491.52 → 492 units; 300 × 1.2 = 360 MiB
        { name: 'app', cpu: 492, memoryReservation: 360, cpuPercentileVcpu: 0.4, memoryPeakMiB: 300 },
        { name: 'sidecar', cpu: 62, memoryReservation: 58, cpuPercentileVcpu: 0.05, memoryPeakMiB: 48 },
      ],
      warnings: [],
    });
  });

  test('spiky: spikes in 3 % of the samples stay outside p95 and inside p99', () => {
    // Every 33rd sample spikes to 1.5 vCPU: 22 of 720, 3.1 %.
    const spiky = task({ cpuUnits: 2048, memoryMiB: 4096 }, TWO_HOURS, [
      { name: 'app', cpu: (i) => (i % 33 === 0 ? 1.5 : 0.2), memoryMiB: (i) => 380 + (i % 10) * 2 },
    ]);
    const p95 = rightsize([spiky], OPTIONS)!;
    expect([p95.observed.cpuP50Vcpu, p95.observed.cpuPercentileVcpu, p95.observed.cpuPeakVcpu]).toEqual([
      0.2, 0.2, 1.5,
    ]);
    // 0.2 × 1.2 = 0.24 vCPU and 398 × 1.2 = 477.6 → 478 MiB: the smallest Fargate size.
    expect([p95.requiredCpuVcpu, p95.requiredMemoryMiB, p95.recommended]).toEqual([
      0.24,
      478,
      { cpu: '256', memory: '512', dollarsPerHour: 0.0123425 },
    ]);
    expect(p95.savingsDollarsPerMonth).toBe(63.07);
    const p99 = rightsize([spiky], { ...OPTIONS, percentile: 99 })!;
    expect([
      p99.observed.cpuPercentileVcpu,
      p99.requiredCpuVcpu,
      p99.recommended.cpu,
      p99.recommended.memory,
    ]).toEqual([1.5, 1.8, '2048', '4096']);
    expect(p99.savingsDollarsPerMonth).toBe(0);
  });

  test('memory-bound: a container near its limit is an OOM risk and the size grows', () => {
    const bound = task({ cpuUnits: 1024, memoryMiB: 4096 }, TWO_HOURS, [
      { name: 'cache', cpu: constant(0.1), memoryMiB: (i) => 3000 + i, limitMiB: 4096 },
    ]);
    const recommendation = rightsize([bound], OPTIONS)!;
    // Peak 3719 MiB × 1.2 = 4462.8 → 4463: 1 vCPU with 5 GB (512 CPU units stop at 4 GB).
    expect([recommendation.requiredMemoryMiB, recommendation.recommended]).toEqual([
      4463,
      { cpu: '1024', memory: '5120', dollarsPerHour: 0.062705 },
    ]);
    expect(recommendation.savingsDollarsPerMonth).toBe(-3.24);
    expect(recommendation.warnings).toEqual([
      'Container cache reached 91 % of its 4096 MiB memory limit: at risk of an OOM kill.',
    ]);
    expect(recommendation.containers).toEqual([
      { name: 'cache', cpu: 123, memoryReservation: 4463, cpuPercentileVcpu: 0.1, memoryPeakMiB: 3719 },
    ]);
  });

  test('idle: a 4 vCPU task doing nothing is the smallest size', () => {
    const idle = task({ cpuUnits: 4096, memoryMiB: 8192 }, TWO_HOURS, [
      { name: 'app', cpu: constant(0.001), memoryMiB: constant(20) },
    ]);
    const recommendation = rightsize([idle], OPTIONS)!;
    expect(recommendation).toMatchObject({
      current: { cpu: '4096', memory: '8192', dollarsPerHour: 0.19748 },
      recommended: { cpu: '256', memory: '512', dollarsPerHour: 0.0123425 },
      savingsDollarsPerMonth: 135.15,
    });
    expect(recommendation.containers).toEqual([
      { name: 'app', cpu: 2, memoryReservation: 24, cpuPercentileVcpu: 0.001, memoryPeakMiB: 20 },
    ]);
  });

  test('undersized: CPU at the limit is never sized down, whatever the percentile says', () => {
    const capped = task({ cpuUnits: 1024, memoryMiB: 2048 }, TWO_HOURS, [
      { name: 'app', cpu: (i) => (i % 4 === 0 ? 0.3 : 0.99), memoryMiB: constant(500) },
    ]);
    const recommendation = rightsize([capped], OPTIONS)!;
    expect(recommendation.undersized).toBe(true);
    // p95 0.99 × 1.2 = 1.188 vCPU would fit 2 vCPU anyway; the rule is the floor.
    expect(recommendation.recommended).toEqual({ cpu: '2048', memory: '4096', dollarsPerHour: 0.09874 });
    expect(recommendation.warnings).toEqual([
      "Undersized: CPU was at the task's limit (≥ 95 % of 1 vCPU) in 75 % of the samples, more than the 5 % the p95 leaves out; demand was capped, so nothing smaller than the next CPU size up is recommended.",
    ]);
    // With no headroom asked and a percentile of 50, 0.99 would fit 1 vCPU: still one up.
    const low = rightsize([capped], { ...OPTIONS, percentile: 50, headroomPercent: 0 })!;
    expect(low.recommended.cpu).toBe('2048');
    // At the largest size there is nothing bigger: the current CPU stays.
    const largest = task({ cpuUnits: 16384, memoryMiB: 32768 }, 10, [
      { name: 'app', cpu: constant(16), memoryMiB: constant(500) },
    ]);
    const top = rightsize([largest], OPTIONS)!;
    expect(top.recommended).toEqual({ cpu: '16384', memory: '32768', dollarsPerHour: 0.78992 });
    expect(top.warnings[0]).toContain('nothing smaller than the current CPU');
  });
});

describe('warnings', () => {
  test('a short window and a restart', () => {
    const restarted = task({ cpuUnits: 256, memoryMiB: 512 }, 30, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(100), startedAtMs: (i) => (i < 12 ? 1 : 2) },
      { name: 'web', cpu: constant(0.1), memoryMiB: constant(100) },
    ]);
    expect(rightsize([restarted], OPTIONS)!.warnings).toEqual([
      'The window is 4m 50s of samples, shorter than an hour: the recommendation rests on little data.',
      'A restart in the window (app): usage around a restart may not be typical.',
    ]);
    const counted: TaskUsage = {
      ...restarted,
      samples: restarted.samples.map((sample, i) => ({
        ...sample,
        containers: sample.containers.map((c) => ({ ...c, startedAtMs: null, restarts: i < 20 ? 0 : 1 })),
      })),
    };
    expect(rightsize([counted], OPTIONS)!.warnings[1]).toBe(
      'A restart in the window (app, web): usage around a restart may not be typical.',
    );
    const single = task({ cpuUnits: 256, memoryMiB: 512 }, 1, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(100) },
    ]);
    expect(rightsize([single], OPTIONS)!.warnings[0]).toContain('The window is 0s of samples');
    const hour = (count: number) =>
      task({ cpuUnits: 256, memoryMiB: 512 }, count, [
        { name: 'app', cpu: constant(0.1), memoryMiB: constant(100) },
      ]);
    expect(rightsize([hour(360)], OPTIONS)!.warnings[0]).toContain('The window is 59m 50s of samples');
    expect(rightsize([hour(361)], OPTIONS)!.warnings).toEqual([]);
    expect(rightsize([hour(31)], OPTIONS)!.warnings[0]).toContain('The window is 5m of samples');
    expect(rightsize([hour(400)], OPTIONS)!.warnings).toEqual([]);
  });

  test('no size is big enough: the largest, said so', () => {
    const huge = task({ cpuUnits: 4096, memoryMiB: 30720 }, TWO_HOURS, [
      { name: 'app', cpu: constant(3), memoryMiB: constant(28000) },
    ]);
    const windows = rightsize([huge], { ...OPTIONS, platform: 'windows' })!;
    expect(windows.recommended).toMatchObject({ cpu: '4096', memory: '30720' });
    expect(windows.warnings).toContain(
      'No Fargate windows size holds 3.6 vCPU and 33600 MiB; the recommendation is the largest that comes closest.',
    );
  });

  test('a region without rates falls back; a platform without rates is not priced', () => {
    const one = task({ cpuUnits: 512, memoryMiB: 1024 }, TWO_HOURS, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(100) },
    ]);
    const fallback = rightsize([one], { ...OPTIONS, region: 'eu-west-1' })!;
    expect([fallback.pricedRegion, fallback.warnings]).toEqual([
      'us-east-1',
      [`Priced at us-east-1 rates: the price table (${BUILT_IN_PRICES.source}) has none for eu-west-1.`],
    ]);
    const table = parsePriceTable(
      {
        source: 'sheet',
        retrievedOn: '2026-11-30',
        fallbackRegion: 'eu-west-1',
        regions: {
          'eu-west-1': {
            'linux/x86_64': { dollarsPerVcpuHour: 0.05, dollarsPerGbHour: 0.005 },
            dollarsPerEphemeralGbHour: 0,
          },
        },
      },
      'test',
    );
    const arm = rightsize([one], {
      ...OPTIONS,
      platform: 'linux/arm64',
      prices: table,
      region: 'eu-west-1',
    })!;
    expect([arm.current, arm.recommended.dollarsPerHour, arm.savingsDollarsPerMonth, arm.warnings]).toEqual([
      { cpu: '512', memory: '1024', dollarsPerHour: null },
      null,
      null,
      ['Not priced: the price table (sheet) has no linux/arm64 rates for eu-west-1.'],
    ]);
    // The agent sized it at its rates; the CLI's table prices it again.
    const repriced = repriceRecommendation(fallback, table);
    expect([
      repriced.current,
      repriced.recommended,
      repriced.savingsDollarsPerMonth,
      repriced.warnings,
    ]).toEqual([
      { cpu: '512', memory: '1024', dollarsPerHour: 0.03 },
      { cpu: '256', memory: '512', dollarsPerHour: 0.015 },
      10.95,
      [],
    ]);
  });

  test('tasks of several sizes: current is the latest task, percentiles pool every sample', () => {
    const small = task({ cpuUnits: 512, memoryMiB: 1024 }, TWO_HOURS, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(900) },
    ]);
    const big = {
      ...task(
        { cpuUnits: 1024, memoryMiB: 2048 },
        TWO_HOURS,
        [
          { name: 'app', cpu: constant(0.3), memoryMiB: constant(200) },
          { name: 'log', cpu: constant(null), memoryMiB: constant(null) },
          // Memory only, and its CPU in one sample alone: counted where each is reported.
          { name: 'mem', cpu: (i) => (i === 0 ? 0.01 : null), memoryMiB: (i) => (i === 0 ? null : 5) },
        ],
        'task-2',
      ),
    };
    const shifted: TaskUsage = { ...big, samples: big.samples.map((s) => ({ ...s, atMs: s.atMs + 1000 })) };
    const recommendation = rightsize([small, shifted, { task: 'none', size: null, samples: [] }], OPTIONS)!;
    expect(recommendation.current).toMatchObject({ cpu: '1024', memory: '2048' });
    expect(recommendation.observed).toMatchObject({
      cpuP50Vcpu: 0.1,
      memoryPeakMiB: 900,
      samples: 1440,
      tasks: 2,
    });
    expect(recommendation.warnings).toEqual([
      'The tasks ran at 2 sizes (512/1024, 1024/2048 CPU units/MiB); "current" is the latest task\'s.',
    ]);
    // The log container never reported: no suggestion for it.
    expect(recommendation.containers.map((c) => c.name)).toEqual(['app', 'mem']);
    const memoryOnly = task({ cpuUnits: 256, memoryMiB: 512 }, 10, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(100) },
      { name: 'cache', cpu: constant(null), memoryMiB: constant(50) },
    ]);
    expect(rightsize([memoryOnly], OPTIONS)!.containers[1]).toEqual({
      name: 'cache',
      cpu: 0,
      memoryReservation: 60,
      cpuPercentileVcpu: 0,
      memoryPeakMiB: 50,
    });
    const cpuFirst: TaskUsage = {
      ...memoryOnly,
      samples: [
        {
          atMs: START_MS - 10_000,
          containers: [{ ...memoryOnly.samples[0]!.containers[0]!, memoryMiB: null }],
        },
        ...memoryOnly.samples,
        {
          atMs: START_MS + 100_000,
          containers: [{ ...memoryOnly.samples[0]!.containers[0]!, cpuVcpu: null }],
        },
      ],
    };
    expect(rightsize([cpuFirst], OPTIONS)!.observed.samples).toBe(12);
  });
});

describe('input', () => {
  test('no data: nothing to rest on', () => {
    expect(rightsize([], OPTIONS)).toBeUndefined();
    const empty = task({ cpuUnits: 256, memoryMiB: 512 }, 5, [
      { name: 'app', cpu: constant(null), memoryMiB: constant(null) },
    ]);
    expect(rightsize([empty], OPTIONS)).toBeUndefined();
    const cpuOnly = task({ cpuUnits: 256, memoryMiB: 512 }, 5, [
      { name: 'app', cpu: constant(0.1), memoryMiB: constant(null) },
    ]);
    expect(rightsize([cpuOnly], OPTIONS)).toBeUndefined();
  });

  test('an unknown current size: no current, no saving', () => {
    const unsized: TaskUsage = {
      ...task({ cpuUnits: 256, memoryMiB: 512 }, 10, [
        { name: 'app', cpu: constant(0.1), memoryMiB: constant(100), limitMiB: 0 },
      ]),
      size: null,
    };
    const recommendation = rightsize([unsized], OPTIONS)!;
    expect([
      recommendation.current,
      recommendation.savingsDollarsPerMonth,
      recommendation.undersized,
    ]).toEqual([null, null, false]);
    const repriced = repriceRecommendation(recommendation, BUILT_IN_PRICES);
    expect([repriced.current, repriced.recommended.dollarsPerHour]).toEqual([null, 0.0123425]);
  });

  test('percentile and headroom out of range are a caller bug', () => {
    expect(() => rightsize([], { ...OPTIONS, percentile: 0 })).toThrow(RangeError);
    expect(() => rightsize([], { ...OPTIONS, percentile: 101 })).toThrow(RangeError);
    expect(() => rightsize([], { ...OPTIONS, headroomPercent: -1 })).toThrow(RangeError);
  });

  test('nearest-rank percentiles', () => {
    expect(percentileOf([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentileOf([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentileOf([5, 1, 4, 2, 3], 20)).toBe(1);
    expect(percentileOf([7], 1)).toBe(7);
  });

  test('container slices that do not fit are shared within the size', () => {
    // Each container's own p95 is its busy phase; the task's is less, as they alternate.
    const alternating = task({ cpuUnits: 1024, memoryMiB: 2048 }, TWO_HOURS, [
      { name: 'a', cpu: (i) => (i % 2 === 0 ? 0.9 : 0), memoryMiB: (i) => (i % 2 === 0 ? 1500 : 10) },
      { name: 'b', cpu: (i) => (i % 2 === 1 ? 0.9 : 0), memoryMiB: (i) => (i % 2 === 1 ? 1500 : 10) },
    ]);
    const recommendation = rightsize([alternating], { ...OPTIONS, headroomPercent: 0 })!;
    expect(recommendation.recommended).toMatchObject({ cpu: '1024', memory: '2048' });
    expect(recommendation.containers.map((c) => [c.cpu, c.memoryReservation])).toEqual([
      [512, 1024],
      [512, 1024],
    ]);
  });
});

const sizeArbitrary = (platform: (typeof FARGATE_PLATFORMS)[number]) =>
  fc.constantFrom(...fargateSizes(platform));

describe('properties', () => {
  const scenario = fc.constantFrom(...FARGATE_PLATFORMS).chain((platform) =>
    fc.record({
      platform: fc.constant(platform),
      size: sizeArbitrary(platform),
      percentile: fc.integer({ min: 1, max: 100 }),
      headroomPercent: fc.integer({ min: 0, max: 100 }),
      containers: fc.integer({ min: 1, max: 4 }),
      cpuShares: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
      memoryShares: fc.array(fc.double({ min: 0.001, max: 1.2, noNaN: true }), {
        minLength: 1,
        maxLength: 60,
      }),
    }),
  );

  test('the recommendation is a valid size that holds what is required (or the largest), and slices fit', () => {
    fc.assert(
      fc.property(
        scenario,
        ({ platform, size, percentile, headroomPercent, containers, cpuShares, memoryShares }) => {
          const loads = Array.from({ length: containers }, (_, c) => ({
            name: `c${c}`,
            cpu: (i: number) =>
              ((cpuShares[i % cpuShares.length]! * size.cpuUnits) / 1024 / containers) * ((c % 2) + 0.5),
            memoryMiB: (i: number) =>
              (memoryShares[(i + c) % memoryShares.length]! * size.memoryMiB) / containers,
          }));
          const usage = task(size, Math.max(cpuShares.length, memoryShares.length), loads);
          const r = rightsize([usage], { ...OPTIONS, platform, percentile, headroomPercent })!;
          const cpuUnits = Number(r.recommended.cpu);
          const memoryMiB = Number(r.recommended.memory);
          expect(isFargateSize(platform, cpuUnits, memoryMiB)).toBe(true);
          const holds = cpuUnits >= r.requiredCpuVcpu * 1024 - 1e-6 && memoryMiB >= r.requiredMemoryMiB;
          const largest = fargateSizes(platform).at(-1)!;
          expect(holds || r.warnings.some((w) => w.startsWith('No Fargate'))).toBe(true);
          if (!holds) expect(cpuUnits === largest.cpuUnits || memoryMiB === largest.memoryMiB).toBe(true);
          if (r.undersized) expect(cpuUnits).toBeGreaterThanOrEqual(size.cpuUnits);
          if (r.undersized && size.cpuUnits < largest.cpuUnits)
            expect(cpuUnits).toBeGreaterThan(size.cpuUnits);
          expect(v.is(recommendationSchema, JSON.parse(JSON.stringify(r)))).toBe(true);
          expect(r.containers.reduce((sum, c) => sum + c.cpu, 0)).toBeLessThanOrEqual(cpuUnits);
          expect(r.containers.reduce((sum, c) => sum + c.memoryReservation, 0)).toBeLessThanOrEqual(
            memoryMiB,
          );
          // Nothing smaller holds it: the recommendation is the cheapest that does.
          if (holds && !r.undersized)
            expect(
              fargateSizes(platform).find(
                (s) => s.cpuUnits >= r.requiredCpuVcpu * 1024 - 1e-6 && s.memoryMiB >= r.requiredMemoryMiB,
              ),
            ).toEqual({ cpuUnits, memoryMiB });
        },
      ),
      { numRuns: 400 },
    );
  });
});
