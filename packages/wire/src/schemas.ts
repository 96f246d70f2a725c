import * as v from 'valibot';
import { parsePayloadTime } from './time.js';

/*
 * Schemas for the task metadata endpoint's payloads. They are tolerant where AWS varies
 * (unknown fields pass through, EC2-only and Fargate-only fields are optional, `null` is
 * accepted wherever a Go nil slice or pointer can produce it) and strict only where the
 * computation depends on a field. Upstream types:
 * aws/amazon-ecs-agent ecs-agent/tmds/handlers/v2/response.go (TaskResponse,
 * ContainerResponse), ecs-agent/tmds/handlers/v4/state/response.go (v4 wrappers,
 * StatsResponse = Docker StatsJSON + network_rate_stats) and the agent's vendored
 * docker/docker api/types/stats.go. Field notes: docs/endpoint.md §3–§5.
 *
 * The stats schemas run on every poll (10 containers once a second is the agent's goal
 * case), so they check what @taskscope/core reads (core/src/normalize.ts, detect.ts,
 * memory.ts) and let the rest through untouched: a list core never reads is checked to be
 * a list, not entry by entry.
 *
 * They are also checked, not copied. valibot's looseObject builds a new object and copies
 * every unknown key into it (`memory_stats.stats` alone has 32 keys), which was 45 % of
 * parseTaskStats on fargate-10 (433 → 235 µs a poll with V8's optimizing compilers off, as
 * the agent runs). So the stats objects are `v.object` (declared keys checked, unknown keys
 * ignored) and parseTaskStats/parseContainerStats return the payload itself once it passed:
 * unknown fields still pass through, untouched, and nothing is copied. That is only sound
 * because no stats schema transforms or defaults a value; `Loose` puts the index signature
 * back in the types.
 */

/** `T` with unknown keys allowed on every object in it, as a checked-not-copied payload has them. */
export type Loose<T> = T extends readonly (infer Item)[]
  ? readonly Loose<Item>[]
  : T extends object
    ? { [K in keyof T]: Loose<T[K]> } & { readonly [key: string]: unknown }
    : T;

// JSON.parse turns an overlong literal such as 1e999 into Infinity: not a count.
const count = v.pipe(v.number(), v.finite());
const optionalCount = v.nullish(count);
const optionalString = v.nullish(v.string());

/*
 * A stats counter that may be absent. The finite check is left out on the hot path: core
 * reads every optional counter through its finite() guard, which drops a non-finite value
 * like a missing one, so an overflowed optional counter costs that counter, not the poll.
 * Required counters (total_usage) keep the check.
 */
const statsNumber = v.number();
const optionalStatsNumber = v.nullish(statsNumber);

/**
 * A list whose entries nothing reads (percpu_usage, the blkio lists core skips): checked to
 * be an array or null, entries passed through unvalidated so a 64-CPU host costs nothing.
 */
const uncheckedList = v.nullish(v.custom<readonly unknown[]>(Array.isArray, 'an array'));

/** `Limits` on a task (CPU in vCPU, Memory in MiB) or a container (CPU in units, Memory in MiB). */
export const LimitsSchema = v.looseObject({ CPU: optionalCount, Memory: optionalCount });

export const ContainerNetworkSchema = v.looseObject({
  NetworkMode: optionalString,
  IPv4Addresses: v.nullish(v.array(v.string())),
  IPv6Addresses: v.nullish(v.array(v.string())),
});

/**
 * `Health`: present (v2, v3 and v4 alike) only when the task definition gives the container a
 * health check, with lowercase keys unlike the rest of the object (aws/amazon-ecs-agent
 * ecs-agent/tmds/handlers/v2/response.go `HealthStatus`, filled by agent/handlers/v2/response.go
 * `NewContainerResponse` for every version). Every key is omitempty: the EC2 agent leaves
 * `status` out while it is UNKNOWN (`{}` until the first check result), and `exitCode` is the
 * exit code of the check that last turned the container UNHEALTHY, kept after it recovers
 * (agent/api/container/container.go `SetHealthStatus`). A bad key costs only itself (parse.ts).
 */
export const ContainerHealthSchema = v.pipe(
  // valibot's object schemas take arrays, and `[]` is no health check result.
  v.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'an object',
  ),
  v.looseObject({
    // HEALTHY or UNHEALTHY from the EC2 agent; any string, so a status AWS adds still parses.
    status: optionalString,
    // When the status last changed: RFC3339Nano like every other timestamp.
    statusSince: v.nullish(
      v.pipe(
        v.string(),
        v.check((text) => parsePayloadTime(text) !== undefined, 'an RFC 3339 timestamp'),
      ),
    ),
    exitCode: v.nullish(v.pipe(v.number(), v.integer())),
    // The last check's output, at most 1024 bytes (the agent's maxHealthCheckOutputLength).
    output: optionalString,
  }),
);

