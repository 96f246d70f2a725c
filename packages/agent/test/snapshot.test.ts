import type { TaskMetrics } from '@taskscope/core';
import { type Snapshot, SnapshotSchema } from '@taskscope/sdk';
import { UNSAMPLED } from '@taskscope/sdk/testing';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { buildSnapshot, type SnapshotInput } from '../src/index.js';
import { pollStatusArbitrary, taskMetricsArbitrary } from './helpers/arbitraries.js';
import { EC2, FARGATE, STATUS, STEP, twoPolls } from './helpers/payloads.js';

/*
 * The agent API's document from core's output, field by field: the captured Fargate and EC2
 * tasks, first poll and one refresh later (every rate a known step over exactly 10 s), and
 * arbitrary core output for the rules every document keeps: it validates against the SDK's
 * schema, and what core did not report is `null`, never 0.
 */

const NOW_MS = Date.parse('2025-02-27T05:23:00Z');

function build(metrics: TaskMetrics | undefined, overrides: Partial<SnapshotInput> = {}): Snapshot {
  const snapshot = buildSnapshot({
    metrics,
    status: STATUS,
    endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
    interval: { mode: 'auto' },
    cadence: { learned: true, cadenceMs: 10_000.4, lagMs: 40 },
    exporters: ['prometheus', 'emf'],
    nowMs: NOW_MS,
    ...overrides,
  });
  // Every document the agent builds is one the SDK's schema accepts, unchanged by parsing.
  expect(v.parse(SnapshotSchema, snapshot)).toEqual(snapshot);
  return snapshot;
}

const fargate = twoPolls(FARGATE);
const ec2 = twoPolls(EC2);

