import { createServer, type Socket } from 'node:net';
import { startMock } from '@taskscope/mock';
import { type History, HistorySchema, SnapshotSchema } from '@taskscope/sdk';
import { createStopper, waitFor } from '@taskscope/test-support';
import pino from 'pino';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentFlags, type RunningAgent, readAgentConfig, startAgent } from '../src/index.js';
import { advance, advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';
import { openStream } from './helpers/sse.js';

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
  // The agent polls just after each refresh: this waits (in fake time) for it to have read the latest.
  const untilLatestSample = () =>
    advanceUntil(
      clock,
      'the agent to hold the sample the mock published last',
      () => agent.snapshot().id === Math.floor(mock.truth()?.readAtMs ?? 0),
      2 * CADENCE_MS,
    );
  return { mock, agent, lines, clock, untilLatestSample };
}

const allContainersHaveStats = (agent: RunningAgent) => () => {
  const { containers } = agent.snapshot();
  return containers.length > 0 && containers.every((c) => c.memory.workingSetBytes !== null);
};

describe('the agent against the mock endpoint over loopback', () => {
  it('polls once per refresh, matches the ground truth, and writes EMF once per fresh sample', async () => {
    const { mock, agent, lines, clock, untilLatestSample } = await startPair({ exporters: 'prometheus,emf' });
    await advance(clock, 8 * CADENCE_MS);
    const learned = agent.snapshot().poll;
    await advance(clock, 15 * CADENCE_MS);
    await untilLatestSample();
    const snapshot = v.parse(SnapshotSchema, agent.snapshot());
    const status = snapshot.poll;
    expect(status.ready).toBe(true);
    expect(status.lastError).toBeNull();
    expect(status.failures).toBe(0);
    // 23 cadences: one fresh sample per refresh once the cadence is learned.
    expect(status.samples.fresh).toBeGreaterThanOrEqual(20);
    // /task once at start: the container set did not change.
    expect(status.requests.task).toBe(1);
    // Once learned, at most 1.2 requests per fresh sample: the goal, held exactly in fake time.
    const requests = status.requests.task_stats - learned.requests.task_stats;
    expect(requests / (status.samples.fresh - learned.samples.fresh)).toBeLessThanOrEqual(1.2);
    expect(status.interval).toMatchObject({ mode: 'auto', learned: true });
    expect(status.interval.intervalMs).toBeCloseTo(CADENCE_MS, -1);

    const truth = mock.truth()!;
    expect(snapshot.id).toBe(Math.floor(truth.readAtMs));
    expect(truth.containers.map((c) => c.name).sort()).toEqual(['app', 'taskscope', 'worker']);
    for (const container of truth.containers) {
      const seen = snapshot.containers.find((c) => c.name === container.name)!;
      expect(seen.cpu.cores!).toBeCloseTo(container.cpuCores, 6);
      expect(seen.memory.workingSetBytes).toBe(container.memoryWorkingSetBytes);
    }
    expect(snapshot.containers.map((c) => c.name).sort()).toEqual(['app', 'taskscope', 'worker']);

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
      () => agent.snapshot().poll.consecutiveFailures >= 2,
      4000,
    );
    const failing = agent.snapshot();
    // The last good numbers stay served, with the failure in the poll status.
    expect(failing.containers.find((c) => c.name === 'app')?.cpu.cores).toBeTypeOf('number');
    expect(failing.poll.lastError).toMatchObject({ code: 'TMDS_HTTP_STATUS', endpoint: 'task_stats' });
    const scrape = await (await fetch(agent.metricsUrl)).text();
    expect(scrape).toMatch(/taskscope_poll_errors_total\{endpoint="task_stats",reason="http_503"\} [1-9]/);
    expect(scrape).toMatch(/ecs_container_cpu_usage_seconds_total\{container_name="app"\} \d/);

    mock.setFaults([]);
    const freshBefore = failing.poll.samples.fresh;
    // Backoff after two failures is at most 1 s.
    await advanceUntil(
      clock,
      'a fresh sample after the faults are lifted',
      () => agent.snapshot().poll.samples.fresh > freshBefore,
      1000 + 2 * CADENCE_MS,
    );
    expect(agent.snapshot().poll.consecutiveFailures).toBe(0);
  });

  it('reports not ready until the first successful poll', async () => {
    const { mock, agent, clock } = await startPair({}, {}, ['503']);
    await advanceUntil(clock, 'a failed poll', () => agent.snapshot().poll.failures >= 1, 1000);
    const response = await fetch(`${agent.url}readyz`);
    expect(response.status).toBe(503);
    await response.text();
    mock.setFaults([]);
    await advanceUntil(clock, 'a successful poll', () => agent.snapshot().poll.ready, 4000);
    expect((await fetch(`${agent.url}readyz`)).status).toBe(200);
  });

  it('re-reads the task metadata after a container restart', async () => {
    const { mock, agent, clock } = await startPair();
    await advanceUntil(clock, 'every container to have stats', allContainersHaveStats(agent), 4000);
    await advance(clock, 2 * CADENCE_MS);
    const tasksBefore = agent.snapshot().poll.requests.task;
    const before = agent.snapshot().containers.find((c) => c.name === 'app')!;
    expect(mock.restart('app')).toBe(true);
    const appStartedAtMs = () => agent.snapshot().containers.find((c) => c.name === 'app')!.startedAtMs!;
    await advanceUntil(clock, 'the restart to be seen', () => appStartedAtMs() > before.startedAtMs!, 3000);
    const freshAtRestart = agent.snapshot().poll.samples.fresh;
    // One re-read for the restart, none for the polls that follow it (and they did happen).
    await advance(clock, 3 * CADENCE_MS);
    expect(agent.snapshot().poll.samples.fresh).toBeGreaterThanOrEqual(freshAtRestart + 2);
    expect(agent.snapshot().poll.requests.task).toBe(tasksBefore + 1);
  });
});