export const ContainerMetadataSchema = v.looseObject({
  DockerId: v.string(),
  Name: v.string(),
  DockerName: optionalString,
  Image: optionalString,
  ImageID: optionalString,
  Labels: v.nullish(v.record(v.string(), v.unknown())),
  DesiredStatus: optionalString,
  // The agent's enum grows (MANIFEST_PULLED, RESOURCES_PROVISIONED, …): any string.
  KnownStatus: optionalString,
  Limits: v.nullish(LimitsSchema),
  CreatedAt: optionalString,
  StartedAt: optionalString,
  FinishedAt: optionalString,
  ExitCode: optionalCount,
  Type: optionalString,
  Networks: v.nullish(v.array(ContainerNetworkSchema)),
  Health: v.nullish(ContainerHealthSchema),
  // Only present when an ECS restart policy is set (v4).
  RestartCount: optionalCount,
  ContainerARN: optionalString,
});

export const TaskMetadataSchema = v.looseObject({
  Cluster: v.string(),
  TaskARN: v.string(),
  Family: v.string(),
  // A string in every real payload ("7"); a number is accepted and kept as text.
  Revision: v.union([v.string(), v.pipe(count, v.transform(String))]),
  DesiredStatus: optionalString,
  // Fargate also sends SNAPSHOTTER_SELECTED and NONE: any string.
  KnownStatus: v.string(),
  Containers: v.nullish(v.array(ContainerMetadataSchema)),
  Limits: v.nullish(LimitsSchema),
  PullStartedAt: optionalString,
  PullStoppedAt: optionalString,
  ExecutionStoppedAt: optionalString,
  AvailabilityZone: optionalString,
  LaunchType: optionalString,
  ServiceName: optionalString,
  EphemeralStorageMetrics: v.nullish(v.looseObject({ Utilized: optionalCount, Reserved: optionalCount })),
  // Only on `…WithTags`; Go map[string]string.
  TaskTags: v.nullish(v.record(v.string(), v.string())),
  ContainerInstanceTags: v.nullish(v.record(v.string(), v.string())),
  // v4 `taskWithTags` answers 200 with this list when ECS ListTagsForResource failed
  // (aws/amazon-ecs-agent issue #2728; v2.ErrorResponse in ecs-agent/tmds/handlers/v2/response.go).
  Errors: v.nullish(
    v.array(
      v.looseObject({
        ErrorField: optionalString,
        ErrorCode: optionalString,
        ErrorMessage: optionalString,
        StatusCode: optionalCount,
        RequestId: optionalString,
        ResourceARN: optionalString,
      }),
    ),
  ),
});

const cpuUsageEntries = {
  total_usage: count,
  // Absent on cgroup v2; padded with zeros for every host CPU on cgroup v1. Core reads only
  // whether it is there (a cgroup v1 hint), never its entries.
  percpu_usage: uncheckedList,
  usage_in_kernelmode: optionalStatsNumber,
  usage_in_usermode: optionalStatsNumber,
};

const CpuUsageSchema = v.object(cpuUsageEntries);

export const CpuStatsSchema = v.object({
  cpu_usage: CpuUsageSchema,
  // Host-wide and absent on Windows and old Fargate: never used by the computation.
  system_cpu_usage: optionalStatsNumber,
  online_cpus: optionalStatsNumber,
  // {periods, throttled_periods, throttled_time}: not read, passed through.
  throttling_data: v.nullish(v.object({})),
});

/** `precpu_stats` is all zeros on a first sample and has been seen missing: everything optional. */
export const PreCpuStatsSchema = v.object({
  cpu_usage: v.nullish(v.partial(CpuUsageSchema)),
  system_cpu_usage: optionalStatsNumber,
  online_cpus: optionalStatsNumber,
});

/**
 * `memory_stats.stats`: cgroup v1 keys (cache, rss, rss_huge, mapped_file, dirty, writeback,
 * pgpgin, pgpgout, pgfault, pgmajfault, inactive_anon, active_anon, inactive_file,
 * active_file, unevictable, hierarchical_memory_limit, hierarchical_memsw_limit and their
 * total_* twins) or v2 keys (anon, file, kernel_stack, slab, sock, shmem, file_mapped,
 * file_dirty, file_writeback, anon_thp, inactive_anon, active_anon, inactive_file,
 * active_file, unevictable, slab_reclaimable, slab_unreclaimable, pgfault, pgmajfault, …).
 * Docker's map[string]uint64; only the keys core reads are checked, the rest pass through.
 */
const MemoryStatsKeysSchema = v.object({
  cache: v.optional(statsNumber),
  rss: v.optional(statsNumber),
  inactive_file: v.optional(statsNumber),
  total_cache: v.optional(statsNumber),
  total_rss: v.optional(statsNumber),
  total_inactive_file: v.optional(statsNumber),
  anon: v.optional(statsNumber),
  file: v.optional(statsNumber),
});

