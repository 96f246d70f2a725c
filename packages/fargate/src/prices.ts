import { deepFreeze, problemsOf, safeParseInput } from '@taskscope/input';
import * as v from 'valibot';
import { PriceTableError } from './errors.js';
import { FARGATE_PLATFORMS, type FargatePlatform, type FargateSize } from './sizes.js';

/** The on-demand rates of one platform in one region. */
export interface PlatformRates {
  readonly dollarsPerVcpuHour: number;
  /** Fargate bills memory per GB-hour of the task's memory, MiB / 1024. */
  readonly dollarsPerGbHour: number;
  /** Windows only: the OS licence fee, per vCPU-hour on top of the vCPU rate; 0 elsewhere. */
  readonly licenceDollarsPerVcpuHour: number;
  /** The shortest time a task is billed for, or null when no source says. */
  readonly minimumBilledSeconds: number | null;
}

/** The rates of one region: per platform (a table may leave some out) and for ephemeral storage. */
export interface RegionPrices {
  readonly platforms: Readonly<Partial<Record<FargatePlatform, PlatformRates>>>;
  /** Per GB-hour of ephemeral storage above the free 20 GiB. */
  readonly dollarsPerEphemeralGbHour: number;
}

/** A price table: where its figures come from, when they were read, and the rates by region. */
export interface PriceTable {
  readonly source: string;
  /** The day the figures were read from their source, `YYYY-MM-DD`. */
  readonly retrievedOn: string;
  /** The region whose rates a region missing from the table gets. */
  readonly fallbackRegion: string;
  readonly regions: Readonly<Record<string, RegionPrices>>;
}

/** Fargate gives every task this much ephemeral storage free (platform 1.4.0+). */
export const FREE_EPHEMERAL_STORAGE_GIB = 20;

/*
 * The built-in table: us-east-1 on-demand, the only region with figures we could source. AWS's
 * pricing page (https://aws.amazon.com/fargate/pricing/) renders its rates in the browser, so the
 * figures are the transcriptions of its us-east-1 tab by Vantage
 * (https://www.vantage.sh/blog/fargate-pricing, first published 2021-04-22, updated since, the
 * only source for the ARM and Windows rates) and Wring (https://www.wring.co/blog/aws-fargate-pricing-guide,
 * 2026-03-10, the Linux/x86 rates), and the "$0.000011244 per vCPU second" (= $0.04048 an hour)
 * of https://aws.amazon.com/ecs/pricing/ as read on 2026-09-20. Ephemeral storage: $0.000111 per
 * GB-hour above the free 20 GB (Vantage). Billing is per second, rounded up, from the start of
 * the image pull; "a minimum charge of 1 minute applies" is AWS's own wording for Linux (quoted
 * from the pricing page in https://devops.stackexchange.com/questions/4830). For Windows we found
 * no source that states a minimum (one is often said to be 15 minutes, unconfirmed): it is null,
 * and the cost so far then bills the elapsed seconds only, which is a lower bound.
 */
const US_EAST_1: RegionPrices = {
  platforms: {
    'linux/x86_64': {
      dollarsPerVcpuHour: 0.04048,
      dollarsPerGbHour: 0.004445,
      licenceDollarsPerVcpuHour: 0,
      minimumBilledSeconds: 60,
    },
    'linux/arm64': {
      dollarsPerVcpuHour: 0.03238,
      dollarsPerGbHour: 0.00356,
      licenceDollarsPerVcpuHour: 0,
      minimumBilledSeconds: 60,
    },
    windows: {
      dollarsPerVcpuHour: 0.09148,
      dollarsPerGbHour: 0.01005,
      licenceDollarsPerVcpuHour: 0.046,
      minimumBilledSeconds: null,
    },
  },
  dollarsPerEphemeralGbHour: 0.000111,
};

/** The built-in on-demand price table. */
export const BUILT_IN_PRICES: PriceTable = deepFreeze({
  source:
    'AWS Fargate pricing, us-east-1 on-demand (https://aws.amazon.com/fargate/pricing/), as transcribed by vantage.sh and wring.co',
  retrievedOn: '2026-12-03',
  fallbackRegion: 'us-east-1',
  regions: { 'us-east-1': US_EAST_1 },
});

const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d+$/;
const REGION_WORDS = 'an AWS region name such as "us-east-1"';

const dollars = v.pipe(v.number(), v.finite(), v.minValue(0));

