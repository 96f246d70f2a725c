import { createServer, type Socket } from 'node:net';
import { type MockServer, startMock } from '@taskscope/mock';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentFlags, loadAgentConfig, type RunningAgent, startAgent } from '../src/index.js';

const CADENCE_MS = 400;
const silent = pino({ level: 'silent' });
let mock: MockServer | undefined;
let agent: RunningAgent | undefined;

afterEach(async () => {
  await agent?.stop();
  await mock?.close();
  agent = undefined;
  mock = undefined;
});

async function startPair(flags: AgentFlags = {}, env: Record<string, string> = {}, faults: string[] = []) {
  mock = await startMock({ scenario: 'fargate-web', cadenceMs: CADENCE_MS, throttle: false });
  if (faults.length > 0) mock.setFaults(faults);
  const config = loadAgentConfig({
    flags: { metadataUrl: mock.v4Urls.taskscope, listen: '127.0.0.1:0', ...flags },
    env,
  });
  const lines: string[] = [];
  agent = await startAgent(config, { logger: silent, stdout: (line) => lines.push(line) });
  return { mock, agent, lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The scenario's containers have no sample in their first second, as on Fargate. */
async function untilContainersHaveStats(agent: RunningAgent): Promise<void> {
  await expect
    .poll(() => agent.snapshot().metrics?.containers.every((c) => c.stats !== undefined), { timeout: 4000 })
    .toBe(true);
}

describe('the agent against the mock endpoint over loopback', () => {
  it('polls once per refresh, matches the ground truth, and writes EMF once per fresh sample', async () => {
    const { mock, agent, lines } = await startPair({ exporters: 'prometheus,emf' });
    await sleep(8 * CADENCE_MS);
    const learned = agent.snapshot().status;
    await sleep(15 * CADENCE_MS);
    const { status, metrics } = agent.snapshot();
    expect(status.ready).toBe(true);
    expect(status.lastError).toBeUndefined();
    expect(status.failures).toBe(0);
    expect(status.samples.fresh).toBeGreaterThanOrEqual(18);
    // /task once at start: the container set did not change.
    expect(status.requests.task).toBe(1);
    // Once learned, about one request per fresh sample. Real timers on a loaded machine and a
    // 400 ms cadence leave less slack than the 1.2 goal, which the fake-time tests hold exactly.
    const requests = status.requests.task_stats - learned.requests.task_stats;
    expect(requests / (status.samples.fresh - learned.samples.fresh)).toBeLessThanOrEqual(1.3);
    expect(status.interval.cadence?.cadenceMs).toBeCloseTo(CADENCE_MS, -1);

    const truth = mock.truth()!;
    if (truth.readAtMs === metrics!.sample.readAtMs) {
      for (const container of truth.containers) {
        const seen = metrics!.containers.find((c) => c.name === container.name)!;
        expect(seen.stats!.cpu.cores!).toBeCloseTo(container.cpuCores, 6);
        expect(seen.stats!.memory.workingSetBytes).toBe(container.memoryWorkingSetBytes);
      }
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
    const { mock, agent } = await startPair();
    await untilContainersHaveStats(agent);
    mock.setFaults(['503:/v4/*/task/stats']);
    await expect
      .poll(() => agent.snapshot().status.consecutiveFailures, { timeout: 4000 })
      .toBeGreaterThanOrEqual(2);
    const failing = agent.snapshot();
    expect(failing.metrics).not.toBeNull();
    expect(failing.status.lastError).toMatchObject({ code: 'TMDS_HTTP_STATUS', endpoint: 'task_stats' });
    const scrape = await (await fetch(agent.metricsUrl)).text();
    expect(scrape).toMatch(/taskscope_poll_errors_total\{endpoint="task_stats",reason="http_503"\} [1-9]/);
    expect(scrape).toMatch(/ecs_container_cpu_usage_seconds_total\{container_name="app"\} \d/);

    mock.setFaults([]);
    const freshBefore = failing.status.samples.fresh;
    // Backoff after two failures is at most 1 s.
    await expect
      .poll(() => agent.snapshot().status.samples.fresh, { timeout: 4000 })
      .toBeGreaterThan(freshBefore);
    expect(agent.snapshot().status.consecutiveFailures).toBe(0);
  });

  it('reports not ready until the first successful poll', async () => {
    const { mock, agent } = await startPair({}, {}, ['503']);
    await sleep(300);
    const response = await fetch(`${agent.url}readyz`);
    expect(response.status).toBe(503);
    await response.text();
    mock.setFaults([]);
    await expect.poll(async () => (await fetch(`${agent.url}readyz`)).status, { timeout: 4000 }).toBe(200);
  });

  it('re-reads the task metadata after a container restart', async () => {
    const { mock, agent } = await startPair();
    await untilContainersHaveStats(agent);
    await sleep(2 * CADENCE_MS);
    const tasksBefore = agent.snapshot().status.requests.task;
    const before = agent.snapshot().metrics!.containers.find((c) => c.name === 'app')!;
    expect(mock.restart('app')).toBe(true);
    await expect
      .poll(() => agent.snapshot().metrics!.containers.find((c) => c.name === 'app')!.startedAtMs, {
        timeout: 3000,
      })
      .toBeGreaterThan(before.startedAtMs!);
    // One re-read for the restart, none for the polls that follow it.
    await sleep(3 * CADENCE_MS);
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
      const { agent } = await startPair(
        { exporters: 'prometheus,otlp,emf' },
        { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_METRIC_EXPORT_INTERVAL: '500' },
      );
      await expect.poll(() => agent.snapshot().status.ready, { timeout: 3000 }).toBe(true);
      await sleep(700);
      // An export is now hanging on the collector.
      expect(sockets.size).toBeGreaterThan(0);
      const startedMs = performance.now();
      await agent.stop();
      const tookMs = performance.now() - startedMs;
      expect(tookMs).toBeLessThan(5000);
      // The poller is stopped: no request after stop.
      const requests = agent.snapshot().status.requests.task_stats;
      await sleep(3 * CADENCE_MS);
      expect(agent.snapshot().status.requests.task_stats).toBe(requests);
      await expect(fetch(`${agent.url}healthz`)).rejects.toThrow();
    } finally {
      for (const socket of sockets) socket.destroy();
      blackhole.close();
    }
  });
});