describe('buildSnapshot on the captured Fargate task (awsvpc, cgroup v1, 0.25 vCPU, 512 MiB)', () => {
  it('maps a fresh interval field by field', () => {
    const snapshot = build(fargate.second);
    const fresh = { kind: 'fresh', intervalSeconds: STEP.seconds };
    // 0.5 s of CPU over 10 s: 0.05 cores, 20 % of the task's 0.25 vCPU.
    const cpu = { cores: 0.05, percentOfTask: 20, limitCores: 2 / 1024 };
    const blockIo = { readBytesPerSecond: 4096, writeBytesPerSecond: 8192 };
    const container = {
      desiredState: 'RUNNING',
      health: null,
      restarts: null,
      network: null,
    };
    expect(snapshot).toEqual({
      schema: 'taskscope.snapshot/v1',
      generatedAt: '2025-02-27T05:23:00.000Z',
      // The newest read of the cycle (ecs-exporter's, 05:22:59.406170373), in whole ms.
      id: 1740633779406,
      sample: fresh,
      task: {
        identity: {
          cluster: 'prom-ecs-exporter-sandbox',
          taskArn:
            'arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d',
          taskId: 'bae32def0ab64f06818e8862e58f8d6d',
          family: 'prom-ecs-exporter-sandbox-main-fargate',
          revision: '9',
          region: 'us-east-1',
          availabilityZone: 'us-east-1a',
          launchType: 'FARGATE',
          serviceName: null,
          knownStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
        },
        size: { cpuVcpus: 0.25, memoryBytes: 536870912 },
        networkMode: 'awsvpc',
        cgroup: 'v1',
      },
      containers: [
        {
          ...container,
          name: 'nonessential',
          dockerId: 'bae32def0ab64f06818e8862e58f8d6d-1585788040',
          image: 'alpine',
          state: 'STOPPED',
          exitCode: 0,
          startedAtMs: 1740632779200.809,
          // `{}` stats: identity only, every number not reported.
          cpu: { cores: null, percentOfTask: null, limitCores: 2 / 1024 },
          memory: { workingSetBytes: null, limitBytes: 536870912, percentOfLimit: null },
          blockIo: { readBytesPerSecond: null, writeBytesPerSecond: null },
        },
        {
          ...container,
          name: 'prometheus',
          dockerId: 'bae32def0ab64f06818e8862e58f8d6d-1819985369',
          image: 'prom/prometheus:v3.1.0',
          state: 'RUNNING',
          exitCode: null,
          startedAtMs: 1740632779179.9963,
          cpu,
          memory: { workingSetBytes: 75550720, limitBytes: 536870912, percentOfLimit: 14.072418212890625 },
          blockIo,
        },
        {
          ...container,
          name: 'ecs-exporter',
          dockerId: 'bae32def0ab64f06818e8862e58f8d6d-4159844948',
          image: 'quay.io/prometheuscommunity/ecs-exporter:main',
          state: 'RUNNING',
          exitCode: null,
          startedAtMs: 1740632779394.7903,
          cpu,
          memory: { workingSetBytes: 45010944, limitBytes: 536870912, percentOfLimit: 8.383941650390625 },
          blockIo,
        },
      ],
      // awsvpc: the task's interface once, not once per container.
      networks: [
        {
          interface: 'eth1',
          containerName: null,
          rxBytesPerSecond: 10_000,
          txBytesPerSecond: 5_000,
          rxPacketsPerSecond: 10,
          txPacketsPerSecond: 5,
        },
      ],
      totals: {
        cpuCores: 0.1,
        cpuPercentOfTask: 40,
        memoryWorkingSetBytes: 120561664,
        memoryPercentOfTask: 22.45635986328125,
        networkRxBytesPerSecond: 10_000,
        networkTxBytesPerSecond: 5_000,
        diskReadBytesPerSecond: 8192,
        diskWriteBytesPerSecond: 16384,
      },
      cost: null,
      // The poller's status as it was given, with what the agent knows besides.
      poll: {
        ...STATUS,
        endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
        interval: { mode: 'auto', intervalMs: 10_000, learned: true },
        exporters: ['prometheus', 'emf'],
        // 05:23:00.000 − 05:22:59.406170373.
        lastSampleAgeMs: 594,
        lastError: null,
      },
    });
  });

  it('on the first poll: CPU from precpu_stats, no other rate yet (null, not 0)', () => {
    const snapshot = build(fargate.first);
    expect(snapshot.sample).toEqual({ kind: 'first', intervalSeconds: 9.999690712 });
    const [nonessential, prometheus, exporter] = snapshot.containers;
    expect(nonessential!.cpu.cores).toBeNull();
    expect(prometheus!.cpu).toEqual({
      cores: 0.0007192625897706191,
      percentOfTask: 0.28770503590824764,
      limitCores: 2 / 1024,
    });
    expect(exporter!.cpu.cores).toBe(0.00798649131259251);
    for (const container of snapshot.containers) {
      expect(container.blockIo).toEqual({ readBytesPerSecond: null, writeBytesPerSecond: null });
    }
    expect(snapshot.networks[0]).toMatchObject({ rxBytesPerSecond: null, txBytesPerSecond: null });
    expect(snapshot.totals).toEqual({
      cpuCores: 0.008705753902363129,
      cpuPercentOfTask: 3.4823015609452517,
      memoryWorkingSetBytes: 120561664,
      memoryPercentOfTask: 22.45635986328125,
      networkRxBytesPerSecond: null,
      networkTxBytesPerSecond: null,
      diskReadBytesPerSecond: null,
      diskWriteBytesPerSecond: null,
    });
  });
});

describe('buildSnapshot on the captured EC2 task (bridge, no task size)', () => {
  it('gives each container its own network and leaves the task percentages unreported', () => {
    const snapshot = build(ec2.second);
    expect(snapshot.task!.size).toEqual({ cpuVcpus: null, memoryBytes: null });
    expect(snapshot.task!.networkMode).toBe('bridge');
    const byName = Object.fromEntries(snapshot.containers.map((c) => [c.name, c]));
    for (const name of ['ecs-exporter', 'prometheus']) {
      expect(byName[name]!.cpu).toEqual({ cores: 0.05, percentOfTask: null, limitCores: 0.125 });
      expect(byName[name]!.network).toEqual({ rxBytesPerSecond: 10_000, txBytesPerSecond: 5_000 });
      expect(byName[name]!.blockIo).toEqual({ readBytesPerSecond: 4096, writeBytesPerSecond: 8192 });
    }
    expect(byName['ecs-exporter']!.memory).toEqual({
      workingSetBytes: 47607808,
      limitBytes: 268435456,
      percentOfLimit: 17.73529052734375,
    });
    // The stopped container: bridge, so it has a network, with nothing reported on it.
    expect(byName['nonessential']!.network).toEqual({ rxBytesPerSecond: null, txBytesPerSecond: null });
    expect(snapshot.networks.map((n) => [n.containerName, n.interface, n.rxBytesPerSecond])).toEqual([
      ['ecs-exporter', 'eth0', 10_000],
      ['prometheus', 'eth0', 10_000],
    ]);
    expect(snapshot.totals).toEqual({
      cpuCores: 0.1,
      cpuPercentOfTask: null,
      memoryWorkingSetBytes: 97542144,
      memoryPercentOfTask: null,
      networkRxBytesPerSecond: 20_000,
      networkTxBytesPerSecond: 10_000,
      diskReadBytesPerSecond: 8192,
      diskWriteBytesPerSecond: 16384,
    });
  });

  it('keeps a CPU rate of 0 that core computed (the idle prometheus of the first poll)', () => {
    const prometheus = build(ec2.first).containers.find((c) => c.name === 'prometheus')!;
    expect(prometheus.cpu.cores).toBe(0);
  });
});

