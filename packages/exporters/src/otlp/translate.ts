import { type Attributes, type HrTime, ValueType } from '@opentelemetry/api';
import type {
  AggregationTemporality,
  DataPoint,
  DataPointType,
  MetricData,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import type { TaskCostSample } from '../cost.js';
import { OTLP_SCOPE } from './scope.js';

/**
 * Temporality of monotonic sums. Non-monotonic sums and gauges are always cumulative, as the
 * OTel spec's `delta` and `lowmemory` preferences prescribe for up-down counters.
 */
export type OtlpTemporality = 'cumulative' | 'delta';

/*
 * The SDK's enum values, typed by its enums but written here: a pure translator must not load
 * the SDK (about 12 MB of RSS), which the agent loads only when OTLP is enabled.
 */
const CUMULATIVE: AggregationTemporality.CUMULATIVE = 1;
const DELTA: AggregationTemporality.DELTA = 0;
const GAUGE: DataPointType.GAUGE = 2;
const SUM: DataPointType.SUM = 3;

/** Options of {@link translateOtlp}. */
export interface OtlpTranslateOptions {
  readonly temporality: OtlpTemporality;
  /** Collection time, ms since the epoch: the timestamp of task points when no `read` is known. */
  readonly nowMs: number;
  /** The task's price and cost at `nowMs`, for the two cost metrics; without it they have no point. */
  readonly cost?: TaskCostSample | undefined;
}

interface SeriesState {
  /** Start of the current cumulative run, ms. */
  readonly startMs: number;
  readonly value: number;
  /** Time of the last observed point, ms. */
  readonly timeMs: number;
}

/** Whose points a group's are: the values `container.*` attributes are made of. */
interface ContainerIdentity {
  readonly name: string;
  readonly dockerId: string;
  /** As the payload gives it; series are told apart by its image name (the attribute). */
  readonly image?: string | undefined;
}

/**
 * The sums of one container, or of one interface (under its container in bridge mode), by
 * slot, with the attribute objects their points carry: the next collection finds the group by
 * comparing a few strings and reuses its attributes, instead of building them and a key again.
 * Gauges need no state: their points start and end at their own time.
 */
interface SeriesGroup {
  readonly attributes: readonly Attributes[];
  readonly series: readonly (SeriesState | undefined)[];
}

/** Slots: CPU time, memory usage, working set, RSS, disk read, disk write; attributes: own, read, write. */
interface ContainerGroup extends SeriesGroup {
  readonly container: ContainerIdentity;
}

/** Slots and attributes: receive, transmit. */
interface NetworkGroup extends SeriesGroup {
  readonly interface: string;
  readonly owner: ContainerIdentity | undefined;
}

/**
 * What {@link translateOtlp} remembers between collections: per-series start, value and time
 * of every sum, in snapshot order. Opaque: pass the previous translation's state back in.
 */
export interface OtlpState {
  readonly containers: readonly ContainerGroup[];
  readonly networks: readonly NetworkGroup[];
  readonly task: readonly (SeriesState | undefined)[];
}

/** One collection: the task's resource attributes, the scope's metrics and the next state. */
export interface OtlpTranslation {
  readonly resourceAttributes: Attributes;
  readonly scopeMetrics: ScopeMetrics;
  readonly state: OtlpState;
}

type Kind = 'counter' | 'updown' | 'gauge';

interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly kind: Kind;
  readonly description: string;
}

