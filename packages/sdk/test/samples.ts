/*
 * Sample `taskscope.snapshot/v1` documents for the tests of every package that reads them (the
 * SDK, the agent, the CLI's `top`, the dashboard), so that there is one builder of the document
 * to keep in step with the schema. The default is a Fargate web task with an app, a worker and
 * the sidecar (the mock's `fargate-web` scenario); the other tests' tasks are that document with
 * a few fields replaced. Every document is parsed with the schema, so a test never works on one
 * the agent could not send, and typed as `Snapshot`, so tsc checks it against the inferred types.
 * Other packages import it as `@taskscope/sdk/testing`, an entry only the source condition
 * resolves: it is not part of the published package.
 */
import * as v from 'valibot';
import {
  type ApiError,
  type History,
  type Snapshot,
  type SnapshotContainer,
  type SnapshotInterface,
  type SnapshotPoll,
  SnapshotSchema,
  type SnapshotTask,
  type SnapshotTotals,
} from '../src/index.ts';

const MiB = 1024 * 1024;

/** 2026-01-01T00:00:00Z, the default sample's read time (its `id` and SSE id). */
export const SAMPLE_ID_MS = 1_767_225_600_000;

/** A container of a sample document: the default app's figures, `overrides` replacing whole fields. */
export function sampleContainer(name: string, overrides: Partial<SnapshotContainer> = {}): SnapshotContainer {
  return {
    name,
    dockerId: `${name}-0123456789abcdef`,
    image: `public.ecr.aws/example/${name}:1.4.2`,
    state: 'RUNNING',
    desiredState: 'RUNNING',
    health: { status: 'HEALTHY', sinceMs: 1_767_225_540_000 },
    restarts: 0,
    exitCode: null,
    startedAtMs: 1_767_225_500_000,
    cpu: { cores: 0.21, percentOfTask: 21, limitCores: null },
    memory: { workingSetBytes: 300 * MiB, limitBytes: 2048 * MiB, percentOfLimit: (300 / 2048) * 100 },
    network: null,
    blockIo: { readBytesPerSecond: 0, writeBytesPerSecond: 4096 },
    ...overrides,
  };
}

/** The awsvpc task's one interface (`containerName` `null`: it is the task's, not a container's). */
export function sampleTaskInterface(
  rates: Omit<SnapshotInterface, 'interface' | 'containerName'>,
): SnapshotInterface {
  return { interface: 'eth1', containerName: null, ...rates };
}

/** What tells the tests' tasks apart; the ARN and the zone follow from it. */
export interface SampleIdentity {
  readonly cluster: string;
  readonly taskId: string;
  readonly family: string;
  readonly revision: string;
  readonly region: string;
  readonly serviceName: string | null;
}

/** What a test may replace: any top-level field, the task's parts, a part of `poll`, and the times. */
export type SampleOverrides = Omit<Partial<Snapshot>, 'poll' | 'containers'> & {
  readonly containers?: readonly SnapshotContainer[];
  readonly identity?: SampleIdentity;
  readonly size?: SnapshotTask['size'];
  readonly networkMode?: SnapshotTask['networkMode'];
  /** From the sample's read to the document's generation: `lastSampleAgeMs`. */
  readonly ageMs?: number;
  /** From the sample's read to the end of the poll that brought it. */
  readonly polledAfterMs?: number;
  readonly poll?: Partial<SnapshotPoll>;
};

const FARGATE_WEB: SampleIdentity = {
  cluster: 'default',
  taskId: '5b1f0c1d2e3f4a5b6c7d8e9f0a1b2c3d',
  family: 'fargate-web',
  revision: '7',
  region: 'us-east-1',
  serviceName: 'web',
};

function taskOf(
  identity: SampleIdentity,
  size: SnapshotTask['size'],
  networkMode: SnapshotTask['networkMode'],
): SnapshotTask {
  const { cluster, taskId, region } = identity;
  return {
    identity: {
      ...identity,
      taskArn: `arn:aws:ecs:${region}:123456789012:task/${cluster}/${taskId}`,
      availabilityZone: `${region}a`,
      launchType: 'FARGATE',
      knownStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
    },
    size,
    networkMode,
    cgroup: 'v1',
  };
}

/** On bridge each container with a network has its own `eth0`; awsvpc has the task's one interface. */
function networksOf(networkMode: string, containers: readonly SnapshotContainer[]): SnapshotInterface[] {
  if (networkMode === 'awsvpc') {
    return [
      sampleTaskInterface({
        rxBytesPerSecond: 52_000,
        txBytesPerSecond: 61_500,
        rxPacketsPerSecond: 40,
        txPacketsPerSecond: 38,
      }),
    ];
  }
  return containers.flatMap(({ name, network }) =>
    network === null
      ? []
      : [
          {
            interface: 'eth0',
            containerName: name,
            ...network,
            rxPacketsPerSecond: 10,
            txPacketsPerSecond: 12,
          },
        ],
  );
}

