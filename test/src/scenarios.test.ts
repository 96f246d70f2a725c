import { builtInScenarioNames } from '@taskscope/mock';
import { waitFor } from '@taskscope/test-support';
import { afterEach, describe, expect, test } from 'vitest';
import { alignedSnapshot, type Stack, startStack } from './helpers/stack.js';

/*
 * Issue #4: for every built-in scenario, the agent's numbers over loopback equal the mock's
 * ground truth for the same refresh: CPU cores and byte rates within 1 %, memory exact.
 * The truth is computed from the scenario's load profiles (exact integrals), not from the
 * payload, so this checks the whole chain: payload shapes, wire parsing, core's formulas
 * (cgroup v1/v2/Windows memory, 100 ns Windows CPU, awsvpc vs bridge networks) and the API.
 */

const RELATIVE = 0.01;
/** Rates of 0 are compared with a tiny absolute slack (one byte per 1000 s). */
const ABSOLUTE = 1e-3;

function close(actual: number | undefined, expected: number, what: string): void {
  expect(actual, `${what} missing`).toBeTypeOf('number');
  const error = Math.abs(actual! - expected);
  expect(error, `${what}: agent ${actual}, truth ${expected}`).toBeLessThanOrEqual(
    RELATIVE * Math.abs(expected) + ABSOLUTE,
  );
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

test('the built-in scenarios are the ones the contract lists', () => {
  expect([...builtInScenarioNames].sort()).toEqual(
    ['ec2-bridge', 'ec2-cgroup2', 'fargate-10', 'fargate-web', 'fargate-windows', 'stopped-container'].sort(),
  );
});

describe.each([...builtInScenarioNames])('scenario %s', (scenario) => {
  test('the agent matches the mock truth: CPU and rates within 1 %, memory exact', async () => {
    stack = await startStack({ scenario, cadenceMs: 1000, flags: { interval: '200ms' } });
    const current = stack;
    // The first sample plus two refreshes: the rates then come from two payloads the agent
    // read itself, never from precpu_stats.
    await waitFor('two refreshes after the first sample', async () =>
      (await current.snapshot()).poll.samples.fresh >= 3 ? true : undefined,
    );
    const { snapshot, metrics, truth } = await alignedSnapshot(current);

    expect(truth.containers.length).toBeGreaterThan(0);
    const withStats = metrics.containers.filter((c) => c.stats !== undefined).map((c) => c.name);
    expect(withStats.sort()).toEqual(truth.containers.map((c) => c.name).sort());

    for (const t of truth.containers) {
      const c = metrics.containers.find((m) => m.name === t.name)!;
      expect(c.dockerId).toBe(t.dockerId);
      const stats = c.stats!;
      // Each container has its own `read` (EC2 samples containers a few ms apart).
      expect(Math.abs(stats.readAtMs - truth.readAtMs)).toBeLessThan(1000);
      close(stats.intervalSeconds, truth.intervalSeconds, `${t.name} interval`);
      close(stats.cpu.cores, t.cpuCores, `${t.name} CPU cores`);
      expect(stats.memory.workingSetBytes, `${t.name} working set`).toBe(t.memoryWorkingSetBytes);
      expect(stats.memory.usageBytes, `${t.name} usage`).toBe(t.memoryUsageBytes);
      close(stats.blockIo?.readBytesPerSecond, t.blockIoReadBytesPerSecond, `${t.name} block read rate`);
      close(stats.blockIo?.writeBytesPerSecond, t.blockIoWriteBytesPerSecond, `${t.name} block write rate`);
    }

    // awsvpc: each task interface once; bridge: one per container and interface.
    expect(metrics.networks.length).toBe(truth.networks.length);
    for (const t of truth.networks) {
      const n = metrics.networks.find(
        (m) => m.interface === t.interface && m.containerName === t.containerName,
      );
      expect(n, `interface ${t.interface} of ${t.containerName ?? 'the task'}`).toBeDefined();
      close(n!.rxBytesPerSecond, t.rxBytesPerSecond, `${t.interface} rx`);
      close(n!.txBytesPerSecond, t.txBytesPerSecond, `${t.interface} tx`);
    }
    close(
      metrics.totals.cpuCores,
      truth.containers.reduce((sum, t) => sum + t.cpuCores, 0),
      'task CPU cores',
    );

    // The API's document for the same refresh: the same numbers, `null` where there are none.
    const api = (value: number | null) => (value === null ? undefined : value);
    close(api(snapshot.sample!.intervalSeconds), truth.intervalSeconds, 'API interval');
    for (const c of snapshot.containers) {
      const t = truth.containers.find((each) => each.name === c.name);
      if (t === undefined) {
        // No stats (`null` or `{}`): not reported, never 0.
        expect([c.cpu.cores, c.memory.workingSetBytes, c.blockIo.readBytesPerSecond], c.name).toEqual([
          null,
          null,
          null,
        ]);
        continue;
      }
      close(api(c.cpu.cores), t.cpuCores, `API ${c.name} CPU cores`);
      expect(c.memory.workingSetBytes, `API ${c.name} working set`).toBe(t.memoryWorkingSetBytes);
      close(api(c.blockIo.readBytesPerSecond), t.blockIoReadBytesPerSecond, `API ${c.name} block read rate`);
      close(
        api(c.blockIo.writeBytesPerSecond),
        t.blockIoWriteBytesPerSecond,
        `API ${c.name} block write rate`,
      );
      const size = snapshot.task!.size.cpuVcpus;
      if (size === null) expect(c.cpu.percentOfTask, `API ${c.name} % of an unsized task`).toBeNull();
      else close(api(c.cpu.percentOfTask), (t.cpuCores / size) * 100, `API ${c.name} CPU % of the task`);
      if (t.networkRxBytesPerSecond !== undefined) {
        close(api(c.network!.rxBytesPerSecond), t.networkRxBytesPerSecond, `API ${c.name} network rx`);
        close(api(c.network!.txBytesPerSecond), t.networkTxBytesPerSecond!, `API ${c.name} network tx`);
      } else {
        expect(c.network, `API ${c.name} network off bridge`).toBeNull();
      }
    }
    expect(snapshot.networks).toHaveLength(truth.networks.length);
    for (const t of truth.networks) {
      const n = snapshot.networks.find(
        (m) => m.interface === t.interface && m.containerName === (t.containerName ?? null),
      )!;
      close(api(n.rxBytesPerSecond), t.rxBytesPerSecond, `API ${t.interface} rx`);
      close(api(n.txBytesPerSecond), t.txBytesPerSecond, `API ${t.interface} tx`);
    }
    close(
      api(snapshot.totals!.cpuCores),
      truth.containers.reduce((sum, t) => sum + t.cpuCores, 0),
      'API task CPU cores',
    );
    close(
      api(snapshot.totals!.diskWriteBytesPerSecond),
      truth.containers.reduce((sum, t) => sum + t.blockIoWriteBytesPerSecond, 0),
      'API task disk writes',
    );
  });
});
