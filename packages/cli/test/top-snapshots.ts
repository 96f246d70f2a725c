import { type Snapshot, type SnapshotContainer, SnapshotSchema } from '@taskscope/sdk';
import * as v from 'valibot';

/*
 * `taskscope.snapshot/v1` documents for the renderer's tests, each checked against the
 * schema, so a test never renders a document the agent could not send.
 */

const MIB = 2 ** 20;

/** A container of the document, with the values a test cares about; the rest plausible. */
export function container(
  name: string,
  values: {
    readonly cores?: number | null;
    readonly cpuPercent?: number | null;
    readonly workingSetMib?: number | null;
    readonly limitMib?: number | null;
    readonly memoryPercent?: number | null;
    readonly rxPerSecond?: number | null;
    readonly txPerSecond?: number | null;
    /** Per-container network (bridge); `false` on awsvpc. */
    readonly network?: boolean;
    readonly readPerSecond?: number | null;
    readonly writePerSecond?: number | null;
    readonly restarts?: number | null;
    readonly state?: string;
    readonly health?: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' | null;
  } = {},
): SnapshotContainer {
  const workingSetMib = values.workingSetMib === undefined ? 100 : values.workingSetMib;
  const limitMib = values.limitMib === undefined ? 1024 : values.limitMib;
  return {
    name,
    dockerId: `${name}-0123456789`,
    image: `example/${name}:1.0`,
    state: values.state ?? 'RUNNING',
    desiredState: 'RUNNING',
    health: values.health == null ? null : { status: values.health, sinceMs: 1_767_225_600_000 },
    restarts: values.restarts === undefined ? 0 : values.restarts,
    exitCode: null,
    startedAtMs: 1_767_225_600_000,
    cpu: {
      cores: values.cores === undefined ? 0.1 : values.cores,
      percentOfTask: values.cpuPercent === undefined ? 2.5 : values.cpuPercent,
      limitCores: 0.25,
    },
    memory: {
      workingSetBytes: workingSetMib === null ? null : workingSetMib * MIB,
      limitBytes: limitMib === null ? null : limitMib * MIB,
      percentOfLimit:
        values.memoryPercent !== undefined
          ? values.memoryPercent
          : workingSetMib === null || limitMib === null
            ? null
            : (100 * workingSetMib) / limitMib,
    },
    network: values.network
      ? {
          rxBytesPerSecond: values.rxPerSecond === undefined ? 1000 : values.rxPerSecond,
          txBytesPerSecond: values.txPerSecond === undefined ? 2000 : values.txPerSecond,
        }
      : null,
    blockIo: {
      readBytesPerSecond: values.readPerSecond === undefined ? 0 : values.readPerSecond,
      writeBytesPerSecond: values.writePerSecond === undefined ? 4096 : values.writePerSecond,
    },
  };
}

