/*
 * Snapshot documents for the unit tests: the SDK's samples, checked against the schema so they
 * are documents the agent could send (a test of a shape the agent never makes would prove
 * nothing), of a 1 vCPU, 2 GiB `web` task with two containers alike.
 * Not part of the page: only tests import it.
 */
import type { Snapshot, SnapshotContainer } from '@taskscope/sdk';
import {
  type SampleOverrides,
  sampleContainer,
  sampleSnapshot,
  sampleTaskInterface,
  sampleTotals,
} from '@taskscope/sdk/testing';

const MIB = 1024 * 1024;

export function containerOf(overrides: Partial<SnapshotContainer> & { name: string }): SnapshotContainer {
  return sampleContainer(overrides.name, {
    health: null,
    cpu: { cores: 0.25, percentOfTask: 25, limitCores: 0.5 },
    blockIo: { readBytesPerSecond: 1024, writeBytesPerSecond: 4096 },
    ...overrides,
  });
}

const SIZE = { cpuVcpus: 1, memoryBytes: 2048 * MIB };
const CONTAINERS = [containerOf({ name: 'app' }), containerOf({ name: 'worker' })];
const NETWORKS = [
  sampleTaskInterface({
    rxBytesPerSecond: 420 * 1024,
    txBytesPerSecond: 1.3 * MIB,
    rxPacketsPerSecond: 300,
    txPacketsPerSecond: 900,
  }),
];

/** 2026-01-05T10:00:00Z; `overrides` replace top-level fields, the totals staying those of the two containers. */
export function snapshotOf(overrides: SampleOverrides = {}): Snapshot {
  return sampleSnapshot(1_767_607_200_000, {
    identity: {
      cluster: 'prod',
      taskId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      family: 'web',
      revision: '42',
      region: 'us-east-1',
      serviceName: 'web',
    },
    size: SIZE,
    containers: CONTAINERS,
    networks: NETWORKS,
    totals: sampleTotals(CONTAINERS, NETWORKS, SIZE),
    sample: { kind: 'fresh', intervalSeconds: 10 },
    ageMs: 1000,
    polledAfterMs: 900,
    ...overrides,
  });
}
