import type { ContainerMetrics, InterfaceMetrics, TaskMetrics } from '@taskscope/core';
import fc from 'fast-check';
import type { PollStatus } from '../../src/store.js';

/*
 * Arbitrary core output and poll status for property tests. Every number core reports is
 * strictly positive, so a 0 anywhere in a snapshot built from them can only have been invented;
 * every optional field is sometimes absent, which the snapshot must show as `null`.
 */

const positive = fc.double({ min: 1e-6, max: 1e12, noNaN: true, noDefaultInfinity: true });
const count = fc.integer({ min: 1, max: 1_000_000 });
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const epochMs = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });

const counters = fc.record({
  rxBytes: count,
  rxPackets: count,
  rxErrors: count,
  rxDropped: count,
  txBytes: count,
  txPackets: count,
  txErrors: count,
  txDropped: count,
});

function containerArbitrary(name: string, readBaseMs: number): fc.Arbitrary<ContainerMetrics> {
  const stats = fc.record({
    readAtMs: fc.double({ min: readBaseMs - 6_000, max: readBaseMs, noNaN: true }),
    cgroup: fc.constantFrom('v1', 'v2', 'windows' as const),
    sample: fc.constantFrom('first', 'fresh', 'duplicate' as const),
    intervalSeconds: optional(positive),
    cpu: fc.record({ totalSeconds: positive, cores: optional(positive) }),
    memory: fc.record({ usageBytes: optional(count), workingSetBytes: optional(count) }),
    blockIo: optional(
      fc.record({
        readBytes: count,
        writeBytes: count,
        readBytesPerSecond: optional(positive),
        writeBytesPerSecond: optional(positive),
      }),
    ),
  });
  return fc.record({
    name: fc.constant(name),
    dockerId: fc.constant(`${name}-0123456789`),
    image: optional(fc.constantFrom('alpine', 'prom/prometheus:v3.1.0')),
    knownStatus: optional(fc.constantFrom('RUNNING', 'STOPPED', 'PULLED')),
    desiredStatus: optional(fc.constantFrom('RUNNING', 'STOPPED')),
    startedAtMs: optional(epochMs),
    exitCode: optional(fc.integer({ min: 1, max: 255 })),
    restartCount: optional(count),
    health: optional(
      fc.record({
        status: fc.constantFrom('HEALTHY', 'UNHEALTHY', 'UNKNOWN' as const),
        sinceMs: optional(epochMs),
      }),
    ),
    cpuShares: optional(fc.integer({ min: 2, max: 10_240 })),
    memoryLimitBytes: optional(count),
    reset: fc.boolean(),
    stats: optional(stats),
  });
}

function interfaceArbitrary(name: string, containerName: string | undefined): fc.Arbitrary<InterfaceMetrics> {
  return fc.record({
    interface: fc.constant(name),
    containerName: fc.constant(containerName),
    counters,
    rxBytesPerSecond: optional(positive),
    txBytesPerSecond: optional(positive),
    rxPacketsPerSecond: optional(positive),
    txPacketsPerSecond: optional(positive),
  });
}

/** Core's TaskMetrics with 0 to 10 containers, awsvpc or bridge, anything optional left out at times. */
export const taskMetricsArbitrary: fc.Arbitrary<TaskMetrics> = fc
  .record({
    containerCount: fc.integer({ min: 0, max: 10 }),
    networkMode: fc.constantFrom('awsvpc', 'bridge', 'host', 'unknown' as const),
    readBaseMs: epochMs,
  })
  .chain(({ containerCount, networkMode, readBaseMs }) => {
    const names = Array.from({ length: containerCount }, (_, i) => `c${i}`);
    const networks =
      networkMode === 'bridge'
        ? fc.tuple(...names.map((name) => interfaceArbitrary('eth0', name)))
        : networkMode === 'awsvpc'
          ? fc.tuple(interfaceArbitrary('eth1', undefined))
          : fc.constant([] as InterfaceMetrics[]);
    return fc.record({
      identity: fc.record({
        cluster: fc.constant('arn:aws:ecs:eu-west-1:123456789012:cluster/c'),
        clusterName: fc.constant('c'),
        taskArn: fc.constant('arn:aws:ecs:eu-west-1:123456789012:task/c/0123456789abcdef'),
        taskId: fc.constant('0123456789abcdef'),
        family: fc.constant('web'),
        revision: fc.constant('7'),
        region: optional(fc.constant('eu-west-1')),
        availabilityZone: optional(fc.constant('eu-west-1a')),
        launchType: optional(fc.constantFrom('FARGATE', 'EC2')),
        serviceName: optional(fc.constant('web')),
        desiredStatus: optional(fc.constant('RUNNING')),
        knownStatus: fc.constant('RUNNING'),
      }),
      limits: fc.record({ cpuVcpus: optional(positive), memoryBytes: optional(count) }),
      networkMode: fc.constant(networkMode),
      cgroup: optional(fc.constantFrom('v1', 'v2', 'windows' as const)),
      containers: fc.tuple(...names.map((name) => containerArbitrary(name, readBaseMs))),
      networks,
      totals: fc.record({
        cpuCores: optional(positive),
        cpuUtilization: optional(positive),
        memoryWorkingSetBytes: optional(count),
        memoryWorkingSetUtilization: optional(positive),
        networkRxBytesPerSecond: optional(positive),
        networkTxBytesPerSecond: optional(positive),
      }),
      sample: fc.record({
        kind: fc.constantFrom('first', 'fresh', 'duplicate' as const),
        readAtMs: optional(fc.constant(readBaseMs)),
      }),
    });
  });

/** A poll status, from before the first poll to after many failures. */
export const pollStatusArbitrary: fc.Arbitrary<PollStatus> = fc.record({
  ready: fc.boolean(),
  lastPollAt: optional(epochMs.map((ms) => new Date(ms).toISOString())),
  lastSuccessAt: optional(epochMs.map((ms) => new Date(ms).toISOString())),
  lastFreshAt: optional(epochMs.map((ms) => new Date(ms).toISOString())),
  lastError: optional(
    fc.record({
      code: fc.constantFrom('TMDS_TIMEOUT', 'TMDS_HTTP_STATUS'),
      message: fc.string(),
      endpoint: fc.constantFrom('task', 'task_stats', 'compute' as const),
      at: epochMs.map((ms) => new Date(ms).toISOString()),
    }),
  ),
  consecutiveFailures: fc.nat(),
  requests: fc.record({ task: fc.nat(), task_stats: fc.nat() }),
  samples: fc.record({ fresh: fc.nat(), duplicate: fc.nat() }),
  failures: fc.nat(),
});