/** The metrics of docs/contract.md "OpenTelemetry (OTLP)", in output order, under the translator's keys. */
const METRIC_SPECS = {
  cpuTime: {
    name: 'container.cpu.time',
    unit: 's',
    kind: 'counter',
    description: 'Total CPU time consumed by the container.',
  },
  cpuUsage: {
    name: 'container.cpu.usage',
    unit: '{cpu}',
    kind: 'gauge',
    description: 'CPU cores used by the container over the last stats interval.',
  },
  memoryUsage: {
    name: 'container.memory.usage',
    unit: 'By',
    kind: 'updown',
    description: 'Memory usage of the container, page cache included.',
  },
  memoryWorkingSet: {
    name: 'container.memory.working_set',
    unit: 'By',
    kind: 'updown',
    description: 'Memory usage minus inactive file cache.',
  },
  memoryRss: {
    name: 'container.memory.rss',
    unit: 'By',
    kind: 'updown',
    description: 'Anonymous memory (RSS) of the container.',
  },
  diskIo: {
    name: 'container.disk.io',
    unit: 'By',
    kind: 'counter',
    description: 'Bytes read from and written to block devices.',
  },
  containerNetworkIo: {
    name: 'container.network.io',
    unit: 'By',
    kind: 'counter',
    description:
      'Bytes received and transmitted by the container (bridge mode: one namespace per container).',
  },
  uptime: {
    name: 'container.uptime',
    unit: 's',
    kind: 'gauge',
    description: 'Time since the container started, at the stats read time.',
  },
  taskNetworkIo: {
    name: 'aws.ecs.task.network.io',
    unit: 'By',
    kind: 'counter',
    description:
      'Bytes received and transmitted by the task, per interface (awsvpc: shared by all containers).',
  },
  taskCpuLimit: {
    name: 'aws.ecs.task.cpu.limit',
    unit: '{cpu}',
    kind: 'updown',
    description: 'CPU limit of the task, in vCPUs.',
  },
  taskCpuUtilization: {
    name: 'aws.ecs.task.cpu.limit.utilization',
    unit: '1',
    kind: 'gauge',
    description: 'CPU cores used by the task divided by its CPU limit.',
  },
  taskMemoryLimit: {
    name: 'aws.ecs.task.memory.limit',
    unit: 'By',
    kind: 'updown',
    description: 'Memory limit of the task.',
  },
  taskMemoryUtilization: {
    name: 'aws.ecs.task.memory.limit.utilization',
    unit: '1',
    kind: 'gauge',
    description: 'Working set of the task divided by its memory limit.',
  },
  // UCUM has no currency: OTel's convention for a unit outside it is an annotation in braces.
  taskPrice: {
    name: 'aws.ecs.task.price',
    unit: '{USD}/h',
    kind: 'gauge',
    description: "On-demand price of the task's Fargate size, in US dollars an hour (Fargate only).",
  },
  taskCost: {
    name: 'aws.ecs.task.cost',
    unit: '{USD}',
    kind: 'counter',
    description:
      'Estimated on-demand cost of the task since its image pull started, one-minute minimum, in US dollars (Fargate only).',
  },
} satisfies Record<string, MetricSpec>;

type MetricKey = keyof typeof METRIC_SPECS;

/** The metric set of docs/contract.md "OpenTelemetry (OTLP)", in output order. */
export const OTLP_METRICS: readonly MetricSpec[] = Object.values(METRIC_SPECS);

/** Each metric's index in {@link OTLP_METRICS}, by its key: the list of points it collects into. */
const METRIC = {} as Record<MetricKey, number>;
(Object.keys(METRIC_SPECS) as MetricKey[]).forEach((key, index) => {
  METRIC[key] = index;
});

/** ms (fraction kept: the payload's `read` has ns precision) to OTel's [seconds, nanoseconds]. */
export function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** The resource attributes of docs/contract.md: cloud.* and aws.ecs.* from the task identity. */
export function taskResourceAttributes(metrics: TaskMetrics): Attributes {
  const id = metrics.identity;
  const attributes: Attributes = { 'cloud.provider': 'aws', 'cloud.platform': 'aws_ecs' };
  // Added one by one rather than deleted when undefined: `delete` turns the object into a
  // slow dictionary that every exporter then walks.
  setDefined(attributes, 'cloud.region', id.region);
  setDefined(attributes, 'cloud.account.id', id.accountId);
  setDefined(attributes, 'cloud.availability_zone', id.availabilityZone);
  setDefined(attributes, 'aws.ecs.cluster.arn', id.clusterArn);
  attributes['aws.ecs.task.arn'] = id.taskArn;
  attributes['aws.ecs.task.id'] = id.taskId;
  attributes['aws.ecs.task.family'] = id.family;
  attributes['aws.ecs.task.revision'] = id.revision;
  // Lower case like the OTel JS ECS detector and semconv's enum (`ec2`, `fargate`).
  setDefined(attributes, 'aws.ecs.launchtype', id.launchType?.toLowerCase());
  return attributes;
}

