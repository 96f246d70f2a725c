import { createServer, type Socket } from 'node:net';
import { startMock } from '@taskscope/mock';
import { createStopper, waitFor } from '@taskscope/test-support';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentFlags, type RunningAgent, readAgentConfig, startAgent } from '../src/index.js';
import { advance, advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';

/*
 * The agent and the mock share one manual clock (the poller tests' helper): time moves only
 * when a test moves it, and every poll is let finish over real loopback HTTP before it moves
 * on. These tests slept in real time and then counted polls and samples (issue #9), which a
 * loaded machine turned into flakes and into a ground-truth check under an `if` that was false
 * in both runs probed. In fake time the counts are exact and every assertion runs.
 */

const CADENCE_MS = 400;
/**
 * The agent starts once the task has run two refreshes, as a sidecar added to a running
 * service sees it: the payloads' `preread` then shows the 400 ms period at once. (At the task's
 * very start a first sample has no `preread`, and the learner aims at Fargate's usual 10 s.)
 */
const AGENT_START_DELAY_MS = 2 * CADENCE_MS + 100;
const silent = pino({ level: 'silent' });
const started = createStopper();
afterEach(() => started.stopAll());

async function startPair(flags: AgentFlags = {}, env: Record<string, string> = {}, faults: string[] = []) {
  const clock = createManualClock();
  const mock = started.track(
    await startMock({ scenario: 'fargate-web', cadenceMs: CADENCE_MS, throttle: false, now: clock.now }),
    (it) => it.close(),
  );
  if (faults.length > 0) mock.setFaults(faults);
  // The agent, like a sidecar added to a running service, starts once the task has run a
  // while (AGENT_START_DELAY_MS).
  await clock.advanceBy(AGENT_START_DELAY_MS);
  const config = readAgentConfig({
    flags: { metadataUrl: mock.v4Urls.taskscope, listen: '127.0.0.1:0', ...flags },
    env,
  });
  const lines: string[] = [];
  const agent = started.track(
    await startAgent(config, { logger: silent, stdout: (line) => lines.push(line), clock }),
    (it) => it.stop(),
  );
  return { mock, agent, lines, clock };
}

const allContainersHaveStats = (agent: RunningAgent) => () =>
  agent.snapshot().metrics?.containers.every((c) => c.stats !== undefined) === true;

describe('the agent against the mock endpoint over loopback', () => {
  it('polls once per refresh, matches the ground truth, and writes EMF once per fresh sample', async () => {
    const { mock, agent, lines, clock } = await startPair({ exporters: 'prometheus,emf' });
    await advance(clock, 8 * CADENCE_MS);
    const learned = agent.snapshot().status;
    await advance(clock, 15 * CADENCE_MS);
    // The agent polls just after each refresh: wait (in fake time) for it to have read the latest.
    await advanceUntil(
      clock,
      'the agent to hold the sample the mock published last',
      () => agent.snapshot().metrics?.sample.readAtMs === mock.truth()?.readAtMs,
      2 * CADENCE_MS,
    );
    const { status, metrics } = agent.snapshot();
    expect(status.ready).toBe(true);
    expect(status.lastError).toBeUndefined();
    expect(status.failures).toBe(0);
    // 23 cadences: one fresh sample per refresh once the cadence is learned.
    expect(status.samples.fresh).toBeGreaterThanOrEqual(20);
    // /task once at start: the container set did not change.
    expect(status.requests.task).toBe(1);
    // Once learned, at most 1.2 requests per fresh sample: the goal, held exactly in fake time.
    const requests = status.requests.task_stats - learned.requests.task_stats;
    expect(requests / (status.samples.fresh - learned.samples.fresh)).toBeLessThanOrEqual(1.2);
    expect(status.interval.cadence?.cadenceMs).toBeCloseTo(CADENCE_MS, -1);

    const truth = mock.truth()!;
    expect(metrics!.sample.readAtMs).toBe(truth.readAtMs);
    expect(truth.containers.map((c) => c.name).sort()).toEqual(['app', 'taskscope', 'worker']);
    for (const container of truth.containers) {
      const seen = metrics!.containers.find((c) => c.name === container.name)!;
      expect(seen.stats!.cpu.cores!).toBeCloseTo(container.cpuCores, 6);
      expect(seen.stats!.memory.workingSetBytes).toBe(container.memoryWorkingSetBytes);
    }
    expect(metrics!.containers.map((c) => c.name).sort()).toEqual(['app', 'taskscope', 'worker']);

    const taskEvents = lines
      .map((line) => JSON.parse(line) as { Type?: string })
      .filter((e) => e.Type === 'Task');
    expect(taskEvents).toHaveLength(status.samples.fresh);

    const scrape = await (await fetch(agent.metricsUrl)).text();
    expect(scrape).toContain(`taskscope_poll_duration_seconds_count{endpoint="task"} 1`);
    expect(scrape).toMatch(/ecs_container_cpu_usage_seconds_total\{container_name="app"\} \d/);
  });

  it('keeps serving the last good sample through failures, counts them, and recovers', async () => {
    const { mock, agent, clock } = await startPair();
    await advanceUntil(clock, 'every container to have stats', allContainersHaveStats(agent), 4000);
    mock.setFaults(['503:/v4/*/task/stats']);
    await advanceUntil(
      clock,
      'two consecutive failures',
      () => agent.snapshot().status.consecutiveFailures >= 2,
      4000,
    );
    const failing = agent.snapshot();
    expect(failing.metrics).not.toBeNull();
    expect(failing.status.lastError).toMatchObject({ code: 'TMDS_HTTP_STATUS', endpoint: 'task_stats' });
    const scrape = await (await fetch(agent.metricsUrl)).text();
    expect(scrape).toMatch(/taskscope_poll_errors_total\{endpoint="task_stats",reason="http_503"\} [1-9]/);
    expect(scrape).toMatch(/ecs_container_cpu_usage_seconds_total\{container_name="app"\} \d/);

    mock.setFaults([]);
    const freshBefore = failing.status.samples.fresh;
    // Backoff after two failures is at most 1 s.
    await advanceUntil(
      clock,
      'a fresh sample after the faults are lifted',
      () => agent.snapshot().status.samples.fresh > freshBefore,
      1000 + 2 * CADENCE_MS,
    );
    expect(agent.snapshot().status.consecutiveFailures).toBe(0);
  });

  it('reports not ready until the first successful poll', async () => {
    const { mock, agent, clock } = await startPair({}, {}, ['503']);
    await advanceUntil(clock, 'a failed poll', () => agent.snapshot().status.failures >= 1, 1000);
    const response = await fetch(`${agent.url}readyz`);
    expect(response.status).toBe(503);
    await response.text();
    mock.setFaults([]);
    await advanceUntil(clock, 'a successful poll', () => agent.snapshot().status.ready, 4000);
    expect((await fetch(`${agent.url}readyz`)).status).toBe(200);
  });

  it('re-reads the task metadata after a container restart', async () => {
    const { mock, agent, clock } = await startPair();
    await advanceUntil(clock, 'every container to have stats', allContainersHaveStats(agent), 4000);
    await advance(clock, 2 * CADENCE_MS);
    const tasksBefore = agent.snapshot().status.requests.task;
    const before = agent.snapshot().metrics!.containers.find((c) => c.name === 'app')!;
    expect(mock.restart('app')).toBe(true);
    const appStartedAtMs = () =>
      agent.snapshot().metrics!.containers.find((c) => c.name === 'app')!.startedAtMs!;
    await advanceUntil(clock, 'the restart to be seen', () => appStartedAtMs() > before.startedAtMs!, 3000);
    const freshAtRestart = agent.snapshot().status.samples.fresh;
    // One re-read for the restart, none for the polls that follow it (and they did happen).
    await advance(clock, 3 * CADENCE_MS);
    expect(agent.snapshot().status.samples.fresh).toBeGreaterThanOrEqual(freshAtRestart + 2);
    expect(agent.snapshot().status.requests.task).toBe(tasksBefore + 1);
  });
});

describe('shutdown', () => {
  it('stops within 5 s with the OTLP collector accepting connections and never answering', async () => {
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as { port: number }).port;
    try {
      const { agent, clock } = await startPair(
        { exporters: 'prometheus,otlp,emf' },
        { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_METRIC_EXPORT_INTERVAL: '500' },
      );
      await advanceUntil(clock, 'the agent to be ready', () => agent.snapshot().status.ready, 3000);
      // The OTLP exporter runs on real timers: wait for the export it makes, not for 700 ms.
      await waitFor('an OTLP export to connect to the collector that never answers', () =>
        sockets.size > 0 ? true : undefined,
      );
      const startedMs = performance.now();
      await agent.stop();
      const tookMs = performance.now() - startedMs;
      // The shutdown contract (SHUTDOWN_BUDGET_MS in src/agent.ts), not a performance figure.
      expect(tookMs).toBeLessThan(5000);
      // The poller is stopped: no timer left, and no request however far time moves.
      expect(clock.pendingTimers()).toBe(0);
      const requests = agent.snapshot().status.requests.task_stats;
      await clock.advanceBy(3 * CADENCE_MS);
      expect(agent.snapshot().status.requests.task_stats).toBe(requests);
      await expect(fetch(`${agent.url}healthz`)).rejects.toThrow();
    } finally {
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    }
  });
});
