import type { PayloadTime } from '@taskscope/wire';
import type {
  CgroupVersion,
  ContainerMetrics,
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

/** The identity fields of ContainerMetrics, already in output form. */
export type ContainerIdentity = Omit<ContainerMetrics, 'counterStartMs' | 'reset' | 'stats'>;

/** A container as the metadata describes it, with its normalised stats. */
export interface ContainerSnapshot {
  readonly identity: ContainerIdentity;
  /** `StartedAt` exactly as the payload gives it: a changed string is a restart. */
  readonly startedAt?: string;
  /** Absent when the stats entry is `null`, `{}` or missing. */
  readonly stats?: StatsSample;
}

/** One container's reading of an interface's counters. */
export interface InterfaceReading {
  /** The container (metadata Name) whose stats entry carried it; may be the pause container. */
  readonly source: string;
  /** The `read` of that stats entry. */
  readonly read: PayloadTime;
  readonly counters: NetworkCounters;
}

/** One interface of the task (awsvpc) or of one container (bridge). */
export interface InterfaceSample {
  /** State key: `task/<iface>` (awsvpc) or `container/<name>/<iface>` (bridge). */
  readonly key: string;
  readonly interface: string;
  /** Bridge only: the container whose namespace this is. */
  readonly containerName?: string;
  /**
   * Every reading, in metadata order: on awsvpc each container carries a copy of the
   * task's counters (diffSnapshot picks one source); on bridge there is exactly one.
   */
  readonly readings: readonly InterfaceReading[];
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
