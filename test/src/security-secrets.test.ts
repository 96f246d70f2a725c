import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStopper, startOtlpReceiver, waitFor } from '@taskscope/test-support';
import { afterEach, expect, test } from 'vitest';
import { type CliProcess, spawnCli, stopWith } from './helpers/cli.js';
import { STEADY_SCENARIO } from './helpers/steady-scenario.js';

/*
 * docs/security.md, "Secrets": the agent runs beside the task's credentials (the ECS agent
 * hands every container AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and users set AWS_* keys) and
 * with its own --auth-token. None of them may reach a log line, a metric, a document of the
 * API, an OTLP request or an EMF line, however the agent fails. The mock and the agent run as
 * the built CLI in child processes with every exporter on, debug logging, a fault on the
 * endpoint and bad requests; then every byte they wrote or served is searched.
 */

const SENTINELS = {
  AWS_ACCESS_KEY_ID: 'AKIASENTINELKEYID0001',
  AWS_SECRET_ACCESS_KEY: 'sentinel-secret-access-key-0002',
  AWS_SESSION_TOKEN: 'sentinel-session-token-0003',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/sentinel-credentials-uri-0004',
} as const;
const TOKEN = 'sentinel-auth-token-0005';

const started = createStopper();
afterEach(() => started.stopAll());

function track(cli: CliProcess): CliProcess {
  return started.track(cli, (it) => it.kill());
}

test('no credential, environment value or auth token in any output, errors included', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-e2e-secrets-'));
  const scenario = join(dir, 'scenario.json');
  await writeFile(scenario, JSON.stringify(STEADY_SCENARIO));
  const receiver = started.track(await startOtlpReceiver(), (it) => it.close());

  const mock = track(
    spawnCli(
      [
        'mock',
        '--scenario',
        scenario,
        '--cadence',
        '250ms',
        '--no-throttle',
        '--fault',
        '500:/v4/*/task/stats@0.3',
      ],
      SENTINELS,
    ),
  );
  const v4 = (await mock.waitForLine(/^v4 http/)).slice(3);
  const agent = track(
    spawnCli(
      [
        'agent',
        '--metadata-url',
        v4,
        '--listen',
        '127.0.0.1:0',
        '--exporters',
        'prometheus,otlp,emf',
        '--emf-container-metrics',
        '--interval',
        '100ms',
        '--log-level',
        'debug',
        '--auth-token',
        TOKEN,
      ],
      {
        ...SENTINELS,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '300',
      },
    ),
  );
  const { url } = JSON.parse(await agent.waitForLine(/"msg":"agent started"/)) as { url: string };
  const auth = { authorization: `Bearer ${TOKEN}` };
  await waitFor('readiness', async () =>
    (await fetch(`${url}readyz`, { headers: auth })).ok ? true : undefined,
  );
  // The fault has failed a poll (a warn line with the error), OTLP has exported, EMF has written.
  await agent.waitForLine(/http_500/, 20_000);
  await waitFor('an OTLP export', () => (receiver.exports.length >= 2 ? true : undefined), {
    timeoutMs: 20_000,
  });
  await waitFor('EMF lines', () => (agent.stdoutLines.some((l) => l.includes('"_aws"')) ? true : undefined));

  const served: string[] = [];
  const get = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${url}${path.replace(/^\//, '')}`, init);
    served.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    return response.status;
  };
  expect(await get('/metrics', { headers: auth })).toBe(200);
  expect(await get('/api/v1/snapshot', { headers: auth })).toBe(200);
  expect(await get('/api/v1/history', { headers: auth })).toBe(200);
  expect(await get('/api/v1/rightsize', { headers: auth })).not.toBe(401);
  // Bad requests, each answered and (at debug) logged.
  expect(await get('/api/v1/history?window=forever', { headers: auth })).toBe(400);
  expect(await get('/api/v1/nope', { headers: auth })).toBe(404);
  expect(await get('/api/v1/snapshot', { method: 'DELETE', headers: auth })).toBe(405);
  expect(await get('/api/v1/snapshot')).toBe(401);
  expect(await get('/api/v1/snapshot', { headers: { authorization: `Bearer ${TOKEN}x` } })).toBe(401);
  expect(await get(`/api/v1/snapshot?token=${TOKEN}`)).toBe(401);
  expect(await get(`/?token=${TOKEN}x`)).toBe(401);
  expect(await get(`/?token=${TOKEN}`)).toBe(200);
  expect(await get(`/api/v1/snapshot?token=${TOKEN}&x=${'y'.repeat(5000)}`, { headers: auth })).toBe(414);
  expect(await get('/api/v1/snapshot', { method: 'POST', headers: auth, body: TOKEN })).toBe(413);

  const { code } = await stopWith(agent, 'SIGTERM');
  expect(code).toBe(0);
  await stopWith(mock, 'SIGTERM');

  const outputs: Record<string, string> = {
    'agent stdout (EMF)': agent.stdoutLines.join('\n'),
    'agent stderr (logs)': agent.stderrLines.join('\n'),
    'mock stdout': mock.stdoutLines.join('\n'),
    'mock stderr': mock.stderrLines.join('\n'),
    'HTTP answers': served.join('\n'),
    'OTLP requests': JSON.stringify(receiver.exports, (_key, value) =>
      typeof value === 'bigint' ? String(value) : value,
    ),
  };
  // The outputs are real: logs with the poll failure, EMF, OTLP and the documents.
  expect(outputs['agent stderr (logs)']).toContain('"level":"debug"');
  expect(outputs['agent stderr (logs)']).toContain('poll failed');
  expect(outputs['agent stdout (EMF)']).toContain('"CloudWatchMetrics"');
  expect(outputs['OTLP requests']).toContain('container.cpu.usage');
  for (const [where, text] of Object.entries(outputs)) {
    for (const [name, value] of Object.entries({ ...SENTINELS, '--auth-token': TOKEN })) {
      expect(text.includes(value), `${name} in ${where}`).toBe(false);
    }
    // Not even part of one (a prefix in a truncated line, say).
    expect(text.includes('sentinel'), `"sentinel" in ${where}`).toBe(false);
    expect(text.includes('AKIASENTINEL'), `AKIASENTINEL in ${where}`).toBe(false);
  }
  // The token appears only where it was typed: the agent's command line.
  expect(agent.child.spawnargs).toContain(TOKEN);
});
