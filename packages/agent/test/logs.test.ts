import { Writable } from 'node:stream';
import {
  type MockAnswer,
  type MockRequest,
  type PayloadSource,
  resolveSource,
  startMock,
} from '@taskscope/mock';
import { createStopper, REFUSED_PORT, waitFor } from '@taskscope/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentFlags, readAgentConfig, startAgent } from '../src/index.js';
import { createAgentLogger } from '../src/logger.js';

/*
 * What an operator reads: the agent's pino lines, captured from a stream. One line per
 * event, the message said once, the stack only at debug; a "ready" line once the endpoint
 * answers; a line at start when the URL is the v2 default because nothing named one.
 */

type Line = Record<string, unknown> & { level: string; msg: string };

const started = createStopper();
afterEach(() => started.stopAll());

/** A mock stopped after the test. */
const mockOf = async (options: Parameters<typeof startMock>[0]) =>
  started.track(await startMock(options), (it) => it.close());

function captureLogs() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text !== '') lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { lines, stream };
}

async function run(flags: AgentFlags, env: Record<string, string> = {}) {
  const { lines, stream } = captureLogs();
  const config = readAgentConfig({ flags: { listen: '127.0.0.1:0', ...flags }, env });
  const agent = started.track(
    await startAgent(config, { logger: createAgentLogger(config.logLevel, stream), stdout: () => {} }),
    (it) => it.stop(),
  );
  return { lines, agent };
}

const find = (lines: readonly Line[], msg: string) => lines.filter((line) => line.msg === msg);

/** Every sentence said once: no "X: X" from an error whose cause has the same text. */
/** A built-in scenario, 30 s in, whose answers pass through `edit` on their way out. */
async function editedScenario(
  name: string,
  edit: (request: MockRequest, answer: MockAnswer) => MockAnswer,
): Promise<PayloadSource> {
  const scenario = await resolveSource({ scenario: name, runningForMs: 30_000 }, Date.now());
  return {
    endpoints: () => scenario.endpoints(),
    respond: (request) => {
      const answer = scenario.respond(request);
      return answer === undefined ? answer : edit(request, answer);
    },
  };
}

function saysItOnce(text: string): void {
  const parts = text.split(': ');
  for (let i = 1; i < parts.length; i++) {
    expect(parts.slice(i).join(': ').startsWith(parts.slice(0, i).join(': ')), text).toBe(false);
  }
}