describe('the agent API against the mock, in fake time', () => {
  it('keeps one history entry per refresh cycle, the very documents the stream sent, matching the truth', async () => {
    const { mock, agent, clock, untilLatestSample } = await startPair();
    await advanceUntil(clock, 'every container to have stats', allContainersHaveStats(agent), 4000);
    const stream = await openStream(`${agent.url}api/v1/stream`);
    await stream.waitForEvents(1, 'the latest cycle on connect');
    await advance(clock, 12 * CADENCE_MS);
    await untilLatestSample();
    const response = await fetch(`${agent.url}api/v1/history`);
    const history = v.parse(HistorySchema, await response.json());
    const { poll } = agent.snapshot();
    // Every cycle since the first sample, in --history's 15 minutes of fake time.
    expect(history.retentionMs).toBe(15 * 60_000);
    expect(history.snapshots).toHaveLength(poll.samples.fresh);
    const ids = history.snapshots.map((s) => s.id!);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    // Cycles at the mock's cadence: one entry per refresh, none repeated.
    for (let i = 1; i < ids.length; i++) expect(ids[i]! - ids[i - 1]!).toBeGreaterThanOrEqual(CADENCE_MS - 1);

    // Each SSE event is byte for byte the history entry of its id.
    const sinceConnect = ids.length - ids.indexOf(Number(stream.events[0]!.id));
    const events = await stream.waitForEvents(sinceConnect, 'every cycle since the client connected');
    const byId = new Map(history.snapshots.map((s) => [String(s.id), JSON.stringify(s)]));
    for (const event of events) expect(event.data).toBe(byId.get(event.id!));
    stream.close();

    const newest = history.snapshots.at(-1)!;
    const truth = mock.truth()!;
    expect(newest.id).toBe(Math.floor(truth.readAtMs));
    for (const container of truth.containers) {
      const seen = newest.containers.find((c) => c.name === container.name)!;
      expect(seen.cpu.cores!).toBeCloseTo(container.cpuCores, 6);
      expect(seen.memory.workingSetBytes).toBe(container.memoryWorkingSetBytes);
      expect(seen.cpu.percentOfTask!).toBeCloseTo(
        (container.cpuCores / newest.task!.size.cpuVcpus!) * 100,
        4,
      );
    }
  });

  it('sends a reconnecting EventSource the cycles it missed, each once, then live ones', async () => {
    const { agent, clock } = await startPair();
    await advanceUntil(clock, 'the first cycle', () => agent.snapshot().id !== null, 4000);
    const first = await openStream(`${agent.url}api/v1/stream`);
    await advance(clock, 3 * CADENCE_MS);
    const before = await first.waitForEvents(3);
    first.close();
    const lastId = Number(before.at(-1)!.id);
    // Away for six refreshes.
    await advance(clock, 6 * CADENCE_MS);
    const history = (await (await fetch(`${agent.url}api/v1/history`)).json()) as History;
    const missed = history.snapshots.map((s) => s.id!).filter((id) => id > lastId);
    expect(missed.length).toBeGreaterThanOrEqual(5);

    const again = await openStream(`${agent.url}api/v1/stream`, { 'Last-Event-ID': String(lastId) });
    const caughtUp = await again.waitForEvents(missed.length, 'the missed cycles');
    expect(caughtUp.map((e) => Number(e.id))).toEqual(missed);
    await advanceUntil(clock, 'the next cycle', () => agent.snapshot().id! > missed.at(-1)!, 2 * CADENCE_MS);
    const live = await again.waitForEvents(missed.length + 1, 'the next live cycle');
    expect(Number(live.at(-1)!.id)).toBe(agent.snapshot().id);
    expect(new Set(live.map((e) => e.id)).size).toBe(live.length);
    again.close();
  });

  it('with --history 0 keeps nothing and answers an empty history', async () => {
    const { agent, clock } = await startPair({ history: '0' });
    await advance(clock, 6 * CADENCE_MS);
    expect(agent.snapshot().poll.samples.fresh).toBeGreaterThan(2);
    expect(agent.feed.history.size()).toBe(0);
    const history = v.parse(HistorySchema, await (await fetch(`${agent.url}api/v1/history`)).json());
    expect(history).toMatchObject({ windowMs: 0, retentionMs: 0, snapshots: [] });
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
      await advanceUntil(clock, 'the agent to be ready', () => agent.snapshot().poll.ready, 3000);
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
      const requests = agent.snapshot().poll.requests.task_stats;
      await clock.advanceBy(3 * CADENCE_MS);
      expect(agent.snapshot().poll.requests.task_stats).toBe(requests);
      await expect(fetch(`${agent.url}healthz`)).rejects.toThrow();
    } finally {
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    }
  });
});
