import { computeTaskMetrics } from '@taskscope/core';
import {
  type ApiVersion,
  parsePayloadTime,
  parseTaskMetadata,
  parseTaskStats,
  payloadTimeToMs,
} from '@taskscope/wire';
import { describe, expect, test } from 'vitest';
import {
  builtInScenario,
  createScenarioSource,
  parseScenarioText,
  ScenarioError,
  type ScenarioSource,
} from '../../src/scenario/index.js';
import { ask, jsonOf, ORIGIN_MS, taskMetadataJson, taskStatsText } from './helpers.js';

/*
 * The `health` knob: a container health check whose status changes `after` each run's start.
 * The mock writes `Health` as the ECS agent does on v2, v3 and v4 (lowercase keys, each
 * omitted when empty, `{}` until the first result, the failing exit code kept after a
 * recovery, UNKNOWN again from a restart), and /truth says what a reader should show.
 */

// biome-ignore lint/suspicious/noExplicitAny: assertions read payload fields by path.
type Json = Record<string, any>;

const VERSIONS: readonly ApiVersion[] = ['v2', 'v3', 'v4'];
const CURL_7 = 'curl: (7) Failed to connect to localhost port 80';

const YAML = `
task:
  cluster: default
  family: checks
  revision: 1
  region: us-east-1
  accountId: "123456789012"
  launchType: EC2
networkMode: bridge
containers:
  - name: web
    image: nginx:1.27
    memory: 256
    restartPolicy: true
    health:
      - { after: 5s, status: HEALTHY }
      - { after: 20s, status: UNHEALTHY, exitCode: 7, output: "${CURL_7}" }
      - { after: 30s, status: HEALTHY, output: ok }
    events:
      - { at: 60s, action: restart }
      - { at: 200s, action: stop, exitCode: 137 }
  - name: quiet
    image: busybox:1.37
    memory: 128
    health: []
  - name: plain
    image: busybox:1.37
    memory: 128
`;

const scenario = parseScenarioText(YAML, 'yaml', 'checks.yaml');
const source = (): ScenarioSource => createScenarioSource(scenario, { startTimeMs: ORIGIN_MS });

function containers(s: ScenarioSource, version: ApiVersion, nowMs: number): Json[] {
  return (taskMetadataJson(s, version, nowMs) as Json).Containers;
}

function container(s: ScenarioSource, version: ApiVersion, name: string, nowMs: number): Json {
  return containers(s, version, nowMs).find((c) => c.Name === name)!;
}