describe('buildSnapshot before the first poll and around it', () => {
  it('has no task, containers, totals, sample or id before the first good poll', () => {
    const snapshot = build(undefined, {
      status: { ...STATUS, ready: false, lastSuccessAt: undefined, lastFreshAt: undefined },
      interval: { mode: 'fixed', intervalMs: 500 },
      cadence: undefined,
    });
    expect(snapshot).toMatchObject(UNSAMPLED);
    expect(snapshot.poll).toMatchObject({
      ready: false,
      interval: { mode: 'fixed', intervalMs: 500, learned: false },
      lastSuccessAt: null,
      lastSampleAgeMs: null,
    });
  });

  it('takes the id from the cycle, and an explicit id over both', () => {
    expect(build(fargate.second, { cycleReadMs: 1740633779186.68 }).id).toBe(1740633779186);
    expect(build(fargate.second, { cycleReadMs: 1740633779186.68, id: 1740633779999 }).id).toBe(
      1740633779999,
    );
  });

  it('copies the last poll error', () => {
    const lastError = {
      code: 'TMDS_HTTP_STATUS',
      message: 'GET /task/stats: HTTP 503',
      endpoint: 'task_stats' as const,
      at: '2025-02-27T05:22:58.000Z',
    };
    const snapshot = build(fargate.second, { status: { ...STATUS, consecutiveFailures: 2, lastError } });
    expect(snapshot.poll).toMatchObject({ consecutiveFailures: 2, lastError });
  });
});

/** Every number in the parts of a document that carry measurements. */
function measuredNumbers(snapshot: Snapshot): { path: string; value: number | null }[] {
  const out: { path: string; value: number | null }[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number' || value === null) out.push({ path, value });
    else if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value as object)) walk(child, `${path}.${key}`);
    }
  };
  walk(snapshot.containers, 'containers');
  walk(snapshot.networks, 'networks');
  walk(snapshot.totals, 'totals');
  walk(snapshot.task?.size ?? null, 'task.size');
  return out;
}

describe('buildSnapshot properties', () => {
  it('every document validates, and nothing core left out becomes 0', () => {
    fc.assert(
      fc.property(
        taskMetricsArbitrary,
        pollStatusArbitrary,
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        (metrics, status, nowMs) => {
          const snapshot = buildSnapshot({
            metrics,
            status,
            endpoint: { url: 'http://127.0.0.1/v4/x', version: 'v4' },
            interval: { mode: 'auto' },
            exporters: ['prometheus'],
            nowMs,
          });
          expect(v.safeParse(SnapshotSchema, snapshot).success).toBe(true);
          // Core's numbers are all above 0 here: a 0 could only have been made up.
          for (const { path, value } of measuredNumbers(snapshot)) expect(value, path).not.toBe(0);
          metrics.containers.forEach((core, i) => {
            const api = snapshot.containers[i]!;
            expect(api.cpu.cores === null).toBe(core.stats?.cpu.cores === undefined);
            expect(api.memory.workingSetBytes === null).toBe(
              core.stats?.memory.workingSetBytes === undefined,
            );
            expect(api.cpu.percentOfTask === null).toBe(
              core.stats?.cpu.cores === undefined || metrics.limits.cpuVcpus === undefined,
            );
            expect(api.memory.percentOfLimit === null).toBe(
              core.stats?.memory.workingSetBytes === undefined || core.memoryLimitBytes === undefined,
            );
            expect(api.blockIo.readBytesPerSecond === null).toBe(
              core.stats?.blockIo?.readBytesPerSecond === undefined,
            );
            expect(api.restarts === null).toBe(core.restartCount === undefined);
            expect(api.health === null).toBe(core.health === undefined);
          });
          expect(snapshot.totals!.cpuCores === null).toBe(metrics.totals.cpuCores === undefined);
          expect(snapshot.cost).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });
});
