import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, get as httpGet } from 'node:http';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_OPTIONS } from '@taskscope/cli';
import { BUNDLED_CLI, UNBUNDLED_CLI } from './cli.js';
import { fixed, table } from './measure.js';
import { startChild } from './proc.js';

/*
 * Issue #14's start-up figure: on Fargate a sidecar is judged by how fast it is ready. From
 * spawning node to the agent's `/readyz` answering 200 (its first successful poll of the
 * mock: docs/contract.md), against a bare node:http server's spawn to listening; the agent
 * from the bundle and from tsc's output, started as the image starts it (AGENT_NODE_OPTIONS),
 * with the image's default exporter (prometheus) and with all three. Runs interleaved, median
 * of RUNS each, in the same run, so a busy machine slows all alike.
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const RUNS = Number(process.env['TASKSCOPE_BENCH_STARTUP_RUNS'] ?? 5);
const GOAL_RATIO = 2;
/** How often `/readyz` is asked once the agent listens: the figure's resolution. */
const READYZ_EVERY_MS = 2;
const DEADLINE_MS = 20_000;

/** The child's environment: as proc.ts's startChild (no NODE_EXTRA_CA_CERTS, which a task lacks). */
function childEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  delete env['NODE_EXTRA_CA_CERTS'];
  return env;
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** ms from spawn to the first line of `stream` matching `pattern`, and the match. */
function firstMatch(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in ${DEADLINE_MS} ms: ${text}`)),
      DEADLINE_MS,
    );
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${text}`)));
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

function statusOf(url: string): Promise<number> {
  return new Promise((resolve) => {
    httpGet(url, { agent: keepAlive }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', () => resolve(0));
  });
}

/** Spawn of a bare node:http server to its `listening PORT` line, ms. */
async function bareServerMs(): Promise<number> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [`${HERE}baseline-server.js`], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await firstMatch(child, 'stdout', /^listening \d+$/m);
    return performance.now() - startedAt;
  } finally {
    await stopped(child);
  }
}

/** Spawn of `taskscope agent` to its `/readyz` answering 200, ms. */
async function agentReadyMs(
  cli: string,
  v4: string,
  exporters: string,
  collectorUrl: string,
): Promise<number> {
  const startedAt = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...AGENT_NODE_OPTIONS,
      cli,
      'agent',
      '--metadata-url',
      v4,
      '--listen',
      '127.0.0.1:0',
      '--exporters',
      exporters,
      '--log-level',
      'info',
    ],
    {
      env: childEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl }),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    // The agent logs its URL (pino JSON on stderr) once it listens; it polls from then on.
    const url = (await firstMatch(child, 'stderr', /"url":"([^"]+)"[^\n]*"msg":"agent started"/))[1]!;
    for (;;) {
      if ((await statusOf(`${url}readyz`)) === 200) return performance.now() - startedAt;
      if (performance.now() - startedAt > DEADLINE_MS)
        throw new Error(`${cli}: not ready in ${DEADLINE_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, READYZ_EVERY_MS));
    }
  } finally {
    await stopped(child);
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Runs the start-up benchmark (about 15 s) and prints its table. */
export async function runStartupBench(log: (line: string) => void = console.log): Promise<void> {
  const mock = startChild('mock', [
    UNBUNDLED_CLI,
    'mock',
    '--scenario',
    'fargate-10',
    '--cadence',
    '1s',
    '--no-throttle',
  ]);
  try {
    const v4 = (await mock.waitForLine(/^v4 (\S+)/))[1]!;
    // No collector: an OTLP export fails quietly after start-up, which this figure ends before.
    const collectorUrl = 'http://127.0.0.1:9';
    const cases = [
      { name: 'bare node:http server, spawn to listening', run: bareServerMs },
      {
        name: 'agent (bundle), spawn to /readyz 200',
        run: () => agentReadyMs(BUNDLED_CLI, v4, 'prometheus', collectorUrl),
      },
      {
        name: 'agent (tsc output + node_modules), the same',
        run: () => agentReadyMs(UNBUNDLED_CLI, v4, 'prometheus', collectorUrl),
      },
      {
        name: 'agent (bundle), prometheus,otlp,emf',
        run: () => agentReadyMs(BUNDLED_CLI, v4, 'prometheus,otlp,emf', collectorUrl),
      },
      {
        name: 'agent (tsc output), prometheus,otlp,emf',
        run: () => agentReadyMs(UNBUNDLED_CLI, v4, 'prometheus,otlp,emf', collectorUrl),
      },
    ];
    const samples: number[][] = cases.map(() => []);
    // One untimed round first: the first spawn of a run also warms the page cache.
    for (const c of cases) await c.run();
    for (let round = 0; round < RUNS; round++)
      for (const [i, c] of cases.entries()) samples[i]!.push(await c.run());
    const medians = samples.map(median);
    const bare = medians[0]!;
    const verdict = (ratio: number) => (ratio <= GOAL_RATIO ? 'MET' : 'NOT MET');
    log(
      `\nIssue #14: start-up, spawn to ready (median of ${RUNS}, interleaved, after one untimed round); node ${AGENT_NODE_OPTIONS.join(' ')}, default exporter unless said`,
    );
    log(
      table(
        ['process', 'median ms', 'min / max ms', '/ bare server', 'goal', ''],
        cases.map((c, i) => {
          const ratio = medians[i]! / bare;
          const isAgent = i > 0;
          return [
            c.name,
            fixed(medians[i]!, 0),
            `${fixed(Math.min(...samples[i]!), 0)} / ${fixed(Math.max(...samples[i]!), 0)}`,
            isAgent ? `${fixed(ratio, 2)}×` : '',
            // The goal is the image's: the bundle, its default exporter.
            i === 1 ? `≤ ${GOAL_RATIO}×` : '',
            i === 1 ? verdict(ratio) : '',
          ];
        }),
      ),
    );
  } finally {
    await mock.stop();
    keepAlive.destroy();
  }
}
