import { Writable } from 'node:stream';
import { startMock } from '@taskscope/mock';
import { createStopper, waitFor } from '@taskscope/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentConfig, startAgent } from '../src/index.js';
import { createAgentLogger } from '../src/logger.js';

/*
 * The cost meter end to end: the agent against the mock over loopback, its `/api/v1/snapshot`
 * cost and its two Prometheus series against the arithmetic of AWS's us-east-1 Linux/x86
 * on-demand rates ($0.04048 a vCPU-hour, $0.004445 a GB-hour) for the scenario's size, billed
 * per second from the metadata's `PullStartedAt`.
 */

const started = createStopper();
afterEach(() => started.stopAll());

async function run(scenario: string) {
  const mock = started.track(await startMock({ scenario, throttle: false, runningForMs: 120_000 }), (it) =>
    it.close(),
  );
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  });
  const config = readAgentConfig({
    flags: {
      metadataUrl: Object.values(mock.v4Urls)[0]!,
      listen: '127.0.0.1:0',
      interval: '200ms',
      exporters: 'prometheus,emf',
    },
    env: {},
  });
  const emf: Record<string, unknown>[] = [];
  const agent = started.track(
    await startAgent(config, {
      logger: createAgentLogger('info', stream),
      stdout: (line) => emf.push(JSON.parse(line)),
      platform: 'linux/x86_64',
    }),
    (it) => it.stop(),
  );
  await waitFor('a first good poll', () => (agent.store.status().ready ? true : undefined));
  const metadata = (await (await fetch(`${Object.values(mock.v4Urls)[0]!}/task`)).json()) as {
    PullStartedAt: string;
  };
  return { agent, lines, emf, pullStartedAtMs: Date.parse(metadata.PullStartedAt) };
}

const sampleOf = (body: string, name: string): number => {
  const line = body.split('\n').find((text) => text.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} sample in:\n${body}`);
  return Number(line.slice(name.length + 1));
};

describe('the cost meter', () => {
  it('fargate-web, 1 vCPU and 2 GiB in us-east-1: the price and the cost so far in the snapshot and in /metrics', async () => {
    const { agent, emf, pullStartedAtMs } = await run('fargate-web');
    const dollarsPerHour = 1 * 0.04048 + 2 * 0.004445;
    const snapshot = agent.snapshot();
    const nowMs = Date.parse(snapshot.generatedAt);
    // Billed per whole second since the pull started (ms precision is enough here: the
    // scenario has run 120 s, far from a second's edge being in doubt within a few ms).
    const billedSeconds = Math.max(60, Math.ceil((nowMs - pullStartedAtMs) / 1000));
    expect(snapshot.cost).toMatchObject({
      currency: 'USD',
      pricedRegion: 'us-east-1',
      regionFallback: false,
    });
    expect(snapshot.cost!.dollarsPerHour).toBeCloseTo(dollarsPerHour, 12);
    expect(snapshot.cost!.estimatedDollarsSoFar).toBeGreaterThanOrEqual(
      (dollarsPerHour * (billedSeconds - 1)) / 3600,
    );
    expect(snapshot.cost!.estimatedDollarsSoFar).toBeLessThanOrEqual(
      (dollarsPerHour * (billedSeconds + 1)) / 3600,
    );

    const body = await (await fetch(agent.metricsUrl)).text();
    expect(sampleOf(body, 'ecs_task_price_dollars_per_hour')).toBeCloseTo(dollarsPerHour, 12);
    // The counter grows with time: at least what the snapshot said a moment before.
    expect(sampleOf(body, 'ecs_task_estimated_cost_dollars_total')).toBeGreaterThanOrEqual(
      snapshot.cost!.estimatedDollarsSoFar,
    );

    // EMF: every Task event carries the price, and the cost so far at its poll.
    const tasks = emf.filter((event) => event['Type'] === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const event of tasks) {
      expect(event['TaskPriceDollarsPerHour']).toBeCloseTo(dollarsPerHour, 12);
      expect(event['EstimatedCostDollars']).toBeGreaterThanOrEqual((dollarsPerHour * 60) / 3600);
      expect(event['EstimatedCostDollars']).toBeLessThanOrEqual(snapshot.cost!.estimatedDollarsSoFar + 1e-9);
    }
  });

  it('fargate-10 in eu-west-1, which the built-in table has no rates for: us-east-1 rates, said once in the log and in the snapshot', async () => {
    const { agent, lines } = await run('fargate-10');
    const snapshot = agent.snapshot();
    expect(snapshot.cost).toMatchObject({ pricedRegion: 'us-east-1', regionFallback: true });
    expect(snapshot.cost!.dollarsPerHour).toBeCloseTo(4 * 0.04048 + 8 * 0.004445, 12);
    await waitFor('a few more polls', () => (agent.store.status().samples.duplicate >= 3 ? true : undefined));
    const said = lines.filter(
      (line) => line['msg'] === 'no prices for the task region; the cost meter uses another region rates',
    );
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 'warn', region: 'eu-west-1', pricedRegion: 'us-east-1' });
  });

  it('ec2-bridge: no task price on EC2, so no cost and no cost series', async () => {
    const { agent, emf } = await run('ec2-bridge');
    expect(agent.snapshot().cost).toBeNull();
    expect(
      emf.filter((event) => 'TaskPriceDollarsPerHour' in event || 'EstimatedCostDollars' in event),
    ).toEqual([]);
    const body = await (await fetch(agent.metricsUrl)).text();
    expect(body).not.toMatch(/^ecs_task_price_dollars_per_hour /m);
    expect(body).not.toMatch(/^ecs_task_estimated_cost_dollars_total /m);
  });
});
