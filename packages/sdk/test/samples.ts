/*
 * Sample `taskscope.snapshot/v1` documents for the tests: a Fargate web task with an app, a
 * worker and the sidecar (the mock's `fargate-web` scenario), and one taken before the first
 * sample, where nearly everything is `null` ("not reported"). Typed as `Snapshot`, so tsc
 * checks them against the inferred types as well as the tests against both schemas.
 */
import type { ApiError, History, Snapshot, SnapshotContainer } from '../src/index.ts';

const MiB = 1024 * 1024;

function container(name: string, overrides: Partial<SnapshotContainer> = {}): SnapshotContainer {
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

/** A snapshot whose SSE id (and `id`) is `idMs`; 2 GiB task, 512 MiB working set in all. */
export function sampleSnapshot(idMs = 1_767_225_600_000): Snapshot {
  return {
    schema: 'taskscope.snapshot/v1',
    generatedAt: new Date(idMs + 180).toISOString(),
    id: idMs,
    sample: { kind: 'fresh', intervalSeconds: 10.02 },
    task: {
      identity: {
        cluster: 'default',
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/default/5b1f0c1d2e3f4a5b6c7d8e9f0a1b2c3d',
        taskId: '5b1f0c1d2e3f4a5b6c7d8e9f0a1b2c3d',
        family: 'fargate-web',
        revision: '7',
        region: 'us-east-1',
        availabilityZone: 'us-east-1a',
        launchType: 'FARGATE',
        serviceName: 'web',
        knownStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
      },
      size: { cpuVcpus: 1, memoryBytes: 2048 * MiB },
      networkMode: 'awsvpc',
      cgroup: 'v1',
    },
    containers: [
      container('app'),
      container('worker', {
        health: null,
        cpu: { cores: 0.05, percentOfTask: 5, limitCores: 0.25 },
        memory: { workingSetBytes: 180 * MiB, limitBytes: 512 * MiB, percentOfLimit: (180 / 512) * 100 },
      }),
      container('taskscope', {
        health: null,
        restarts: null,
        cpu: { cores: 0.01, percentOfTask: 1, limitCores: null },
        memory: { workingSetBytes: 32 * MiB, limitBytes: 2048 * MiB, percentOfLimit: (32 / 2048) * 100 },
      }),
    ],
    networks: [
      {
        interface: 'eth1',
        containerName: null,
        rxBytesPerSecond: 52_000,
        txBytesPerSecond: 61_500,
        rxPacketsPerSecond: 40,
        txPacketsPerSecond: 38,
      },
    ],
    totals: {
      cpuCores: 0.27,
      cpuPercentOfTask: 27,
      memoryWorkingSetBytes: 512 * MiB,
      memoryPercentOfTask: 25,
      networkRxBytesPerSecond: 52_000,
      networkTxBytesPerSecond: 61_500,
      diskReadBytesPerSecond: 0,
      diskWriteBytesPerSecond: 12_288,
    },
    cost: null,
    poll: {
      ready: true,
      endpoint: { url: 'http://169.254.170.2/v4/0123456789abcdef-app', version: 'v4' },
      interval: { mode: 'auto', intervalMs: 10_000, learned: true },
      exporters: ['prometheus'],
      lastPollAt: new Date(idMs + 150).toISOString(),
      lastSuccessAt: new Date(idMs + 150).toISOString(),
      lastFreshAt: new Date(idMs + 150).toISOString(),
      lastSampleAgeMs: 180,
      consecutiveFailures: 0,
      failures: 0,
      lastError: null,
      requests: { task: 1, task_stats: 12 },
      samples: { fresh: 11, duplicate: 1 },
    },
  };
}

/** What the agent answers before its first successful poll: the shape is whole, the values `null`. */
export function snapshotBeforeFirstSample(): Snapshot {
  return {
    schema: 'taskscope.snapshot/v1',
    generatedAt: '2026-01-01T00:00:00.000Z',
    id: null,
    sample: null,
    task: null,
    containers: [],
    networks: [],
    totals: null,
    cost: null,
    poll: {
      ready: false,
      endpoint: { url: 'http://169.254.170.2/v2', version: 'v2' },
      interval: { mode: 'fixed', intervalMs: 5000, learned: false },
      exporters: ['prometheus', 'emf'],
      lastPollAt: '2026-01-01T00:00:00.000Z',
      lastSuccessAt: null,
      lastFreshAt: null,
      lastSampleAgeMs: null,
      consecutiveFailures: 1,
      failures: 1,
      lastError: {
        code: 'TMDS_TIMEOUT',
        message: 'no answer from http://169.254.170.2/v2/stats in 2 s',
        endpoint: 'task_stats',
        at: '2026-01-01T00:00:00.000Z',
      },
      requests: { task: 1, task_stats: 1 },
      samples: { fresh: 0, duplicate: 0 },
    },
  };
}

export function sampleHistory(ids: readonly number[]): History {
  return {
    schema: 'taskscope.snapshot/v1',
    windowMs: 300_000,
    retentionMs: 900_000,
    snapshots: ids.map(sampleSnapshot),
  };
}

export const sampleApiError: ApiError = {
  error: 'BAD_PARAMETER',
  message: 'window is "5 minutes"; expected a duration from 0ms to 15m, such as 500ms, 10s or 1m',
  parameter: 'window',
  value: '5 minutes',
  allowed: 'a duration from 0ms to 15m, such as 500ms, 10s or 1m',
};
