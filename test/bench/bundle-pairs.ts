import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_OPTIONS } from '@taskscope/cli';
import { BUNDLED_CLI, UNBUNDLED_CLI } from './cli.js';
import { fixed, table } from './measure.js';
import { type Child, cpuSeconds, rssBytes, startChild } from './proc.js';

/*
 * Issue #14: does the bundle cost memory or CPU? The bundled and the unbundled agent run at
 * the same time on one mock (fargate-10, 1 s refresh), as the agent benchmark runs its agent
 * (prometheus + otlp + emf, --interval auto, --history 15m, OTLP every 10 s to a collector
 * that answers 200), next to a bare node:http server; CPU from /proc/PID/stat and VmRSS
 * sampled each second for MEASURE_MS after WARMUP_MS, then again with the start order
 * swapped (TASKSCOPE_BENCH_PAIR_ROUNDS rounds). `node dist/bench/bundle-pairs.js` in test/ after `npm run bench`'s build; not part
 * of `npm run bench` (2.5 minutes).
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const WARMUP_MS = 12_000;
const MEASURE_MS = Number(process.env['TASKSCOPE_BENCH_SECONDS'] ?? 60) * 1000;
/** Rounds, the start order alternating; CPU at 0.5 % of a core moves by 0.1 between rounds. */
const ROUNDS = Number(process.env['TASKSCOPE_BENCH_PAIR_ROUNDS'] ?? 2);

const agentArgs = (cli: string, v4: string) => [
  ...AGENT_NODE_OPTIONS,
  cli,
  'agent',
  '--metadata-url',
  v4,
  '--listen',
  '127.0.0.1:0',
  '--exporters',
  'prometheus,otlp,emf',
  '--interval',
  'auto',
  '--log-level',
  'warn',
  '--history',
  '15m',
];

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

interface Round {
  readonly names: string[];
  readonly cpuPercent: number[];
  readonly rssMedianBytes: number[];
}

async function round(v4: string, collectorUrl: string, bundleFirst: boolean): Promise<Round> {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_METRIC_EXPORT_INTERVAL: '10000' };
  const order = bundleFirst
    ? [
        ['agent (bundle)', BUNDLED_CLI],
        ['agent (tsc output)', UNBUNDLED_CLI],
      ]
    : [
        ['agent (tsc output)', UNBUNDLED_CLI],
        ['agent (bundle)', BUNDLED_CLI],
      ];
  const children: Child[] = order.map(([name, cli]) => startChild(name!, agentArgs(cli!, v4), env));
  const server = startChild('bare server', [`${HERE}baseline-server.js`]);
  children.push(server);
  // What a child said before it exited, for the error below.
  const stderr = children.map(() => '');
  for (const [i, c] of children.entries())
    c.process.stderr!.on('data', (chunk: string) => {
      stderr[i] = (stderr[i] + chunk).slice(-2000);
    });
  const alive = () => {
    for (const [i, c] of children.entries())
      if (c.process.exitCode !== null || c.process.signalCode !== null)
        throw new Error(`${c.name} exited ${c.process.exitCode ?? c.process.signalCode}: ${stderr[i]}`);
  };
  try {
    await server.waitForLine(/^listening (\d+)/);
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    alive();
    const cpuStart = children.map((c) => cpuSeconds(c.pid));
    const startedAt = performance.now();
    const rss: number[][] = children.map(() => []);
    let failure: unknown;
    const sampler = setInterval(() => {
      try {
        alive();
        for (const [i, c] of children.entries()) rss[i]!.push(rssBytes(c.pid));
      } catch (error) {
        failure ??= error;
      }
    }, 1000);
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    clearInterval(sampler);
    if (failure) throw failure;
    const elapsedS = (performance.now() - startedAt) / 1000;
    return {
      names: children.map((c) => c.name),
      cpuPercent: children.map((c, i) => ((cpuSeconds(c.pid) - cpuStart[i]!) / elapsedS) * 100),
      rssMedianBytes: rss.map(median),
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

export async function runBundlePairs(log: (line: string) => void = console.log): Promise<void> {
  let exports = 0;
  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
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
    const rows: string[][] = [];
    for (let n = 0; n < ROUNDS; n++) {
      const bundleFirst = n % 2 === 0;
      const r = await round(v4, collectorUrl, bundleFirst);
      const bare = r.rssMedianBytes[r.names.indexOf('bare server')]!;
      for (const [i, name] of r.names.entries())
        rows.push([
          `${n + 1}: ${bundleFirst ? 'bundle' : 'tsc output'} started first`,
          name,
          fixed(r.cpuPercent[i]!, 2),
          fixed(r.rssMedianBytes[i]! / 2 ** 20, 1),
          name === 'bare server' ? '' : `${fixed(r.rssMedianBytes[i]! / bare, 3)}×`,
        ]);
    }
    log(
      `\nIssue #14: the bundled and the unbundled agent side by side on one mock (fargate-10, prometheus + otlp + emf, --history 15m), ${MEASURE_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up, ${ROUNDS} rounds; node ${AGENT_NODE_OPTIONS.join(' ')}; ${exports} OTLP exports received`,
    );
    log(table(['round', 'process', 'CPU % of one core', 'RSS median MB', 'RSS / bare server'], rows));
  } finally {
    await mock.stop();
    collector.close();
    collector.closeAllConnections();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runBundlePairs();
