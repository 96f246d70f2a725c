/*
 * The computation's output: one value per poll that every exporter (Prometheus, OTLP, EMF)
 * and the snapshot API translate. Plain JSON-serialisable data. Units are in the names;
 * "rate" means per second over the interval between two successive distinct `read`
 * timestamps of the payload, never the poll clock.
 */

/** The cgroup flavour read from the shape of `memory_stats` (docs/endpoint.md §5). */
export type CgroupVersion = 'v1' | 'v2' | 'windows';

/**
 * The task's network mode. `awsvpc` (all of Fargate): one shared namespace, so the
 * interface counters every container reports are the task's and are counted once.
 * `bridge`: one namespace per container. `host`: no per-task network stats.
 */
export type NetworkMode = 'awsvpc' | 'bridge' | 'host' | 'unknown';

/**
 * `first`: no previous state (rates only from `precpu_stats`, when valid).
 * `fresh`: at least one container's `read` advanced since the previous poll.
 * `duplicate`: nothing advanced (polled between two refreshes): no new rate, the previous
 * rates are repeated.
 */
export type SampleKind = 'first' | 'fresh' | 'duplicate';

export interface TaskIdentity {
  /** `Cluster` as the payload gives it: an ARN on Fargate, usually the short name on EC2. */
  readonly cluster: string;
  /** The cluster's short name (the ARN's last segment). */
  readonly clusterName: string;
  /** The cluster ARN, given or built from the task ARN's partition, region and account. */
  readonly clusterArn?: string;
  readonly taskArn: string;
  /** The task ARN's last segment. */
  readonly taskId: string;
  readonly family: string;
  readonly revision: string;
  /** From the task ARN. */
  readonly region?: string;
  /** From the task ARN. */
  readonly accountId?: string;
  readonly availabilityZone?: string;
  /** As the payload gives it (`FARGATE`, `EC2`); absent before v4. */
  readonly launchType?: string;
  /** `ServiceName`, else `Group` when it is `service:<name>`. */
  readonly serviceName?: string;
  readonly desiredStatus?: string;
  readonly knownStatus: string;
}

export interface TaskLimits {
  /** Task `Limits.CPU` in vCPU (0.25 = a quarter of a core). */
  readonly cpuVcpus?: number;
  /** Task `Limits.Memory` (MiB) in bytes. */
  readonly memoryBytes?: number;
}

export interface CpuMetrics {
  /** `cpu_usage.total_usage` in seconds (Windows: 100 ns units scaled). Never user + system. */
  readonly totalSeconds: number;
  readonly userSeconds?: number;
  readonly systemSeconds?: number;
  /**
   * Cores used over the interval: Δtotal_usage / Δread. On a first sample, from
   * `precpu_stats` when it is valid. Absent when no interval is known (reset, first sample
   * without a valid `precpu_stats`).
   */
  readonly cores?: number;
}

export interface MemoryMetrics {
  /** Raw `usage` (page cache included). Windows: `privateworkingset`. */
  readonly usageBytes?: number;
  /**
   * usage − inactive file (`total_inactive_file` on v1, `inactive_file` on v2), never
   * below 0. Windows: `privateworkingset`. What `docker stats` and cAdvisor call used.
   */
  readonly workingSetBytes?: number;
  /** v1 `total_rss` (else `rss`), v2 `anon`. */
  readonly rssBytes?: number;
  /** v1 `total_cache` (else `cache`), v2 `file`. */
  readonly cacheBytes?: number;
  /** ecs_exporter's `page_cache_size`: v1 `cache`, v2 `file` (ecs_exporter reads 0 on v2). */
  readonly pageCacheBytes?: number;
  /**
   * Container Insights' `MemoryUtilized`, as the ECS agent computes it: v1 usage − `cache`,
   * v2 usage − `inactive_file`, in bytes (the agent floors to MiB per container).
   */
  readonly utilizedBytes?: number;
  readonly maxUsageBytes?: number;
}

export interface BlockIoMetrics {
  /** Σ of `io_service_bytes_recursive` entries whose op is `read` in any case, all devices. */
  readonly readBytes: number;
  readonly writeBytes: number;
  /** Bytes over the latest interval; absent when no interval is known. */
  readonly readBytesDelta?: number;
  readonly writeBytesDelta?: number;
  readonly readBytesPerSecond?: number;
  readonly writeBytesPerSecond?: number;
}

export interface NetworkCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

/**
 * The rates of an interface's latest interval, each absent when no interval is known; the
 * deltas are the bytes over that interval (for EMF). Repeated on a duplicate sample.
 */
export interface InterfaceRates {
  readonly rxBytesPerSecond?: number;
  readonly txBytesPerSecond?: number;
  readonly rxPacketsPerSecond?: number;
  readonly txPacketsPerSecond?: number;
  readonly rxBytesDelta?: number;
  readonly txBytesDelta?: number;
}

