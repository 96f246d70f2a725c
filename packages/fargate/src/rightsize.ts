import * as v from 'valibot';
import { type PriceTable, priceTask, regionPrices } from './prices.js';
import {
  FARGATE_PLATFORMS,
  type FargatePlatform,
  type FargateSize,
  fargateSizes,
  smallestSizeHolding,
} from './sizes.js';
import { MIN_CONTAINER_MEMORY_MIB } from './task-definition.js';

/*
 * Right-sizing (docs/contract.md, "taskscope rightsize"): the cheapest valid size that holds
 * the CPU percentile and the peak memory, each with headroom, from what a task (or every task of
 * a family) used. Pure: the samples, the price table and the platform are arguments; the agent
 * reads them from its history, the CLI from Prometheus.
 */

/** The contract's month: 730 hours (8,760 / 12). */
export const HOURS_PER_MONTH = 730;
/** A window shorter than this is warned about: too little data to size on. */
export const SHORT_WINDOW_MS = 3_600_000;
/** A sample at or above this share of the task's vCPU is at the limit: Fargate throttles there. */
export const CPU_AT_LIMIT_RATIO = 0.95;
/** A container whose working set reaches this share of its memory limit is at risk of an OOM kill. */
export const OOM_RISK_RATIO = 0.9;

/** One container in one sample: its average CPU over the sample's interval and its working set. */
export interface ContainerSample {
  readonly name: string;
  readonly cpuVcpu: number | null;
  readonly memoryMiB: number | null;
  /** What bounds its memory: its own limit, else the task's; null when unknown. */
  readonly memoryLimitMiB: number | null;
  /** A change from one sample to the next is a restart. */
  readonly startedAtMs: number | null;
  readonly restarts: number | null;
}

/** One sample of a task: the interval ending at `atMs`. */
export interface TaskSample {
  readonly atMs: number;
  readonly containers: readonly ContainerSample[];
}

/** What one task used over the window, oldest sample first. */
export interface TaskUsage {
  /** The task's ARN (or what names it), for warnings. */
  readonly task: string;
  /** The task's size (its metadata limits); null when unknown. */
  readonly size: FargateSize | null;
  readonly samples: readonly TaskSample[];
}

export interface RightsizeOptions {
  /** The CPU percentile that must fit, in (0, 100]. */
  readonly percentile: number;
  /** Added above the percentile and the peak memory, ≥ 0. */
  readonly headroomPercent: number;
  readonly platform: FargatePlatform;
  readonly prices: PriceTable;
  /** The tasks' region, for the rates. */
  readonly region: string;
}

/** A size as a task definition writes it, with its on-demand price (null when the table has none). */
export interface PricedSize {
  readonly cpu: string;
  readonly memory: string;
  readonly dollarsPerHour: number | null;
}

/** What a container should ask for so that the containers' slices fit the recommended size. */
export interface ContainerSuggestion {
  readonly name: string;
  /** CPU units. */
  readonly cpu: number;
  /** MiB. */
  readonly memoryReservation: number;
  readonly cpuPercentileVcpu: number;
  readonly memoryPeakMiB: number;
}

/** The contract's recommendation object (`--format json`, `GET /api/v1/rightsize`). */
export interface Recommendation {
  readonly current: PricedSize | null;
  readonly recommended: PricedSize;
  readonly observed: {
    readonly cpuP50Vcpu: number;
    readonly cpuPercentileVcpu: number;
    readonly cpuPeakVcpu: number;
    readonly memoryPeakMiB: number;
    readonly samples: number;
    readonly tasks: number;
    readonly windowStart: string;
    readonly windowEnd: string;
  };
  readonly percentile: number;
  readonly headroomPercent: number;
  readonly requiredCpuVcpu: number;
  readonly requiredMemoryMiB: number;
  readonly savingsDollarsPerMonth: number | null;
  /** CPU sat at the task's limit: the percentile understates demand, so nothing smaller is recommended. */
  readonly undersized: boolean;
  readonly platform: FargatePlatform;
  readonly region: string;
  /** The region whose rates priced it (another one's when the table has none for `region`). */
  readonly pricedRegion: string;
  readonly containers: readonly ContainerSuggestion[];
  readonly warnings: readonly string[];
}