/** The payload time `seconds` after `startedAt`, as Go writes it (ns exact). */
function after(startedAt: string, seconds: number): string {
  const start = parsePayloadTime(startedAt)!;
  const totalNanos = start.nanos + seconds * 1e9;
  const epochSeconds = start.epochSeconds + Math.floor(totalNanos / 1e9);
  const nanos = totalNanos % 1e9;
  const whole = new Date(epochSeconds * 1000).toISOString().slice(0, 19);
  return nanos === 0 ? `${whole}Z` : `${whole}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

describe('the knob', () => {
  test('YAML and JSON give the same results; a failing result defaults to exit code 1', () => {
    expect(scenario.containers.map((c) => c.health)).toEqual([
      [
        { afterMs: 5000, status: 'HEALTHY' },
        { afterMs: 20_000, status: 'UNHEALTHY', exitCode: 7, output: CURL_7 },
        { afterMs: 30_000, status: 'HEALTHY', output: 'ok' },
      ],
      [],
      undefined,
    ]);
    const json = JSON.stringify({
      task: {
        cluster: 'default',
        family: 'checks',
        revision: 1,
        region: 'us-east-1',
        accountId: '123456789012',
        launchType: 'EC2',
      },
      containers: [
        { name: 'web', image: 'nginx:1.27', memory: 256, health: [{ after: 1500, status: 'UNHEALTHY' }] },
      ],
    });
    expect(parseScenarioText(json, 'json', 'one.json').containers[0]!.health).toEqual([
      { afterMs: 1500, status: 'UNHEALTHY', exitCode: 1 },
    ]);
  });

  test.each([
    [
      'a status the endpoint does not send',
      'health: [{ after: 5s, status: DEGRADED }]',
      'field "containers.0.health.0.status" is "DEGRADED" (string); expected HEALTHY or UNHEALTHY',
    ],
    [
      'results out of order',
      'health: [{ after: 5s, status: HEALTHY }, { after: 5s, status: UNHEALTHY }]',
      'field "containers.0.health.1.after" is "5s" (string); expected a time after the previous result\'s 5000ms',
    ],
    [
      'the same status twice',
      'health: [{ after: 5s, status: HEALTHY }, { after: 9s, status: HEALTHY }]',
      'field "containers.0.health.1.status" is "HEALTHY" (string); expected a status other than the previous result\'s HEALTHY (results are changes of status)',
    ],
    [
      'an exit code on a passing check',
      'health: [{ after: 5s, status: HEALTHY, exitCode: 1 }]',
      'field "containers.0.health.0.exitCode" is 1 (number); expected nothing unless status is UNHEALTHY',
    ],
    [
      'a failing check that exits 0',
      'health: [{ after: 5s, status: UNHEALTHY, exitCode: 0 }]',
      'field "containers.0.health.0.exitCode" is 0 (number); expected an integer exit code other than 0 (a check that passes exits 0)',
    ],
    [
      'an output longer than the agent keeps',
      `health: [{ after: 5s, status: HEALTHY, output: ${'x'.repeat(1025)} }]`,
      `field "containers.0.health.0.output" is "${'x'.repeat(56)}... (string); expected text of at most 1024 characters (the ECS agent keeps 1024 bytes of it)`,
    ],
    [
      'a misspelt key',
      'health: [{ after: 5s, status: HEALTHY, outptu: ok }]',
      'field "containers.0.health.0.outptu" is "ok" (string); expected no such field (check the spelling against SCENARIOS.md)',
    ],
    [
      'a single result not in a list',
      'health: { after: 5s, status: HEALTHY }',
      'field "containers.0.health" is {"after":"5s","status":"HEALTHY"} (object); expected a list of health check results (see SCENARIOS.md)',
    ],
    [
      'results for a container that never runs',
      'state: PULLED\n    health: [{ after: 5s, status: HEALTHY }]',
      'field "containers.0.health" is [{"after":"5s","status":"HEALTHY"}] (array); expected no health check results unless state is RUNNING',
    ],
  ])('%s is refused in one message', (_what, lines, message) => {
    const text = `${YAML.slice(0, YAML.indexOf('containers:'))}containers:\n  - name: web\n    image: nginx:1.27\n    memory: 256\n    ${lines}\n`;
    let error: unknown;
    try {
      parseScenarioText(text, 'yaml', 'checks.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).message).toBe(`scenario checks.yaml: ${message}`);
  });

  test('a check that never reports may sit on a container that does not run', () => {
    const text = YAML.replace('    health: []\n', '    state: PULLED\n    health: []\n');
    const s = createScenarioSource(parseScenarioText(text, 'yaml', 'checks.yaml'), {
      startTimeMs: ORIGIN_MS,
    });
    expect(container(s, 'v4', 'quiet', ORIGIN_MS + 10_000).Health).toEqual({});
  });
});

