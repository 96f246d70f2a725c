import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture } from '@taskscope/fixtures';
import { spawnSource, waitFor } from '@taskscope/test-support';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { LISTEN_EXPECTED, listenFailureCases } from '../../test/listen-cases.js';
import { main } from '../main.js';

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await request(url);
  return { status: response.statusCode, text: await response.body.text() };
}

/** The mock's three URL lines (`v2 URL`, `v3 URL`, `v4 URL`) once all are printed, else `undefined`. */
function parseUrls(text: string): Record<string, string> | undefined {
  const urls = Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.split(' '))
      .filter((words): words is [string, string] => words.length === 2 && /^v[234]$/.test(words[0]!)),
  );
  return Object.keys(urls).length === 3 ? urls : undefined;
}

/**
 * Waits until the mock printed its three URL lines. Fails with what it waited for and the
 * output so far: returning partial output at the deadline made failures read "Invalid URL".
 */
function printedUrls(stdout: () => string, stderr: () => string): Promise<Record<string, string>> {
  return waitFor('the mock to print its v2, v3 and v4 URLs', () => parseUrls(stdout()), {
    seen: () => `stdout: ${stdout()}\nstderr: ${stderr()}`,
  });
}

const fargateMetadata = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json');
const fargateStats = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json');

afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('TASKSCOPE_')) delete process.env[name];
});

