import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TASK_DEFINITIONS_DIR } from '@taskscope/fixtures';
import { type MockServer, startMock } from '@taskscope/mock';
import { SnapshotSchema } from '@taskscope/sdk';
import { REFUSED_PORT, waitFor } from '@taskscope/test-support';
import * as v from 'valibot';
import { afterEach, expect, test } from 'vitest';
import { CLI_BIN, type CliProcess, spawnCli, stopWith } from './helpers/cli.js';
import { getJson, getText, parseExposition, select } from './helpers/http.js';

/*
 * The built `taskscope` binary, once end to end: `demo` prints working URLs and stops
 * cleanly on Ctrl-C; `agent` with an OTLP collector that does not exist still stops within
 * the 5 s the contract promises on SIGTERM (an unreachable collector held the OTel SDK's
 * shutdown for 9.2 s with default timeouts: docs/decisions.md §1.6); `inject` writes what
 * `validate` passes, and `validate` exits 1 with its problems as JSON.
 */

const EXIT_BUDGET_MS = 5_000;

let cli: CliProcess | undefined;
let mock: MockServer | undefined;
afterEach(async () => {
  cli?.kill();
  await mock?.close();
  cli = undefined;
  mock = undefined;
});

test('taskscope demo prints its URLs, serves /metrics and the snapshot, and exits 0 on SIGINT', async () => {
  cli = spawnCli(['demo']);
  const metricsLine = await cli.waitForLine(/^metrics\s+http:\/\//);
  const snapshotLine = await cli.waitForLine(/^snapshot\s+http:\/\//);
  await cli.waitForLine(/^dashboard\s+http:\/\//);
  const metricsUrl = metricsLine.split(/\s+/)[1]!;
  const snapshotUrl = snapshotLine.split(/\s+/)[1]!;

  // A just-started Fargate container has no stats for about a second (the mock models it).
  const snapshot = await waitFor('a sample with the app container stats', async () => {
    const s = v.parse(SnapshotSchema, await getJson(snapshotUrl));
    const app = s.containers.find((c) => c.name === 'app');
    return typeof app?.memory.workingSetBytes === 'number' ? s : undefined;
  });
  expect(snapshot.task!.identity.family).toBe('web');
  expect(snapshot.containers.map((c) => c.name)).toEqual(expect.arrayContaining(['app', 'worker']));
  const exposition = parseExposition(await getText(metricsUrl));
  expect(select(exposition, 'ecs_task_metadata_info')).toHaveLength(1);
  expect(
    select(exposition, 'ecs_container_memory_working_set_bytes', { container_name: 'app' }),
  ).toHaveLength(1);

  const { code, ms } = await stopWith(cli, 'SIGINT');
  expect(code).toBe(0);
  expect(ms).toBeLessThan(EXIT_BUDGET_MS);
});

test('taskscope agent with an unreachable OTLP collector exits 0 within 5 s of SIGTERM', async () => {
  mock = await startMock({ scenario: 'fargate-web', cadenceMs: 1000, throttle: false });
  // A port nothing can listen on: every export fails with ECONNREFUSED and is retried. A port
  // freed a moment ago could be taken by another test before the first export (issue #9).
  const deadPort = REFUSED_PORT;
  cli = spawnCli(
    [
      'agent',
      '--metadata-url',
      mock.v4Urls.app!,
      '--listen',
      '127.0.0.1:0',
      '--exporters',
      'prometheus,otlp',
      '--interval',
      '500ms',
    ],
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    },
  );
  const started = JSON.parse(await cli.waitForLine(/"msg":"agent started"/)) as { url: string };
  await waitFor('readiness', async () =>
    (await fetch(`${started.url}readyz`)).status === 200 ? true : undefined,
  );
  // At least one export has failed before the signal, so shutdown meets a retrying exporter.
  await cli.waitForLine(/OTLP export failed/, 10_000);

  const { code, ms } = await stopWith(cli, 'SIGTERM');
  expect(code).toBe(0);
  expect(ms).toBeLessThan(EXIT_BUDGET_MS);
});

/** Runs the built CLI to its end (the streams closed, unlike `exit`) and gives its code and output. */
function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
    });
  });
}

test('taskscope inject writes a task definition that taskscope validate passes, and validate exits 1 on a broken one', async () => {
  const out = join(await mkdtemp(join(tmpdir(), 'taskscope-e2e-inject-')), 'task.json');
  const described = join(TASK_DEFINITIONS_DIR, 'aws-aws-cli/ecs-describe-task-definition.json');
  expect(await runCli(['inject', described, '--out', out])).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(await runCli(['validate', out])).toEqual({ code: 0, stdout: `${out}: no problems\n`, stderr: '' });
  // AWS's container-dependency example has no memory anywhere, which EC2 refuses.
  const broken = join(TASK_DEFINITIONS_DIR, 'awsdocs-amazon-ecs-developer-guide/container-dependency.json');
  const result = await runCli(['validate', broken, '--format', 'json']);
  expect([result.code, result.stderr]).toEqual([
    1,
    `taskscope: ${broken} breaks 2 rules (listed on stdout)\n`,
  ]);
  expect(JSON.parse(result.stdout).map((problem: { field: string }) => problem.field)).toEqual([
    'containerDefinitions[0].memory',
    'containerDefinitions[1].memory',
  ]);
});