/** The task's totals as the agent adds them up: the containers' figures and the interfaces'. */
export function sampleTotals(
  containers: readonly SnapshotContainer[],
  networks: readonly SnapshotInterface[],
  size: SnapshotTask['size'],
): SnapshotTotals {
  const sum = (values: readonly (number | null)[]) =>
    values.reduce<number>((total, n) => total + (n ?? 0), 0);
  const cpuCores = sum(containers.map((c) => c.cpu.cores));
  const workingSetBytes = sum(containers.map((c) => c.memory.workingSetBytes));
  return {
    cpuCores,
    cpuPercentOfTask: size.cpuVcpus === null ? null : (100 * cpuCores) / size.cpuVcpus,
    memoryWorkingSetBytes: workingSetBytes,
    memoryPercentOfTask: size.memoryBytes === null ? null : (100 * workingSetBytes) / size.memoryBytes,
    networkRxBytesPerSecond: sum(networks.map((n) => n.rxBytesPerSecond)),
    networkTxBytesPerSecond: sum(networks.map((n) => n.txBytesPerSecond)),
    diskReadBytesPerSecond: sum(containers.map((c) => c.blockIo.readBytesPerSecond)),
    diskWriteBytesPerSecond: sum(containers.map((c) => c.blockIo.writeBytesPerSecond)),
  };
}

const FARGATE_WEB_CONTAINERS: readonly SnapshotContainer[] = [
  sampleContainer('app'),
  sampleContainer('worker', {
    health: null,
    cpu: { cores: 0.05, percentOfTask: 5, limitCores: 0.25 },
    memory: { workingSetBytes: 180 * MiB, limitBytes: 512 * MiB, percentOfLimit: (180 / 512) * 100 },
  }),
  sampleContainer('taskscope', {
    health: null,
    restarts: null,
    cpu: { cores: 0.01, percentOfTask: 1, limitCores: null },
    memory: { workingSetBytes: 32 * MiB, limitBytes: 2048 * MiB, percentOfLimit: (32 / 2048) * 100 },
  }),
];

/**
 * A snapshot whose SSE id (and `id`) is `idMs`; by default the 1 vCPU, 2 GiB `fargate-web` task,
 * 512 MiB working set in all. The networks follow from the network mode and the containers, the
 * totals from those, unless `overrides` give them.
 */
export function sampleSnapshot(idMs = SAMPLE_ID_MS, overrides: SampleOverrides = {}): Snapshot {
  const {
    identity = FARGATE_WEB,
    size = { cpuVcpus: 1, memoryBytes: 2048 * MiB },
    networkMode = 'awsvpc',
    ageMs = 180,
    polledAfterMs = 150,
    poll,
    containers = FARGATE_WEB_CONTAINERS,
    networks = networksOf(networkMode, containers),
    totals = sampleTotals(containers, networks, size),
    ...rest
  } = overrides;
  const polledAt = new Date(idMs + polledAfterMs).toISOString();
  return v.parse(SnapshotSchema, {
    schema: 'taskscope.snapshot/v1',
    generatedAt: new Date(idMs + ageMs).toISOString(),
    id: idMs,
    sample: { kind: 'fresh', intervalSeconds: 10.02 },
    task: taskOf(identity, size, networkMode),
    containers: [...containers],
    networks,
    totals,
    cost: null,
    ...rest,
    poll: {
      ready: true,
      endpoint: { url: 'http://169.254.170.2/v4/0123456789abcdef-app', version: 'v4' },
      interval: { mode: 'auto', intervalMs: 10_000, learned: true },
      exporters: ['prometheus'],
      lastPollAt: polledAt,
      lastSuccessAt: polledAt,
      lastFreshAt: polledAt,
      lastSampleAgeMs: ageMs,
      consecutiveFailures: 0,
      failures: 0,
      lastError: null,
      requests: { task: 1, task_stats: 12 },
      samples: { fresh: 11, duplicate: 1 },
      ...poll,
    },
  } satisfies Snapshot);
}

/** What a document holds before the agent's first good poll: no sample, so no figure at all. */
export const UNSAMPLED = {
  id: null,
  sample: null,
  task: null,
  containers: [],
  networks: [],
  totals: null,
  cost: null,
} satisfies Partial<Snapshot>;

/** What the agent answers before its first successful poll: the shape is whole, the values `null`. */
export function snapshotBeforeFirstSample(): Snapshot {
  // Generated as the poll that failed ended.
  return sampleSnapshot(SAMPLE_ID_MS, {
    ...UNSAMPLED,
    ageMs: 0,
    polledAfterMs: 0,
    poll: {
      ready: false,
      endpoint: { url: 'http://169.254.170.2/v2', version: 'v2' },
      interval: { mode: 'fixed', intervalMs: 5000, learned: false },
      exporters: ['prometheus', 'emf'],
      lastSuccessAt: null,
      lastFreshAt: null,
      lastSampleAgeMs: null,
      consecutiveFailures: 1,
      failures: 1,
      lastError: {
        code: 'TMDS_TIMEOUT',
        message: 'no answer from http://169.254.170.2/v2/stats in 2 s',
        endpoint: 'task_stats',
        at: new Date(SAMPLE_ID_MS).toISOString(),
      },
      requests: { task: 1, task_stats: 1 },
      samples: { fresh: 0, duplicate: 0 },
    },
  });
}

export function sampleHistory(ids: readonly number[]): History {
  return {
    schema: 'taskscope.snapshot/v1',
    windowMs: 300_000,
    retentionMs: 900_000,
    snapshots: ids.map((id) => sampleSnapshot(id)),
  };
}

export const sampleApiError: ApiError = {
  error: 'BAD_PARAMETER',
  message: 'window is "5 minutes"; expected a duration from 0ms to 15m, such as 500ms, 10s or 1m',
  parameter: 'window',
  value: '5 minutes',
  allowed: 'a duration from 0ms to 15m, such as 500ms, 10s or 1m',
};