describe('the payloads', () => {
  test.each(VERSIONS)(
    '%s: Health on the containers with a check, lowercase keys in the agent’s order',
    (version) => {
      const s = source();
      const web = container(s, version, 'web', ORIGIN_MS + 25_000);
      expect(web.Health).toEqual({
        status: 'UNHEALTHY',
        statusSince: after(web.StartedAt, 20),
        exitCode: 7,
        output: CURL_7,
      });
      expect(Object.keys(web.Health)).toEqual(['status', 'statusSince', 'exitCode', 'output']);
      expect(container(s, version, 'quiet', ORIGIN_MS + 25_000).Health).toEqual({});
      expect(container(s, version, 'plain', ORIGIN_MS + 25_000)).not.toHaveProperty('Health');
      // The single-container path (v2 by DockerId, v3/v4 the container's own URL) says the same.
      const dockerId = s.endpoints().find((e) => e.containerName === 'web')!.dockerId;
      expect(
        (jsonOf(ask(s, version, { kind: 'container', dockerId }, ORIGIN_MS + 25_000)) as Json).Health,
      ).toEqual(web.Health);
    },
  );

  test.each([
    // v2 has no Networks on bridge; v3 writes Networks then Health; v4 puts its own Networks after
    // the embedded v2 response, whose Health follows Type.
    ['v2', ['Type', 'Health']],
    ['v3', ['Type', 'Networks', 'Health']],
    ['v4', ['Type', 'Health', 'LogDriver', 'LogOptions', 'ContainerARN', 'Networks', 'RestartCount']],
  ] as const)('%s: Health sits where the agent’s struct puts it', (version, tail) => {
    const keys = Object.keys(container(source(), version, 'web', ORIGIN_MS + 25_000));
    expect(keys.slice(keys.indexOf('Type'))).toEqual(tail);
  });

  test('over the runs: {} until the first result, the failing exit code kept, UNKNOWN again from a restart, frozen at the stop', () => {
    const s = source();
    const health = (seconds: number) => container(s, 'v4', 'web', ORIGIN_MS + seconds * 1000).Health;
    const first = container(s, 'v4', 'web', ORIGIN_MS + 1000).StartedAt;
    expect(health(1)).toEqual({});
    expect(health(6)).toEqual({ status: 'HEALTHY', statusSince: after(first, 5) });
    expect(health(29)).toEqual({
      status: 'UNHEALTHY',
      statusSince: after(first, 20),
      exitCode: 7,
      output: CURL_7,
    });
    // Recovered: the agent keeps the exit code of the check that failed; the output is the new check's.
    expect(health(45)).toEqual({
      status: 'HEALTHY',
      statusSince: after(first, 30),
      exitCode: 7,
      output: 'ok',
    });
    // The restart at 60 s: the check starts over (UNKNOWN, no status key) and replays its results.
    const second = container(s, 'v4', 'web', ORIGIN_MS + 61_000).StartedAt;
    expect(Date.parse(second)).toBe(ORIGIN_MS + 60_000);
    expect(health(61)).toEqual({ statusSince: second, exitCode: 7 });
    expect(health(66)).toEqual({ status: 'HEALTHY', statusSince: after(second, 5), exitCode: 7 });
    expect(health(85)).toEqual({
      status: 'UNHEALTHY',
      statusSince: after(second, 20),
      exitCode: 7,
      output: CURL_7,
    });
    // Stopped at 200 s: the last status stays.
    expect(container(s, 'v4', 'web', ORIGIN_MS + 250_000).KnownStatus).toBe('STOPPED');
    expect(health(250)).toEqual({
      status: 'HEALTHY',
      statusSince: after(second, 30),
      exitCode: 7,
      output: 'ok',
    });
  });

  test('a restart through the control path starts the check over too', () => {
    const s = source();
    const t = ORIGIN_MS + 40_500;
    expect(s.restartContainer('web', t)).toBe(true);
    const web = container(s, 'v2', 'web', t);
    expect(web.Health).toEqual({ statusSince: web.StartedAt, exitCode: 7 });
    expect(container(s, 'v2', 'web', t + 5000).Health).toEqual({
      status: 'HEALTHY',
      statusSince: after(web.StartedAt, 5),
      exitCode: 7,
    });
  });

  test('a metadata body stays shared while the health stays, and changes with it', () => {
    const s = source();
    const body = (nowMs: number) =>
      (ask(s, 'v4', { kind: 'task', withTags: false }, nowMs) as { body: Json }).body;
    expect(body(ORIGIN_MS + 21_000)).toBe(body(ORIGIN_MS + 29_000));
    expect(body(ORIGIN_MS + 31_000)).not.toBe(body(ORIGIN_MS + 29_000));
    expect(body(ORIGIN_MS + 31_000).Containers[0].Health.status).toBe('HEALTHY');
  });
});

