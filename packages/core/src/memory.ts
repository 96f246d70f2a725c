import type { MemoryStats } from '@taskscope/wire';
import type { CgroupVersion, MemoryMetrics } from './types.js';
import { finite, type Mutable } from './util.js';

/**
 * Memory figures per cgroup flavour (docs/peers.md §3.1, §3.7, §6.1-3). Every field
 * is absent when its source is: nothing is invented.
 */
export function memoryMetrics(memory: MemoryStats | null | undefined, cgroup: CgroupVersion): MemoryMetrics {
  if (!memory) return {};
  if (cgroup === 'windows') {
    // Windows has no page cache split: Docker's CLI and the ECS agent both use the
    // private working set (docker/cli stats_helpers.go, agent/stats/utils_windows.go).
    const ws = finite(memory.privateworkingset);
    if (ws === undefined) return {};
    return { usageBytes: ws, workingSetBytes: ws, utilizedBytes: ws };
  }
  const stats = memory.stats ?? {};
  const usage = finite(memory.usage);
  const out: Mutable<MemoryMetrics> = {};
  if (usage !== undefined) out.usageBytes = usage;
  if (cgroup === 'v1') {
    // docker stats subtracts the hierarchy's `total_inactive_file`; v1 payloads without
    // the `total_*` twins (old agents) fall back to the cgroup's own key.
    const inactive = finite(stats['total_inactive_file']) ?? finite(stats['inactive_file']);
    const cache = finite(stats['cache']);
    if (usage !== undefined) {
      out.workingSetBytes = inactive === undefined ? usage : Math.max(0, usage - inactive);
      // The ECS agent's MemoryUsageInMegs on cgroup v1: usage − cache when cache < usage
      // (aws/amazon-ecs-agent#582, agent/stats/utils_unix.go getMemUsage).
      out.utilizedBytes = cache !== undefined && cache < usage ? usage - cache : usage;
    }
    setIfDefined(out, 'rssBytes', finite(stats['total_rss']) ?? finite(stats['rss']));
    setIfDefined(out, 'cacheBytes', finite(stats['total_cache']) ?? cache);
    setIfDefined(out, 'pageCacheBytes', cache);
  } else {
    // cgroup v2 has no `cache`: both docker stats and the ECS agent subtract
    // `inactive_file` (aws/amazon-ecs-agent#3323); usage − cache would count page cache.
    const inactive = finite(stats['inactive_file']);
    if (usage !== undefined) {
      out.workingSetBytes = inactive === undefined ? usage : Math.max(0, usage - inactive);
      out.utilizedBytes = inactive !== undefined && inactive < usage ? usage - inactive : usage;
    }
    setIfDefined(out, 'rssBytes', finite(stats['anon']));
    const file = finite(stats['file']);
    setIfDefined(out, 'cacheBytes', file);
    setIfDefined(out, 'pageCacheBytes', file);
  }
  setIfDefined(out, 'maxUsageBytes', finite(memory.max_usage));
  return out;
}

function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