describe('agent logs', () => {
  it('warns once per failure, with the message said once and no stack, at warn', async () => {
    const { lines, agent } = await run({
      metadataUrl: `http://127.0.0.1:${REFUSED_PORT}/v4/abc`,
      interval: '100ms',
      logLevel: 'info',
    });
    await waitFor('a poll failure warning', () =>
      find(lines, 'poll failed; keeping the last good sample').length > 0 ? true : undefined,
    );
    // Several polls failed by now: the warning still came once.
    await waitFor('more failed polls', () =>
      agent.store.status().consecutiveFailures >= 3 ? true : undefined,
    );
    const warnings = find(lines, 'poll failed; keeping the last good sample');
    expect(warnings).toHaveLength(1);
    const warning = warnings[0]!;
    expect(warning).toMatchObject({ level: 'warn', endpoint: 'task_stats', code: 'TMDS_CONNECTION' });
    expect(warning).not.toHaveProperty('err');
    expect(JSON.stringify(warning)).not.toContain('    at ');
    expect(warning['error']).toEqual(expect.stringContaining('ECONNREFUSED'));
    saysItOnce(warning['error'] as string);
    // The client's message, once: no ": connect ECONNREFUSED 127.0.0.1" from its cause after it.
    expect(warning['error']).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/v4\/abc\/task\/stats: connect ECONNREFUSED 127\.0\.0\.1 \(ECONNREFUSED\)$/,
    );
  });

  it('carries the error with its stack at debug', async () => {
    const { lines } = await run({
      metadataUrl: `http://127.0.0.1:${REFUSED_PORT}/v4/abc`,
      interval: '100ms',
      logLevel: 'debug',
    });
    const warning = await waitFor(
      'a poll failure warning',
      () => find(lines, 'poll failed; keeping the last good sample')[0],
    );
    expect((warning['err'] as { stack?: string }).stack).toContain('    at ');
  });

  it('says a schema problem once, without repeating the field in its own message', async () => {
    // Task stats with a string where a container's stats belong (a wrong-typed field inside an
    // entry costs only that field: field-issues.test.ts), the rest as the scenario serves it.
    const source = await editedScenario('fargate-web', (request, answer) =>
      request.route.kind === 'taskStats' && 'rawBody' in answer
        ? { ...answer, rawBody: answer.rawBody.replace(/^\{/, '{"bogus_entry":"many",') }
        : answer,
    );
    const mock = await mockOf({ source, throttle: false });
    const { lines } = await run({
      metadataUrl: mock.v4Urls['taskscope']!,
      interval: '100ms',
      logLevel: 'info',
    });
    const warning = await waitFor(
      'a schema warning',
      () => find(lines, 'payload does not match the schema; keeping the last good sample')[0],
    );
    expect(warning).toMatchObject({ level: 'warn', code: 'TMDS_SCHEMA' });
    expect(warning['error']).toMatch(/bogus_entry/);
    expect((warning['error'] as string).match(/bogus_entry/g)).toHaveLength(1);
    expect(warning).not.toHaveProperty('err');
    saysItOnce(warning['error'] as string);
  });

  it('says a metadata field it left out once per field at warn, and keeps polling with the rest', async () => {
    // ec2-bridge's web container has a health check; its statusSince becomes no timestamp.
    const source = await editedScenario('ec2-bridge', (request, answer) => {
      if (request.route.kind !== 'task' || !('body' in answer)) return answer;
      const text = JSON.stringify(answer.body).replace(/"statusSince":"[^"]*"/, '"statusSince":"yesterday"');
      return { ...answer, body: JSON.parse(text) };
    });
    const mock = await mockOf({ source, throttle: false });
    const { lines, agent } = await run({
      metadataUrl: Object.values(mock.v4Urls)[0]!,
      interval: '100ms',
      logLevel: 'info',
    });
    const warning = await waitFor(
      'a field-left-out warning',
      () => find(lines, 'payload field left out; the rest of the answer is used')[0],
    );
    expect(warning).toMatchObject({ level: 'warn', value: 'yesterday', expected: 'an RFC 3339 timestamp' });
    expect(warning['field']).toMatch(/^Containers\.\d+\.Health\.statusSince$/);
    // The poll was not lost: the agent is ready, with the container's health status.
    await waitFor('a good poll', () => (agent.store.status().ready ? true : undefined));
    const web = agent.snapshot().containers.find((container) => container.name === 'web');
    expect(web?.health).toMatchObject({
      status: expect.stringMatching(/^(HEALTHY|UNHEALTHY|UNKNOWN)$/),
      sinceMs: null,
    });
    // Metadata is re-read on a restart or every minute: the same field is said once at warn.
    expect(find(lines, 'payload field left out; the rest of the answer is used')).toHaveLength(1);
  });

  it('logs one ready line at the first good poll: API version, task, containers, interval', async () => {
    const mock = await mockOf({ scenario: 'fargate-web', throttle: false, runningForMs: 30_000 });
    const { lines, agent } = await run({
      metadataUrl: mock.v4Urls['taskscope']!,
      interval: '200ms',
      logLevel: 'info',
    });
    const ready = await waitFor('the ready line', () => find(lines, 'ready')[0]);
    expect(ready).toMatchObject({
      level: 'info',
      apiVersion: 'v4',
      family: 'web',
      revision: '42',
      containers: ['app', 'worker', 'taskscope'],
      intervalMs: 200,
    });
    // More good polls: still one ready line.
    await waitFor('more polls', () => (agent.store.status().requests.task_stats >= 4 ? true : undefined));
    expect(find(lines, 'ready')).toHaveLength(1);
  });

  it('with --interval auto, says the cadence once it is learned', async () => {
    const mock = await mockOf({
      scenario: 'fargate-web',
      throttle: false,
      runningForMs: 30_000,
      cadenceMs: 500,
    });
    const { lines } = await run({ metadataUrl: mock.v4Urls['taskscope']!, logLevel: 'info' });
    const ready = await waitFor('the ready line', () => find(lines, 'ready')[0]);
    expect(ready).toMatchObject({ interval: 'auto' });
    const learned = await waitFor('the cadence line', () => find(lines, 'cadence learned')[0], {
      timeoutMs: 30_000,
    });
    expect(learned['cadenceMs']).toBeGreaterThan(400);
    expect(learned['cadenceMs']).toBeLessThan(600);
    expect(find(lines, 'cadence learned')).toHaveLength(1);
  });

  it('says at start that it polls the v2 default when nothing names the endpoint', async () => {
    const { lines } = await run({ interval: '1h', logLevel: 'info' });
    const notice = find(
      lines,
      'no metadata URL given: polling the v2 default, which only answers inside an ECS task',
    );
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatchObject({
      level: 'warn',
      metadataUrl: 'http://169.254.170.2/v2',
      hint: 'outside ECS, pass --metadata-url URL (or TASKSCOPE_METADATA_URL), or run `taskscope demo`',
    });
    expect(notice[0]!['why']).toContain('ECS_CONTAINER_METADATA_URI_V4');
  });

  it('says nothing of the kind when the environment names the endpoint', async () => {
    const mock = await mockOf({ scenario: 'fargate-web', throttle: false });
    const { lines } = await run(
      { interval: '1h', logLevel: 'info' },
      { ECS_CONTAINER_METADATA_URI_V4: mock.v4Urls['app']! },
    );
    await waitFor('the start line', () => find(lines, 'agent started')[0]);
    expect(lines.filter((line) => line.msg.startsWith('no metadata URL'))).toEqual([]);
  });
});
