import { promtoolCheckMetrics, waitFor } from '@taskscope/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { getText, parseExposition, select } from './helpers/http.js';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus.js';
import { type Stack, startStack } from './helpers/stack.js';
import { STEADY_SCENARIO } from './helpers/steady-scenario.js';

/*
 * Issue #4: a real Prometheus (Debian's 2.42, as CI installs it) scrapes the agent. The
 * exposition must pass `promtool check metrics` with no finding, and PromQL's rate() over
 * the agent's counters must give the scenario's true rates: the test that catches unit
 * slips (ns vs s, Windows 100 ns), counters that are not monotonic, and type or name errors
 * that only a real parser notices.
 */

const WINDOW_S = 20;
/**
 * The counters move in steps at each refresh (250 ms) and the agent polls every 100 ms, so
 * the scrape at either end of the window can be up to 350 ms stale: 0.35 / 20 ≈ 1.8 % at
 * worst, plus room for a short stall of a loaded CI box. A unit slip (ns for s, Windows'
 * 100 ns), a double count or a counter reset is off by far more.
 */
const RATE_TOLERANCE = 0.025;

let stack: Stack;
let prometheus: PrometheusServer;

beforeAll(async () => {
  stack = await startStack({ scenario: STEADY_SCENARIO, cadenceMs: 250, flags: { interval: '100ms' } });
  prometheus = await startPrometheus(stack.agent.metricsUrl, 1);
});

afterAll(async () => {
  await prometheus?.close();
  await stack?.stop();
});

test('promtool check metrics finds nothing to report in the text exposition', async () => {
  await waitFor('the first sample', async () => ((await stack.snapshot()).poll.ready ? true : undefined));
  const text = await getText(stack.agent.metricsUrl);
  const { exitCode, output } = await promtoolCheckMetrics(text);
  expect(output).toBe('');
  expect(exitCode).toBe(0);
  // The exposition has the ecs_exporter families with values, not just the self-telemetry.
  const samples = parseExposition(text);
  expect(
    select(samples, 'ecs_container_cpu_usage_seconds_total')
      .map((s) => s.labels.container_name)
      .sort(),
  ).toEqual(['app', 'sidecar']);
});

test('Prometheus scrapes the agent and rate() of its counters equals the true rates', async () => {
  await prometheus.waitUntilUp();
  await prometheus.waitForScrapes(WINDOW_S);
  const truth = await stack.truth();
  const cpu = await prometheus.query(`rate(ecs_container_cpu_usage_seconds_total[${WINDOW_S}s])`);
  expect(cpu.map((r) => r.metric.container_name).sort()).toEqual(['app', 'sidecar']);
  for (const row of cpu) {
    const expected = truth.containers.find((c) => c.name === row.metric.container_name)!.cpuCores;
    expect(
      Math.abs(row.value - expected),
      `${row.metric.container_name}: rate ${row.value} vs truth ${expected}`,
    ).toBeLessThanOrEqual(RATE_TOLERANCE * expected);
  }

  // awsvpc: one series per interface for the task, never one per container.
  const rx = await prometheus.query(`rate(ecs_network_receive_bytes_total[${WINDOW_S}s])`);
  expect(rx).toHaveLength(1);
  expect(rx[0]!.metric.container_name).toBeUndefined();
  const rxTruth = truth.networks[0]!.rxBytesPerSecond;
  expect(Math.abs(rx[0]!.value - rxTruth)).toBeLessThanOrEqual(RATE_TOLERANCE * rxTruth);

  // Gauges of a constant load are exact.
  const workingSet = await prometheus.query('ecs_container_memory_working_set_bytes');
  for (const row of workingSet) {
    const t = truth.containers.find((c) => c.name === row.metric.container_name)!;
    expect(row.value).toBe(t.memoryWorkingSetBytes);
  }

  // Every scrape succeeded and the agent counted its samples.
  expect((await prometheus.query('min_over_time(up[1m])'))[0]!.value).toBe(1);
  const fresh = await prometheus.query('taskscope_samples_total{result="fresh"}');
  expect(fresh[0]!.value).toBeGreaterThan(WINDOW_S * 3);
});
