import { z } from 'zod';

/*
 * Schemas for the task metadata endpoint's payloads. They are tolerant where AWS varies
 * (unknown fields pass through, EC2-only and Fargate-only fields are optional, `null` is
 * accepted wherever a Go nil slice or pointer can produce it) and strict only where the
 * computation depends on a field. Upstream types:
 * aws/amazon-ecs-agent ecs-agent/tmds/handlers/v2/response.go (TaskResponse,
 * ContainerResponse), ecs-agent/tmds/handlers/v4/state/response.go (v4 wrappers,
 * StatsResponse = Docker StatsJSON + network_rate_stats) and the agent's vendored
 * docker/docker api/types/stats.go. Field notes: research/payloads.md §3–§5.
 */

const count = z.number();
const optionalCount = count.nullish();
const optionalString = z.string().nullish();

/** `Limits` on a task (CPU in vCPU, Memory in MiB) or a container (CPU in units, Memory in MiB). */
export const LimitsSchema = z.looseObject({ CPU: optionalCount, Memory: optionalCount });

export const ContainerNetworkSchema = z.looseObject({
  NetworkMode: optionalString,
  IPv4Addresses: z.array(z.string()).nullish(),
  IPv6Addresses: z.array(z.string()).nullish(),
});

export const ContainerMetadataSchema = z.looseObject({
  DockerId: z.string(),
  Name: z.string(),
  DockerName: optionalString,
  Image: optionalString,
  ImageID: optionalString,
  Labels: z.record(z.string(), z.unknown()).nullish(),
  DesiredStatus: optionalString,
  // The agent's enum grows (MANIFEST_PULLED, RESOURCES_PROVISIONED, …): any string.
  KnownStatus: optionalString,
  Limits: LimitsSchema.nullish(),
  CreatedAt: optionalString,
  StartedAt: optionalString,
  FinishedAt: optionalString,
  ExitCode: optionalCount,
  Type: optionalString,
  Networks: z.array(ContainerNetworkSchema).nullish(),
  // Only present when an ECS restart policy is set (v4).
  RestartCount: optionalCount,
  ContainerARN: optionalString,
});

export const TaskMetadataSchema = z.looseObject({
  Cluster: z.string(),
  TaskARN: z.string(),
  Family: z.string(),
  // A string in every real payload ("7"); a number is accepted and kept as text.
  Revision: z.union([z.string(), z.number().transform(String)]),
  DesiredStatus: optionalString,
  // Fargate also sends SNAPSHOTTER_SELECTED and NONE: any string.
  KnownStatus: z.string(),
  Containers: z.array(ContainerMetadataSchema).nullish(),
  Limits: LimitsSchema.nullish(),
  PullStartedAt: optionalString,
  PullStoppedAt: optionalString,
  ExecutionStoppedAt: optionalString,
  AvailabilityZone: optionalString,
  LaunchType: optionalString,
  ServiceName: optionalString,
  EphemeralStorageMetrics: z.looseObject({ Utilized: optionalCount, Reserved: optionalCount }).nullish(),
  // Only on `…WithTags`; Go map[string]string.
  TaskTags: z.record(z.string(), z.string()).nullish(),
  ContainerInstanceTags: z.record(z.string(), z.string()).nullish(),
  // v4 `taskWithTags` answers 200 with this list when ECS ListTagsForResource failed
  // (aws/amazon-ecs-agent issue #2728; v2.ErrorResponse in ecs-agent/tmds/handlers/v2/response.go).
  Errors: z
    .array(
      z.looseObject({
        ErrorField: optionalString,
        ErrorCode: optionalString,
        ErrorMessage: optionalString,
        StatusCode: optionalCount,
        RequestId: optionalString,
        ResourceARN: optionalString,
      }),
    )
    .nullish(),
});

const CpuUsageSchema = z.looseObject({
  total_usage: count,
  // Absent on cgroup v2; padded with zeros for every host CPU on cgroup v1.
  percpu_usage: z.array(count).nullish(),
  usage_in_kernelmode: optionalCount,
  usage_in_usermode: optionalCount,
});

export const CpuStatsSchema = z.looseObject({
  cpu_usage: CpuUsageSchema,
  // Host-wide and absent on Windows and old Fargate: never used by the computation.
  system_cpu_usage: optionalCount,
  online_cpus: optionalCount,
  throttling_data: z.looseObject({}).nullish(),
});

