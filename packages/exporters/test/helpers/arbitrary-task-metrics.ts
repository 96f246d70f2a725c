import type {
  ContainerMetrics,
  ContainerStatsMetrics,
  InterfaceMetrics,
  TaskIdentity,
  TaskMetrics,
} from '@taskscope/core';
import fc from 'fast-check';
import { READ_AT_MS, STARTED_AT_MS } from './task-metrics.js';

/*
 * Arbitrary snapshots for the translators, biased towards what makes them branch: names and
 * ids drawn from small pools (so series repeat across polls, and sometimes collide within
 * one), reads and starts on a coarse 10 s grid (so reads repeat, fall back and overtake
 * starts), small counters (so they fall), absent fields, and the odd non-finite value.
 */

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 3 });

/** Mostly small finite values, sometimes huge, negative zero or not finite at all. */
const value = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1e13, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 63) },
);

/** A time on a 10 s grid around the fixtures' read, sometimes with a sub-ms fraction. */
const timeMs = fc
  .tuple(fc.integer({ min: -2, max: 4 }), fc.constantFrom(0, 0, 0.5, 0.000123))
  .map(([step, fraction]) => READ_AT_MS + step * 10_000 + fraction);

// `ap` + `p1` and `app` + `1` spell the same string: identities must not be concatenated naively.
const name = fc.constantFrom('app', 'ap', 'sidecar', 'a\u0000b', '1:a');
const dockerId = fc.constantFrom('1', 'p1', 'd4e5f6', '6:a1b2c', '');
const image = fc.constantFrom(
  'prom/prometheus:v3.2.0',
  'prom/prometheus:v3.3.0',
  'registry:5000/app',
  'registry:5000/app:1.2',
  'public.ecr.aws/aws-observability/aws-for-fluent-bit@sha256:0123abcd',
  'alpine',
  '',
);
const text = fc.constantFrom('RUNNING', 'STOPPED', 'PENDING', 'us-east-1a', 'x"y\\z', 'é✓');

const stats: fc.Arbitrary<ContainerStatsMetrics> = fc.record(
  {
    readAtMs: timeMs,
    cgroup: fc.constantFrom('v1' as const, 'v2' as const, 'windows' as const),
    sample: fc.constantFrom('first' as const, 'fresh' as const, 'duplicate' as const),
    intervalSeconds: optional(value),
    cpu: fc.record(
      {
        totalSeconds: value,
        userSeconds: optional(value),
        systemSeconds: optional(value),
        cores: optional(value),
      },
      { requiredKeys: ['totalSeconds'] },
    ),
    memory: fc.record(
      {
        usageBytes: optional(value),
        workingSetBytes: optional(value),
        rssBytes: optional(value),
        cacheBytes: optional(value),
        pageCacheBytes: optional(value),
        utilizedBytes: optional(value),
      },
      { requiredKeys: [] },
    ),
    blockIo: fc.record(
      {
        readBytes: value,
        writeBytes: value,
        readBytesDelta: optional(value),
        writeBytesDelta: optional(value),
      },
      { requiredKeys: ['readBytes', 'writeBytes'] },
    ),
  },
  { requiredKeys: ['readAtMs', 'cgroup', 'sample', 'cpu', 'memory'] },
);

const container: fc.Arbitrary<ContainerMetrics> = fc.record(
  {
    name,
    dockerId,
    image,
    imageId: text,
    knownStatus: text,
    startedAtMs: fc.oneof(timeMs, fc.constant(STARTED_AT_MS)),
    counterStartMs: fc.oneof(timeMs, fc.constant(STARTED_AT_MS)),
    restartCount: fc.integer({ min: 0, max: 3 }),
    cpuShares: value,
    memoryLimitBytes: value,
    reset: fc.boolean(),
    stats,
  },
  { requiredKeys: ['name', 'dockerId', 'reset'] },
);

const network: fc.Arbitrary<InterfaceMetrics> = fc.record(
  {
    interface: fc.constantFrom('eth0', 'eth1', 'Ethernet 3'),
    containerName: name,
    counters: fc.record({
      rxBytes: value,
      rxPackets: value,
      rxErrors: value,
      rxDropped: value,
      txBytes: value,
      txPackets: value,
      txErrors: value,
      txDropped: value,
    }),
    rxBytesPerSecond: value,
    txBytesPerSecond: value,
  },
  { requiredKeys: ['interface', 'counters'] },
);

const identity: fc.Arbitrary<TaskIdentity> = fc.record(
  {
    cluster: fc.constantFrom('default', 'arn:aws:ecs:us-east-1:123456789012:cluster/default'),
    clusterName: fc.constant('default'),
    clusterArn: fc.constant('arn:aws:ecs:us-east-1:123456789012:cluster/default'),
    taskArn: fc.constant('arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef'),
    taskId: fc.constant('0123456789abcdef'),
    family: fc.constantFrom('web', 'x"y'),
    revision: fc.constantFrom('1', '42'),
    region: fc.constant('us-east-1'),
    accountId: fc.constant('123456789012'),
    availabilityZone: text,
    launchType: fc.constantFrom('FARGATE', 'EC2', 'EXTERNAL'),
    serviceName: fc.constantFrom('web', 'api'),
    desiredStatus: text,
    knownStatus: text,
  },
  { requiredKeys: ['cluster', 'clusterName', 'taskArn', 'taskId', 'family', 'revision', 'knownStatus'] },
);

/** One arbitrary snapshot (not necessarily one core could produce: translators must not care). */
export const arbitraryTaskMetrics: fc.Arbitrary<TaskMetrics> = fc.record(
  {
    identity,
    limits: fc.record({ cpuVcpus: value, memoryBytes: value }, { requiredKeys: [] }),
    networkMode: fc.constantFrom('awsvpc' as const, 'bridge' as const, 'host' as const),
    ephemeralStorage: fc.record({ usedBytes: value, allocatedBytes: value }, { requiredKeys: [] }),
    imagePull: fc.record({ startedAtMs: timeMs, stoppedAtMs: timeMs }, { requiredKeys: [] }),
    containers: fc.array(container, { maxLength: 4 }),
    networks: fc.array(network, { maxLength: 3 }),
    totals: fc.record(
      {
        cpuCores: value,
        cpuUtilization: value,
        cpuReservedUnits: value,
        memoryUtilizedMiB: value,
        memoryUtilization: value,
        memoryWorkingSetUtilization: value,
        networkRxBytesPerSecond: value,
        networkTxBytesPerSecond: value,
        storageReadBytes: value,
        storageWriteBytes: value,
      },
      { requiredKeys: [] },
    ),
    sample: fc.record(
      { kind: fc.constantFrom('first' as const, 'fresh' as const, 'duplicate' as const), readAtMs: timeMs },
      { requiredKeys: ['kind'] },
    ),
  },
  { requiredKeys: ['identity', 'limits', 'networkMode', 'containers', 'networks', 'totals', 'sample'] },
);

/** A few successive polls of one task. */
export const arbitraryPolls: fc.Arbitrary<TaskMetrics[]> = fc.array(arbitraryTaskMetrics, {
  minLength: 1,
  maxLength: 5,
});