const platformRatesSchema = v.strictObject({
  dollarsPerVcpuHour: dollars,
  dollarsPerGbHour: dollars,
  licenceDollarsPerVcpuHour: v.optional(dollars),
  minimumBilledSeconds: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
});

const regionSchema = v.strictObject({
  'linux/x86_64': v.optional(platformRatesSchema),
  'linux/arm64': v.optional(platformRatesSchema),
  windows: v.optional(platformRatesSchema),
  dollarsPerEphemeralGbHour: dollars,
});

/**
 * The JSON of `--prices FILE`: the built-in table's shape, with the platforms of a region side by
 * side instead of under `platforms`. `fallbackRegion` defaults to us-east-1 and must be a region
 * of the file; a platform's `licenceDollarsPerVcpuHour` defaults to 0 and `minimumBilledSeconds`
 * to null (unknown).
 */
export const priceTableSchema = v.strictObject({
  source: v.pipe(v.string(), v.minLength(1, 'a non-empty string naming where the rates come from')),
  retrievedOn: v.pipe(v.string(), v.isoDate('a date as YYYY-MM-DD')),
  fallbackRegion: v.optional(v.pipe(v.string(), v.regex(REGION, REGION_WORDS))),
  // Region names are checked after the parse: valibot reports a bad key with the entry's value.
  regions: v.record(v.string(), regionSchema),
});

/** What {@link priceTableSchema} accepts, as written in the file. */
export type PriceTableInput = v.InferInput<typeof priceTableSchema>;

/**
 * Reads a price table from parsed JSON, or throws a {@link PriceTableError} listing every problem
 * (`source` names what was read, e.g. `price table prices.json`).
 */
export function parsePriceTable(input: unknown, source: string): PriceTable {
  const result = safeParseInput(priceTableSchema, input);
  const problems = result.success ? [] : problemsOf(result.issues, input, [], priceTableSchema);
  const regions = (input as { regions?: unknown } | null)?.regions;
  if (typeof regions === 'object' && regions !== null) {
    for (const name of Object.keys(regions))
      if (!REGION.test(name)) problems.push({ field: `regions.${name}`, value: name, allowed: REGION_WORDS });
  }
  if (!result.success || problems.length > 0) throw new PriceTableError(source, problems);
  const file = result.output;
  const fallbackRegion = file.fallbackRegion ?? 'us-east-1';
  if (!Object.hasOwn(file.regions, fallbackRegion)) {
    const allowed = `a region of "regions" (${Object.keys(file.regions).join(', ') || 'none given'})`;
    throw new PriceTableError(source, [{ field: 'fallbackRegion', value: fallbackRegion, allowed }]);
  }
  const byName: Record<string, RegionPrices> = {};
  for (const [name, region] of Object.entries(file.regions)) {
    const platforms: Partial<Record<FargatePlatform, PlatformRates>> = {};
    for (const platform of FARGATE_PLATFORMS) {
      const rates = region[platform];
      if (rates === undefined) continue;
      platforms[platform] = {
        dollarsPerVcpuHour: rates.dollarsPerVcpuHour,
        dollarsPerGbHour: rates.dollarsPerGbHour,
        licenceDollarsPerVcpuHour: rates.licenceDollarsPerVcpuHour ?? 0,
        minimumBilledSeconds: rates.minimumBilledSeconds ?? null,
      };
    }
    byName[name] = { platforms, dollarsPerEphemeralGbHour: region.dollarsPerEphemeralGbHour };
  }
  return deepFreeze({ source: file.source, retrievedOn: file.retrievedOn, fallbackRegion, regions: byName });
}

/** The rates a task's region gets from a table, and whether they are another region's. */
export interface RegionLookup {
  /** The region asked for. */
  readonly requestedRegion: string;
  /** The region whose rates these are: the requested one, or the table's fallback. */
  readonly region: string;
  /** True when the requested region is not in the table and the fallback's rates stand in. */
  readonly fallback: boolean;
  readonly prices: RegionPrices;
}

/**
 * The prices of `region` in `table`; a region the table does not hold falls back to the table's
 * `fallbackRegion` (us-east-1 for the built-in one) and says so in `fallback`, for the caller to
 * report once.
 */
export function regionPrices(table: PriceTable, region: string): RegionLookup {
  const own = Object.hasOwn(table.regions, region) ? table.regions[region] : undefined;
  if (own !== undefined) return { requestedRegion: region, region, fallback: false, prices: own };
  return {
    requestedRegion: region,
    region: table.fallbackRegion,
    fallback: true,
    prices: table.regions[table.fallbackRegion]!,
  };
}