export interface InterfaceMetrics extends InterfaceRates {
  /** `eth1`, `eth0`, `Ethernet 3`… */
  readonly interface: string;
  /** Bridge (per-container namespace) only; absent for awsvpc task-level interfaces. */
  readonly containerName?: string;
  readonly counters: NetworkCounters;
}

export interface ContainerStatsMetrics {
  /** The payload's `read`, in ms since the epoch (fraction kept). */
  readonly readAtMs: number;
  readonly cgroup: CgroupVersion;
  readonly sample: SampleKind;
  /** Seconds between this `read` and the one the rates were computed from. */
  readonly intervalSeconds?: number;
  readonly cpu: CpuMetrics;
  readonly memory: MemoryMetrics;
  /** Absent when the payload has no block I/O data (`null` lists), never an invented 0. */
  readonly blockIo?: BlockIoMetrics;
  readonly pids?: number;
}

/** A container's health check as the metadata reports it. */
export interface ContainerHealth {
  /** `UNKNOWN` until the check has run (and on values the endpoint may add later). */
  readonly status: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  readonly sinceMs?: number;
  /** The last check command's exit code. */
  readonly exitCode?: number;
}

export interface ContainerMetrics {
  /** The task-definition name: the identity every exporter labels by. */
  readonly name: string;
  readonly dockerId: string;
  readonly dockerName?: string;
  readonly image?: string;
  readonly imageId?: string;
  readonly knownStatus?: string;
  readonly desiredStatus?: string;
  readonly type?: string;
  readonly createdAtMs?: number;
  readonly startedAtMs?: number;
  readonly finishedAtMs?: number;
  readonly exitCode?: number;
  /** Present only when the container has an ECS restart policy. */
  readonly restartCount?: number;
  /** The container health check (`Health` on v2, v3 and v4, lowercase keys); absent without one. */
  readonly health?: ContainerHealth;
  /** Container `Limits.CPU`: CPU units, a weight (shares) not a cap on Fargate. */
  readonly cpuShares?: number;
  /** Container `Limits.Memory`, else the task limit, in bytes. Never the stats `limit`. */
  readonly memoryLimitBytes?: number;
  /**
   * When the current run of cumulative counters began: `StartedAt`, else the first `read`
   * seen; moved on every reset. OTLP start times and Prometheus `_created` use it.
   */
  readonly counterStartMs?: number;
  /** This poll saw a reset (counter decrease, new DockerId, StartedAt or RestartCount). */
  readonly reset: boolean;
  /** Absent when the stats entry is `null` or `{}`: such a container gets identity only. */
  readonly stats?: ContainerStatsMetrics;
}

export interface TaskTotals {
  /** Σ container cores (containers with a known rate only). */
  readonly cpuCores?: number;
  /** cpuCores / task vCPU limit, a ratio (0.0348 = 3.48 %). */
  readonly cpuUtilization?: number;
  /** Task vCPU × 1024, else Σ container CPU units (Container Insights' `CpuReserved`). */
  readonly cpuReservedUnits?: number;
  readonly memoryUsageBytes?: number;
  readonly memoryWorkingSetBytes?: number;
  /** Σ of each container's utilizedBytes floored to MiB, in MiB, as the ECS agent reports. */
  readonly memoryUtilizedMiB?: number;
  /** memoryUtilizedMiB / task memory limit MiB, a ratio. */
  readonly memoryUtilization?: number;
  /** Σ working set / task memory limit, a ratio. */
  readonly memoryWorkingSetUtilization?: number;
  /** Σ over the task's interfaces (awsvpc: each interface once; bridge: Σ over containers). */
  readonly networkRxBytesPerSecond?: number;
  readonly networkTxBytesPerSecond?: number;
  /** Σ over containers of bytes read/written during the latest interval. */
  readonly storageReadBytes?: number;
  readonly storageWriteBytes?: number;
}

export interface TaskMetrics {
  readonly identity: TaskIdentity;
  readonly limits: TaskLimits;
  readonly networkMode: NetworkMode;
  /** The flavour of the first container with stats; absent when none has stats. */
  readonly cgroup?: CgroupVersion;
  /** Fargate `EphemeralStorageMetrics` (MiB) in bytes. */
  readonly ephemeralStorage?: { readonly usedBytes?: number; readonly allocatedBytes?: number };
  readonly imagePull?: { readonly startedAtMs?: number; readonly stoppedAtMs?: number };
  /** User containers in metadata order. The ECS pause container is not one. */
  readonly containers: readonly ContainerMetrics[];
  /** awsvpc: one entry per interface for the whole task; bridge: one per container and interface. */
  readonly networks: readonly InterfaceMetrics[];
  readonly totals: TaskTotals;
  readonly sample: {
    readonly kind: SampleKind;
    /** The newest `read` among containers, ms since the epoch. */
    readonly readAtMs?: number;
  };
}
