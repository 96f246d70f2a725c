import type { ContainerMetrics, InterfaceMetrics, TaskMetrics } from '@taskscope/core';

/**
 * Hand-built snapshots shaped like the ecs_exporter Fargate fixture (0.25 vCPU, 512 MiB,
 * awsvpc, cgroup v1), for tests that must not depend on core's arithmetic.
 */

// The fixture task's id, and its cluster's ARN: the task's ARN is made from them, as ECS
// makes it.
const TASK_ID = 'bae32def0ab64f06818e8862e58f8d6d';
const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox';

export const READ_AT_MS = Date.parse('2025-02-27T05:06:29.613Z');
export const STARTED_AT_MS = Date.parse('2025-02-27T05:06:19.200Z');

export function appContainer(overrides: Partial<ContainerMetrics> = {}): ContainerMetrics {
  return {
    name: 'prometheus',
    dockerId: 'bae32def0ab64f06818e8862e58f8d6d-2531612879',
    image: 'prom/prometheus:v3.2.0',
    imageId: 'sha256:5888c188cf09e3f7eebc97369c3b2ce713e844cdbd88ccf36f5047c958aea120',
    knownStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    startedAtMs: STARTED_AT_MS,
    counterStartMs: STARTED_AT_MS,
    memoryLimitBytes: 536_870_912,
    cpuShares: 2,
    reset: false,
    stats: {
      readAtMs: READ_AT_MS,
      cgroup: 'v1',
      sample: 'fresh',
      intervalSeconds: 10.000941384,
      cpu: { totalSeconds: 0.932439492, userSeconds: 0.51, systemSeconds: 0.38, cores: 0.000719 },
      memory: {
        usageBytes: 127_934_464,
        workingSetBytes: 75_550_720,
        rssBytes: 40_820_736,
        cacheBytes: 85_426_176,
        pageCacheBytes: 85_426_176,
        utilizedBytes: 42_508_288,
      },
      blockIo: {
        readBytes: 1_048_576,
        writeBytes: 8_192,
        readBytesDelta: 4_096,
        writeBytesDelta: 0,
        readBytesPerSecond: 409.56,
        writeBytesPerSecond: 0,
      },
    },
    ...overrides,
  };
}

export function stoppedContainer(): ContainerMetrics {
  return {
    name: 'nonessential',
    dockerId: 'bae32def0ab64f06818e8862e58f8d6d-1585788040',
    image: 'alpine',
    imageId: 'sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c',
    knownStatus: 'STOPPED',
    desiredStatus: 'RUNNING',
    startedAtMs: Date.parse('2025-02-27T05:06:19.200Z'),
    finishedAtMs: Date.parse('2025-02-27T05:06:19.219Z'),
    exitCode: 0,
    reset: false,
  };
}

export function awsvpcInterface(overrides: Partial<InterfaceMetrics> = {}): InterfaceMetrics {
  return {
    interface: 'eth1',
    counters: {
      rxBytes: 129_045_374,
      rxPackets: 95_000,
      rxErrors: 0,
      rxDropped: 0,
      txBytes: 3_170_520,
      txPackets: 31_000,
      txErrors: 0,
      txDropped: 0,
    },
    rxBytesPerSecond: 2_464.7,
    txBytesPerSecond: 1_192.6,
    rxBytesDelta: 24_649,
    txBytesDelta: 11_927,
    ...overrides,
  };
}

