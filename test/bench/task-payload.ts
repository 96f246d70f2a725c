import { loadFixture } from '@taskscope/fixtures';

/*
 * Tasks of any size built from one real container: the RUNNING `prometheus` container of
 * ecs_exporter's Fargate capture (packages/fixtures/payloads/README.md), a cgroup v1
 * payload of about 5 KB per container with two block devices and one awsvpc interface.
 * Real shapes matter here: a synthetic payload with fewer keys would flatter the parse
 * baseline and the computation alike.
 */

const METADATA = 'prometheus-community-ecs_exporter/fargate_task_metadata.json';
const STATS = 'prometheus-community-ecs_exporter/fargate_task_stats.json';
const TEMPLATE_NAME = 'prometheus';
/** The Fargate refresh cadence (docs/endpoint.md §2, "Timing and cadence"). */
const REFRESH_MS = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: the template is walked as raw JSON and edited in place.
type Json = any;

/** One poll's two response bodies, as the endpoint would send them. */
export interface TaskPayloadText {
  readonly containerCount: number;
  readonly metadataText: string;
  readonly statsText: string;
}

/**
 * A task of `containerCount` RUNNING containers at refresh number `refresh` (0, 1, …):
 * each refresh moves `read` by 10 s and every counter forward by a per-container amount,
 * so two successive refreshes make a `fresh` interval with non-zero rates.
 */
export function buildTaskPayload(containerCount: number, refresh: number): TaskPayloadText {
  const metadata: Json = structuredClone(loadFixture(METADATA).json);
  const stats: Json = loadFixture(STATS).json;
  const templateMeta = metadata.Containers.find((c: Json) => c.Name === TEMPLATE_NAME);
  const templateStats = stats[templateMeta.DockerId];
  const taskId = String(metadata.TaskARN).split('/').pop();
  const baseReadMs = Date.parse(templateStats.read);

  const containers: Json[] = [];
  const entries: Record<string, Json> = {};
  for (let i = 0; i < containerCount; i++) {
    const name = `app-${i}`;
    const dockerId = `${taskId}-${1_000_000_000 + i}`;
    containers.push({
      ...structuredClone(templateMeta),
      Name: name,
      DockerName: name,
      DockerId: dockerId,
      Labels: { ...templateMeta.Labels, 'com.amazonaws.ecs.container-name': name },
    });
    entries[dockerId] = advance(structuredClone(templateStats), i, refresh, baseReadMs, name, dockerId);
  }
  metadata.Containers = containers;
  return {
    containerCount,
    metadataText: JSON.stringify(metadata),
    statsText: JSON.stringify(entries),
  };
}

function advance(
  entry: Json,
  index: number,
  refresh: number,
  baseReadMs: number,
  name: string,
  id: string,
): Json {
  // Distinct per-container rates: 5 % to 50 % of a core, some block I/O and traffic.
  const cpuNsPerRefresh = Math.round((0.05 + (index % 10) * 0.05) * REFRESH_MS * 1e6);
  const readMs = baseReadMs + refresh * REFRESH_MS;
  entry.name = `/${name}`;
  entry.id = id;
  entry.read = new Date(readMs).toISOString();
  entry.preread = new Date(readMs - REFRESH_MS).toISOString();
  for (const [key, steps] of [
    ['cpu_stats', refresh],
    ['precpu_stats', refresh - 1],
  ] as const) {
    const usage = entry[key].cpu_usage;
    usage.total_usage += Math.max(0, steps) * cpuNsPerRefresh;
    usage.usage_in_usermode += Math.max(0, steps) * Math.round(cpuNsPerRefresh * 0.8);
    usage.usage_in_kernelmode += Math.max(0, steps) * Math.round(cpuNsPerRefresh * 0.2);
    entry[key].system_cpu_usage += Math.max(0, steps) * REFRESH_MS * 2e6;
  }
  entry.memory_stats.usage += index * 1_048_576;
  for (const item of entry.blkio_stats.io_service_bytes_recursive) {
    if (/^(read|write|total|sync)$/i.test(item.op)) item.value += refresh * 4096 * (index + 1);
  }
  for (const counters of Object.values(entry.networks ?? {}) as Json[]) {
    counters.rx_bytes += refresh * 150_000;
    counters.tx_bytes += refresh * 90_000;
    counters.rx_packets += refresh * 120;
    counters.tx_packets += refresh * 80;
  }
  return entry;
}
