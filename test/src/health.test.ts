import { waitFor } from '@taskscope/test-support';
import { afterEach, expect, test } from 'vitest';
import { ec2BridgeTask, HEALTHY_WEB } from './helpers/ec2-scenario.js';
import { alignedSnapshot, type Stack, startStack } from './helpers/stack.js';

/*
 * Issue #11 (per container state, health): each container's health check goes from the mock's
 * `Health` (lowercase keys, on v2, v3 and v4 alike) through the client, wire and core to the
 * agent's /api/v1/snapshot, where the dashboard and `taskscope top` read it. Each check has
 * reported from the containers' start (`after: 0ms`), so its state holds for the whole test.
 */

const HEALTH_SCENARIO = {
  name: 'health',
  description: 'Four containers: healthy, unhealthy, a check that never reports, and no check.',
  ...ec2BridgeTask('health', 2, 'us-east-1'),
  containers: [
    HEALTHY_WEB,
    {
      name: 'worker',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/worker:1.0.0',
      memory: 256,
      health: [{ after: '0ms', status: 'UNHEALTHY', exitCode: 3, output: 'queue unreachable' }],
    },
    { name: 'warming', image: 'public.ecr.aws/docker/library/busybox:1.37', memory: 128, health: [] },
    { name: 'plain', image: 'public.ecr.aws/docker/library/busybox:1.37', memory: 128 },
  ],
};

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

test.each(['v2', 'v3', 'v4'] as const)(
  '%s: the agent API shows each container’s health check as the mock’s truth has it',
  async (api) => {
    stack = await startStack({
      scenario: HEALTH_SCENARIO,
      api,
      cadenceMs: 1000,
      flags: { interval: '200ms' },
    });
    const current = stack;
    // Past the first refresh, whose containers read a few ms apart: every one has a sample.
    await waitFor('a second refresh', async () =>
      (await current.snapshot()).poll.samples.fresh >= 2 ? true : undefined,
    );
    const { snapshot, metrics, truth } = await alignedSnapshot(current);
    const health = new Map(metrics.containers.map((c) => [c.name, c.health]));
    // The API document (validated against the SDK's schema): `null` where there is no check.
    const shownByApi = new Map(snapshot.containers.map((c) => [c.name, c.health]));

    expect(truth.containers.map((c) => [c.name, c.health?.status])).toEqual([
      ['web', 'HEALTHY'],
      ['worker', 'UNHEALTHY'],
      ['warming', 'UNKNOWN'],
      ['plain', undefined],
    ]);
    for (const expected of truth.containers) {
      const shown = health.get(expected.name);
      const api = shownByApi.get(expected.name);
      if (expected.health === undefined) {
        expect(shown, expected.name).toBeUndefined();
        expect(api, `${expected.name} in the API`).toBeNull();
        continue;
      }
      expect(api?.status, `${expected.name} in the API`).toBe(expected.health.status);
      if (expected.health.sinceMs === undefined)
        expect(api?.sinceMs, `${expected.name} API since`).toBeNull();
      else expect(api?.sinceMs, `${expected.name} API since`).toBeCloseTo(expected.health.sinceMs, 3);
      expect({ ...shown, sinceMs: undefined }, expected.name).toEqual({
        ...expected.health,
        sinceMs: undefined,
      });
      if (expected.health.sinceMs === undefined) expect(shown?.sinceMs).toBeUndefined();
      else expect(shown?.sinceMs, `${expected.name} since`).toBeCloseTo(expected.health.sinceMs, 3);
    }
    expect(health.get('worker')?.exitCode).toBe(3);
  },
);