export function fargateTask(overrides: Partial<TaskMetrics> = {}): TaskMetrics {
  return {
    identity: {
      cluster: CLUSTER_ARN,
      clusterName: 'prom-ecs-exporter-sandbox',
      clusterArn: CLUSTER_ARN,
      taskArn: `arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/${TASK_ID}`,
      taskId: TASK_ID,
      family: 'prom-ecs-exporter-sandbox-main-fargate',
      revision: '9',
      region: 'us-east-1',
      accountId: '829490980523',
      availabilityZone: 'us-east-1a',
      launchType: 'FARGATE',
      serviceName: 'web',
      desiredStatus: 'RUNNING',
      knownStatus: 'RUNNING',
    },
    limits: { cpuVcpus: 0.25, memoryBytes: 536_870_912 },
    networkMode: 'awsvpc',
    cgroup: 'v1',
    ephemeralStorage: { usedBytes: 36_700_160, allocatedBytes: 21_474_836_480 },
    imagePull: {
      startedAtMs: Date.parse('2025-02-27T05:06:03.714Z'),
      stoppedAtMs: Date.parse('2025-02-27T05:06:18.599Z'),
    },
    containers: [stoppedContainer(), appContainer()],
    networks: [awsvpcInterface()],
    totals: {
      cpuCores: 0.000719,
      cpuUtilization: 0.002876,
      cpuReservedUnits: 256,
      memoryUsageBytes: 127_934_464,
      memoryWorkingSetBytes: 75_550_720,
      memoryUtilizedMiB: 40,
      memoryUtilization: 0.078125,
      memoryWorkingSetUtilization: 0.1407,
      networkRxBytesPerSecond: 2_464.7,
      networkTxBytesPerSecond: 1_192.6,
      storageReadBytes: 4_096,
      storageWriteBytes: 0,
    },
    sample: { kind: 'fresh', readAtMs: READ_AT_MS },
    ...overrides,
  };
}

/** The same task one refresh later: counters grown, or (restart) fallen with a new start. */
export function nextSample(
  prev: TaskMetrics,
  opts: { restart?: boolean; duplicate?: boolean } = {},
): TaskMetrics {
  if (opts.duplicate) {
    return {
      ...prev,
      containers: prev.containers.map((c) =>
        c.stats ? { ...c, stats: { ...c.stats, sample: 'duplicate' } } : c,
      ),
      sample: { ...prev.sample, kind: 'duplicate' },
    };
  }
  const readAtMs = (prev.sample.readAtMs ?? READ_AT_MS) + 10_000;
  const containers = prev.containers.map((c): ContainerMetrics => {
    if (!c.stats) return c;
    const s = c.stats;
    if (opts.restart) {
      return {
        ...c,
        reset: true,
        startedAtMs: readAtMs - 2_000,
        counterStartMs: readAtMs - 2_000,
        restartCount: (c.restartCount ?? 0) + 1,
        stats: {
          ...s,
          readAtMs,
          intervalSeconds: undefined,
          cpu: { totalSeconds: 0.05, userSeconds: 0.03, systemSeconds: 0.02 },
          blockIo: { readBytes: 512, writeBytes: 0 },
        },
      };
    }
    return {
      ...c,
      reset: false,
      stats: {
        ...s,
        readAtMs,
        sample: 'fresh',
        cpu: { ...s.cpu, totalSeconds: s.cpu.totalSeconds + 0.2, cores: 0.02 },
        blockIo: s.blockIo && {
          readBytes: s.blockIo.readBytes + 8_192,
          writeBytes: s.blockIo.writeBytes + 4_096,
          readBytesDelta: 8_192,
          writeBytesDelta: 4_096,
          readBytesPerSecond: 819.2,
          writeBytesPerSecond: 409.6,
        },
      },
    };
  });
  const restarted = opts.restart === true;
  return {
    ...prev,
    containers,
    networks: prev.networks.map((n) => ({
      ...n,
      counters: { ...n.counters, rxBytes: n.counters.rxBytes + 20_000, txBytes: n.counters.txBytes + 10_000 },
      rxBytesPerSecond: 2_000,
      txBytesPerSecond: 1_000,
      rxBytesDelta: 20_000,
      txBytesDelta: 10_000,
    })),
    totals: {
      ...prev.totals,
      cpuCores: restarted ? undefined : 0.02,
      cpuUtilization: restarted ? undefined : 0.08,
      storageReadBytes: restarted ? undefined : 8_192,
      storageWriteBytes: restarted ? undefined : 4_096,
      networkRxBytesPerSecond: 2_000,
      networkTxBytesPerSecond: 1_000,
    },
    sample: { kind: 'fresh', readAtMs },
  };
}