export const MemoryStatsSchema = v.object({
  usage: optionalStatsNumber,
  max_usage: optionalStatsNumber,
  limit: optionalStatsNumber,
  failcnt: optionalStatsNumber,
  stats: v.nullish(MemoryStatsKeysSchema),
  // Windows only.
  privateworkingset: optionalStatsNumber,
  commitbytes: optionalStatsNumber,
  commitpeakbytes: optionalStatsNumber,
});

/**
 * One `{major, minor, op, value}` entry; `value` has been seen missing (Datadog 2017 fixture).
 * Core sums values by op over all devices, so the device numbers are not checked: a cgroup v1
 * container lists six ops per device, and checking major and minor too took parseTaskStats
 * on fargate-10 from 203 to 247 µs (optimizing compilers off, as the agent runs).
 */
export const BlkioEntrySchema = v.object({
  op: v.string(),
  value: optionalStatsNumber,
});

/**
 * All eight lists may be `null` (cgroup v2 fills only the first; Windows none). Core reads
 * only `io_service_bytes_recursive`, so only its entries are checked; the others
 * (io_serviced_recursive, io_queue_recursive, io_service_time_recursive,
 * io_wait_time_recursive, io_merged_recursive, io_time_recursive, sectors_recursive) are
 * checked to be lists (or null); their `{major, minor, op, value}` entries pass through as is.
 */
export const BlkioStatsSchema = v.object({
  io_service_bytes_recursive: v.nullish(v.array(BlkioEntrySchema)),
  io_serviced_recursive: uncheckedList,
  io_queue_recursive: uncheckedList,
  io_service_time_recursive: uncheckedList,
  io_wait_time_recursive: uncheckedList,
  io_merged_recursive: uncheckedList,
  io_time_recursive: uncheckedList,
  sectors_recursive: uncheckedList,
});

/** Docker on Windows reports no `rx_errors`/`tx_errors`: every counter is optional. */
export const InterfaceStatsSchema = v.object({
  rx_bytes: optionalStatsNumber,
  rx_packets: optionalStatsNumber,
  rx_errors: optionalStatsNumber,
  rx_dropped: optionalStatsNumber,
  tx_bytes: optionalStatsNumber,
  tx_packets: optionalStatsNumber,
  tx_errors: optionalStatsNumber,
  tx_dropped: optionalStatsNumber,
});

export const ContainerStatsSchema = v.object({
  read: v.string(),
  preread: optionalString,
  name: optionalString,
  id: optionalString,
  num_procs: optionalStatsNumber,
  cpu_stats: CpuStatsSchema,
  precpu_stats: v.nullish(PreCpuStatsSchema),
  memory_stats: v.nullish(MemoryStatsSchema),
  blkio_stats: v.nullish(BlkioStatsSchema),
  networks: v.nullish(v.record(v.string(), InterfaceStatsSchema)),
  // Windows disk I/O; `{}` on Linux.
  storage_stats: v.nullish(
    v.object({
      read_count_normalized: optionalStatsNumber,
      read_size_bytes: optionalStatsNumber,
      write_count_normalized: optionalStatsNumber,
      write_size_bytes: optionalStatsNumber,
    }),
  ),
  // v4 only, computed by the ECS agent; taskscope computes its own rates.
  network_rate_stats: v.nullish(
    v.object({ rx_bytes_per_sec: optionalStatsNumber, tx_bytes_per_sec: optionalStatsNumber }),
  ),
});

export type Limits = v.InferOutput<typeof LimitsSchema>;
export type ContainerNetwork = v.InferOutput<typeof ContainerNetworkSchema>;
export type ContainerHealthMetadata = v.InferOutput<typeof ContainerHealthSchema>;
export type ContainerMetadata = v.InferOutput<typeof ContainerMetadataSchema>;
export type TaskMetadata = v.InferOutput<typeof TaskMetadataSchema>;
export type CpuStats = Loose<v.InferOutput<typeof CpuStatsSchema>>;
export type PreCpuStats = Loose<v.InferOutput<typeof PreCpuStatsSchema>>;
export type MemoryStats = Loose<v.InferOutput<typeof MemoryStatsSchema>>;
export type BlkioEntry = Loose<v.InferOutput<typeof BlkioEntrySchema>>;
export type BlkioStats = Loose<v.InferOutput<typeof BlkioStatsSchema>>;
export type InterfaceStats = Loose<v.InferOutput<typeof InterfaceStatsSchema>>;
export type ContainerStats = Loose<v.InferOutput<typeof ContainerStatsSchema>>;

/**
 * The task stats map: DockerId → stats, or `null` for a container with no sample. Both
 * shapes the endpoint uses for "no sample" (`null` on v2/v3 and Fargate v4, `{}` or a bare
 * `{"network_rate_stats": …}` on EC2 v4) arrive here as `null`.
 */
export type TaskStats = Record<string, ContainerStats | null>;