/** Nearest rank: the smallest observed value with at least `percentile` % of the values at or below it. */
export function percentileOf(values: readonly number[], percentile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
// Up to the shown precision, so the size chosen holds the figure printed (less float noise).
const ceilTo = (value: number, digits: number) => Math.ceil(value * 10 ** digits - 1e-9) / 10 ** digits;

function sumOf(values: readonly (number | null)[]): number | null {
  const reported = values.filter((value): value is number => value !== null);
  return reported.length === 0 ? null : reported.reduce((a, b) => a + b, 0);
}

/**
 * Splits `total` into slices: each its demand when they all fit; otherwise `minimum` each and
 * the rest in proportion to what each wants above it, rounded down, so the sum never passes.
 */
function slices(demands: readonly number[], total: number, minimum: number): number[] {
  const wanted = demands.map((demand) => Math.max(minimum, demand));
  if (wanted.reduce((a, b) => a + b, 0) <= total) return wanted;
  const above = wanted.map((want) => want - minimum);
  const spare = total - minimum * demands.length;
  const weight = above.reduce((a, b) => a + b, 0);
  return above.map((part) => minimum + Math.floor((spare * part) / weight));
}

interface Pooled {
  cpu: number[];
  memory: number;
  memoryRatio: number;
  limitMiB: number | null;
}

/**
 * The recommendation for `tasks` (pooled: the CPU percentile over every task's samples, the peak
 * memory of the task that used most), or undefined when no sample has both CPU and memory.
 */
export function rightsize(
  tasks: readonly TaskUsage[],
  options: RightsizeOptions,
): Recommendation | undefined {
  const { percentile, headroomPercent, platform } = options;
  if (!(percentile > 0 && percentile <= 100))
    throw new RangeError(`percentile ${percentile}: expected (0, 100]`);
  if (!(headroomPercent >= 0)) throw new RangeError(`headroomPercent ${headroomPercent}: expected ≥ 0`);
  const factor = 1 + headroomPercent / 100;
  const taskCpu: number[] = [];
  let memoryPeakMiB = Number.NEGATIVE_INFINITY;
  let samples = 0;
  let atLimit = 0;
  let sizedCpuSamples = 0;
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  const byContainer = new Map<string, Pooled>();
  const restarted = new Set<string>();
  let current: { size: FargateSize; atMs: number } | undefined;
  const sizes = new Set<string>();

  for (const usage of tasks) {
    const last = new Map<string, ContainerSample>();
    for (const sample of usage.samples) {
      const cpu = sumOf(sample.containers.map((c) => c.cpuVcpu));
      const memory = sumOf(sample.containers.map((c) => c.memoryMiB));
      for (const container of sample.containers) {
        const before = last.get(container.name);
        if (
          before !== undefined &&
          ((before.startedAtMs !== null &&
            container.startedAtMs !== null &&
            before.startedAtMs !== container.startedAtMs) ||
            (before.restarts !== null && container.restarts !== null && container.restarts > before.restarts))
        )
          restarted.add(container.name);
        last.set(container.name, container);
        const pooled = byContainer.get(container.name) ?? {
          cpu: [],
          memory: 0,
          memoryRatio: 0,
          limitMiB: null,
        };
        byContainer.set(container.name, pooled);
        if (container.cpuVcpu !== null) pooled.cpu.push(container.cpuVcpu);
        if (container.memoryMiB !== null) {
          pooled.memory = Math.max(pooled.memory, container.memoryMiB);
          if (container.memoryLimitMiB !== null && container.memoryLimitMiB > 0) {
            const ratio = container.memoryMiB / container.memoryLimitMiB;
            if (ratio >= pooled.memoryRatio) {
              pooled.memoryRatio = ratio;
              pooled.limitMiB = container.memoryLimitMiB;
            }
          }
        }
      }
      if (cpu === null && memory === null) continue;
      samples += 1;
      startMs = Math.min(startMs, sample.atMs);
      endMs = Math.max(endMs, sample.atMs);
      if (memory !== null) memoryPeakMiB = Math.max(memoryPeakMiB, memory);
      if (cpu !== null) {
        taskCpu.push(cpu);
        if (usage.size !== null) {
          sizedCpuSamples += 1;
          if (cpu >= (CPU_AT_LIMIT_RATIO * usage.size.cpuUnits) / 1024) atLimit += 1;
        }
      }
      if (usage.size !== null && (current === undefined || sample.atMs >= current.atMs))
        current = { size: usage.size, atMs: sample.atMs };
    }
    if (usage.size !== null && usage.samples.length > 0)
      sizes.add(`${usage.size.cpuUnits}/${usage.size.memoryMiB}`);
  }
  if (taskCpu.length === 0 || memoryPeakMiB === Number.NEGATIVE_INFINITY) return undefined;

  const warnings: string[] = [];
  const cpuPercentile = percentileOf(taskCpu, percentile);
  const requiredCpuVcpu = ceilTo(cpuPercentile * factor, 4);
  const requiredMemoryMiB = ceilTo(memoryPeakMiB * factor, 0);
  // Samples at the limit beyond the share the percentile leaves out: the percentile is itself
  // capped by throttling, so the real demand is unknown but at least the limit.
  const undersized = sizedCpuSamples > 0 && atLimit / sizedCpuSamples > (100 - percentile) / 100;
  const table = fargateSizes(platform);
  const largest = table.at(-1)!;
  let cpuFloorUnits = Math.round(requiredCpuVcpu * 1024 * 1e6) / 1e6;
  if (undersized && current !== undefined) {
    const bigger = table.find((size) => size.cpuUnits > current!.size.cpuUnits);
    cpuFloorUnits = Math.max(cpuFloorUnits, bigger?.cpuUnits ?? current.size.cpuUnits);
    const share = Math.round((100 * atLimit) / sizedCpuSamples);
    warnings.push(
      `Undersized: CPU was at the task's limit (≥ ${100 * CPU_AT_LIMIT_RATIO} % of ${current.size.cpuUnits / 1024} vCPU) in ${share} % of the samples, more than the ${round(100 - percentile, 2)} % the p${percentile} leaves out; demand was capped, so nothing smaller than ${bigger === undefined ? 'the current CPU' : 'the next CPU size up'} is recommended.`,
    );
  }
  let recommended = smallestSizeHolding(platform, cpuFloorUnits, requiredMemoryMiB);
  if (recommended === undefined) {
    recommended = smallestSizeHolding(
      platform,
      Math.min(cpuFloorUnits, largest.cpuUnits),
      Math.min(requiredMemoryMiB, largest.memoryMiB),
    )!;
    warnings.push(
      `No Fargate ${platform} size holds ${requiredCpuVcpu} vCPU and ${requiredMemoryMiB} MiB; the recommendation is the largest that comes closest.`,
    );
  }

  if (endMs - startMs < SHORT_WINDOW_MS)
    warnings.push(
      `The window is ${formatSpan(endMs - startMs)} of samples, shorter than an hour: the recommendation rests on little data.`,
    );
  if (restarted.size > 0)
    warnings.push(
      `A restart in the window (${[...restarted].sort().join(', ')}): usage around a restart may not be typical.`,
    );
  const names = [...byContainer.keys()];
  for (const name of names) {
    const pooled = byContainer.get(name)!;
    if (pooled.memoryRatio >= OOM_RISK_RATIO)
      warnings.push(
        `Container ${name} reached ${Math.round(100 * pooled.memoryRatio)} % of its ${round(pooled.limitMiB!, 1)} MiB memory limit: at risk of an OOM kill.`,
      );
  }
  if (sizes.size > 1)
    warnings.push(
      `The tasks ran at ${sizes.size} sizes (${[...sizes].join(', ')} CPU units/MiB); "current" is the latest task's.`,
    );

  const active = names.filter(
    (name) => byContainer.get(name)!.cpu.length > 0 || byContainer.get(name)!.memory > 0,
  );
  const cpuPercentiles = active.map((name) => {
    const cpu = byContainer.get(name)!.cpu;
    return cpu.length === 0 ? 0 : percentileOf(cpu, percentile);
  });
  const cpuSlices = slices(
    cpuPercentiles.map((value) => Math.ceil(value * factor * 1024 - 1e-9)),
    recommended.cpuUnits,
    0,
  );
  const memorySlices = slices(
    active.map((name) => Math.ceil(byContainer.get(name)!.memory * factor - 1e-9)),
    recommended.memoryMiB,
    MIN_CONTAINER_MEMORY_MIB,
  );
  const containers = active.map((name, i) => ({
    name,
    cpu: cpuSlices[i]!,
    memoryReservation: memorySlices[i]!,
    cpuPercentileVcpu: round(cpuPercentiles[i]!, 4),
    memoryPeakMiB: round(byContainer.get(name)!.memory, 1),
  }));

  const priced = priceSizes(current?.size ?? null, recommended, platform, options.prices, options.region);
  return {
    current: priced.current,
    recommended: priced.recommended,
    observed: {
      cpuP50Vcpu: round(percentileOf(taskCpu, 50), 4),
      cpuPercentileVcpu: round(cpuPercentile, 4),
      cpuPeakVcpu: round(Math.max(...taskCpu), 4),
      memoryPeakMiB: round(memoryPeakMiB, 1),
      samples,
      tasks: tasks.filter((usage) => usage.samples.length > 0).length,
      windowStart: new Date(startMs).toISOString(),
      windowEnd: new Date(endMs).toISOString(),
    },
    percentile,
    headroomPercent,
    requiredCpuVcpu,
    requiredMemoryMiB,
    savingsDollarsPerMonth: priced.savingsDollarsPerMonth,
    undersized,
    platform,
    region: options.region,
    pricedRegion: priced.pricedRegion,
    containers,
    warnings: [...warnings, ...priced.warnings],
  };
}

/** A span under an hour: `4m 30s`, `5m`, `0s`. */
function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return [m > 0 ? `${m}m` : '', s > 0 || m === 0 ? `${s}s` : ''].filter(Boolean).join(' ');
}

