import type { TaskMetrics } from '@taskscope/core';
import type { TaskCostSample } from '../cost.js';

/** One exposition sample: label values by name, and the value in the family's base unit. */
export interface PrometheusSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One metric family as the text format names it (counters keep their `_total`). */
export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** Every label name a sample of this family may carry, in exposition order. */
  readonly labelNames: readonly string[];
  readonly samples: readonly PrometheusSample[];
}

/** Options of {@link translatePrometheus}. */
export interface PrometheusTranslateOptions {
  /** Add {@link TASK_LABEL_NAMES} to every series (for remote-write setups where `instance` is not unique). */
  readonly taskLabels: boolean;
  /** The task's price and cost, for the two cost series; without it they have no sample. */
  readonly cost?: TaskCostSample | undefined;
}

/**
 * The opt-in task identity labels. `task_id` is what makes a series unique per task; the
 * ARN is left out because cluster + task_id already identify it, at a fraction of the bytes.
 * `cluster`, `family` and `revision` carry the same values as on `ecs_task_metadata_info`, so
 * joins keep working.
 */
export const TASK_LABEL_NAMES = ['cluster', 'family', 'revision', 'task_id'] as const;

type FamilyScope = 'container' | 'network' | 'task';

interface FamilySpec {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly scope: FamilyScope;
  readonly labels?: readonly string[];
}

const CONTAINER_INFO_LABELS = [
  'container_name',
  'container_id',
  'image',
  'image_id',
  'known_status',
] as const;
const TASK_INFO_LABELS = [
  'cluster',
  'task_arn',
  'family',
  'revision',
  'desired_status',
  'known_status',
  'availability_zone',
  'launch_type',
] as const;

const NETWORK_COUNTERS = [
  ['ecs_network_receive_bytes_total', 'rxBytes', 'Network bytes received.'],
  ['ecs_network_transmit_bytes_total', 'txBytes', 'Network bytes transmitted.'],
  ['ecs_network_receive_packets_total', 'rxPackets', 'Network packets received.'],
  ['ecs_network_transmit_packets_total', 'txPackets', 'Network packets transmitted.'],
  ['ecs_network_receive_errors_total', 'rxErrors', 'Network receive errors.'],
  ['ecs_network_transmit_errors_total', 'txErrors', 'Network transmit errors.'],
  ['ecs_network_receive_packets_dropped_total', 'rxDropped', 'Network packets dropped on receive.'],
  ['ecs_network_transmit_packets_dropped_total', 'txDropped', 'Network packets dropped on transmit.'],
] as const;

/**
 * The families in exposition order, ecs_exporter v0.4 names (docs/contract.md "Prometheus").
 * The adapter builds one prom-client metric object per entry, so this is also the set of
 * names `/metrics` can ever show for task data.
 */
