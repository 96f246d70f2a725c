import type { ContainerMetadata, ContainerStats, TaskMetadata } from '@taskscope/wire';
import type { CgroupVersion, NetworkMode } from './types.js';

/** The name the ECS agent gives the pause container that owns an awsvpc task's namespace. */
export const PAUSE_CONTAINER_NAME = '~internal~ecs~pause';

/**
 * The ECS pause container: not a user container (no exporter series of its own), but in
 * old v2 awsvpc payloads the only one whose stats carry `networks` (telegraf
 * stats.golden). Matched by name or by the agent's container types.
 */
export function isPauseContainer(container: ContainerMetadata): boolean {
  return (
    container.Name === PAUSE_CONTAINER_NAME ||
    container.Type === 'CNI_PAUSE' ||
    container.Type === 'NAMESPACE_PAUSE'
  );
}

/**
 * The task's network mode, from the containers' `Networks[].NetworkMode`. Fargate is
 * always awsvpc, even when a payload omits `Networks`. Any other named Docker network
 * (the local endpoints mock reports the compose network's name) is a bridge.
 */
export function detectNetworkMode(metadata: TaskMetadata): NetworkMode {
  let host = false;
  let bridge = false;
  for (const container of metadata.Containers ?? []) {
    for (const network of container.Networks ?? []) {
      const mode = network.NetworkMode;
      if (mode === 'awsvpc') return 'awsvpc';
      if (mode === 'host') host = true;
      else if (mode && mode !== 'none') bridge = true;
    }
  }
  if (metadata.LaunchType === 'FARGATE') return 'awsvpc';
  if (bridge) return 'bridge';
  return host ? 'host' : 'unknown';
}

/**
 * The cgroup flavour, from the shape of `memory_stats` (docs/endpoint.md §5):
 * Windows has `privateworkingset` (or processes) and no `usage`, or `privateworkingset` and
 * no `stats` map; v1 has `cache` and `total_*` keys; v2 has `anon`/`file`/`inactive_file`
 * and no `cache`. Without memory keys, the case of the block I/O ops, then v1's
 * `percpu_usage`, decide.
 */
export function detectCgroup(stats: ContainerStats): CgroupVersion {
  const memory = stats.memory_stats;
  const usage = memory?.usage;
  const keys = memory?.stats;
  // `usage` must be absent too: the ECS agent's synthetic unix_test_stats.json sets
  // `privateworkingset` next to Linux fields, and real Linux Docker never sends it.
  if (usage === undefined || usage === null) {
    if (typeof memory?.privateworkingset === 'number' || (stats.num_procs ?? 0) > 0) return 'windows';
  } else if (typeof memory?.privateworkingset === 'number' && (keys === undefined || keys === null)) {
    // Docker on Windows may send `usage` and `max_usage` too, and `num_procs` 0: DataDog's
    // Windows Fargate payload (integrations-core ecs_fargate/tests/fixtures/stats_windows.json)
    // has all three next to `privateworkingset`. It never has the cgroup `stats` map, which the
    // synthetic Linux input above does.
    return 'windows';
  }
  if (keys) {
    if ('cache' in keys) return 'v1';
    for (const key in keys) if (key.startsWith('total_')) return 'v1';
    if ('anon' in keys || 'file' in keys || 'inactive_file' in keys) return 'v2';
  }
  // cgroup v1 names its ops `Read`, `Write`, `Total`…; v2 `read`, `write` (opencontainers/runc#2964).
  const op = stats.blkio_stats?.io_service_bytes_recursive?.[0]?.op;
  if (op) return op === op.toLowerCase() ? 'v2' : 'v1';
  return stats.cpu_stats.cpu_usage.percpu_usage ? 'v1' : 'v2';
}