const PRICING_WARNING = /^(Priced at |Not priced: )/;

function priceSizes(
  current: FargateSize | null,
  recommended: FargateSize,
  platform: FargatePlatform,
  prices: PriceTable,
  region: string,
) {
  const dollars = (size: FargateSize) => {
    const price = priceTask(prices, { region, platform, size });
    return price === undefined ? null : round(price.dollarsPerHour, 8);
  };
  const priced = (size: FargateSize): PricedSize => ({
    cpu: String(size.cpuUnits),
    memory: String(size.memoryMiB),
    dollarsPerHour: dollars(size),
  });
  const lookup = regionPrices(prices, region);
  const warnings: string[] = [];
  if (lookup.fallback)
    warnings.push(
      `Priced at ${lookup.region} rates: the price table (${prices.source}) has none for ${region}.`,
    );
  if (lookup.prices.platforms[platform] === undefined)
    warnings.push(
      `Not priced: the price table (${prices.source}) has no ${platform} rates for ${lookup.region}.`,
    );
  const before = current === null ? null : priced(current);
  const after = priced(recommended);
  const savingsDollarsPerMonth =
    before?.dollarsPerHour == null || after.dollarsPerHour === null
      ? null
      : round((before.dollarsPerHour - after.dollarsPerHour) * HOURS_PER_MONTH, 2);
  return {
    current: before,
    recommended: after,
    savingsDollarsPerMonth,
    pricedRegion: lookup.region,
    warnings,
  };
}