export const PROMETHEUS_FAMILIES: readonly FamilySpec[] = [
  {
    name: 'ecs_container_cpu_usage_seconds_total',
    type: 'counter',
    scope: 'container',
    help: 'Cumulative CPU time consumed by the container, in seconds.',
  },
  {
    name: 'ecs_container_cpu_user_seconds_total',
    type: 'counter',
    scope: 'container',
    help: 'Cumulative CPU time consumed in user mode, in seconds.',
  },
  {
    name: 'ecs_container_cpu_system_seconds_total',
    type: 'counter',
    scope: 'container',
    help: 'Cumulative CPU time consumed in kernel mode, in seconds.',
  },
  {
    name: 'ecs_container_memory_usage_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'Memory usage of the container, page cache included, in bytes.',
  },
  {
    name: 'ecs_container_memory_working_set_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'Memory usage minus inactive file cache, in bytes (what docker stats and cAdvisor call used).',
  },
  {
    name: 'ecs_container_memory_rss_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'Anonymous memory (RSS) of the container, in bytes.',
  },
  {
    name: 'ecs_container_memory_cache_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'File-backed memory (page cache) of the container, in bytes.',
  },
  {
    name: 'ecs_container_memory_page_cache_size_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'Page cache of the container as ecs_exporter reports it, in bytes.',
  },
  {
    name: 'ecs_container_memory_limit_bytes',
    type: 'gauge',
    scope: 'container',
    help: 'Memory limit of the container from task metadata (else the task limit), in bytes.',
  },
  {
    name: 'ecs_container_fs_reads_bytes_total',
    type: 'counter',
    scope: 'container',
    help: 'Cumulative bytes read from block devices.',
  },
  {
    name: 'ecs_container_fs_writes_bytes_total',
    type: 'counter',
    scope: 'container',
    help: 'Cumulative bytes written to block devices.',
  },
  {
    name: 'ecs_container_restarts_total',
    type: 'counter',
    scope: 'container',
    help: 'Restarts of the container by its ECS restart policy.',
  },
  {
    name: 'ecs_container_start_time_seconds',
    type: 'gauge',
    scope: 'container',
    help: 'Start time of the container since the Unix epoch, in seconds.',
  },
  {
    name: 'ecs_container_info',
    type: 'gauge',
    scope: 'container',
    labels: CONTAINER_INFO_LABELS,
    help: 'Container metadata; always 1.',
  },
  ...NETWORK_COUNTERS.map(([name, , help]) => ({
    name,
    help,
    type: 'counter' as const,
    scope: 'network' as const,
  })),
  {
    name: 'ecs_task_cpu_limit_vcpus',
    type: 'gauge',
    scope: 'task',
    help: 'CPU limit of the task, in vCPUs.',
  },
  {
    name: 'ecs_task_memory_limit_bytes',
    type: 'gauge',
    scope: 'task',
    help: 'Memory limit of the task, in bytes.',
  },
  {
    name: 'ecs_task_ephemeral_storage_used_bytes',
    type: 'gauge',
    scope: 'task',
    help: 'Ephemeral storage used by the task, in bytes.',
  },
  {
    name: 'ecs_task_ephemeral_storage_allocated_bytes',
    type: 'gauge',
    scope: 'task',
    help: 'Ephemeral storage allocated to the task, in bytes.',
  },
  {
    name: 'ecs_task_image_pull_start_timestamp_seconds',
    type: 'gauge',
    scope: 'task',
    help: 'Time the first image pull of the task started, in seconds since the Unix epoch.',
  },
  {
    name: 'ecs_task_image_pull_stop_timestamp_seconds',
    type: 'gauge',
    scope: 'task',
    help: 'Time the last image pull of the task stopped, in seconds since the Unix epoch.',
  },
  {
    name: 'ecs_task_price_dollars_per_hour',
    type: 'gauge',
    scope: 'task',
    help: 'On-demand price of the task size, in US dollars an hour (Fargate only).',
  },
  {
    name: 'ecs_task_estimated_cost_dollars_total',
    type: 'counter',
    scope: 'task',
    help: 'Estimated on-demand cost of the task since its image pull started, one-minute minimum, in US dollars (Fargate only).',
  },
  {
    name: 'ecs_task_metadata_info',
    type: 'gauge',
    scope: 'task',
    labels: TASK_INFO_LABELS,
    help: 'Task metadata; always 1.',
  },
];

/** The label names each family may carry, with or without the task labels. */
export function prometheusLabelNames(spec: FamilySpec, taskLabels: boolean): string[] {
  const own: readonly string[] =
    spec.labels ??
    (spec.scope === 'container'
      ? ['container_name']
      : spec.scope === 'network'
        ? ['interface', 'container_name']
        : []);
  if (!taskLabels) return [...own];
  return [...own, ...TASK_LABEL_NAMES.filter((name) => !own.includes(name))];
}

/** Label names of every family, computed once per `taskLabels` setting (never mutated). */
const LABEL_NAMES = {
  without: PROMETHEUS_FAMILIES.map((spec) => Object.freeze(prometheusLabelNames(spec, false))),
  with: PROMETHEUS_FAMILIES.map((spec) => Object.freeze(prometheusLabelNames(spec, true))),
};

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/**
 * Translate one snapshot into Prometheus families (docs/contract.md "Prometheus"). Pure. Every
 * family of {@link PROMETHEUS_FAMILIES} is returned, in that order, possibly without samples
 * (no snapshot yet, no container with stats). Samples of one container (one interface) share
 * their labels object: treat samples as read-only.
 */
