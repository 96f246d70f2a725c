import type { ContainerMetrics, CycleStep, RefreshCycle, TaskMetrics } from '@taskscope/core';
import type { TaskCostSample } from '../cost.js';
import { type EmfDropCounts, usableDimensionSets } from './limits.js';

/** The CloudWatch units this translator uses (a subset of the EMF specification's list). */
export type EmfUnit = 'None' | 'Megabytes' | 'Bytes' | 'Bytes/Second' | 'Percent';

/** One metric definition of a directive. */
export interface EmfMetricDefinition {
  readonly Name: string;
  readonly Unit: EmfUnit;
}

/** One EMF document: a root `_aws` member, dimension and property members, and metric values. */
export interface EmfEvent {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly EmfMetricDefinition[];
    }[];
  };
  readonly [member: string]: unknown;
}

/** Options of {@link translateEmf}. */
export interface EmfTranslateOptions {
  readonly namespace: string;
  /** Also emit one `"Type":"Container"` event per container with stats. */
  readonly containerMetrics: boolean;
  /** The task's price and cost now, as two more Task metrics; without it they are left out. */
  readonly cost?: TaskCostSample | undefined;
  /** Counts what CloudWatch's dimension rules made the translator leave out (./limits.ts). */
  readonly dropped?: EmfDropCounts | undefined;
}

/**
 * What one poll's lines cover when the containers refresh at different moments (core's
 * `advanceCycle`): the Task event reports a closed refresh cycle, and Container events only the
 * containers whose `read` advanced, so every interval is in exactly one event of each type
 * (docs/contract.md, "Numbers every computation obeys").
 */
export type EmfPollScope = Pick<CycleStep, 'closed' | 'advanced'>;

/** EMF specification: "MUST NOT contain more than 100 MetricDefinition objects". */
export const EMF_MAX_METRICS_PER_DIRECTIVE = 100;
/** EMF specification: "A DimensionSet MUST NOT contain more than 30 dimension keys". */
export const EMF_MAX_DIMENSION_KEYS = 30;
/**
 * Non-blocking `awslogs` (the ECS default since 2025-06-25) and FireLens split lines over
 * 16 KiB into several events, which breaks a JSON document (moby/moby#41794).
 */
export const EMF_MAX_LINE_BYTES = 16 * 1024;

const MIB = 1024 * 1024;

type Values = [name: string, unit: EmfUnit, value: number | undefined][];

/** 1024 CPU units = 1 vCPU, as Container Insights' `CpuUtilized` counts. */
const cpuUnits = (cores: number | undefined): number | undefined =>
  cores === undefined ? undefined : cores * 1024;
const percent = (ratio: number | undefined): number | undefined =>
  ratio === undefined ? undefined : ratio * 100;
const mebibytes = (bytes: number | undefined): number | undefined =>
  bytes === undefined ? undefined : bytes / MIB;

function taskValues(
  m: TaskMetrics,
  cycle: RefreshCycle | undefined,
  cost: TaskCostSample | undefined,
): Values {
  const t = m.totals;
  // Bytes: the cycle's own intervals (each container's once), not the sum of every container's
  // latest interval, which repeats those of containers that have not refreshed since.
  const storageReadBytes = cycle ? cycle.storageReadBytes : t.storageReadBytes;
  const storageWriteBytes = cycle ? cycle.storageWriteBytes : t.storageWriteBytes;
  return [
    ['CpuUtilized', 'None', cpuUnits(t.cpuCores)],
    ['CpuReserved', 'None', t.cpuReservedUnits],
    ['MemoryUtilized', 'Megabytes', t.memoryUtilizedMiB],
    ['MemoryReserved', 'Megabytes', mebibytes(m.limits.memoryBytes)],
    ['NetworkRxBytes', 'Bytes/Second', t.networkRxBytesPerSecond],
    ['NetworkTxBytes', 'Bytes/Second', t.networkTxBytesPerSecond],
    ['StorageReadBytes', 'Bytes', storageReadBytes],
    ['StorageWriteBytes', 'Bytes', storageWriteBytes],
    ['CpuUtilization', 'Percent', percent(t.cpuUtilization)],
    ['MemoryUtilization', 'Percent', percent(t.memoryUtilization)],
    // Container Insights has no cost metric: taskscope's names, in its style. CloudWatch has no
    // currency unit, so `None`, with the currency in the name.
    ['TaskPriceDollarsPerHour', 'None', cost?.dollarsPerHour],
    ['EstimatedCostDollars', 'None', cost?.estimatedDollarsSoFar],
  ];
}

