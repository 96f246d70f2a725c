import type { TaskMetrics } from '@taskscope/core';
import { costSoFar, type FargatePlatform, type PriceTable, priceTask, regionOf } from '@taskscope/fargate';

/*
 * The live cost meter (issue #12): what the task's size costs an hour at on-demand prices, and
 * what it has cost since its image pull started. Fargate only: on EC2 the instance is billed,
 * not the task (docs/contract.md, "Fargate sizes and prices"). Pure: the price table, the
 * platform and the time are arguments.
 */

/** How the agent prices its task: the table (built in, or `--prices`) and the task's platform. */
export interface Pricing {
  readonly table: PriceTable;
  /** The platform the agent itself runs on, which is the task's (see {@link processPlatform}). */
  readonly platform: FargatePlatform;
}

/** The task's price and cost so far, in US dollars. */
export interface TaskCostFigures {
  readonly dollarsPerHour: number;
  /** From `PullStartedAt` to now, with the platform's minimum; absent without a pull start. */
  readonly estimatedDollarsSoFar?: number;
  /** The region whose rates apply. */
  readonly pricedRegion: string;
  /** The task's own region, when its rates are not in the table and another's were used. */
  readonly fallbackFrom?: string;
}

const MIB = 1024 * 1024;

/**
 * The platform of this process, which a sidecar shares with its task: a Fargate task runs one
 * OS and architecture for all its containers (`runtimePlatform`), so the agent's own
 * `process.platform` and `process.arch` tell which rates apply.
 */
export function processPlatform(
  platform: string = process.platform,
  arch: string = process.arch,
): FargatePlatform {
  if (platform === 'win32') return 'windows';
  return arch === 'arm64' ? 'linux/arm64' : 'linux/x86_64';
}

/**
 * The cost figures of a task, or `undefined` when it has none: not Fargate, or no region, CPU
 * or memory limit in its metadata, or no rates for its platform in the table. Windows stats
 * (core's `windows` cgroup shape) price as Windows whatever the process says: a test or a
 * recording may run the agent elsewhere than the task ran.
 */
export function taskCostOf(
  metrics: TaskMetrics,
  pricing: Pricing,
  nowMs: number,
): TaskCostFigures | undefined {
  const { identity, limits } = metrics;
  if (identity.launchType !== 'FARGATE') return undefined;
  const region =
    identity.region ??
    (identity.availabilityZone === undefined ? undefined : regionOf(identity.availabilityZone));
  if (region === undefined || limits.cpuVcpus === undefined || limits.memoryBytes === undefined)
    return undefined;
  const windows = metrics.containers.some((container) => container.stats?.cgroup === 'windows');
  const allocatedBytes = metrics.ephemeralStorage?.allocatedBytes;
  const price = priceTask(pricing.table, {
    region,
    platform: windows ? 'windows' : pricing.platform,
    // The metadata's limits are the task definition's size: 1024 CPU units a vCPU, MiB of memory.
    size: { cpuUnits: Math.round(limits.cpuVcpus * 1024), memoryMiB: Math.round(limits.memoryBytes / MIB) },
    // The metadata's `EphemeralStorageMetrics.Reserved` is a few MiB above the GiB the task
    // definition asked for (20,496 MiB for the default 20 GiB in ecs_exporter's Fargate capture);
    // what is billed is the whole GiB configured.
    ...(allocatedBytes === undefined
      ? {}
      : { ephemeralStorageGiB: Math.floor(allocatedBytes / (1024 * MIB)) }),
  });
  if (price === undefined) return undefined;
  const pullStartedAtMs = metrics.imagePull?.startedAtMs;
  return {
    dollarsPerHour: price.dollarsPerHour,
    ...(pullStartedAtMs === undefined
      ? {}
      : { estimatedDollarsSoFar: costSoFar(price, pullStartedAtMs, nowMs).dollars }),
    pricedRegion: price.region,
    ...(price.fallback ? { fallbackFrom: region } : {}),
  };
}