export function translatePrometheus(
  metrics: TaskMetrics | undefined,
  options: PrometheusTranslateOptions,
): PrometheusFamily[] {
  const samples = new Map<string, PrometheusSample[]>(PROMETHEUS_FAMILIES.map((f) => [f.name, []]));
  const push = (name: string, labels: Readonly<Record<string, string>>, value: number | undefined): void => {
    // Non-finite values cannot come from a well-formed payload; skipping them keeps one bad
    // field from making the whole scrape unparsable.
    if (value === undefined || !Number.isFinite(value)) return;
    samples.get(name)!.push({ labels, value });
  };

  if (metrics !== undefined) {
    const id = metrics.identity;
    const taskLabels: Record<string, string> = options.taskLabels
      ? { cluster: id.cluster, family: id.family, revision: id.revision, task_id: id.taskId }
      : {};

    for (const c of metrics.containers) {
      const s = c.stats;
      // A container whose stats are `null`/`{}` (stopped, pulled, not yet started) gets its info
      // series only: ecs_exporter#40 shows what invented zeros do to dashboards.
      if (s !== undefined) {
        const labels = { container_name: c.name, ...taskLabels };
        push('ecs_container_cpu_usage_seconds_total', labels, s.cpu.totalSeconds);
        push('ecs_container_cpu_user_seconds_total', labels, s.cpu.userSeconds);
        push('ecs_container_cpu_system_seconds_total', labels, s.cpu.systemSeconds);
        push('ecs_container_memory_usage_bytes', labels, s.memory.usageBytes);
        push('ecs_container_memory_working_set_bytes', labels, s.memory.workingSetBytes);
        push('ecs_container_memory_rss_bytes', labels, s.memory.rssBytes);
        push('ecs_container_memory_cache_bytes', labels, s.memory.cacheBytes);
        push('ecs_container_memory_page_cache_size_bytes', labels, s.memory.pageCacheBytes);
        push('ecs_container_memory_limit_bytes', labels, c.memoryLimitBytes);
        push('ecs_container_fs_reads_bytes_total', labels, s.blockIo?.readBytes);
        push('ecs_container_fs_writes_bytes_total', labels, s.blockIo?.writeBytes);
        push('ecs_container_restarts_total', labels, c.restartCount);
        push('ecs_container_start_time_seconds', labels, secondsOf(c.startedAtMs));
      }
      const info = {
        container_name: c.name,
        container_id: c.dockerId,
        image: c.image ?? '',
        image_id: c.imageId ?? '',
        known_status: c.knownStatus ?? '',
      };
      push('ecs_container_info', { ...info, ...taskLabels }, 1);
    }

    // awsvpc: one entry per interface for the whole task (never summed over containers,
    // ecs_exporter#95); bridge: one per container and interface, told apart by container_name.
    for (const n of metrics.networks) {
      const own: Record<string, string> =
        n.containerName === undefined
          ? { interface: n.interface }
          : { interface: n.interface, container_name: n.containerName };
      const labels = { ...own, ...taskLabels };
      for (const [name, field] of NETWORK_COUNTERS) push(name, labels, n.counters[field]);
    }

    push('ecs_task_cpu_limit_vcpus', taskLabels, metrics.limits.cpuVcpus);
    push('ecs_task_memory_limit_bytes', taskLabels, metrics.limits.memoryBytes);
    push('ecs_task_ephemeral_storage_used_bytes', taskLabels, metrics.ephemeralStorage?.usedBytes);
    push('ecs_task_ephemeral_storage_allocated_bytes', taskLabels, metrics.ephemeralStorage?.allocatedBytes);
    push(
      'ecs_task_image_pull_start_timestamp_seconds',
      taskLabels,
      secondsOf(metrics.imagePull?.startedAtMs),
    );
    push('ecs_task_image_pull_stop_timestamp_seconds', taskLabels, secondsOf(metrics.imagePull?.stoppedAtMs));
    push('ecs_task_price_dollars_per_hour', taskLabels, options.cost?.dollarsPerHour);
    push('ecs_task_estimated_cost_dollars_total', taskLabels, options.cost?.estimatedDollarsSoFar);
    const info = {
      cluster: id.cluster,
      task_arn: id.taskArn,
      family: id.family,
      revision: id.revision,
      desired_status: id.desiredStatus ?? '',
      known_status: id.knownStatus,
      availability_zone: id.availabilityZone ?? '',
      launch_type: id.launchType ?? '',
    };
    push('ecs_task_metadata_info', { ...info, ...taskLabels }, 1);
  }
  const labelNames = options.taskLabels ? LABEL_NAMES.with : LABEL_NAMES.without;
  return PROMETHEUS_FAMILIES.map((spec, i) => ({
    name: spec.name,
    help: spec.help,
    type: spec.type,
    labelNames: labelNames[i]!,
    samples: samples.get(spec.name)!,
  }));
}
