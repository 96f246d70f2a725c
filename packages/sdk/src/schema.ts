/*
 * The agent API's one document, `taskscope.snapshot/v1`, as a valibot schema. The TypeScript
 * types (InferOutput) and the published JSON Schema (`schema/snapshot-v1.json`, written by
 * `npm run build` and checked for drift by a test) both come from these definitions.
 *
 * Rules every field follows:
 * - Units are in the names (`Bytes`, `PerSecond`, `Ms`, `Cores`, `Percent`).
 * - `null` means "the payload did not report it" and is shown as "not reported", never as 0.
 * - Percentages are 0–100 (a container may pass 100 % of its own limit only for CPU, where
 *   an unset container limit lets it burst to the task's).
 */
import * as v from 'valibot';

export const SNAPSHOT_SCHEMA_ID = 'taskscope.snapshot/v1';

/** A number the payload may not have reported: `null` is "not reported", never 0. */
const reported = v.nullable(v.number());
const reportedString = v.nullable(v.string());
/** Milliseconds since the epoch, or `null` when unknown. */
const epochMs = v.nullable(v.number());

export const TaskIdentitySchema = v.object({
  cluster: v.string(),
  taskArn: v.string(),
  taskId: v.string(),
  family: v.string(),
  revision: v.string(),
  region: reportedString,
  availabilityZone: reportedString,
  /** `FARGATE` or `EC2` (v4 only; `null` on v2/v3). */
  launchType: reportedString,
  serviceName: reportedString,
  knownStatus: v.string(),
  desiredStatus: reportedString,
});

export const TaskSchema = v.object({
  identity: TaskIdentitySchema,
  /** The task's size (its `Limits`): the pool the containers share. */
  size: v.object({
    cpuVcpus: reported,
    memoryBytes: reported,
  }),
  networkMode: v.picklist(['awsvpc', 'bridge', 'host', 'unknown']),
  cgroup: v.nullable(v.picklist(['v1', 'v2', 'windows'])),
});

