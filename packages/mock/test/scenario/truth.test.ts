import { computeTaskMetrics } from '@taskscope/core';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { expect, test } from 'vitest';
import type { ScenarioSource } from '../../src/scenario/index.js';
import { builtInScenario, builtInScenarioNames, createScenarioSource } from '../../src/scenario/index.js';
import { ORIGIN_MS, taskMetadataJson, taskStatsText } from './helpers.js';

/*
 * The first test: what a correct computation (@taskscope/core, fed the served v4
 * payloads through @taskscope/wire) derives equals /__taskscope/truth, CPU and rates to
 * 1e-6 relative, memory exactly.
 */

function poll(source: ScenarioSource, nowMs: number) {
  return {
    metadata: parseTaskMetadata(taskMetadataJson(source, 'v4', nowMs)),
    stats: parseTaskStats(JSON.parse(taskStatsText(source, 'v4', nowMs))),
  };
}

function expectClose(actual: number | undefined, expected: number, what: string): void {
  expect(actual, what).toBeDefined();
  const scale = Math.max(Math.abs(expected), 1e-9);
  expect(Math.abs(actual! - expected) / scale, `${what}: ${actual} vs ${expected}`).toBeLessThan(1e-6);
}

// Early (the first intervals) and late (past fargate-web's scheduled restart at 30 min).
const CASES = builtInScenarioNames.flatMap((name) =>
  [1, 7, 1234].flatMap((seed) => [0, 31 * 60_000].map((laterMs) => ({ name, seed, laterMs }))),
);

test.each(CASES)(
  '$name, seed $seed, +$laterMs ms: core computes the truth from the served payloads',
  ({ name, seed, laterMs }) => {
    const scenario = builtInScenario(name);
    const source = createScenarioSource(scenario, { startTimeMs: ORIGIN_MS, seed });
    // Two successive refreshes, well after every container's first sample.
    const first = ORIGIN_MS + laterMs + 4 * scenario.cadenceMs + 600;
    const second = first + scenario.cadenceMs;
    const before = computeTaskMetrics(poll(source, first));
    const { metrics } = computeTaskMetrics({ ...poll(source, second), previous: before.state });
    const truth = source.truth(second);

    expect(metrics.sample.kind).toBe('fresh');
    expect(metrics.sample.readAtMs).toBeCloseTo(truth.readAtMs, 6);
    expect(truth.containers.length).toBeGreaterThan(0);
    for (const expected of truth.containers) {
      const container = metrics.containers.find((c) => c.name === expected.name);
      const stats = container?.stats;
      expect(stats, expected.name).toBeDefined();
      expectClose(stats!.cpu.cores, expected.cpuCores, `${name} ${expected.name} cpu cores`);
      expect(stats!.memory.workingSetBytes, `${expected.name} working set`).toBe(
        expected.memoryWorkingSetBytes,
      );
      expect(stats!.memory.usageBytes, `${expected.name} usage`).toBe(expected.memoryUsageBytes);
      expectClose(
        stats!.blockIo?.readBytesPerSecond,
        expected.blockIoReadBytesPerSecond,
        `${expected.name} disk read`,
      );
      expectClose(
        stats!.blockIo?.writeBytesPerSecond,
        expected.blockIoWriteBytesPerSecond,
        `${expected.name} disk write`,
      );
    }
    // Containers with no stats (stopped, PULLED) have no truth and get identity only.
    const withStats = metrics.containers.filter((c) => c.stats).map((c) => c.name);
    expect(withStats.sort()).toEqual(truth.containers.map((c) => c.name).sort());

    expect(metrics.networks.length).toBe(truth.networks.length);
    for (const expected of truth.networks) {
      const found = metrics.networks.find(
        (n) => n.interface === expected.interface && n.containerName === expected.containerName,
      );
      expect(found, `${expected.interface} ${expected.containerName ?? 'task'}`).toBeDefined();
      expectClose(found!.rxBytesPerSecond, expected.rxBytesPerSecond, `${name} ${expected.interface} rx`);
      expectClose(found!.txBytesPerSecond, expected.txBytesPerSecond, `${name} ${expected.interface} tx`);
    }
  },
);

test('after a restart core sees a reset, then matches the truth again', () => {
  const scenario = builtInScenario('ec2-bridge');
  const source = createScenarioSource(scenario, { startTimeMs: ORIGIN_MS });
  const t0 = ORIGIN_MS + 10_300;
  const first = computeTaskMetrics(poll(source, t0));
  expect(source.restartContainer('api', t0 + 100)).toBe(true);
  const afterRestart = computeTaskMetrics({ ...poll(source, t0 + 1000), previous: first.state });
  const api = afterRestart.metrics.containers.find((c) => c.name === 'api')!;
  expect(api.reset).toBe(true);
  expect(api.stats?.cpu.cores).toBeUndefined();
  const next = computeTaskMetrics({ ...poll(source, t0 + 2000), previous: afterRestart.state });
  const truth = source.truth(t0 + 2000).containers.find((c) => c.name === 'api')!;
  expectClose(
    next.metrics.containers.find((c) => c.name === 'api')!.stats!.cpu.cores,
    truth.cpuCores,
    'api cores',
  );
});
