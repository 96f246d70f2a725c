/*
 * Shapes AWS has actually shipped, applied to a correct stats payload so a consumer can be
 * tested against them (`--fault schema-drift[=NAME]`). Each drift is one observed payload:
 */

/** The names accepted by `schema-drift=NAME`. */
export const SCHEMA_DRIFTS = [
  /**
   * `cpu_stats.system_cpu_usage` and `online_cpus` absent, as on Fargate platform version 1.4
   * (aws/containers-roadmap#855, DataDog/datadog-agent#5403) and on Windows.
   */
  'no-system-cpu',
  /** `networks` replaced by the legacy `"network": {}` (Docker API < 1.21; telegraf `stats.golden`). */
  'legacy-network',
  /**
   * `precpu_stats` all zeros and `preread` Go's zero time, as on Fargate PV 1.4
   * (aws/containers-roadmap#1062, open) and on every first sample.
   */
  'zero-precpu',
  /**
   * Block I/O as cgroup v2 reports it: ops lower-case `read`/`write` only and the 7 other
   * lists `null` (ecs_exporter EC2 fixture; breaks exact `"Read"` matching,
   * opentelemetry-collector-contrib#50791).
   */
  'cgroup2-blkio',
  /** `cpu_usage.percpu_usage` absent, as on cgroup v2 (prometheus-community/ecs_exporter#74). */
  'no-percpu',
  /**
   * A running container's stats `{}`: the EC2 agent's answer before the first sample, and
   * the v4 shape of a container the stats engine does not track (docs/endpoint.md §5).
   */
  'empty-stats',
] as const;

export type SchemaDrift = (typeof SCHEMA_DRIFTS)[number];

/** Bare `schema-drift` applies these together; `empty-stats` would erase the rest. */
export const DEFAULT_DRIFTS: readonly SchemaDrift[] = [
  'no-system-cpu',
  'legacy-network',
  'zero-precpu',
  'cgroup2-blkio',
  'no-percpu',
];

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const BLKIO_OTHER_LISTS = [
  'io_serviced_recursive',
  'io_queue_recursive',
  'io_service_time_recursive',
  'io_wait_time_recursive',
  'io_merged_recursive',
  'io_time_recursive',
  'sectors_recursive',
];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for an entry that carries a sample (not `null`, not `{}`). */
function hasSample(stats: unknown): stats is Json {
  return isObject(stats) && ('read' in stats || 'cpu_stats' in stats);
}

/** One container's stats with the drifts applied; the input is not modified. */
export function driftContainerStats(stats: unknown, drifts: readonly SchemaDrift[]): unknown {
  if (!hasSample(stats)) return stats;
  if (drifts.includes('empty-stats')) return {};
  const out: Json = structuredClone(stats);
  for (const drift of drifts) {
    switch (drift) {
      case 'no-system-cpu':
        for (const key of ['cpu_stats', 'precpu_stats']) {
          const cpu = out[key];
          if (isObject(cpu)) {
            delete cpu['system_cpu_usage'];
            delete cpu['online_cpus'];
          }
        }
        break;
      case 'legacy-network':
        delete out['networks'];
        out['network'] = {};
        break;
      case 'zero-precpu':
        out['preread'] = GO_ZERO_TIME;
        out['precpu_stats'] = {
          cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
          throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
        };
        break;
      case 'cgroup2-blkio': {
        const blkio = isObject(out['blkio_stats']) ? out['blkio_stats'] : {};
        const bytes = Array.isArray(blkio['io_service_bytes_recursive'])
          ? blkio['io_service_bytes_recursive']
          : [];
        const kept = bytes
          .filter(isObject)
          .filter((entry) => /^(read|write)$/i.test(String(entry['op'])))
          .map((entry) => ({ ...entry, op: String(entry['op']).toLowerCase() }));
        out['blkio_stats'] = {
          io_service_bytes_recursive: kept.length > 0 ? kept : null,
          ...Object.fromEntries(BLKIO_OTHER_LISTS.map((list) => [list, null])),
        };
        break;
      }
      case 'no-percpu':
        for (const key of ['cpu_stats', 'precpu_stats']) {
          const usage = isObject(out[key]) ? (out[key] as Json)['cpu_usage'] : undefined;
          if (isObject(usage)) delete usage['percpu_usage'];
        }
        break;
      case 'empty-stats':
        break;
    }
  }
  return out;
}

/** The task stats map with every sampled entry drifted; `null`/`{}` entries stay as they are. */
export function driftTaskStats(stats: unknown, drifts: readonly SchemaDrift[]): unknown {
  if (!isObject(stats)) return stats;
  return Object.fromEntries(
    Object.entries(stats).map(([dockerId, entry]) => [dockerId, driftContainerStats(entry, drifts)]),
  );
}
