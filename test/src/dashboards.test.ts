import {
  fillVariables,
  type GrafanaDashboardJson,
  grafanaDashboard,
  multiValueRegex,
  queriesOf,
  type VariableValues,
} from '@taskscope/dashboards';
import { waitFor } from '@taskscope/test-support';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { getJson, getText, parseExposition, postJson } from './helpers/http.js';
import { type PrometheusServer, startPrometheus } from './helpers/prometheus.js';
import { type Stack, startStack } from './helpers/stack.js';
import { STEADY_SCENARIO } from './helpers/steady-scenario.js';

/*
 * Issue #13: the Grafana dashboard's queries are the contract, so they run here on a real
 * Prometheus (Debian's 2.42) scraping an agent against the mock: every variable lists the
 * task, every panel's query (variables filled in as Grafana fills them) returns data, and
 * the task CPU panel reads the mock's truth.
 */

/**
 * The rate window put for `$__rate_interval`. The counters step at each refresh (100 ms) and
 * the agent polls every 100 ms, so a scrape at either end of the window is up to 200 ms
 * stale: 0.2 / 11 s of scrapes ≈ 1.8 % at worst, inside the tolerance of the other
 * Prometheus test (prometheus.test.ts).
 */
const WINDOW_S = 12;
const RATE_TOLERANCE = 0.025;

let stack: Stack;
let prometheus: PrometheusServer;
let dashboard: GrafanaDashboardJson;
let values: VariableValues;

beforeAll(async () => {
  stack = await startStack({ scenario: STEADY_SCENARIO, cadenceMs: 100, flags: { interval: '100ms' } });
  prometheus = await startPrometheus(stack.agent.metricsUrl, 1);
  dashboard = grafanaDashboard();
  values = {
    job: 'taskscope',
    instance: multiValueRegex([new URL(stack.agent.metricsUrl).host]),
    container: '.*',
    rateInterval: `${WINDOW_S}s`,
    range: '1m',
  };
});

afterAll(async () => {
  await prometheus?.close();
  await stack?.stop();
});

/** `label_values(SELECTOR, LABEL)` as Grafana asks Prometheus: the label's values on the matching series. */
async function labelValues(definition: string, filled: Record<string, string>): Promise<string[]> {
  const match = /^label_values\((.+), (\w+)\)$/.exec(definition);
  if (!match) throw new Error(`not a label_values query: ${definition}`);
  let selector = match[1]!;
  for (const [name, value] of Object.entries(filled)) selector = selector.replaceAll(`$${name}`, value);
  const body = await getJson<{ status: string; data: string[] }>(
    `${prometheus.url}/api/v1/label/${match[2]}/values?match[]=${encodeURIComponent(selector)}`,
  );
  return body.data;
}

test('the dashboard names only metrics the agent exports', async () => {
  await waitFor('the first sample', async () => ((await stack.snapshot()).poll.ready ? true : undefined));
  const exported = new Set(parseExposition(await getText(stack.agent.metricsUrl)).map((s) => s.name));
  const used = new Set(queriesOf(dashboard).flatMap((q) => q.expr.match(/\b(?:ecs|taskscope)_\w+/g) ?? []));
  for (const variable of dashboard.templating.list)
    for (const name of String(variable.definition ?? '').match(/\b(?:ecs|taskscope)_\w+/g) ?? [])
      used.add(name);
  // taskscope_poll_errors_total appears only once a poll failed (the last test makes some fail).
  expect([...used].filter((name) => !exported.has(name) && name !== 'taskscope_poll_errors_total')).toEqual(
    [],
  );
  expect(used.size).toBeGreaterThan(15);
});

test('every variable lists the task, and every panel query returns data; the CPU panel reads the truth', async () => {
  await prometheus.waitUntilUp();
  await prometheus.waitForScrapes(WINDOW_S);

  const variable = (name: string) =>
    String(dashboard.templating.list.find((v) => v.name === name)!.definition);
  const host = new URL(stack.agent.metricsUrl).host;
  expect(await labelValues(variable('job'), {})).toEqual(['taskscope']);
  const [cluster] = await labelValues(variable('cluster'), { job: 'taskscope' });
  expect(cluster).toMatch(/cluster\/e2e$|^e2e$/);
  const filled = { job: 'taskscope', cluster: multiValueRegex([cluster!]) };
  expect(await labelValues(variable('family'), filled)).toEqual(['steady']);
  expect(await labelValues(variable('instance'), { ...filled, family: 'steady' })).toEqual([host]);
  expect(await labelValues(variable('container'), { job: 'taskscope', instance: values.instance })).toEqual([
    'app',
    'sidecar',
  ]);

  // The task's CPU: the sum of the containers' true rates (a constant load: any window's rate).
  const truth = await stack.truth();
  const trueCores = truth.containers.reduce((sum, c) => sum + c.cpuCores, 0);
  const cpu = queriesOf(dashboard).find(
    (q) => q.panel.title === 'Task CPU (vCPU) and limit' && q.refId === 'A',
  )!;
  const [used] = await prometheus.query(fillVariables(cpu.expr, values));
  expect(used!.metric.instance).toBe(host);
  expect(
    Math.abs(used!.value - trueCores),
    `task CPU ${used!.value} vs truth ${trueCores}`,
  ).toBeLessThanOrEqual(RATE_TOLERANCE * trueCores);
  const share = queriesOf(dashboard).find((q) => q.panel.title === "Container CPU % of the task's limit")!;
  const app = (await prometheus.query(fillVariables(share.expr, values))).find(
    (r) => r.metric.container_name === 'app',
  )!;
  const appTruth =
    (100 * truth.containers.find((c) => c.name === 'app')!.cpuCores) / STEADY_SCENARIO.task.cpu;
  expect(Math.abs(app.value - appTruth)).toBeLessThanOrEqual(RATE_TOLERANCE * appTruth);

  // Polls that fail, so the poll-errors panel has a series: half the stats requests answer 500.
  expect(await postJson(`${stack.mock.url}/__taskscope/faults`, ['500:/v4/*/task/stats@0.5'])).toBeLessThan(
    300,
  );
  for (const { panel, refId, expr } of queriesOf(dashboard)) {
    const promql = fillVariables(expr, values);
    const rows = await waitFor(
      `panel "${panel.title}" ${refId} to return data: ${promql}`,
      async () => {
        const result = await prometheus.query(promql);
        // NaN is no data: a quantile of an endpoint polled only at start (task metadata) has
        // no observations in the window.
        return result.some((r) => Number.isFinite(r.value)) ? result : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(rows.length, panel.title).toBeGreaterThan(0);
  }
});