describe('taskscope mock (in process)', () => {
  it('prints the v2, v3 and v4 URLs, serves until SIGTERM, then exits 0', async () => {
    const { io, stdout, stderr } = captureIo();
    const exit = main(['mock', '--listen', '127.0.0.1:0', '--scenario', 'ec2-bridge', '--no-throttle'], io);
    const urls = await printedUrls(stdout, stderr);
    expect(Object.keys(urls)).toEqual(['v2', 'v3', 'v4']);
    expect(urls['v2']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(urls['v4']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v4\/[0-9a-f-]+$/);
    const task = await get(`${urls['v4']}/task`);
    expect(task.status).toBe(200);
    expect(JSON.parse(task.text)).toHaveProperty('LaunchType', 'EC2');
    expect((await get(`${urls['v3']}/task/stats`)).status).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr()).toBe('');
  });

  it('serves captured payloads byte for byte with --task-metadata and --task-stats, faults from the env', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-mock-'));
    await writeFile(join(dir, 'task.json'), fargateMetadata.text);
    await writeFile(join(dir, 'stats.json'), fargateStats.text);
    process.env['TASKSCOPE_MOCK_FAULT'] = '503:/v2/**';
    const { io, stdout, stderr } = captureIo();
    const exit = main(
      ['mock', '--task-metadata', join(dir, 'task.json'), '--task-stats', join(dir, 'stats.json')],
      io,
    );
    const urls = await printedUrls(stdout, stderr);
    // The running `prometheus`, not the STOPPED container the capture lists first.
    expect(urls['v4']).toMatch(/\/v4\/bae32def0ab64f06818e8862e58f8d6d-1819985369$/);
    expect((await get(`${urls['v4']}/task/stats`)).text).toBe(fargateStats.text);
    expect((await get(`${urls['v4']}/task`)).status).toBe(200);
    expect((await get(`${urls['v2']}/metadata`)).status).toBe(503);
    process.emit('SIGINT', 'SIGINT');
    expect(await exit).toBe(0);
  });

  it('rejects bad flags and inputs with exit 2 and one message naming the flag, value and what is allowed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-mock-'));
    await writeFile(join(dir, 'bad.yaml'), 'containers: 3\n');
    await writeFile(
      join(dir, 'bad.jsonl'),
      '{"format":"taskscope-recording","version":2,"api":"v4","recordedAt":"2025-01-01T00:00:00Z"}\n',
    );
    const header =
      '{"format":"taskscope-recording","version":1,"api":"v4","recordedAt":"2025-01-01T00:00:00Z"}\n';
    await writeFile(join(dir, 'header-only.jsonl'), header);
    await writeFile(
      join(dir, 'errors-only.jsonl'),
      `${header}{"offsetMs":0,"path":"","status":404,"rawBody":"not found"}\n{"offsetMs":1,"path":"/task","status":404,"rawBody":"not found"}\n`,
    );
    await writeFile(
      join(dir, 'no-id.jsonl'),
      `${header}{"offsetMs":0,"path":"/task","status":200,"body":{"Cluster":"c","Containers":[]}}\n`,
    );
    await writeFile(join(dir, 'task.json'), '{"Cluster": 1}');
    await writeFile(join(dir, 'notjson.json'), 'nope');
    await writeFile(join(dir, 'stats.json'), fargateStats.text);
    // Each case: the flags, what stderr must contain, and its line count (one, or a heading and
    // one line per problem when the input has several).
    const cases: Array<[string[], string, number?]> = [
      [
        ['--fault', 'boom'],
        `option '--fault <spec>' argument 'boom' is invalid. fault "boom": field "kind" is "boom" (string); expected 500, 503`,
      ],
      [['--fault', '500@2'], 'field "probability" is "2" (string); expected a number from 0 to 1'],
      [
        ['--listen', 'nowhere'],
        `option '--listen <host:port>' argument 'nowhere' is invalid. expected HOST:PORT`,
      ],
      ...['fast', '0ms', '5ms', '99ms', '61s', '2m', '1h'].map((cadence): [string[], string] => [
        ['--cadence', cadence],
        `option '--cadence <duration>' argument '${cadence}' is invalid. expected a duration from 100ms to 1m, such as 500ms, 10s or 1m`,
      ]),
      [
        ['--fault', ''],
        `option '--fault <spec>' argument '' is invalid. fault "": field "SPEC" is "" (string); expected KIND[:PATH_GLOB][@PROBABILITY]`,
      ],
      [['--fault', '  '], `option '--fault <spec>' argument '  ' is invalid. fault "  "`],
      [
        ['--start-time', 'yesterday'],
        `option '--start-time <iso>' argument 'yesterday' is invalid. expected an ISO 8601 date-time`,
      ],
      [['--seed', '-1'], `option '--seed <n>' argument '-1' is invalid`],
      [
        ['--replay-mode', 'fast'],
        `option '--replay-mode <mode>' argument 'fast' is invalid. Allowed choices are time, request.`,
      ],
      [
        ['--scenario', 'nope'],
        'mock options: field "scenario" is "nope" (string); expected a built-in (fargate-web, fargate-10, ec2-bridge, ec2-cgroup2, fargate-windows, stopped-container) or a .json, .yaml or .yml file',
      ],
      [
        ['--scenario', join(dir, 'bad.yaml')],
        `scenario ${join(dir, 'bad.yaml')} (2 problems):\n  field "task" is missing`,
        3,
      ],
      [
        ['--task-metadata', join(dir, 'task.json')],
        '--task-metadata needs --task-stats: captured payloads are served as a pair',
      ],
      [
        ['--scenario', 'fargate-web', '--replay', join(dir, 'bad.jsonl')],
        '--scenario and --replay cannot be combined',
      ],
      [
        ['--replay', join(dir, 'bad.jsonl')],
        `--replay ${join(dir, 'bad.jsonl')} line 1 (the header): field "version" is 2 (number); expected one of 1`,
      ],
      [
        ['--replay', join(dir, 'header-only.jsonl')],
        `--replay ${join(dir, 'header-only.jsonl')}: field "responses" is 0 (number); expected at least one recorded response (the file has only its header)`,
      ],
      [
        ['--replay', join(dir, 'errors-only.jsonl')],
        `--replay ${join(dir, 'errors-only.jsonl')}: field "responses" is "2 with status 404" (string); expected at least one 200 response`,
      ],
      [
        ['--replay', join(dir, 'no-id.jsonl')],
        `--replay ${join(dir, 'no-id.jsonl')}: field "container id" is missing; expected a DockerId to serve under`,
      ],
      [
        ['--replay', join(dir, 'missing.jsonl')],
        `--replay ${join(dir, 'missing.jsonl')}: cannot be read (ENOENT); expected a readable file`,
      ],
      [
        ['--task-metadata', join(dir, 'task.json'), '--task-stats', join(dir, 'notjson.json')],
        `--task-stats ${join(dir, 'notjson.json')}: not JSON`,
      ],
      [
        ['--task-metadata', join(dir, 'task.json'), '--task-stats', join(dir, 'stats.json')],
        `--task-metadata ${join(dir, 'task.json')}: task metadata: field "Cluster" is 1 (number); expected a string`,
      ],
      [['--bogus'], `error: unknown option '--bogus'\noptions of mock: --listen, --scenario,`, 2],
    ];
    for (const [args, message, lines = 1] of cases) {
      const { io, stderr, stdout } = captureIo();
      const code = await main(['mock', ...args], io);
      expect([args.join(' '), code]).toEqual([args.join(' '), 2]);
      expect(stderr()).toContain(message);
      expect(stderr().trim().split('\n')).toHaveLength(lines);
      expect(stdout()).toBe('');
    }
  });

  it("throttles unless --no-throttle or TASKSCOPE_MOCK_NO_THROTTLE is on, the flag winning; ignores the agent's variables", async () => {
    // The agent's variables, as a shell that also runs the agent may hold them: never read by the mock.
    process.env['TASKSCOPE_LISTEN'] = 'nowhere';
    process.env['TASKSCOPE_NO_THROTTLE'] = 'true';
    /** Whether 200 requests at once (beyond the burst of 60) meet a 429. */
    const throttled = async (args: string[]): Promise<boolean> => {
      const { io, stdout, stderr } = captureIo();
      const exit = main(['mock', '--scenario', 'ec2-bridge', ...args], io);
      const urls = await printedUrls(stdout, stderr);
      const statuses = await Promise.all(
        Array.from({ length: 200 }, () => get(`${urls['v4']}/task`).then((r) => r.status)),
      );
      process.emit('SIGTERM', 'SIGTERM');
      expect(await exit).toBe(0);
      return statuses.includes(429);
    };
    expect(await throttled([])).toBe(true);
    for (const word of ['false', '0', 'no', '']) {
      process.env['TASKSCOPE_MOCK_NO_THROTTLE'] = word;
      expect([word, await throttled([])]).toEqual([word, true]);
    }
    process.env['TASKSCOPE_MOCK_NO_THROTTLE'] = 'true';
    expect(await throttled([])).toBe(false);
    expect(await throttled(['--throttle'])).toBe(true);
    process.env['TASKSCOPE_MOCK_NO_THROTTLE'] = 'banana';
    const { io, stderr } = captureIo();
    expect(await main(['mock'], io)).toBe(2);
    expect(stderr()).toBe(
      'taskscope: TASKSCOPE_MOCK_NO_THROTTLE is "banana" (string); expected true or false (also 1/0, yes/no, on/off)\n',
    );
  });

  it('reports an address it cannot listen on in one line naming --listen, the value and why, exit 2', async () => {
    const first = captureIo();
    const running = main(['mock', '--listen', '127.0.0.1:0'], first.io);
    const port = new URL((await printedUrls(first.stdout, first.stderr))['v2']!).port;
    const expected = LISTEN_EXPECTED;
    const cases = listenFailureCases(Number(port), 'TASKSCOPE_MOCK_LISTEN');
    for (const [args, env, message] of cases) {
      Object.assign(process.env, env);
      const { io, stderr, stdout } = captureIo();
      expect([args, await main(['mock', ...args], io)]).toEqual([args, 2]);
      expect(stderr()).toMatch(
        new RegExp(
          `^taskscope: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
        ),
      );
      expect(stdout()).toBe('');
      for (const name of Object.keys(env)) delete process.env[name];
    }
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
  });

  it('prints --help with every flag and its environment variable', async () => {
    const { io, stdout } = captureIo();
    expect(await main(['mock', '--help'], io)).toBe(0);
    for (const flag of [
      '--listen',
      '--scenario',
      '--task-metadata',
      '--task-stats',
      '--replay',
      '--replay-mode',
      '--fault',
      '--cadence',
      '--start-time',
      '--no-throttle',
      '--seed',
    ]) {
      expect(stdout()).toContain(flag);
    }
    expect(stdout()).toContain('TASKSCOPE_MOCK_REPLAY_MODE');
    expect(stdout()).toContain('--throttle');
  });
});

describe('taskscope mock (child process)', () => {
  it('runs as a real process, serves, and exits 0 on SIGTERM', async () => {
    // From the sources through tsx (see @taskscope/test-support's spawnSource), not the old
    // per-file ts.transpileModule hooks that made the child take 16–22 s to start under load.
    const mock = spawnSource('packages/cli/src/bin.ts', ['mock', '--seed', '7']);
    try {
      const urls = await mock.waitForOutput('the v2, v3 and v4 URLs', ({ stdout }) => parseUrls(stdout), {
        timeoutMs: 60_000,
      });
      expect((await get(`${urls['v4']}/task`)).status).toBe(200);
      mock.child.kill('SIGTERM');
      expect(await mock.exited).toBe(0);
      expect(mock.stderr()).toBe('');
    } finally {
      mock.kill();
    }
  }, 90_000);
});
