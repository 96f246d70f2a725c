/*
 * translateEmf as it was before it was made cheap (commit d6ebfc4): every event serialized to
 * measure its line, members filtered through Object.entries. Kept as the executable
 * specification the fast translator is checked against (translate-equivalence.test.ts).
 */
import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import {
  EMF_MAX_LINE_BYTES,
  EMF_MAX_METRICS_PER_DIRECTIVE,
  type EmfEvent,
  type EmfTranslateOptions,
  type EmfUnit,
} from '../../src/emf/translate.js';

const MIB = 1024 * 1024;

type Values = [name: string, unit: EmfUnit, value: number | undefined][];

/** 1024 CPU units = 1 vCPU, as Container Insights' `CpuUtilized` counts. */
const cpuUnits = (cores: number | undefined): number | undefined =>
  cores === undefined ? undefined : cores * 1024;
const percent = (ratio: number | undefined): number | undefined =>
  ratio === undefined ? undefined : ratio * 100;
const mebibytes = (bytes: number | undefined): number | undefined =>
  bytes === undefined ? undefined : bytes / MIB;

function taskValues(m: TaskMetrics): Values {
  const t = m.totals;
  return [
    ['CpuUtilized', 'None', cpuUnits(t.cpuCores)],
    ['CpuReserved', 'None', t.cpuReservedUnits],
    ['MemoryUtilized', 'Megabytes', t.memoryUtilizedMiB],
    ['MemoryReserved', 'Megabytes', mebibytes(m.limits.memoryBytes)],
    ['NetworkRxBytes', 'Bytes/Second', t.networkRxBytesPerSecond],
    ['NetworkTxBytes', 'Bytes/Second', t.networkTxBytesPerSecond],
    ['StorageReadBytes', 'Bytes', t.storageReadBytes],
    ['StorageWriteBytes', 'Bytes', t.storageWriteBytes],
    ['CpuUtilization', 'Percent', percent(t.cpuUtilization)],
    ['MemoryUtilization', 'Percent', percent(t.memoryUtilization)],
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
  // The ECS agent floors each container's MiB before summing (research/metrics.md §3.7).
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
  return Object.fromEntries(Object.entries(members).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number
  >;
}

/**
 * Build the events for one set of values (exported for tests of the limits), leaving out every metric without a value this
 * interval (never an invented 0), and splitting into several events when a directive would
 * pass 100 metrics or a line 16 KiB.
 */
export function referenceEmfEvents(
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
  const build = (chunk: [string, EmfUnit, number][]): EmfEvent => ({
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
    ...Object.fromEntries(chunk.map(([name, , value]) => [name, value])),
  });
  const out: EmfEvent[] = [];
  let rest = present;
  while (rest.length > 0) {
    let size = Math.min(rest.length, EMF_MAX_METRICS_PER_DIRECTIVE);
    while (size > 1 && Buffer.byteLength(JSON.stringify(build(rest.slice(0, size)))) >= EMF_MAX_LINE_BYTES) {
      size = Math.ceil(size / 2);
    }
    out.push(build(rest.slice(0, size)));
    rest = rest.slice(size);
  }
  return out;
}

/**
 * Translate one fresh sample into CloudWatch EMF documents (contract.md "CloudWatch"). Pure.
 * A Task event with Container Insights names and units; with `containerMetrics`, a Container
 * event per container with stats. Task identity rides as properties, never as dimensions.
 * Returns nothing when no container has stats (there is no `read` to timestamp the values).
 */
export function referenceTranslateEmf(metrics: TaskMetrics, options: EmfTranslateOptions): EmfEvent[] {
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
  const out = referenceEmfEvents(
    readAtMs,
    options.namespace,
    dimensions,
    { Type: 'Task', ...properties },
    taskValues(metrics),
  );
  if (options.containerMetrics) {
    for (const c of metrics.containers) {
      // `null`/`{}` stats: no Container event at all.
      if (c.stats === undefined) continue;
      out.push(
        ...referenceEmfEvents(
          c.stats.readAtMs,
          options.namespace,
          [['ClusterName', 'TaskDefinitionFamily', 'ContainerName']],
          {
            Type: 'Container',
            ...properties,
            ...defined({ ContainerName: c.name, ContainerId: c.dockerId, Image: c.image }),
          },
          containerValues(metrics, c),
        ),
      );
    }
  }
  return out;
}