describe('the truth, and what wire and core read from the payloads', () => {
  const TIMES_S = [3, 7, 25, 45, 61, 70, 85, 250];

  test.each(VERSIONS)('%s: core’s health equals the truth for each container at each time', (version) => {
    const s = source();
    for (const seconds of TIMES_S) {
      const nowMs = ORIGIN_MS + seconds * 1000;
      const { metrics } = computeTaskMetrics({
        metadata: parseTaskMetadata(taskMetadataJson(s, version, nowMs), {
          onFieldIssue: (issue) => expect.unreachable(issue.message),
        }),
        stats: parseTaskStats(JSON.parse(taskStatsText(s, version, nowMs))),
      });
      const byName = new Map(metrics.containers.map((c) => [c.name, c]));
      const truth = s.truth(nowMs);
      for (const expected of truth.containers) {
        const health = byName.get(expected.name)?.health;
        expect(health === undefined, `${expected.name} at ${seconds} s`).toBe(expected.health === undefined);
        if (health === undefined || expected.health === undefined) continue;
        expect({ ...health, sinceMs: undefined }).toEqual({ ...expected.health, sinceMs: undefined });
        if (expected.health.sinceMs === undefined) expect(health.sinceMs).toBeUndefined();
        else expect(health.sinceMs).toBeCloseTo(expected.health.sinceMs, 6);
      }
      expect(byName.get('plain')).not.toHaveProperty('health');
    }
  });

  test('the truth: UNKNOWN before the first result, the exit code only while UNHEALTHY, sinceMs with the fraction', () => {
    const s = source();
    const web = (seconds: number) =>
      s.truth(ORIGIN_MS + seconds * 1000).containers.find((c) => c.name === 'web')!;
    const started = payloadTimeToMs(parsePayloadTime(container(s, 'v4', 'web', ORIGIN_MS + 3000).StartedAt)!);
    expect(web(3).health).toEqual({ status: 'UNKNOWN' });
    expect(web(25).health?.status).toBe('UNHEALTHY');
    expect(web(25).health?.exitCode).toBe(7);
    expect(web(25).health?.sinceMs).toBeCloseTo(started + 20_000, 6);
    expect(web(45).health).toEqual({ status: 'HEALTHY', sinceMs: expect.closeTo(started + 30_000, 6) });
    expect(web(61).health).toEqual({ status: 'UNKNOWN', sinceMs: ORIGIN_MS + 60_000 });
    expect(s.truth(ORIGIN_MS + 25_000).containers.find((c) => c.name === 'quiet')!.health).toEqual({
      status: 'UNKNOWN',
    });
    expect(s.truth(ORIGIN_MS + 25_000).containers.find((c) => c.name === 'plain')).not.toHaveProperty(
      'health',
    );
  });
});

test('ec2-bridge: web turns unhealthy while the api is saturated, and recovers', () => {
  const s = createScenarioSource(builtInScenario('ec2-bridge'), { startTimeMs: ORIGIN_MS });
  const web = (seconds: number) => container(s, 'v4', 'web', ORIGIN_MS + seconds * 1000);
  const startedAt = web(1).StartedAt;
  expect(web(5).Health).toEqual({});
  expect(web(35).Health).toEqual({ status: 'HEALTHY', statusSince: after(startedAt, 8) });
  expect(web(200).Health).toEqual({
    status: 'UNHEALTHY',
    statusSince: after(startedAt, 190),
    exitCode: 22,
    output: 'curl: (22) The requested URL returned error: 502',
  });
  expect(web(240).Health).toEqual({ status: 'HEALTHY', statusSince: after(startedAt, 230), exitCode: 22 });
  for (const other of ['api', 'taskscope'])
    expect(container(s, 'v2', other, ORIGIN_MS + 200_000)).not.toHaveProperty('Health');
});
