/*
 * translatePrometheus as it was before it was made cheap (commit d6ebfc4): a Map of values per
 * container and a fresh labels object per sample. Kept as the executable specification the
 * fast translator is checked against (translate-equivalence.test.ts).
 */
import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import {
  PROMETHEUS_FAMILIES,
  type PrometheusFamily,
  type PrometheusSample,
  type PrometheusTranslateOptions,
  prometheusLabelNames,
} from '../../src/prometheus/translate.js';

const NETWORK_COUNTERS = [
  ['ecs_network_receive_bytes_total', 'rxBytes'],
  ['ecs_network_transmit_bytes_total', 'txBytes'],
  ['ecs_network_receive_packets_total', 'rxPackets'],
  ['ecs_network_transmit_packets_total', 'txPackets'],
  ['ecs_network_receive_errors_total', 'rxErrors'],
  ['ecs_network_transmit_errors_total', 'txErrors'],
  ['ecs_network_receive_packets_dropped_total', 'rxDropped'],
  ['ecs_network_transmit_packets_dropped_total', 'txDropped'],
] as const;

/** Values of one container's families, `undefined` where the payload has no such value. */
function containerValues(c: ContainerMetrics): Map<string, number | undefined> {
  const s = c.stats;
  const values = new Map<string, number | undefined>();
  // A container whose stats are `null`/`{}` (stopped, pulled, not yet started) gets its info
  // series only: ecs_exporter#40 shows what invented zeros do to dashboards.
  if (s !== undefined) {
    values.set('ecs_container_cpu_usage_seconds_total', s.cpu.totalSeconds);
    values.set('ecs_container_cpu_user_seconds_total', s.cpu.userSeconds);
    values.set('ecs_container_cpu_system_seconds_total', s.cpu.systemSeconds);
    values.set('ecs_container_memory_usage_bytes', s.memory.usageBytes);
    values.set('ecs_container_memory_working_set_bytes', s.memory.workingSetBytes);
    values.set('ecs_container_memory_rss_bytes', s.memory.rssBytes);
    values.set('ecs_container_memory_cache_bytes', s.memory.cacheBytes);
    values.set('ecs_container_memory_page_cache_size_bytes', s.memory.pageCacheBytes);
    values.set('ecs_container_memory_limit_bytes', c.memoryLimitBytes);
    values.set('ecs_container_fs_reads_bytes_total', s.blockIo?.readBytes);
    values.set('ecs_container_fs_writes_bytes_total', s.blockIo?.writeBytes);
    values.set('ecs_container_restarts_total', c.restartCount);
    values.set(
      'ecs_container_start_time_seconds',
      c.startedAtMs === undefined ? undefined : c.startedAtMs / 1000,
    );
  }
  values.set('ecs_container_info', 1);
  return values;
}

function taskValues(m: TaskMetrics): Map<string, number | undefined> {
  return new Map([
    ['ecs_task_cpu_limit_vcpus', m.limits.cpuVcpus],
    ['ecs_task_memory_limit_bytes', m.limits.memoryBytes],
    ['ecs_task_ephemeral_storage_used_bytes', m.ephemeralStorage?.usedBytes],
    ['ecs_task_ephemeral_storage_allocated_bytes', m.ephemeralStorage?.allocatedBytes],
    ['ecs_task_image_pull_start_timestamp_seconds', secondsOf(m.imagePull?.startedAtMs)],
    ['ecs_task_image_pull_stop_timestamp_seconds', secondsOf(m.imagePull?.stoppedAtMs)],
    ['ecs_task_metadata_info', 1],
  ]);
}

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/**
 * Translate one snapshot into Prometheus families (contract.md "Prometheus"). Pure. Every
 * family of {@link PROMETHEUS_FAMILIES} is returned, in that order, possibly without samples
 * (no snapshot yet, no container with stats).
 */
export function referenceTranslatePrometheus(
  metrics: TaskMetrics | undefined,
  options: PrometheusTranslateOptions,
): PrometheusFamily[] {
  const samples = new Map<string, PrometheusSample[]>(PROMETHEUS_FAMILIES.map((f) => [f.name, []]));
  if (metrics !== undefined) {
    const id = metrics.identity;
    const taskLabels: Record<string, string> = options.taskLabels
      ? { cluster: id.cluster, family: id.family, revision: id.revision, task_id: id.taskId }
      : {};
    const push = (name: string, labels: Record<string, string>, value: number | undefined): void => {
      // Non-finite values cannot come from a well-formed payload; skipping them keeps one bad
      // field from making the whole scrape unparsable.
      if (value === undefined || !Number.isFinite(value)) return;
      samples.get(name)!.push({ labels: { ...labels, ...taskLabels }, value });
    };

    for (const c of metrics.containers) {
      for (const [name, value] of containerValues(c)) {
        const labels: Record<string, string> =
          name === 'ecs_container_info'
            ? {
                container_name: c.name,
                container_id: c.dockerId,
                image: c.image ?? '',
                image_id: c.imageId ?? '',
                known_status: c.knownStatus ?? '',
              }
            : { container_name: c.name };
        push(name, labels, value);
      }
    }

    // awsvpc: one entry per interface for the whole task (never summed over containers,
    // ecs_exporter#95); bridge: one per container and interface, told apart by container_name.
    for (const n of metrics.networks) {
      const labels: Record<string, string> =
        n.containerName === undefined
          ? { interface: n.interface }
          : { interface: n.interface, container_name: n.containerName };
      for (const [name, field] of NETWORK_COUNTERS) push(name, labels, n.counters[field]);
    }

    for (const [name, value] of taskValues(metrics)) {
      const labels: Record<string, string> =
        name === 'ecs_task_metadata_info'
          ? {
              cluster: id.cluster,
              task_arn: id.taskArn,
              family: id.family,
              revision: id.revision,
              desired_status: id.desiredStatus ?? '',
              known_status: id.knownStatus,
              availability_zone: id.availabilityZone ?? '',
              launch_type: id.launchType ?? '',
            }
          : {};
      push(name, labels, value);
    }
  }
  return PROMETHEUS_FAMILIES.map((spec) => ({
    name: spec.name,
    help: spec.help,
    type: spec.type,
    labelNames: prometheusLabelNames(spec, options.taskLabels),
    samples: samples.get(spec.name)!,
  }));
}