/**
 * The same recommendation at another table's rates (`rightsize --agent … --prices FILE`: the agent
 * sized it, the user's table prices it). The sizes do not depend on the rates: the smallest size
 * holding a demand is the cheapest under any positive rates (see `fargateSizes`).
 */
export function repriceRecommendation(recommendation: Recommendation, prices: PriceTable): Recommendation {
  const size = (priced: PricedSize): FargateSize => ({
    cpuUnits: Number(priced.cpu),
    memoryMiB: Number(priced.memory),
  });
  const priced = priceSizes(
    recommendation.current === null ? null : size(recommendation.current),
    size(recommendation.recommended),
    recommendation.platform,
    prices,
    recommendation.region,
  );
  return {
    ...recommendation,
    current: priced.current,
    recommended: priced.recommended,
    savingsDollarsPerMonth: priced.savingsDollarsPerMonth,
    pricedRegion: priced.pricedRegion,
    warnings: [...recommendation.warnings.filter((w) => !PRICING_WARNING.test(w)), ...priced.warnings],
  };
}

const pricedSizeSchema = v.object({
  cpu: v.pipe(v.string(), v.regex(/^\d+$/)),
  memory: v.pipe(v.string(), v.regex(/^\d+$/)),
  dollarsPerHour: v.nullable(v.number()),
});

/**
 * The {@link Recommendation} as JSON, for a reader of `GET /api/v1/rightsize` to check the
 * answer at its edge (`taskscope rightsize --agent`). Fields added later pass through.
 */
export const recommendationSchema = v.object({
  current: v.nullable(pricedSizeSchema),
  recommended: pricedSizeSchema,
  observed: v.object({
    cpuP50Vcpu: v.number(),
    cpuPercentileVcpu: v.number(),
    cpuPeakVcpu: v.number(),
    memoryPeakMiB: v.number(),
    samples: v.number(),
    tasks: v.number(),
    windowStart: v.string(),
    windowEnd: v.string(),
  }),
  percentile: v.number(),
  headroomPercent: v.number(),
  requiredCpuVcpu: v.number(),
  requiredMemoryMiB: v.number(),
  savingsDollarsPerMonth: v.nullable(v.number()),
  undersized: v.boolean(),
  platform: v.picklist(FARGATE_PLATFORMS),
  region: v.string(),
  pricedRegion: v.string(),
  containers: v.array(
    v.object({
      name: v.string(),
      cpu: v.number(),
      memoryReservation: v.number(),
      cpuPercentileVcpu: v.number(),
      memoryPeakMiB: v.number(),
    }),
  ),
  warnings: v.array(v.string()),
}) satisfies v.GenericSchema<unknown, Recommendation>;
