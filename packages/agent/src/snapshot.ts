import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import {
  SNAPSHOT_SCHEMA_ID,
  type Snapshot,
  type SnapshotContainer,
  type SnapshotInterface,
  type SnapshotPoll,
  type SnapshotTask,
  type SnapshotTotals,
} from '@taskscope/sdk';
import type { ApiVersion } from '@taskscope/wire';
import type { CadenceState } from './cadence.js';
import type { ExporterName, PollInterval } from './config.js';
import { type Pricing, taskCostOf } from './cost.js';
import type { PollStatus } from './store.js';

/** Version tag of every `/api/v1/*` document (the SDK's schema); bumped only on a breaking change. */
export const SNAPSHOT_SCHEMA = SNAPSHOT_SCHEMA_ID;

/** What {@link buildSnapshot} turns into one `taskscope.snapshot/v1` document. */
export interface SnapshotInput {
  /** The metrics of the latest closed refresh cycle; `undefined` before the first good poll. */
  readonly metrics: TaskMetrics | undefined;
  /**
   * The cycle's newest `read`, ms since the epoch, fraction kept (core's `RefreshCycle.readAtMs`);
   * default: the metrics' newest `read`.
   */
  readonly cycleReadMs?: number | undefined;
  /** The document's `id`; default: `cycleReadMs` in whole ms. */
  readonly id?: number | undefined;
  readonly status: PollStatus;
  readonly endpoint: { readonly url: string; readonly version: ApiVersion };
  readonly interval: PollInterval;
  /** The `--interval auto` learner's state, when it runs. */
  readonly cadence?: CadenceState | undefined;
  readonly exporters: readonly ExporterName[];
  /** How to price the task; without it `cost` is `null`. */
  readonly pricing?: Pricing | undefined;
  /** When the document is made (local clock), ms since the epoch. */
  readonly nowMs: number;
}

/**
 * Core's TaskMetrics and the poll status as the agent API's `taskscope.snapshot/v1` document
 * (`@taskscope/sdk`'s SnapshotSchema). Pure. Whatever core left out (no interval yet, a `null`
 * stats entry, no limit) is `null`, never 0: percentages only where both numbers exist, sums
 * only over what was reported. `cost` is the task's on-demand price and cost so far (Fargate
 * only, cost.ts), `null` where either is unknown.
 */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const { metrics, nowMs } = input;
  const cycleReadMs = input.cycleReadMs ?? metrics?.sample.readAtMs;
  const id = input.id ?? (cycleReadMs === undefined ? null : Math.floor(cycleReadMs));
  const newestReadMs = metrics?.sample.readAtMs;
  return {
    schema: SNAPSHOT_SCHEMA,
    generatedAt: new Date(nowMs).toISOString(),
    id,
    sample:
      metrics === undefined
        ? null
        : { kind: metrics.sample.kind, intervalSeconds: cycleInterval(metrics, cycleReadMs) },
    task: metrics === undefined ? null : taskOf(metrics),
    containers: metrics === undefined ? [] : metrics.containers.map((c) => containerOf(c, metrics)),
    networks: metrics === undefined ? [] : metrics.networks.map(interfaceOf),
    totals: metrics === undefined ? null : totalsOf(metrics),
    cost: metrics === undefined || input.pricing === undefined ? null : costOf(metrics, input.pricing, nowMs),
    poll: pollOf(input, newestReadMs === undefined ? null : Math.max(0, Math.round(nowMs - newestReadMs))),
  };
}

function costOf(metrics: TaskMetrics, pricing: Pricing, nowMs: number): Snapshot['cost'] {
  const figures = taskCostOf(metrics, pricing, nowMs);
  if (figures?.estimatedDollarsSoFar === undefined) return null;
  return {
    currency: 'USD',
    dollarsPerHour: figures.dollarsPerHour,
    estimatedDollarsSoFar: figures.estimatedDollarsSoFar,
    pricedRegion: figures.pricedRegion,
    regionFallback: figures.fallbackFrom !== undefined,
  };
}

/** `undefined` (core: not reported) → `null` (the API: not reported). */
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** `part` of `whole` in percent, only when both were reported and the whole is not 0. */
function percent(part: number | undefined, whole: number | undefined): number | null {
  if (part === undefined || whole === undefined || !(whole > 0)) return null;
  return (part / whole) * 100;
}

/** Σ of what was reported; `null` when nothing was. */
function sumReported(values: Iterable<number | undefined>): number | null {
  let sum: number | null = null;
  for (const value of values) if (value !== undefined) sum = (sum ?? 0) + value;
  return sum;
}

/**
 * The interval the cycle's rates cover: that of the container whose `read` is the cycle's
 * newest (the containers of a task refresh at their own moments, each over its own interval).
 */
function cycleInterval(metrics: TaskMetrics, cycleReadMs: number | undefined): number | null {
  let newest: ContainerMetrics | undefined;
  for (const container of metrics.containers) {
    const readAtMs = container.stats?.readAtMs;
    if (readAtMs === undefined || (cycleReadMs !== undefined && readAtMs > cycleReadMs)) continue;
    if (newest === undefined || readAtMs > newest.stats!.readAtMs) newest = container;
  }
  return orNull(newest?.stats?.intervalSeconds);
}

