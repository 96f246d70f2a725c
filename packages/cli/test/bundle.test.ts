import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { TASK_DEFINITIONS_DIR } from '@taskscope/fixtures';
import { type MockServer, startMock } from '@taskscope/mock';
import { REFUSED_PORT, waitFor } from '@taskscope/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { COMMAND_LOADERS } from '../src/commands/index.js';

/*
 * The bundle `npm run build` writes (scripts/bundle.mjs; README, "The bundle"), run from a
 * copy in a temporary directory with no node_modules anywhere above it, as the image runs it:
 * every command starts, the agent serves real series from the mock over loopback, and the
 * OpenTelemetry chunk is loaded only when the otlp exporter is on.
 */

const run = promisify(execFile);
const cliDir = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { version: string };
/** Which output file holds which third-party packages, written by the build. */
const contents = JSON.parse(readFileSync(join(cliDir, 'dist', 'bundle-contents.json'), 'utf8')) as Record<
  string,
  string[]
>;
const MODULE_LOG_HOOKS = pathToFileURL(join(cliDir, 'test', 'module-log.mjs')).href;

let copyDir = '';
let bin = '';
beforeAll(() => {
  copyDir = mkdtempSync(join(tmpdir(), 'taskscope-bundle-'));
  cpSync(join(cliDir, 'bundle'), copyDir, { recursive: true });
  bin = join(copyDir, 'bin.mjs');
});
afterAll(() => rmSync(copyDir, { recursive: true, force: true }));

let mock: MockServer | undefined;
let agent: ChildProcess | undefined;
afterEach(async () => {
  if (agent && agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((resolve) => agent!.once('exit', resolve));
    agent.kill('SIGTERM');
    await exited;
  }
  agent = undefined;
  await mock?.close();
  mock = undefined;
});

/** Runs the copied bundle to its end. */
async function runBundle(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], { cwd: copyDir });
}

test('the build writes the bundle: bin.mjs, its chunks, source maps, the dashboard page and the licences', () => {
  for (const file of ['bin.mjs', 'bin.mjs.map', 'dist/index.html', 'THIRD_PARTY_LICENSES.txt'])
    expect(existsSync(join(cliDir, 'bundle', file)), file).toBe(true);
  for (const file of Object.keys(contents)) {
    expect(existsSync(join(cliDir, 'bundle', file)), file).toBe(true);
    expect(existsSync(join(cliDir, 'bundle', `${file}.map`)), `${file}.map`).toBe(true);
  }
  // Every third-party package the bundle carries has its licence in the notices.
  const notices = readFileSync(join(cliDir, 'bundle', 'THIRD_PARTY_LICENSES.txt'), 'utf8');
  for (const name of new Set(Object.values(contents).flat())) expect(notices).toContain(`${name}@`);
});

test('--version and --help work from the bundle', async () => {
  expect(await runBundle(['--version'])).toEqual({ stdout: `${manifest.version}\n`, stderr: '' });
  const help = await runBundle(['--help']);
  expect(help.stderr).toBe('');
  for (const name of Object.keys(COMMAND_LOADERS))
    expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
});

describe('every command loads from the bundle', () => {
  for (const name of Object.keys(COMMAND_LOADERS)) {
    test(`${name} --help`, async () => {
      const { stdout, stderr } = await runBundle([name, '--help']);
      expect(stderr).toBe('');
      expect(stdout).toMatch(new RegExp(`^Usage: taskscope ${name} `));
    });
  }
});

describe('the bundle prints what the tsc output prints', () => {
  const described = join(TASK_DEFINITIONS_DIR, 'aws-aws-cli/ecs-describe-task-definition.json');
  const cases = [
    ['dashboards', 'grafana', '--datasource', 'P1809F7CD0C75ACF3'],
    ['dashboards', 'cloudwatch', '--region', 'eu-west-1', '--cluster', 'prod'],
    ['inject', described],
    ['validate', described, '--format', 'json'],
  ];
  for (const args of cases) {
    test(args.slice(0, 2).join(' '), async () => {
      const bundled = await runBundle(args);
      expect(bundled.stdout.length).toBeGreaterThan(0);
      expect(bundled).toEqual(await run(process.execPath, [join(cliDir, 'dist', 'bin.js'), ...args]));
    });
  }
});

/** Starts the copied bundle's agent on the mock, with the module log hooks; resolves to its URL. */
async function startBundledAgent(exporters: string, moduleLog: string): Promise<string> {
  mock = await startMock({ scenario: 'fargate-web', cadenceMs: 1000, throttle: false });
  agent = spawn(
    process.execPath,
    [
      '--import',
      MODULE_LOG_HOOKS,
      bin,
      'agent',
      '--metadata-url',
      mock.v4Urls['app']!,
      '--listen',
      '127.0.0.1:0',
      '--exporters',
      exporters,
      '--interval',
      '500ms',
    ],
    {
      cwd: copyDir,
      env: {
        ...process.env,
        TASKSCOPE_MODULE_LOG: moduleLog,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${REFUSED_PORT}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  agent.stderr!.setEncoding('utf8');
  agent.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const child = agent;
  return waitFor('the bundled agent to log "agent started"', () => {
    if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${stderr}`);
    const line = stderr.split('\n').find((l) => l.includes('"msg":"agent started"'));
    return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
  });
}

/** The bundle's output files (relative to it) that hold `packageName`. */
const filesHolding = (packageName: string): string[] =>
  Object.entries(contents)
    .filter(([, names]) => names.includes(packageName))
    .map(([file]) => file);

/** The bundle's files the process loaded, from the module log. */
function loadedBundleFiles(moduleLog: string): string[] {
  const prefix = pathToFileURL(copyDir).href;
  return readFileSync(moduleLog, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith(`${prefix}/`))
    .map((url) => url.slice(prefix.length + 1));
}

test('the bundled agent serves /metrics with real series from the mock, and / serves the dashboard', async () => {
  const moduleLog = join(copyDir, 'modules-prometheus.log');
  const url = await startBundledAgent('prometheus', moduleLog);
  await waitFor('readiness', async () => ((await fetch(`${url}readyz`)).status === 200 ? true : undefined));
  // A just-started Fargate container has no stats for about a second (the mock models it).
  const exposition = await waitFor('the app container memory series', async () => {
    const text = await (await fetch(`${url}metrics`)).text();
    return /^ecs_container_memory_working_set_bytes\{[^}]*container_name="app"[^}]*\} [1-9]/m.test(text)
      ? text
      : undefined;
  });
  expect(exposition).toMatch(/^ecs_task_metadata_info\{[^}]*family="web"/m);
  const page = await fetch(url);
  expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  expect(await page.text()).toContain('<html');

  // Without the otlp exporter, the chunks holding the OpenTelemetry SDK are never loaded.
  const loaded = loadedBundleFiles(moduleLog);
  expect(loaded).toContain('bin.mjs');
  const sdkFiles = filesHolding('@opentelemetry/sdk-metrics');
  expect(sdkFiles.length).toBeGreaterThan(0);
  for (const file of sdkFiles) expect(loaded).not.toContain(file);
});

test('with the otlp exporter on, the bundled agent loads the OpenTelemetry chunk', async () => {
  const moduleLog = join(copyDir, 'modules-otlp.log');
  const url = await startBundledAgent('prometheus,otlp', moduleLog);
  await waitFor('readiness', async () => ((await fetch(`${url}readyz`)).status === 200 ? true : undefined));
  const loaded = loadedBundleFiles(moduleLog);
  for (const file of filesHolding('@opentelemetry/sdk-metrics')) expect(loaded).toContain(file);
});