function containerValues(m: TaskMetrics, c: ContainerMetrics): Values {
  const s = c.stats!;
  // Bridge mode only: each container has its own interfaces. In awsvpc the interfaces are the
  // task's and are reported once on the Task event.
  const own = m.networks.filter((n) => n.containerName === c.name);
  const sum = (pick: (n: (typeof own)[number]) => number | undefined): number | undefined =>
    own.length === 0 || own.some((n) => pick(n) === undefined)
      ? undefined
      : own.reduce((a, n) => a + pick(n)!, 0);
  // The ECS agent floors each container's MiB before summing (docs/peers.md §3.7).
  const utilizedMiB =
    s.memory.utilizedBytes === undefined ? undefined : Math.floor(s.memory.utilizedBytes / MIB);
  const limitMiB = mebibytes(c.memoryLimitBytes);
  return [
    ['ContainerCpuUtilized', 'None', cpuUnits(s.cpu.cores)],
    ['ContainerCpuReserved', 'None', c.cpuShares],
    ['ContainerMemoryUtilized', 'Megabytes', utilizedMiB],
    ['ContainerMemoryReserved', 'Megabytes', limitMiB],
    ['ContainerNetworkRxBytes', 'Bytes/Second', sum((n) => n.rxBytesPerSecond)],
    ['ContainerNetworkTxBytes', 'Bytes/Second', sum((n) => n.txBytesPerSecond)],
    ['ContainerStorageReadBytes', 'Bytes', s.blockIo?.readBytesDelta],
    ['ContainerStorageWriteBytes', 'Bytes', s.blockIo?.writeBytesDelta],
    [
      'ContainerMemoryUtilization',
      'Percent',
      utilizedMiB === undefined || limitMiB === undefined || limitMiB === 0
        ? undefined
        : (utilizedMiB / limitMiB) * 100,
    ],
  ];
}