/**
 * The region of an ARN (`arn:aws:ecs:eu-west-1:…`) or of an availability zone (`eu-west-1b`, a
 * Local Zone such as `us-west-2-lax-1a`), or undefined when `text` is neither.
 */
export function regionOf(text: string): string | undefined {
  const arn = /^arn:[a-z-]+:[a-z0-9-]+:([a-z0-9-]+):/.exec(text);
  const candidate = arn === null ? text : arn[1]!;
  return /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)(?:-[a-z]+-\d+)?[a-z]?$/.exec(candidate)?.[1];
}

/**
 * What a task of `size` costs an hour on `platform` at `rates`: CPU (with the Windows licence fee)
 * and memory as requested in the task definition, plus ephemeral storage above the free 20 GiB.
 */
export function dollarsPerHour(
  rates: PlatformRates,
  dollarsPerEphemeralGbHour: number,
  size: FargateSize,
  ephemeralStorageGiB: number = FREE_EPHEMERAL_STORAGE_GIB,
): number {
  const vcpus = size.cpuUnits / 1024;
  const memoryGb = size.memoryMiB / 1024;
  const billedStorageGb = Math.max(0, ephemeralStorageGiB - FREE_EPHEMERAL_STORAGE_GIB);
  return (
    vcpus * (rates.dollarsPerVcpuHour + rates.licenceDollarsPerVcpuHour) +
    memoryGb * rates.dollarsPerGbHour +
    billedStorageGb * dollarsPerEphemeralGbHour
  );
}

/** What a task is priced at: the hourly price, its minimum, and the region the rates are from. */
export interface TaskPrice {
  readonly dollarsPerHour: number;
  readonly minimumBilledSeconds: number | null;
  readonly region: string;
  /** True when the task's region is not in the table (see {@link regionPrices}). */
  readonly fallback: boolean;
}

/** What {@link priceTask} needs to know about a task. */
export interface PricedTask {
  readonly region: string;
  readonly platform: FargatePlatform;
  readonly size: FargateSize;
  readonly ephemeralStorageGiB?: number;
}

/**
 * The price of a task from a table, or undefined when the table has no rates for the task's
 * platform in its region (a `--prices` file may leave a platform out).
 */
export function priceTask(table: PriceTable, task: PricedTask): TaskPrice | undefined {
  const lookup = regionPrices(table, task.region);
  const rates = lookup.prices.platforms[task.platform];
  if (rates === undefined) return undefined;
  return {
    dollarsPerHour: dollarsPerHour(
      rates,
      lookup.prices.dollarsPerEphemeralGbHour,
      task.size,
      task.ephemeralStorageGiB,
    ),
    minimumBilledSeconds: rates.minimumBilledSeconds,
    region: lookup.region,
    fallback: lookup.fallback,
  };
}

/** What a task has cost so far. */
export interface TaskCost {
  readonly dollars: number;
  /** The seconds billed: the elapsed ones rounded up, or the minimum when that is more. */
  readonly billedSeconds: number;
  /** Whole seconds since the image pull started, rounded up; 0 when `nowMs` is before it. */
  readonly elapsedSeconds: number;
  /** True while the minimum, not the elapsed time, sets the bill. */
  readonly minimumApplied: boolean;
  /** False when the platform's minimum is unknown: `dollars` is then a lower bound. */
  readonly minimumKnown: boolean;
}

/**
 * The cost of a task so far: billed "from the time you start to download your container image
 * until the Amazon ECS Task … terminates, rounded up to the nearest second"
 * (https://aws.amazon.com/fargate/pricing/), so from `PullStartedAt` to `nowMs` (or the task's
 * stop), with the platform's minimum. Both times are epoch milliseconds, given by the caller.
 */
export function costSoFar(
  price: Pick<TaskPrice, 'dollarsPerHour' | 'minimumBilledSeconds'>,
  pullStartedAtMs: number,
  nowMs: number,
): TaskCost {
  const elapsedSeconds = Math.max(0, Math.ceil((nowMs - pullStartedAtMs) / 1000));
  const minimum = price.minimumBilledSeconds ?? 0;
  const billedSeconds = Math.max(elapsedSeconds, minimum);
  return {
    dollars: (price.dollarsPerHour * billedSeconds) / 3600,
    billedSeconds,
    elapsedSeconds,
    minimumApplied: minimum > elapsedSeconds,
    minimumKnown: price.minimumBilledSeconds !== null,
  };
}
