/*
 * Mock throughput on GET /v4/<id>/task/stats with throttling off (issue #3: goal ≥ 10,000
 * requests/s on one core). The server runs in its own process, pinned to one core when
 * `taskset` exists; load comes from this process over an undici Pool (keep-alive,
 * pipelining). The baseline is a bare node:http server sending the same bytes, measured in
 * the same run, so the ratio shows what routing, the source and headers cost.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5000);
const WARMUP_MS = 1000;
const CONNECTIONS = 8;
const PIPELINING = 16;
const IN_FLIGHT = CONNECTIONS * PIPELINING;
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && availableParallelism() > 1;

interface Target {
  readonly url: string;
  readonly path: string;
  readonly bytes: number;
  readonly child: ChildProcess;
}

async function startServer(mode: 'mock' | 'bare'): Promise<Target> {
  const node = [
    process.execPath,
    '--conditions=@taskscope/source',
    '--import',
    'tsx',
    'bench/server-child.ts',
    mode,
  ];
  const [command, ...args] = canPin ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command!, args, { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { ...(JSON.parse(line) as { url: string; path: string; bytes: number }), child };
}

async function measure(target: Target, durationMs: number): Promise<{ perSecond: number; failures: number }> {
  const pool = new Pool(target.url, { connections: CONNECTIONS, pipelining: PIPELINING });
  let ok = 0;
  let failures = 0;
  const deadline = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await pool.request({ path: target.path, method: 'GET' });
      await response.body.dump();
      if (response.statusCode === 200) ok++;
      else failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return { perSecond: ok / seconds, failures };
}

async function run(mode: 'mock' | 'bare') {
  const target = await startServer(mode);
  try {
    await measure(target, WARMUP_MS);
    return { ...(await measure(target, DURATION_MS)), bytes: target.bytes, path: target.path };
  } finally {
    target.child.kill('SIGTERM');
  }
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');
// Alternate the two servers so a busy machine weighs on both alike; report the means.
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const results: Record<'bare' | 'mock', Awaited<ReturnType<typeof run>>[]> = { bare: [], mock: [] };
for (let round = 0; round < ROUNDS; round++) {
  results.bare.push(await run('bare'));
  results.mock.push(await run('mock'));
}
const mean = (runs: readonly { perSecond: number }[]) =>
  runs.reduce((sum, r) => sum + r.perSecond, 0) / runs.length;
const [bare, mock] = [mean(results.bare), mean(results.mock)];
const sample = results.mock[0]!;
const failures = results.mock.reduce((sum, r) => sum + r.failures, 0);
console.log(
  `mock throughput: GET ${sample.path} (${sample.bytes} bytes), throttling off, ${ROUNDS} × ${DURATION_MS / 1000} s each, ` +
    `${CONNECTIONS} connections × ${PIPELINING} pipelined, server ${canPin ? 'pinned to 1 core' : 'unpinned'}`,
);
console.log(
  `  bare node:http, same bytes: ${format(bare)} req/s (${results.bare.map((r) => format(r.perSecond)).join(', ')})`,
);
console.log(
  `  taskscope mock:             ${format(mock)} req/s (${results.mock.map((r) => format(r.perSecond)).join(', ')})` +
    (failures > 0 ? `, ${failures} non-200` : ''),
);
console.log(`  ratio mock / bare: ${(mock / bare).toFixed(2)}`);
console.log(`  goal ≥ 10,000 req/s: ${mock >= 10_000 ? 'met' : 'NOT met'}`);
