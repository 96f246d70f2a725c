import type { Profile } from '../engine/profile.js';

/*
 * The parsed scenario: what the engine compiles. The file uses the names ECS users know
 * from task definitions (`cpu`, `memory`, `essential`); these types carry units in their
 * names. Every default is applied by the time a value has this type.
 */

export type LaunchType = 'FARGATE' | 'EC2';
export type ScenarioNetworkMode = 'awsvpc' | 'bridge';
/** `v1`/`v2`: Linux cgroup flavour of the stats; `windows`: Windows stats shape. */
export type CgroupFlavour = 'v1' | 'v2' | 'windows';
/** States a container can start the scenario in (the agent's enum, docs/endpoint.md §4). */
export type ContainerState = 'RUNNING' | 'PULLED' | 'CREATED' | 'STOPPED';

export interface ScenarioTask {
  /** Short name; Fargate payloads carry the cluster ARN built from it. */
  readonly cluster: string;
  readonly family: string;
  readonly revision: string;
  readonly region: string;
  readonly accountId: string;
  /** 32 hex digits; seeded when absent. */
  readonly taskId?: string;
  /** Overrides the ARN built from region, account, cluster and task id. */
  readonly taskArn?: string;
  readonly serviceName?: string;
  readonly availabilityZone: string;
  readonly launchType: LaunchType;
  /** Fargate only; identity, not in any payload. */
  readonly platformVersion?: string;
  readonly cpuVcpus?: number;
  readonly memoryMiB?: number;
  /** Fargate only. */
  readonly ephemeralStorage?: { readonly sizeGiB: number; readonly utilizedMiB: number };
  /** EC2 only; seeded when absent. */
  readonly vpcId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** EC2 only (`…WithTags`). */
  readonly containerInstanceTags: Readonly<Record<string, string>>;
}

export interface ScenarioLoad {
  readonly cpuCores: Profile;
  readonly memoryWorkingSetBytes: Profile;
  readonly memoryCacheBytes: Profile;
  readonly networkRxBytesPerSecond: Profile;
  readonly networkTxBytesPerSecond: Profile;
  readonly diskReadBytesPerSecond: Profile;
  readonly diskWriteBytesPerSecond: Profile;
}

export type ScenarioEvent =
  | { readonly atMs: number; readonly action: 'restart' }
  | { readonly atMs: number; readonly action: 'stop'; readonly exitCode: number };

/**
 * One change of a container's health check status, `afterMs` into a run (each run, the first
 * and every restart, starts UNKNOWN and replays the results).
 */
export interface ScenarioHealthResult {
  readonly afterMs: number;
  readonly status: 'HEALTHY' | 'UNHEALTHY';
  /** The failing check's exit code (UNHEALTHY only; default 1). */
  readonly exitCode?: number;
  /** The check's output, as `Health.output` shows it. */
  readonly output?: string;
}

export interface ScenarioContainer {
  readonly name: string;
  readonly image: string;
  /** Container `cpu` in CPU units (1024 = 1 vCPU): a weight, not a cap. */
  readonly cpuUnits: number;
  /** Hard limit (`memory`). */
  readonly memoryLimitMiB?: number;
  /** Soft limit (`memoryReservation`). */
  readonly memoryReservationMiB?: number;
  readonly essential: boolean;
  readonly state: ContainerState;
  /** STOPPED only. */
  readonly exitCode?: number;
  /** An ECS restart policy: `RestartCount` appears in v4 metadata. */
  readonly restartPolicy: boolean;
  /** A health check (`Health` in v2, v3 and v4 metadata) and its results; absent: no check. */
  readonly health?: readonly ScenarioHealthResult[];
  readonly ports: readonly number[];
  readonly logDriver: 'awslogs' | 'none';
  readonly labels: Readonly<Record<string, string>>;
  /** cgroup v2 `pids_stats.limit`. */
  readonly pidsLimit: number;
  readonly load: ScenarioLoad;
  readonly events: readonly ScenarioEvent[];
}

/** A validated scenario with every default applied; durations in ms, sizes in bytes. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly task: ScenarioTask;
  readonly networkMode: ScenarioNetworkMode;
  readonly cgroup: CgroupFlavour;
  /** How often the stats refresh (Fargate about 10 s, EC2 about 1 s). */
  readonly cadenceMs: number;
  /**
   * How far apart the containers' `read`s of one refresh fall, first to last at most: the ECS
   * agent samples each container on its own (0.2 s to 6 s apart in real payloads, see
   * docs/endpoint.md). Absent: within the first 5 % of the refresh, at most 250 ms.
   */
  readonly readSpreadMs?: number;
  readonly host: {
    /** `online_cpus`, the `percpu_usage` length and Windows `num_procs`. */
    readonly onlineCpus: number;
    /** Host uptime at the origin: the start of `system_cpu_usage`; seeded when absent. */
    readonly uptimeMs?: number;
  };
  readonly network: {
    /** `eth1` on Fargate, `eth0` on EC2, … */
    readonly interfaceName: string;
    /** awsvpc: the task's address; seeded when absent. */
    readonly ipv4Address?: string;
    /** awsvpc: the subnet, `a.b.c.d/nn`. */
    readonly subnetCidrBlock: string;
    readonly ipv6: boolean;
  };
  readonly containers: readonly ScenarioContainer[];
}
