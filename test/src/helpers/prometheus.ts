import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { getJson } from './http.js';
import { waitFor } from './wait.js';

/** The Debian package with both `prometheus` and `promtool` (research/toolchain.md §5). */
const APT_PACKAGE = 'prometheus';

/** A real Prometheus server scraping one target. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query; resolves to the vector's samples. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Resolves once the target's `up` is 1 (discovery is throttled to about 5 s: poll, never sleep). */
  waitUntilUp(timeoutMs?: number): Promise<void>;
  /** Process output so far, for failure messages. */
  log(): string;
  close(): Promise<void>;
}

/** A port that was free a moment ago (Prometheus cannot report the port it picked for :0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `/usr/bin/prometheus` on 127.0.0.1 with a temporary config and storage directory,
 * scraping `targetUrl` (the agent's `/metrics`) every `scrapeIntervalS` seconds.
 */
export async function startPrometheus(targetUrl: string, scrapeIntervalS = 1): Promise<PrometheusServer> {
  const binary = requireBinary('prometheus', APT_PACKAGE);
  const dir = mkdtempSync(join(tmpdir(), 'taskscope-e2e-prometheus-'));
  const target = new URL(targetUrl);
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${scrapeIntervalS}s`,
      `  evaluation_interval: ${scrapeIntervalS}s`,
      'scrape_configs:',
      '  - job_name: taskscope',
      `    metrics_path: ${target.pathname}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const query = async (promql: string) => {
    const body = await getJson<{
      status: string;
      data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    }>(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${JSON.stringify(body)}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(
      'Prometheus to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${output}`);
        const response = await fetch(`${url}/-/ready`);
        await response.arrayBuffer();
        return response.ok ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
  } catch (error) {
    await close();
    throw error;
  }

  return {
    url,
    query,
    async waitUntilUp(timeoutMs = 30_000) {
      await waitFor(
        `Prometheus to scrape ${targetUrl} successfully (up == 1)`,
        async () => ((await query('up == 1')).length === 1 ? true : undefined),
        { timeoutMs, intervalMs: 250 },
      );
    },
    log: () => output,
    close,
  };
}

/** `promtool check metrics` on an exposition: its exit code (0 clean, 3 lint findings, 1 parse error) and output. */
export async function promtoolCheckMetrics(
  exposition: string,
): Promise<{ exitCode: number; output: string }> {
  const binary = requireBinary('promtool', APT_PACKAGE);
  const child = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdin.end(exposition);
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return { exitCode, output: output.trim() };
}