/** Drop undefined members so absent values are absent, not `null`. */
function defined(members: Record<string, string | number | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const key in members) {
    const value = members[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Bytes a string can take in a JSON line at most: quotes, and 6 bytes a code unit (`\u001f`). */
const stringBytesBound = (s: string): number => 2 + 6 * s.length;
/** Bytes a number can take in JSON at most (`-2.2250738585072014e-308`), with its separators. */
const NUMBER_BYTES_BOUND = 32;

/**
 * An upper bound of the UTF-8 length of `JSON.stringify(event)` for the given content, cheap
 * to compute: an event under it cannot reach the line limit, so it is not serialized to check.
 */
function lineBytesBound(
  namespace: string,
  dimensions: readonly (readonly string[])[],
  members: Record<string, string | number>,
  chunk: readonly (readonly [string, EmfUnit, number])[],
): number {
  // The fixed keys and punctuation of the `_aws` member, generously.
  let bytes = 256 + NUMBER_BYTES_BOUND + stringBytesBound(namespace);
  for (const set of dimensions) {
    bytes += 4;
    for (const name of set) bytes += stringBytesBound(name) + 4;
  }
  for (const key in members) {
    const value = members[key]!;
    bytes +=
      stringBytesBound(key) + 4 + (typeof value === 'string' ? stringBytesBound(value) : NUMBER_BYTES_BOUND);
  }
  // Each metric appears twice: its definition (`{"Name":…,"Unit":…}`) and its value member.
  for (const [name, unit] of chunk)
    bytes += 2 * stringBytesBound(name) + stringBytesBound(unit) + 32 + NUMBER_BYTES_BOUND;
  return bytes;
}

/**
 * Build the events for one set of values (exported for tests of the limits), leaving out every metric without a value this
 * interval (never an invented 0), and splitting into several events when a directive would
 * pass 100 metrics or a line 16 KiB.
 */
export function emfEvents(
  timestampMs: number,
  namespace: string,
  dimensions: string[][],
  members: Record<string, string | number>,
  values: Values,
): EmfEvent[] {
  const present = values.filter(
    (v): v is [string, EmfUnit, number] => v[2] !== undefined && Number.isFinite(v[2]),
  );
  if (present.length === 0) return [];
  const build = (chunk: [string, EmfUnit, number][]): EmfEvent => {
    const event: Record<string, unknown> = {
      _aws: {
        Timestamp: Math.floor(timestampMs),
        CloudWatchMetrics: [
          {
            Namespace: namespace,
            Dimensions: dimensions,
            Metrics: chunk.map(([Name, Unit]) => ({ Name, Unit })),
          },
        ],
      },
      ...members,
    };
    for (const [name, , value] of chunk) event[name] = value;
    return event as EmfEvent;
  };
  const tooLong = (chunk: [string, EmfUnit, number][]): boolean =>
    lineBytesBound(namespace, dimensions, members, chunk) >= EMF_MAX_LINE_BYTES &&
    Buffer.byteLength(JSON.stringify(build(chunk))) >= EMF_MAX_LINE_BYTES;
  const out: EmfEvent[] = [];
  let rest = present;
  while (rest.length > 0) {
    let chunk =
      rest.length > EMF_MAX_METRICS_PER_DIRECTIVE ? rest.slice(0, EMF_MAX_METRICS_PER_DIRECTIVE) : rest;
    while (chunk.length > 1 && tooLong(chunk)) chunk = chunk.slice(0, Math.ceil(chunk.length / 2));
    out.push(build(chunk));
    rest = chunk === rest ? [] : rest.slice(chunk.length);
  }
  return out;
}

const CONTAINER_DIMENSIONS: readonly (readonly string[])[] = [
  ['ClusterName', 'TaskDefinitionFamily', 'ContainerName'],
];

/**
 * Translate one fresh sample into CloudWatch EMF documents (docs/contract.md "CloudWatch"). Pure.
 * A Task event with Container Insights names and units; with `containerMetrics`, a Container
 * event per container with stats. Task identity rides as properties, never as dimensions.
 * Returns nothing when no container has stats (there is no `read` to timestamp the values).
 *
 * With a `scope` (the agent passes one on every poll), a Task event per closed refresh cycle,
 * timestamped at the cycle's newest `read`, and Container events for the advanced containers
 * only. Without one, the sample stands alone (one Task event, every container).
 */
export function translateEmf(
  metrics: TaskMetrics,
  options: EmfTranslateOptions,
  scope?: EmfPollScope,
): EmfEvent[] {
  const readAtMs = metrics.sample.readAtMs;
  if (readAtMs === undefined) return [];
  const id = metrics.identity;
  const dimensions = [['ClusterName'], ['ClusterName', 'TaskDefinitionFamily']];
  // Each dimension set multiplies the billed custom metrics; ServiceName only when known.
  if (id.serviceName !== undefined) dimensions.push(['ClusterName', 'ServiceName']);
  const properties = defined({
    ClusterName: id.clusterName,
    TaskDefinitionFamily: id.family,
    ServiceName: id.serviceName,
    TaskId: id.taskId,
    TaskARN: id.taskArn,
    TaskDefinitionRevision: id.revision,
    AvailabilityZone: id.availabilityZone,
    LaunchType: id.launchType,
  });
  const out: EmfEvent[] = [];
  const cycles: readonly (RefreshCycle | undefined)[] = scope ? scope.closed : [undefined];
  const taskMembers = { Type: 'Task', ...properties };
  const taskSets = usableDimensionSets(
    dimensions,
    taskMembers,
    cycles.length > 0 ? options.dropped : undefined,
  );
  for (const cycle of cycles) {
    if (taskSets.length === 0) {
      if (options.dropped) options.dropped.droppedEvents++;
      continue;
    }
    out.push(
      ...emfEvents(
        cycle?.readAtMs ?? readAtMs,
        options.namespace,
        taskSets,
        taskMembers,
        taskValues(metrics, cycle, options.cost),
      ),
    );
  }
  if (options.containerMetrics) {
    for (const c of metrics.containers) {
      // `null`/`{}` stats: no Container event at all; a container that has not refreshed
      // since its last event: none either (its interval was reported then).
      if (c.stats === undefined || (scope && !scope.advanced.includes(c.name))) continue;
      const members = {
        Type: 'Container',
        ...properties,
        ...defined({ ContainerName: c.name, ContainerId: c.dockerId, Image: c.image }),
      };
      const sets = usableDimensionSets(CONTAINER_DIMENSIONS, members, options.dropped);
      if (sets.length === 0) {
        if (options.dropped) options.dropped.droppedEvents++;
        continue;
      }
      out.push(...emfEvents(c.stats.readAtMs, options.namespace, sets, members, containerValues(metrics, c)));
    }
  }
  return out;
}
