/*
 * translateOtlp as it was before it was made cheap (commit d6ebfc4): every point an
 * observation object, every series keyed by its sorted, stringified attributes. Slow, but
 * plainly right, so it stays as the executable specification the fast translator is checked
 * against on arbitrary snapshot sequences (translate-equivalence.test.ts).
 */
import { type Attributes, ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import { msToHrTime, OTLP_METRICS, OTLP_SCOPE, type OtlpTranslateOptions } from '../../src/otlp/translate.js';

interface SeriesState {
  /** Start of the current cumulative run, ms. */
  readonly startMs: number;
  readonly value: number;
  /** Time of the last observed point, ms. */
  readonly timeMs: number;
}

/** What {@link translateOtlp} remembers between collections: per-series start, value and time. */
interface ReferenceState {
  readonly series: ReadonlyMap<string, SeriesState>;
}

/** One collection: the task's resource attributes, the scope's metrics and the next state. */
interface ReferenceTranslation {
  readonly resourceAttributes: Attributes;
  readonly scopeMetrics: ScopeMetrics;
  readonly state: ReferenceState;
}

/** The resource attributes of contract.md: cloud.* and aws.ecs.* from the task identity. */
function taskResourceAttributes(metrics: TaskMetrics): Attributes {
  const id = metrics.identity;
  const attributes: Attributes = {
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_ecs',
    'cloud.region': id.region,
    'cloud.account.id': id.accountId,
    'cloud.availability_zone': id.availabilityZone,
    'aws.ecs.cluster.arn': id.clusterArn,
    'aws.ecs.task.arn': id.taskArn,
    'aws.ecs.task.id': id.taskId,
    'aws.ecs.task.family': id.family,
    'aws.ecs.task.revision': id.revision,
    // Lower case like the OTel JS ECS detector and semconv's enum (`ec2`, `fargate`).
    'aws.ecs.launchtype': id.launchType?.toLowerCase(),
  };
  for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
  return attributes;
}

interface Observation {
  readonly metric: string;
  readonly attributes: Attributes;
  readonly value: number;
  readonly timeMs: number;
  /** The counter run's start when the payload knows it (container `counterStartMs`). */
  readonly knownStartMs?: number;
}

function containerAttributes(c: ContainerMetrics): Attributes {
  const attributes: Attributes = { 'container.name': c.name, 'container.id': c.dockerId };
  if (c.image !== undefined) attributes['container.image.name'] = imageName(c.image);
  return attributes;
}

/** semconv: `container.image.name` is the name without tag or digest (`prom/prometheus`). */
function imageName(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash is a registry port (`registry:5000/app`), not a tag.
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function observe(metrics: TaskMetrics, nowMs: number): Observation[] {
  const out: Observation[] = [];
  const push = (o: Observation): void => {
    if (Number.isFinite(o.value)) out.push(o);
  };
  for (const c of metrics.containers) {
    const s = c.stats;
    // `null`/`{}` stats: no container points at all, never invented zeros.
    if (s === undefined) continue;
    const attrs = containerAttributes(c);
    const base = { timeMs: s.readAtMs, knownStartMs: c.counterStartMs };
    push({ ...base, metric: 'container.cpu.time', attributes: attrs, value: s.cpu.totalSeconds });
    if (s.cpu.cores !== undefined)
      push({ ...base, metric: 'container.cpu.usage', attributes: attrs, value: s.cpu.cores });
    if (s.memory.usageBytes !== undefined)
      push({ ...base, metric: 'container.memory.usage', attributes: attrs, value: s.memory.usageBytes });
    if (s.memory.workingSetBytes !== undefined)
      push({
        ...base,
        metric: 'container.memory.working_set',
        attributes: attrs,
        value: s.memory.workingSetBytes,
      });
    if (s.memory.rssBytes !== undefined)
      push({ ...base, metric: 'container.memory.rss', attributes: attrs, value: s.memory.rssBytes });
    if (s.blockIo !== undefined) {
      push({
        ...base,
        metric: 'container.disk.io',
        attributes: { ...attrs, 'disk.io.direction': 'read' },
        value: s.blockIo.readBytes,
      });
      push({
        ...base,
        metric: 'container.disk.io',
        attributes: { ...attrs, 'disk.io.direction': 'write' },
        value: s.blockIo.writeBytes,
      });
    }
    if (c.startedAtMs !== undefined && s.readAtMs >= c.startedAtMs)
      push({
        ...base,
        metric: 'container.uptime',
        attributes: attrs,
        value: (s.readAtMs - c.startedAtMs) / 1000,
      });
  }

  const byName = new Map(metrics.containers.map((c) => [c.name, c]));
  const taskTimeMs = metrics.sample.readAtMs ?? nowMs;
  for (const n of metrics.networks) {
    const owner = n.containerName === undefined ? undefined : byName.get(n.containerName);
    // Bridge: each container has its own namespace, so the interface is the container's;
    // awsvpc: one namespace for the task, reported once (never summed over containers).
    const metric = owner === undefined ? 'aws.ecs.task.network.io' : 'container.network.io';
    const attrs: Attributes = owner === undefined ? {} : containerAttributes(owner);
    const timeMs = owner?.stats?.readAtMs ?? taskTimeMs;
    const knownStartMs = owner?.counterStartMs;
    for (const [direction, value] of [
      ['receive', n.counters.rxBytes],
      ['transmit', n.counters.txBytes],
    ] as const) {
      push({
        metric,
        attributes: { ...attrs, 'network.interface.name': n.interface, 'network.io.direction': direction },
        value,
        timeMs,
        ...(knownStartMs === undefined ? {} : { knownStartMs }),
      });
    }
  }

  const task = (metric: string, value: number | undefined): void => {
    if (value !== undefined) push({ metric, attributes: {}, value, timeMs: taskTimeMs });
  };
  task('aws.ecs.task.cpu.limit', metrics.limits.cpuVcpus);
  task('aws.ecs.task.cpu.limit.utilization', metrics.totals.cpuUtilization);
  task('aws.ecs.task.memory.limit', metrics.limits.memoryBytes);
  task('aws.ecs.task.memory.limit.utilization', metrics.totals.memoryWorkingSetUtilization);
  return out;
}

/** Where a task-level counter run most likely began: the task's first image pull, else its first container start. */
function taskStartMs(metrics: TaskMetrics, fallbackMs: number): number {
  const starts = metrics.containers.map((c) => c.startedAtMs).filter((t): t is number => t !== undefined);
  return metrics.imagePull?.startedAtMs ?? (starts.length > 0 ? Math.min(...starts) : fallbackMs);
}

function seriesKey(metric: string, attributes: Attributes): string {
  return `${metric}\u0000${JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}

/**
 * Translate one snapshot into OTLP metric data (contract.md "OpenTelemetry"). Pure: the
 * returned state carries each series' start time and last value into the next call.
 *
 * Cumulative sums start at the container's `counterStartMs` (moved by core on a reset), or for
 * task-level series at the task's start, moved when the counter falls. Delta sums cover
 * [previous point, this point]; a series seen for the first time, or whose `read` did not
 * advance (a duplicate), yields no delta point, and a reset yields the value since the new start.
 */
export function referenceTranslateOtlp(
  metrics: TaskMetrics,
  state: ReferenceState | undefined,
  options: OtlpTranslateOptions,
): ReferenceTranslation {
  const previous = state?.series ?? new Map<string, SeriesState>();
  const next = new Map<string, SeriesState>();
  const points = new Map<string, DataPoint<number>[]>(OTLP_METRICS.map((m) => [m.name, []]));
  const kinds = new Map(OTLP_METRICS.map((m) => [m.name, m.kind]));
  const fallbackStartMs = taskStartMs(metrics, options.nowMs);

  for (const o of observe(metrics, options.nowMs)) {
    const key = seriesKey(o.metric, o.attributes);
    const prev = previous.get(key);
    let startMs: number;
    if (o.knownStartMs !== undefined) startMs = o.knownStartMs;
    else if (prev === undefined) startMs = Math.min(fallbackStartMs, o.timeMs);
    // A task-level counter that fell restarted somewhere after the last point we saw.
    else startMs = kinds.get(o.metric) === 'counter' && o.value < prev.value ? prev.timeMs : prev.startMs;
    // A start after the point is impossible (clock skew between metadata and stats).
    startMs = Math.min(startMs, o.timeMs);
    next.set(key, { startMs, value: o.value, timeMs: o.timeMs });

    const list = points.get(o.metric)!;
    if (kinds.get(o.metric) === 'counter' && options.temporality === 'delta') {
      if (prev === undefined) continue;
      if (o.timeMs <= prev.timeMs) {
        // Duplicate: nothing new happened; keep the last point as the next delta's origin.
        next.set(key, prev);
        continue;
      }
      const reset = o.value < prev.value || startMs !== prev.startMs;
      if (!reset) {
        list.push(point(prev.timeMs, o.timeMs, o.attributes, o.value - prev.value));
      } else if (startMs >= prev.timeMs) {
        // The new run began after our last point: its whole value falls inside this interval.
        list.push(point(startMs, o.timeMs, o.attributes, o.value));
      }
      continue;
    }
    // Gauges carry a start time too (the transformer always writes one); use the point's own
    // time so no backend reads it as an interval.
    list.push(point(kinds.get(o.metric) === 'gauge' ? o.timeMs : startMs, o.timeMs, o.attributes, o.value));
  }

  const data: MetricData[] = [];
  for (const spec of OTLP_METRICS) {
    const dataPoints = points.get(spec.name)!;
    if (dataPoints.length === 0) continue;
    const descriptor = {
      name: spec.name,
      description: spec.description,
      unit: spec.unit,
      valueType: ValueType.DOUBLE,
    };
    if (spec.kind === 'gauge') {
      data.push({
        descriptor,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints,
      });
    } else {
      data.push({
        descriptor,
        aggregationTemporality:
          spec.kind === 'counter' && options.temporality === 'delta'
            ? AggregationTemporality.DELTA
            : AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: spec.kind === 'counter',
        dataPoints,
      });
    }
  }
  return {
    resourceAttributes: taskResourceAttributes(metrics),
    scopeMetrics: { scope: { ...OTLP_SCOPE }, metrics: data },
    state: { series: next },
  };
}

function point(startMs: number, endMs: number, attributes: Attributes, value: number): DataPoint<number> {
  return { startTime: msToHrTime(startMs), endTime: msToHrTime(endMs), attributes, value };
}