/** `precpu_stats` is all zeros on a first sample and has been seen missing: everything optional. */
export const PreCpuStatsSchema = z.looseObject({
  cpu_usage: CpuUsageSchema.partial().nullish(),
  system_cpu_usage: optionalCount,
  online_cpus: optionalCount,
});

export const MemoryStatsSchema = z.looseObject({
  usage: optionalCount,
  max_usage: optionalCount,
  limit: optionalCount,
  failcnt: optionalCount,
  // cgroup v1 keys (cache, rss, total_inactive_file, …) or v2 keys (anon, file, inactive_file, …).
  stats: z.record(z.string(), count).nullish(),
  // Windows only.
  privateworkingset: optionalCount,
  commitbytes: optionalCount,
  commitpeakbytes: optionalCount,
});

/** One `{major, minor, op, value}` entry; `value` has been seen missing (Datadog 2017 fixture). */
export const BlkioEntrySchema = z.looseObject({
  major: optionalCount,
  minor: optionalCount,
  op: z.string(),
  value: optionalCount,
});

const blkioList = z.array(BlkioEntrySchema).nullish();

/** All eight lists may be `null` (cgroup v2 fills only the first; Windows none). */
export const BlkioStatsSchema = z.looseObject({
  io_service_bytes_recursive: blkioList,
  io_serviced_recursive: blkioList,
  io_queue_recursive: blkioList,
  io_service_time_recursive: blkioList,
  io_wait_time_recursive: blkioList,
  io_merged_recursive: blkioList,
  io_time_recursive: blkioList,
  sectors_recursive: blkioList,
});

/** Docker on Windows reports no `rx_errors`/`tx_errors`: every counter is optional. */
export const InterfaceStatsSchema = z.looseObject({
  rx_bytes: optionalCount,
  rx_packets: optionalCount,
  rx_errors: optionalCount,
  rx_dropped: optionalCount,
  tx_bytes: optionalCount,
  tx_packets: optionalCount,
  tx_errors: optionalCount,
  tx_dropped: optionalCount,
});

export const ContainerStatsSchema = z.looseObject({
  read: z.string(),
  preread: optionalString,
  name: optionalString,
  id: optionalString,
  num_procs: optionalCount,
  cpu_stats: CpuStatsSchema,
  precpu_stats: PreCpuStatsSchema.nullish(),
  memory_stats: MemoryStatsSchema.nullish(),
  blkio_stats: BlkioStatsSchema.nullish(),
  networks: z.record(z.string(), InterfaceStatsSchema).nullish(),
  // Windows disk I/O; `{}` on Linux.
  storage_stats: z
    .looseObject({
      read_count_normalized: optionalCount,
      read_size_bytes: optionalCount,
      write_count_normalized: optionalCount,
      write_size_bytes: optionalCount,
    })
    .nullish(),
  // v4 only, computed by the ECS agent; taskscope computes its own rates.
  network_rate_stats: z
    .looseObject({ rx_bytes_per_sec: optionalCount, tx_bytes_per_sec: optionalCount })
    .nullish(),
});

export type Limits = z.infer<typeof LimitsSchema>;
export type ContainerNetwork = z.infer<typeof ContainerNetworkSchema>;
export type ContainerMetadata = z.infer<typeof ContainerMetadataSchema>;
export type TaskMetadata = z.infer<typeof TaskMetadataSchema>;
export type CpuStats = z.infer<typeof CpuStatsSchema>;
export type PreCpuStats = z.infer<typeof PreCpuStatsSchema>;
export type MemoryStats = z.infer<typeof MemoryStatsSchema>;
export type BlkioEntry = z.infer<typeof BlkioEntrySchema>;
export type BlkioStats = z.infer<typeof BlkioStatsSchema>;
export type InterfaceStats = z.infer<typeof InterfaceStatsSchema>;
export type ContainerStats = z.infer<typeof ContainerStatsSchema>;

/**
 * The task stats map: DockerId → stats, or `null` for a container with no sample. Both
 * shapes the endpoint uses for "no sample" (`null` on v2/v3 and Fargate v4, `{}` or a bare
 * `{"network_rate_stats": …}` on EC2 v4) arrive here as `null`.
 */
export type TaskStats = Record<string, ContainerStats | null>;