export const HealthSchema = v.object({
  /** The container health check's status; `UNKNOWN` while it has not run yet. */
  status: v.picklist(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']),
  sinceMs: epochMs,
});

export const ContainerSchema = v.object({
  name: v.string(),
  dockerId: v.string(),
  image: reportedString,
  /** The container's KnownStatus: `RUNNING`, `STOPPED`, `PULLED`… */
  state: v.string(),
  desiredState: reportedString,
  /** `null` when the task definition has no health check for it. */
  health: v.nullable(HealthSchema),
  /** Restarts by the restart policy; `null` when the policy is off (v4 only reports it then). */
  restarts: reported,
  exitCode: reported,
  startedAtMs: epochMs,
  cpu: v.object({
    cores: reported,
    /** Of the task's vCPUs (its size), 0–100. */
    percentOfTask: reported,
    /** The container's own CPU reservation in cores (`Limits.CPU` / 1024), when set. */
    limitCores: reported,
  }),
  memory: v.object({
    /** Usage less the inactive page cache: what the OOM killer counts. */
    workingSetBytes: reported,
    /** The container's `Limits.Memory`, else the task's memory (what bounds it). */
    limitBytes: reported,
    /** Working set of `limitBytes`, 0–100. */
    percentOfLimit: reported,
  }),
  /** Per-container network: only on `bridge`, where each container has its own namespace. */
  network: v.nullable(
    v.object({
      rxBytesPerSecond: reported,
      txBytesPerSecond: reported,
    }),
  ),
  blockIo: v.object({
    readBytesPerSecond: reported,
    writeBytesPerSecond: reported,
  }),
});

/** One network interface of the task (awsvpc: the task's; bridge: a container's). */
export const InterfaceSchema = v.object({
  interface: v.string(),
  /** The container whose namespace it is (bridge); `null` on awsvpc, where it is the task's. */
  containerName: reportedString,
  rxBytesPerSecond: reported,
  txBytesPerSecond: reported,
  rxPacketsPerSecond: reported,
  txPacketsPerSecond: reported,
});

export const TotalsSchema = v.object({
  cpuCores: reported,
  /** Of the task's vCPUs, 0–100. */
  cpuPercentOfTask: reported,
  memoryWorkingSetBytes: reported,
  /** Working set of the task's memory, 0–100. */
  memoryPercentOfTask: reported,
  networkRxBytesPerSecond: reported,
  networkTxBytesPerSecond: reported,
  diskReadBytesPerSecond: reported,
  diskWriteBytesPerSecond: reported,
});

/**
 * What the task costs (Fargate only): its size at on-demand rates, and since its image pull
 * started. `null` on EC2 and wherever the agent cannot price the task.
 */
export const CostSchema = v.object({
  currency: v.literal('USD'),
  dollarsPerHour: v.number(),
  /** On-demand cost since the task's image pull started, with the one-minute minimum. */
  estimatedDollarsSoFar: v.number(),
  /** The region whose prices apply, and whether it fell back to another region's. */
  pricedRegion: v.string(),
  regionFallback: v.boolean(),
});

export const PollErrorSchema = v.object({
  /** The client's stable codes: `TMDS_TIMEOUT`, `TMDS_THROTTLED`, `TMDS_SCHEMA`… */
  code: v.string(),
  message: v.string(),
  endpoint: v.picklist(['task', 'task_stats', 'compute']),
  at: v.string(),
});

export const PollSchema = v.object({
  /** A poll has succeeded at least once (what `/readyz` reports). */
  ready: v.boolean(),
  endpoint: v.object({ url: v.string(), version: v.picklist(['v2', 'v3', 'v4']) }),
  /** `auto` learns the endpoint's refresh cadence; `fixed` polls every `intervalMs`. */
  interval: v.object({
    mode: v.picklist(['auto', 'fixed']),
    /** The period polls follow now: the learned cadence, or the fixed interval. */
    intervalMs: reported,
    learned: v.boolean(),
  }),
  exporters: v.array(v.picklist(['prometheus', 'otlp', 'emf'])),
  lastPollAt: reportedString,
  lastSuccessAt: reportedString,
  lastFreshAt: reportedString,
  /** Age of the newest sample's `read` when this document was made. */
  lastSampleAgeMs: reported,
  consecutiveFailures: v.number(),
  failures: v.number(),
  lastError: v.nullable(PollErrorSchema),
  requests: v.object({ task: v.number(), task_stats: v.number() }),
  samples: v.object({ fresh: v.number(), duplicate: v.number() }),
});

export const SnapshotSchema = v.object({
  schema: v.literal(SNAPSHOT_SCHEMA_ID),
  /** When this document was made, ISO 8601. */
  generatedAt: v.string(),
  /**
   * The refresh cycle's newest `read`, ms since the epoch: the SSE event `id` and the key of
   * history. `null` before the first sample.
   */
  id: epochMs,
  /** `first`, `fresh` (a cycle closed) or `duplicate`; `null` before the first sample. */
  sample: v.nullable(
    v.object({
      kind: v.picklist(['first', 'fresh', 'duplicate']),
      /** The interval the rates cover, seconds. */
      intervalSeconds: reported,
    }),
  ),
  task: v.nullable(TaskSchema),
  containers: v.array(ContainerSchema),
  networks: v.array(InterfaceSchema),
  totals: v.nullable(TotalsSchema),
  cost: v.nullable(CostSchema),
  poll: PollSchema,
});

/** `GET /api/v1/history`: the snapshots of the window, oldest first. */
export const HistorySchema = v.object({
  schema: v.literal(SNAPSHOT_SCHEMA_ID),
  /** The window asked for (or the default), ms; never more than the agent's `--history`. */
  windowMs: v.number(),
  /** The agent's `--history`, ms; 0 when history is off. */
  retentionMs: v.number(),
  snapshots: v.array(SnapshotSchema),
});

/** The JSON body of every 4xx/5xx the API answers. */
export const ApiErrorSchema = v.object({
  error: v.string(),
  message: v.string(),
  /** The query parameter or path at fault, with the value sent and what is allowed. */
  parameter: v.optional(v.string()),
  value: v.optional(v.string()),
  allowed: v.optional(v.string()),
});

export type Snapshot = v.InferOutput<typeof SnapshotSchema>;
export type SnapshotTask = v.InferOutput<typeof TaskSchema>;
export type SnapshotContainer = v.InferOutput<typeof ContainerSchema>;
export type SnapshotInterface = v.InferOutput<typeof InterfaceSchema>;
export type SnapshotTotals = v.InferOutput<typeof TotalsSchema>;
export type SnapshotCost = v.InferOutput<typeof CostSchema>;
export type SnapshotPoll = v.InferOutput<typeof PollSchema>;
export type ContainerHealth = v.InferOutput<typeof HealthSchema>;
export type History = v.InferOutput<typeof HistorySchema>;
export type ApiError = v.InferOutput<typeof ApiErrorSchema>;