/** A snapshot at 2026-01-01T00:00:10Z of a task with `containers`; `overrides` replace top-level fields. */
export function snapshot(
  containers: readonly SnapshotContainer[],
  overrides: Partial<Snapshot> & { readonly networkMode?: 'awsvpc' | 'bridge' } = {},
): Snapshot {
  const { networkMode = 'awsvpc', ...rest } = overrides;
  const document: Snapshot = {
    schema: 'taskscope.snapshot/v1',
    generatedAt: '2026-01-01T00:00:10.400Z',
    id: 1_767_225_610_000,
    sample: { kind: 'fresh', intervalSeconds: 10 },
    task: {
      identity: {
        cluster: 'prod',
        taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/0f3c9a5e1b2d4c6e8f0a1b2c3d4e5f60',
        taskId: '0f3c9a5e1b2d4c6e8f0a1b2c3d4e5f60',
        family: 'storefront',
        revision: '118',
        region: 'eu-west-1',
        availabilityZone: 'eu-west-1a',
        launchType: 'FARGATE',
        serviceName: 'storefront',
        knownStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
      },
      size: { cpuVcpus: 4, memoryBytes: 8192 * MIB },
      networkMode,
      cgroup: 'v1',
    },
    containers: [...containers],
    networks:
      networkMode === 'awsvpc'
        ? [
            {
              interface: 'eth1',
              containerName: null,
              rxBytesPerSecond: 2.4 * MIB,
              txBytesPerSecond: 1.1 * MIB,
              rxPacketsPerSecond: 1234,
              txPacketsPerSecond: 980,
            },
          ]
        : containers
            .filter((c) => c.network !== null)
            .map((c) => ({
              interface: 'eth0',
              containerName: c.name,
              rxBytesPerSecond: c.network!.rxBytesPerSecond,
              txBytesPerSecond: c.network!.txBytesPerSecond,
              rxPacketsPerSecond: 10,
              txPacketsPerSecond: 12,
            })),
    totals: {
      cpuCores: 2.7,
      cpuPercentOfTask: 67.5,
      memoryWorkingSetBytes: 3990 * MIB,
      memoryPercentOfTask: 48.7,
      networkRxBytesPerSecond: 2.4 * MIB,
      networkTxBytesPerSecond: 1.1 * MIB,
      diskReadBytesPerSecond: 1.2 * MIB,
      diskWriteBytesPerSecond: 3.4 * MIB,
    },
    cost: {
      currency: 'USD',
      dollarsPerHour: 0.237,
      estimatedDollarsSoFar: 0.0421,
      pricedRegion: 'eu-west-1',
      regionFallback: false,
    },
    poll: {
      ready: true,
      endpoint: { url: 'http://169.254.170.2/v4/0f3c9a5e-frontend', version: 'v4' },
      interval: { mode: 'auto', intervalMs: 10_000, learned: true },
      exporters: ['prometheus'],
      lastPollAt: '2026-01-01T00:00:10.100Z',
      lastSuccessAt: '2026-01-01T00:00:10.100Z',
      lastFreshAt: '2026-01-01T00:00:10.100Z',
      lastSampleAgeMs: 400,
      consecutiveFailures: 0,
      failures: 0,
      lastError: null,
      requests: { task: 2, task_stats: 31 },
      samples: { fresh: 30, duplicate: 1 },
    },
    ...rest,
  };
  return v.parse(SnapshotSchema, document);
}

/** The ten containers of the mock's `fargate-10` scenario, with values like it produces. */
export function fargate10(): Snapshot {
  return snapshot([
    container('frontend', { cores: 0.45, cpuPercent: 11.25, workingSetMib: 620, limitMib: 1536 }),
    container('api', { cores: 0.9, cpuPercent: 22.5, workingSetMib: 980, limitMib: 2048, restarts: 1 }),
    container('cart', { cores: 0.22, cpuPercent: 5.5, workingSetMib: 310, limitMib: 768 }),
    container('search', {
      cores: 0.5,
      cpuPercent: 12.5,
      workingSetMib: 1400,
      limitMib: 1536,
      readPerSecond: 2.5 * MIB,
      writePerSecond: 600 * 1024,
    }),
    container('worker', { cores: 0.35, cpuPercent: 8.75, workingSetMib: 450, limitMib: 1024 }),
    container('envoy', { cores: 0.18, cpuPercent: 4.5, workingSetMib: 96, limitMib: 512, health: 'HEALTHY' }),
    container('log-router', { cores: 0.05, cpuPercent: 1.25, workingSetMib: 58, limitMib: 256 }),
    container('xray-daemon', { cores: 0.02, cpuPercent: 0.5, workingSetMib: 24, limitMib: 128 }),
    container('cloudwatch-agent', { cores: 0.03, cpuPercent: 0.75, workingSetMib: 72, limitMib: 256 }),
    container('taskscope', {
      cores: 0.004,
      cpuPercent: 0.1,
      workingSetMib: 41,
      limitMib: null,
      restarts: null,
    }),
  ]);
}
