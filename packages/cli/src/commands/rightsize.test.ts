import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import {
  BUILT_IN_PRICES,
  parsePriceTable,
  type Recommendation,
  recommendationSchema,
  repriceRecommendation,
} from '@taskscope/fargate';
import { type MockServer, startMock } from '@taskscope/mock';
import { TEST_PRICE_TABLE, waitFor } from '@taskscope/test-support';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';
import { formatRecommendation } from './rightsize/format.js';

const TOKEN = 'rightsize-t0ken';
const PRICES = TEST_PRICE_TABLE;

let mock: MockServer;
let agent: RunningAgent;
let dir: string;

/*
 * A real agent that saw a few refresh cycles of the mock's fargate-web task, then lost its
 * endpoint: its history stays as it is, so what the CLI prints can be compared with what the
 * route answers at another moment.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'taskscope-rightsize-'));
  writeFileSync(join(dir, 'prices.json'), JSON.stringify(PRICES));
  writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...PRICES, retrievedOn: 'yesterday' }));
  mock = await startMock({ scenario: 'fargate-web', cadenceMs: 300, throttle: false });
  const config = readAgentConfig({
    flags: {
      metadataUrl: mock.v4Urls[mock.endpoints[0]!.containerName]!,
      listen: '127.0.0.1:0',
      logLevel: 'silent',
      authToken: TOKEN,
      interval: '100ms',
    },
    env: {},
  });
  agent = await startAgent(config, { stdout: () => {}, platform: 'linux/x86_64' });
  await waitFor(
    'three refresh cycles with CPU',
    () =>
      [...agent.feed.history.since(0)].filter((s) => s.totals?.cpuCores != null).length >= 3
        ? true
        : undefined,
    { timeoutMs: 20_000 },
  );
  await mock.close();
});

afterAll(async () => {
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('TASKSCOPE_')) delete process.env[name];
});

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['rightsize', ...argv], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

async function routeAnswer(query = ''): Promise<Recommendation> {
  const response = await fetch(`${agent.url}api/v1/rightsize${query}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return v.parse(recommendationSchema, await response.json());
}

describe('taskscope rightsize --agent', () => {
  it('prints the agent’s recommendation: json as the route answers it, text for people', async () => {
    const json = await run('--agent', agent.url, '--auth-token', TOKEN, '--format', 'json');
    expect([json.code, json.stderr]).toEqual([0, '']);
    const expected = await routeAnswer('?percentile=95&headroom=20');
    expect(JSON.parse(json.stdout)).toEqual(expected);
    // fargate-web: 1 vCPU and 2 GB.
    expect(expected).toMatchObject({ current: { cpu: '1024', memory: '2048' }, platform: 'linux/x86_64' });
    expect(expected.observed.samples).toBeGreaterThanOrEqual(3);

    const text = await run('--agent', agent.url, '--auth-token', TOKEN);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(formatRecommendation(expected, `the agent at ${agent.url}`));
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`Right-sizing linux/x86_64 from the agent at ${agent.url}`);
    expect(lines.slice(1, 9).map((line) => line.slice(0, 15).trim())).toEqual(
      ['data', 'current', 'CPU', 'memory', 'required', 'recommended', 'saving'].concat(
        lines[8]!.startsWith('  prices') ? ['prices'] : [''],
      ),
    );
    expect(lines[2]).toBe('  current      1024 CPU units, 2048 MiB  $0.0494/h  $36.04/month');
  });

  it('passes the figures to the agent and re-prices with --prices', async () => {
    const { code, stdout } = await run(
      '--agent',
      agent.url,
      '--auth-token',
      TOKEN,
      '--percentile',
      '50',
      '--headroom',
      '0',
      '--platform',
      'linux/arm64',
      '--window',
      '10m',
      '--prices',
      join(dir, 'prices.json'),
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const table = parsePriceTable(PRICES, 'test');
    // Linux/ARM is not in the file: not priced.
    const answer = await routeAnswer('?window=10m&percentile=50&headroom=0&platform=linux/arm64');
    expect(JSON.parse(stdout)).toEqual(repriceRecommendation(answer, table));
    expect(JSON.parse(stdout)).toMatchObject({
      percentile: 50,
      headroomPercent: 0,
      platform: 'linux/arm64',
      current: { dollarsPerHour: null },
      savingsDollarsPerMonth: null,
    });
    // The same figures through the variables.
    Object.assign(process.env, {
      TASKSCOPE_RIGHTSIZE_AGENT: agent.url,
      TASKSCOPE_RIGHTSIZE_AUTH_TOKEN: TOKEN,
      TASKSCOPE_RIGHTSIZE_PERCENTILE: '50',
      TASKSCOPE_RIGHTSIZE_HEADROOM: '0',
      TASKSCOPE_RIGHTSIZE_PLATFORM: 'linux/arm64',
      TASKSCOPE_RIGHTSIZE_WINDOW: '10m',
      TASKSCOPE_RIGHTSIZE_PRICES: join(dir, 'prices.json'),
      TASKSCOPE_RIGHTSIZE_FORMAT: 'json',
    });
    expect((await run()).stdout).toBe(stdout);
  });

  it('exit 1 saying why: no token, no agent, no data', async () => {
    const noToken = await run('--agent', agent.url);
    expect([noToken.code, noToken.stderr]).toEqual([
      1,
      `taskscope: the agent at ${agent.url} answered 401: it needs its token; expected --auth-token TOKEN\n`,
    ]);
    // The mock is closed: nothing listens on its port any more.
    const gone = await run('--agent', mock.url);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(
      `taskscope: the agent at ${mock.url}/ cannot be reached (connect ECONNREFUSED ${new URL(mock.url).host})\n`,
    );
    // An agent that has seen nothing: its endpoint is gone too.
    const blind = await startAgent(
      readAgentConfig({
        flags: { metadataUrl: `${mock.url}/v4/x`, listen: '127.0.0.1:0', logLevel: 'silent' },
        env: {},
      }),
      { stdout: () => {} },
    );
    try {
      const empty = await run('--agent', blind.url);
      expect([empty.code, empty.stderr]).toEqual([
        1,
        `taskscope: no data to size on: the agent at ${blind.url} has no refresh cycle with CPU and memory in the last 15m (0 in the history's window); the agent sizes from what it has seen, so wait for samples or ask for a longer window\n`,
      ]);
    } finally {
      await blind.stop();
    }
  });

  it('exit 2 with one line for a bad flag, combination or file', async () => {
    // Each `$` line of the golden file is run, and what it prints on stderr is compared with the
    // lines under it; AGENT, TOKEN and DIR stand for this test's agent, token and folder.
    const golden = readFileSync(new URL('../../test/rightsize-usage.golden.txt', import.meta.url), 'utf8');
    const transcript: string[] = [];
    for (const line of golden.split('\n').filter((text) => text.startsWith('$ taskscope rightsize'))) {
      const argv = line
        .split(' ')
        .slice(3)
        .map((word) => word.replace('AGENT', agent.url).replace('TOKEN', TOKEN).replace('DIR', dir));
      const { code, stderr } = await run(...argv);
      expect([line, code]).toEqual([line, 2]);
      transcript.push(line, stderr.trimEnd().replaceAll(agent.url, 'AGENT').replaceAll(dir, 'DIR'));
    }
    expect(`${transcript.join('\n')}\n`).toBe(golden);
    process.env['TASKSCOPE_RIGHTSIZE_FAMILY'] = 'web';
    const fromEnv = await run('--agent', agent.url);
    expect(fromEnv.stderr).toBe(
      'taskscope: TASKSCOPE_RIGHTSIZE_FAMILY names the family Prometheus is asked about; expected it with --prometheus only\n',
    );
  });

  it('lists every flag of the contract in its help', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const flag of [
      '--agent <url>',
      '--prometheus <url>',
      '--family <name>',
      '--window <duration>',
      '--percentile <n>',
      '--headroom <pct>',
      '--platform <platform>',
      '--prices <file>',
      '--format <format>',
    ])
      expect(stdout).toContain(flag);
    expect(BUILT_IN_PRICES.regions['us-east-1']).toBeDefined();
  });
});
