/*
 * Snapshot documents for the unit tests, checked against the schema so they are documents
 * the agent could send (a test of a shape the agent never makes would prove nothing).
 * Not part of the page: only tests import it.
 */
import { type Snapshot, type SnapshotContainer, SnapshotSchema } from '@taskscope/sdk';
import * as v from 'valibot';

const MIB = 1024 * 1024;

export function containerOf(overrides: Partial<SnapshotContainer> & { name: string }): SnapshotContainer {
  return {
    dockerId: `${overrides.name}-0123456789abcdef`,
    image: `registry.example/${overrides.name}:1.0.0`,
    state: 'RUNNING',
    desiredState: 'RUNNING',
    health: null,
    restarts: 0,
    exitCode: null,
    startedAtMs: 1_700_000_000_000,
    cpu: { cores: 0.25, percentOfTask: 25, limitCores: 0.5 },
    memory: { workingSetBytes: 300 * MIB, limitBytes: 2048 * MIB, percentOfLimit: (300 / 2048) * 100 },
    network: null,
    blockIo: { readBytesPerSecond: 1024, writeBytesPerSecond: 4096 },
    ...overrides,
  };
}

type SnapshotOverrides = Omit<Partial<Snapshot>, 'poll'> & { poll?: Partial<Snapshot['poll']> };

export function snapshotOf(overrides: SnapshotOverrides = {}): Snapshot {
  const { poll, ...rest } = overrides;
  const document: Snapshot = {
    schema: 'taskscope.snapshot/v1',
    generatedAt: '2026-01-05T10:00:01.000Z',
    id: 1_767_607_200_000,
    sample: { kind: 'fresh', intervalSeconds: 10 },
    task: {
      identity: {
        cluster: 'prod',
        taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        taskId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
        family: 'web',
        revision: '42',
        region: 'us-east-1',
        availabilityZone: 'us-east-1a',
        launchType: 'FARGATE',
        serviceName: 'web',
        knownStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
      },
      size: { cpuVcpus: 1, memoryBytes: 2048 * MIB },
      networkMode: 'awsvpc',
      cgroup: 'v1',
    },
    containers: [containerOf({ name: 'app' }), containerOf({ name: 'worker' })],
    networks: [
      {
        interface: 'eth1',
        containerName: null,
        rxBytesPerSecond: 420 * 1024,
        txBytesPerSecond: 1.3 * MIB,
        rxPacketsPerSecond: 300,
        txPacketsPerSecond: 900,
      },
    ],
    totals: {
      cpuCores: 0.5,
      cpuPercentOfTask: 50,
      memoryWorkingSetBytes: 600 * MIB,
      memoryPercentOfTask: (600 / 2048) * 100,
      networkRxBytesPerSecond: 420 * 1024,
      networkTxBytesPerSecond: 1.3 * MIB,
      diskReadBytesPerSecond: 2048,
      diskWriteBytesPerSecond: 8192,
    },
    cost: null,
    ...rest,
    poll: {
      ready: true,
      endpoint: { url: 'http://169.254.170.2/v4/app-0123456789abcdef', version: 'v4' },
      interval: { mode: 'auto', intervalMs: 10_000, learned: true },
      exporters: ['prometheus'],
      lastPollAt: '2026-01-05T10:00:00.900Z',
      lastSuccessAt: '2026-01-05T10:00:00.900Z',
      lastFreshAt: '2026-01-05T10:00:00.900Z',
      lastSampleAgeMs: 1000,
      consecutiveFailures: 0,
      failures: 0,
      lastError: null,
      requests: { task: 1, task_stats: 12 },
      samples: { fresh: 11, duplicate: 1 },
      ...poll,
    },
  };
  return v.parse(SnapshotSchema, document);
}
