import type { Snapshot, SnapshotContainer } from '@taskscope/sdk';
import {
  type SampleOverrides,
  sampleContainer,
  sampleSnapshot,
  sampleTaskInterface,
} from '@taskscope/sdk/testing';

/*
 * `taskscope.snapshot/v1` documents for the renderer's tests: the SDK's samples (each checked
 * against the schema, so a test never renders a document the agent could not send) of a larger
 * task, with figures chosen so that every column of `top` has something to show.
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
  return sampleContainer(name, {
    state: values.state ?? 'RUNNING',
    health: values.health == null ? null : { status: values.health, sinceMs: 1_767_225_600_000 },
    restarts: values.restarts === undefined ? 0 : values.restarts,
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
  });
}

/**
 * A snapshot at 2026-01-01T00:00:10Z of a 4 vCPU, 8 GiB task with `containers`; `overrides`
 * replace top-level fields. The totals are the same whatever the containers, so that the header
 * a test expects does not depend on them.
 */
export function snapshot(
  containers: readonly SnapshotContainer[],
  overrides: SampleOverrides = {},
): Snapshot {
  return sampleSnapshot(1_767_225_610_000, {
    identity: {
      cluster: 'prod',
      taskId: '0f3c9a5e1b2d4c6e8f0a1b2c3d4e5f60',
      family: 'storefront',
      revision: '118',
      region: 'eu-west-1',
      serviceName: 'storefront',
    },
    size: { cpuVcpus: 4, memoryBytes: 8192 * MIB },
    containers,
    ageMs: 400,
    polledAfterMs: 100,
    ...((overrides.networkMode ?? 'awsvpc') === 'awsvpc' && {
      networks: [
        sampleTaskInterface({
          rxBytesPerSecond: 2.4 * MIB,
          txBytesPerSecond: 1.1 * MIB,
          rxPacketsPerSecond: 1234,
          txPacketsPerSecond: 980,
        }),
      ],
    }),
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
    ...overrides,
  });
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