function taskOf(metrics: TaskMetrics): SnapshotTask {
  const { identity, limits } = metrics;
  return {
    identity: {
      // The short name: the ARN's account and region are in taskArn.
      cluster: identity.clusterName,
      taskArn: identity.taskArn,
      taskId: identity.taskId,
      family: identity.family,
      revision: identity.revision,
      region: orNull(identity.region),
      availabilityZone: orNull(identity.availabilityZone),
      launchType: orNull(identity.launchType),
      serviceName: orNull(identity.serviceName),
      knownStatus: identity.knownStatus,
      desiredStatus: orNull(identity.desiredStatus),
    },
    size: { cpuVcpus: orNull(limits.cpuVcpus), memoryBytes: orNull(limits.memoryBytes) },
    networkMode: metrics.networkMode,
    cgroup: orNull(metrics.cgroup),
  };
}

function containerOf(container: ContainerMetrics, metrics: TaskMetrics): SnapshotContainer {
  const stats = container.stats;
  const cores = stats?.cpu.cores;
  const workingSetBytes = stats?.memory.workingSetBytes;
  return {
    name: container.name,
    dockerId: container.dockerId,
    image: orNull(container.image),
    state: container.knownStatus ?? 'UNKNOWN',
    desiredState: orNull(container.desiredStatus),
    health:
      container.health === undefined
        ? null
        : { status: container.health.status, sinceMs: orNull(container.health.sinceMs) },
    restarts: orNull(container.restartCount),
    exitCode: orNull(container.exitCode),
    startedAtMs: orNull(container.startedAtMs),
    cpu: {
      cores: orNull(cores),
      percentOfTask: percent(cores, metrics.limits.cpuVcpus),
      limitCores: container.cpuShares === undefined ? null : container.cpuShares / 1024,
    },
    memory: {
      workingSetBytes: orNull(workingSetBytes),
      limitBytes: orNull(container.memoryLimitBytes),
      percentOfLimit: percent(workingSetBytes, container.memoryLimitBytes),
    },
    network: metrics.networkMode === 'bridge' ? bridgeNetworkOf(container.name, metrics) : null,
    blockIo: {
      readBytesPerSecond: orNull(stats?.blockIo?.readBytesPerSecond),
      writeBytesPerSecond: orNull(stats?.blockIo?.writeBytesPerSecond),
    },
  };
}

/** Bridge mode: the container's own namespace, Σ over its interfaces. */
function bridgeNetworkOf(name: string, metrics: TaskMetrics): SnapshotContainer['network'] {
  const own = metrics.networks.filter((network) => network.containerName === name);
  return {
    rxBytesPerSecond: sumReported(own.map((network) => network.rxBytesPerSecond)),
    txBytesPerSecond: sumReported(own.map((network) => network.txBytesPerSecond)),
  };
}

function interfaceOf(network: TaskMetrics['networks'][number]): SnapshotInterface {
  return {
    interface: network.interface,
    containerName: orNull(network.containerName),
    rxBytesPerSecond: orNull(network.rxBytesPerSecond),
    txBytesPerSecond: orNull(network.txBytesPerSecond),
    rxPacketsPerSecond: orNull(network.rxPacketsPerSecond),
    txPacketsPerSecond: orNull(network.txPacketsPerSecond),
  };
}

function totalsOf(metrics: TaskMetrics): SnapshotTotals {
  const { totals } = metrics;
  const ratioPercent = (ratio: number | undefined) => (ratio === undefined ? null : ratio * 100);
  return {
    cpuCores: orNull(totals.cpuCores),
    cpuPercentOfTask: ratioPercent(totals.cpuUtilization),
    memoryWorkingSetBytes: orNull(totals.memoryWorkingSetBytes),
    memoryPercentOfTask: ratioPercent(totals.memoryWorkingSetUtilization),
    networkRxBytesPerSecond: orNull(totals.networkRxBytesPerSecond),
    networkTxBytesPerSecond: orNull(totals.networkTxBytesPerSecond),
    // Core sums the interval's bytes (EMF's StorageReadBytes); the API shows rates.
    diskReadBytesPerSecond: sumReported(metrics.containers.map((c) => c.stats?.blockIo?.readBytesPerSecond)),
    diskWriteBytesPerSecond: sumReported(
      metrics.containers.map((c) => c.stats?.blockIo?.writeBytesPerSecond),
    ),
  };
}

function pollOf(input: SnapshotInput, lastSampleAgeMs: number | null): SnapshotPoll {
  const { status, interval, cadence } = input;
  return {
    ready: status.ready,
    endpoint: { url: input.endpoint.url, version: input.endpoint.version },
    interval:
      interval.mode === 'fixed'
        ? { mode: 'fixed', intervalMs: interval.intervalMs, learned: false }
        : {
            mode: 'auto',
            intervalMs: cadence?.cadenceMs === undefined ? null : Math.round(cadence.cadenceMs),
            learned: cadence?.learned ?? false,
          },
    exporters: [...input.exporters],
    lastPollAt: orNull(status.lastPollAt),
    lastSuccessAt: orNull(status.lastSuccessAt),
    lastFreshAt: orNull(status.lastFreshAt),
    lastSampleAgeMs,
    consecutiveFailures: status.consecutiveFailures,
    failures: status.failures,
    lastError: status.lastError === undefined ? null : { ...status.lastError },
    requests: { task: status.requests.task, task_stats: status.requests.task_stats },
    samples: { fresh: status.samples.fresh, duplicate: status.samples.duplicate },
  };
}