function setDefined(attributes: Attributes, key: string, value: string | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

/** Built once: every collection's metric data shares them (the SDK only reads descriptors). */
const DESCRIPTORS = OTLP_METRICS.map((spec) => ({
  name: spec.name,
  description: spec.description,
  unit: spec.unit,
  valueType: ValueType.DOUBLE,
}));

/** The state before the first collection: no series seen. */
const NO_STATE: OtlpState = { containers: [], networks: [], task: [] };

/** Task-level points carry no attributes of their own (the task is the resource). */
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** Attribute sets of a container's points: its own, then disk read and disk write. */
function containerAttributeSets(c: ContainerMetrics): Attributes[] {
  const own = containerAttributes(c);
  return [own, { ...own, 'disk.io.direction': 'read' }, { ...own, 'disk.io.direction': 'write' }];
}

function containerAttributes(c: ContainerMetrics): Attributes {
  const attributes: Attributes = { 'container.name': c.name, 'container.id': c.dockerId };
  if (c.image !== undefined) attributes['container.image.name'] = imageName(c.image);
  return attributes;
}

/** Attribute sets of an interface's points, receive then transmit, under its container in bridge mode. */
function networkAttributeSets(name: string, owner: ContainerMetrics | undefined): Attributes[] {
  const own = owner === undefined ? NO_ATTRIBUTES : containerAttributes(owner);
  return [
    { ...own, 'network.interface.name': name, 'network.io.direction': 'receive' },
    { ...own, 'network.interface.name': name, 'network.io.direction': 'transmit' },
  ];
}

/** semconv: `container.image.name` is the name without tag or digest (`prom/prometheus`). */
function imageName(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash is a registry port (`registry:5000/app`), not a tag.
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/*
 * Series identity is the attribute set: for a container, its name, id and image name. Groups
 * are matched by comparing those strings, first at the position the container held in the
 * previous snapshot (core keeps metadata order, which does not change between polls), so a
 * poll builds no keys and hashes nothing; a container that moved costs a scan of at most
 * ten groups (ECS allows ten containers per task definition).
 */
function sameContainer(known: ContainerIdentity, c: ContainerIdentity): boolean {
  return (
    known.name === c.name &&
    known.dockerId === c.dockerId &&
    (known.image === c.image ||
      (known.image !== undefined && c.image !== undefined && imageName(known.image) === imageName(c.image)))
  );
}

/** Index of `c`'s group in `groups`, trying `hint` first; -1 when it has none. */
function findContainer(groups: readonly ContainerGroup[], hint: number, c: ContainerIdentity): number {
  if (hint < groups.length && sameContainer(groups[hint]!.container, c)) return hint;
  return groups.findIndex((g) => sameContainer(g.container, c));
}

/** Index of the group of interface `name` (of container `owner` in bridge mode), trying `hint` first. */
function findNetwork(
  groups: readonly NetworkGroup[],
  hint: number,
  name: string,
  owner: ContainerIdentity | undefined,
): number {
  const same = (g: NetworkGroup): boolean =>
    g.interface === name &&
    (g.owner !== undefined && owner !== undefined ? sameContainer(g.owner, owner) : g.owner === owner);
  if (hint < groups.length && same(groups[hint]!)) return hint;
  return groups.findIndex(same);
}

/**
 * Add a group to the next state. Two entries of one identity in a snapshot (nothing forbids
 * them) share one group, each series at its last observation, so the next poll finds one.
 * `earlier` is the index of the group already added for this identity, if any.
 */
function addGroup<G extends SeriesGroup>(groups: G[], earlier: number | undefined, group: G): number {
  if (earlier === undefined || earlier < 0) return groups.push(group) - 1;
  const kept = groups[earlier]!;
  groups[earlier] = { ...group, series: group.series.map((s, i) => s ?? kept.series[i]) };
  return earlier;
}

/** Where a task-level counter run most likely began: the task's first image pull, else its first container start. */
function taskStartMs(metrics: TaskMetrics, fallbackMs: number): number {
  if (metrics.imagePull?.startedAtMs !== undefined) return metrics.imagePull.startedAtMs;
  let first: number | undefined;
  for (const c of metrics.containers) {
    if (c.startedAtMs !== undefined)
      first = first === undefined ? c.startedAtMs : Math.min(first, c.startedAtMs);
  }
  return first ?? fallbackMs;
}

/**
 * {@link msToHrTime} remembering its last two results: a container's points all end at its
 * `read` and mostly start at its `counterStartMs`, so they share two arrays instead of
 * allocating two each. The SDK never mutates a point's times.
 */
function createHrTimes(): (ms: number) => HrTime {
  let recentMs = Number.NaN;
  let recent: HrTime = [0, 0];
  let olderMs = Number.NaN;
  let older: HrTime = [0, 0];
  return (ms) => {
    if (ms === recentMs) return recent;
    const time = ms === olderMs ? older : msToHrTime(ms);
    olderMs = recentMs;
    older = recent;
    recentMs = ms;
    recent = time;
    return time;
  };
}

/**
 * Translate one snapshot into OTLP metric data (docs/contract.md "OpenTelemetry"). Pure: the
 * returned state carries each series' start time and last value into the next call.
 *
 * Cumulative sums start at the container's `counterStartMs` (moved by core on a reset), or for
 * task-level series at the task's start, moved when the counter falls. Delta sums cover
 * [previous point, this point]; a series seen for the first time, or whose `read` did not
 * advance (a duplicate), yields no delta point, and a reset yields the value since the new start.
 */
export function translateOtlp(
  metrics: TaskMetrics,
  state: OtlpState | undefined,
  options: OtlpTranslateOptions,
): OtlpTranslation {
  const delta = options.temporality === 'delta';
  const points: DataPoint<number>[][] = OTLP_METRICS.map(() => []);
  const hrTime = createHrTimes();
  let taskStart: number | undefined;
  // Only series without a known start and without history need it: computed at most once.
  const fallbackStartMs = (): number => {
    taskStart ??= taskStartMs(metrics, options.nowMs);
    return taskStart;
  };

  const gauge = (metric: number, value: number | undefined, timeMs: number, attributes: Attributes): void => {
    if (value === undefined || !Number.isFinite(value)) return;
    const time = hrTime(timeMs);
    points[metric]!.push({ startTime: time, endTime: time, attributes, value });
  };

  /** Appends a sum's point, if any, and returns the series' next state (none for a missing value). */
  const sum = (
    metric: number,
    prev: SeriesState | undefined,
    value: number | undefined,
    timeMs: number,
    knownStartMs: number | undefined,
    attributes: Attributes,
  ): SeriesState | undefined => {
    if (value === undefined || !Number.isFinite(value)) return undefined;
    const counter = OTLP_METRICS[metric]!.kind === 'counter';
    let startMs: number;
    if (knownStartMs !== undefined) startMs = knownStartMs;
    else if (prev === undefined) startMs = Math.min(fallbackStartMs(), timeMs);
    // A task-level counter that fell restarted somewhere after the last point we saw.
    else startMs = counter && value < prev.value ? prev.timeMs : prev.startMs;
    // A start after the point is impossible (clock skew between metadata and stats).
    startMs = Math.min(startMs, timeMs);
    const next: SeriesState = { startMs, value, timeMs };
    const list = points[metric]!;
    if (!(counter && delta)) {
      list.push({ startTime: hrTime(startMs), endTime: hrTime(timeMs), attributes, value });
      return next;
    }
    if (prev === undefined) return next;
    // Duplicate: nothing new happened; keep the last point as the next delta's origin.
    if (timeMs <= prev.timeMs) return prev;
    if (value >= prev.value && startMs === prev.startMs) {
      list.push({
        startTime: hrTime(prev.timeMs),
        endTime: hrTime(timeMs),
        attributes,
        value: value - prev.value,
      });
    } else if (startMs >= prev.timeMs) {
      // A reset whose new run began after our last point: its whole value falls inside this interval.
      list.push({ startTime: hrTime(startMs), endTime: hrTime(timeMs), attributes, value });
    }
    return next;
  };

  const previous = state ?? NO_STATE;
  const containers: ContainerGroup[] = [];
  // Where each previous group went in `containers` (two entries of one identity share one).
  const placed: number[] = [];
  for (const c of metrics.containers) {
    const s = c.stats;
    // `null`/`{}` stats: no container points at all, never invented zeros.
    if (s === undefined) continue;
    const found = findContainer(previous.containers, containers.length, c);
    const prev = found < 0 ? undefined : previous.containers[found]!;
    const attributes = prev?.attributes ?? containerAttributeSets(c);
    const [own, read, write] = attributes as [Attributes, Attributes, Attributes];
    const series = prev?.series ?? [];
    const timeMs = s.readAtMs;
    const startMs = c.counterStartMs;
    const group: ContainerGroup = {
      container: prev?.container ?? { name: c.name, dockerId: c.dockerId, image: c.image },
      attributes,
      series: [
        sum(METRIC.cpuTime, series[0], s.cpu.totalSeconds, timeMs, startMs, own),
        sum(METRIC.memoryUsage, series[1], s.memory.usageBytes, timeMs, startMs, own),
        sum(METRIC.memoryWorkingSet, series[2], s.memory.workingSetBytes, timeMs, startMs, own),
        sum(METRIC.memoryRss, series[3], s.memory.rssBytes, timeMs, startMs, own),
        sum(METRIC.diskIo, series[4], s.blockIo?.readBytes, timeMs, startMs, read),
        sum(METRIC.diskIo, series[5], s.blockIo?.writeBytes, timeMs, startMs, write),
      ],
    };
    if (found < 0) addGroup(containers, findContainer(containers, containers.length, c), group);
    else placed[found] = addGroup(containers, placed[found], group);
    gauge(METRIC.cpuUsage, s.cpu.cores, timeMs, own);
    if (c.startedAtMs !== undefined && timeMs >= c.startedAtMs)
      gauge(METRIC.uptime, (timeMs - c.startedAtMs) / 1000, timeMs, own);
  }

  const taskTimeMs = metrics.sample.readAtMs ?? options.nowMs;
  const networks: NetworkGroup[] = [];
  const placedNetworks: number[] = [];
  let byName: Map<string, ContainerMetrics> | undefined;
  for (const n of metrics.networks) {
    // Bridge: each container has its own namespace, so the interface is the container's;
    // awsvpc: one namespace for the task, reported once (never summed over containers).
    let owner: ContainerMetrics | undefined;
    if (n.containerName !== undefined) {
      byName ??= new Map(metrics.containers.map((c) => [c.name, c]));
      owner = byName.get(n.containerName);
    }
    const found = findNetwork(previous.networks, networks.length, n.interface, owner);
    const prev = found < 0 ? undefined : previous.networks[found]!;
    const attributes = prev?.attributes ?? networkAttributeSets(n.interface, owner);
    const series = prev?.series ?? [];
    const metric = owner === undefined ? METRIC.taskNetworkIo : METRIC.containerNetworkIo;
    const timeMs = owner?.stats?.readAtMs ?? taskTimeMs;
    const startMs = owner?.counterStartMs;
    const group: NetworkGroup = {
      interface: n.interface,
      owner: prev?.owner ?? (owner && { name: owner.name, dockerId: owner.dockerId, image: owner.image }),
      attributes,
      series: [
        sum(metric, series[0], n.counters.rxBytes, timeMs, startMs, attributes[0]!),
        sum(metric, series[1], n.counters.txBytes, timeMs, startMs, attributes[1]!),
      ],
    };
    if (found < 0) addGroup(networks, findNetwork(networks, networks.length, n.interface, owner), group);
    else placedNetworks[found] = addGroup(networks, placedNetworks[found], group);
  }

  const task = [
    sum(METRIC.taskCpuLimit, previous.task[0], metrics.limits.cpuVcpus, taskTimeMs, undefined, NO_ATTRIBUTES),
    sum(
      METRIC.taskMemoryLimit,
      previous.task[1],
      metrics.limits.memoryBytes,
      taskTimeMs,
      undefined,
      NO_ATTRIBUTES,
    ),
    // The cost is the meter's figure at collection time, not at a `read`; it runs from the
    // image pull's start, when billing starts (docs/contract.md, "Fargate sizes and prices").
    sum(
      METRIC.taskCost,
      previous.task[2],
      options.cost?.estimatedDollarsSoFar,
      options.nowMs,
      metrics.imagePull?.startedAtMs,
      NO_ATTRIBUTES,
    ),
  ];
  gauge(METRIC.taskPrice, options.cost?.dollarsPerHour, options.nowMs, NO_ATTRIBUTES);
  gauge(METRIC.taskCpuUtilization, metrics.totals.cpuUtilization, taskTimeMs, NO_ATTRIBUTES);
  gauge(METRIC.taskMemoryUtilization, metrics.totals.memoryWorkingSetUtilization, taskTimeMs, NO_ATTRIBUTES);

  const data: MetricData[] = [];
  for (const [i, spec] of OTLP_METRICS.entries()) {
    const dataPoints = points[i]!;
    if (dataPoints.length === 0) continue;
    const descriptor = DESCRIPTORS[i]!;
    if (spec.kind === 'gauge') {
      data.push({
        descriptor,
        aggregationTemporality: CUMULATIVE,
        dataPointType: GAUGE,
        dataPoints,
      });
    } else {
      data.push({
        descriptor,
        aggregationTemporality: spec.kind === 'counter' && delta ? DELTA : CUMULATIVE,
        dataPointType: SUM,
        isMonotonic: spec.kind === 'counter',
        dataPoints,
      });
    }
  }
  return {
    resourceAttributes: taskResourceAttributes(metrics),
    scopeMetrics: { scope: { ...OTLP_SCOPE }, metrics: data },
    state: { containers, networks, task },
  };
}
