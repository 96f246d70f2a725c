import type { PayloadTime } from '@taskscope/wire';
import type {
  CgroupVersion,
  MemoryMetrics,
  NetworkCounters,
  NetworkMode,
  TaskIdentity,
  TaskLimits,
  TaskMetrics,
} from './types.js';

/*
 * The normalised form of one poll: the few numbers the computation needs, read once from
 * the validated wire payloads. It holds no reference into the payloads, so a caller may
 * drop them as soon as normalizeSnapshot returns.
 */

/** Cumulative CPU counters in nanoseconds (Windows' 100 ns units already scaled). */
export interface CpuSample {
  readonly totalNs: number;
  readonly userNs?: number;
  readonly systemNs?: number;
  /** `precpu_stats` total, only when it can serve as a first-sample baseline (see normalize.ts). */
  readonly preTotalNs?: number;
}

/** One container's stats entry, normalised. */
export interface StatsSample {
  readonly read: PayloadTime;
  /** Present only when `precpu_stats` is a usable baseline; see {@link CpuSample.preTotalNs}. */
  readonly preread?: PayloadTime;
  readonly cgroup: CgroupVersion;
  readonly cpu: CpuSample;
  readonly memory: MemoryMetrics;
  /** Σ read/write bytes over all devices; absent when the payload has no block I/O data. */
  readonly blockIo?: { readonly readBytes: number; readonly writeBytes: number };
  readonly pids?: number;
}

/** A container as the metadata describes it, with its normalised stats. */
export interface ContainerSnapshot {
  readonly name: string;
  readonly dockerId: string;
  readonly dockerName?: string;
  readonly image?: string;
  readonly imageId?: string;
  readonly knownStatus?: string;
  readonly desiredStatus?: string;
  readonly type?: string;
  readonly createdAtMs?: number;
  /** `StartedAt` exactly as the payload gives it: a changed string is a restart. */
  readonly startedAt?: string;
  readonly startedAtMs?: number;
  readonly finishedAtMs?: number;
  readonly exitCode?: number;
  readonly restartCount?: number;
  readonly cpuShares?: number;
  readonly memoryLimitBytes?: number;
  /** Absent when the stats entry is `null`, `{}` or missing. */
  readonly stats?: StatsSample;
}

/** One interface's counters as one container's stats entry reports them. */
export interface InterfaceSample {
  /** State key: `task/<iface>` (awsvpc) or `container/<name>/<iface>` (bridge). */
  readonly key: string;
  readonly interface: string;
  /** Bridge only: the container whose namespace this is. */
  readonly containerName?: string;
  /** The `read` of the stats entry the counters come from. */
  readonly read: PayloadTime;
  readonly counters: NetworkCounters;
}

/** Everything diffSnapshot needs from one poll. */
export interface TaskSnapshot {
  readonly identity: TaskIdentity;
  readonly limits: TaskLimits;
  readonly networkMode: NetworkMode;
  readonly ephemeralStorage?: TaskMetrics['ephemeralStorage'];
  readonly imagePull?: TaskMetrics['imagePull'];
  /** Task vCPU × 1024, else Σ container CPU units; absent when neither is known. */
  readonly cpuReservedUnits?: number;
  /** User containers in metadata order (the ECS pause container is not one). */
  readonly containers: readonly ContainerSnapshot[];
  readonly interfaces: readonly InterfaceSample[];
  /** The newest sample-time `read` among all containers with stats, pause included. */
  readonly newestRead?: PayloadTime;
}
