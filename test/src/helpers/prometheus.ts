import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  listenOnLoopback,
  PROMETHEUS_APT_PACKAGE,
  requireBinary,
  WaitGaveUpError,
  waitFor,
} from '@taskscope/test-support';
import { getJson } from './http.js';

/** A real Prometheus server scraping its targets. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query; resolves to the vector's samples. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Resolves once every target's `up` is 1 (discovery is throttled to about 5 s: poll, never sleep). */
  waitUntilUp(timeoutMs?: number): Promise<void>;
  /**
   * Resolves once more than `windowS` seconds of scrapes are stored (at a 1 s scrape interval):
   * a rate() window that reaches back before the first scrape extrapolates by half an interval
   * only (Prometheus' extrapolatedRate) and reads a few percent low.
   */
  waitForScrapes(windowS: number): Promise<void>;
  /** Process output so far, for failure messages. */
  log(): string;
  close(): Promise<void>;
}

/** How many times Prometheus is started on a new port when it finds its port taken. */
const LISTEN_ATTEMPTS = 5;

/** Prometheus' log line when its --web.listen-address is taken (net.Listen's error text). */
const ADDRESS_IN_USE = 'address already in use';

/** A port the OS just gave out on 127.0.0.1 (bound to :0, read back, closed). */
async function portFromTheOs(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `/usr/bin/prometheus` on 127.0.0.1 with a temporary config and storage directory,
 * scraping `targetUrl` (an agent's `/metrics`, or several agents' with the same path) every
 * `scrapeIntervalS` seconds, all in one job.
 *
 * The target is already listening (the agent bound port 0 and reported its port) before the
 * config is written. Prometheus' own port cannot be had race-free: it cannot listen on :0 and
 * report the port (it logs only the configured address) nor take over a bound socket. So it gets
 * a port the OS just gave out, and if something else bound that port in between (issue #9:
 * ports picked, freed and reused later), Prometheus logs "address already in use" and exits:
 * it is then started again on a fresh port, up to LISTEN_ATTEMPTS times. Any other failure fails at once.
 */
export async function startPrometheus(
  targetUrl: string | readonly string[],
  scrapeIntervalS = 1,
): Promise<PrometheusServer> {
  const binary = requireBinary('prometheus', PROMETHEUS_APT_PACKAGE);
  const dir = mkdtempSync(join(tmpdir(), 'taskscope-e2e-prometheus-'));
  const targets = (typeof targetUrl === 'string' ? [targetUrl] : targetUrl).map((url) => new URL(url));
  const target = targets[0]!;
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
      `      - targets: [${targets.map((t) => `'${t.host}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const logs: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const port = await portFromTheOs();
    const started = spawnPrometheus(binary, dir, port, targets.length);
    try {
      await waitFor(
        `Prometheus to be ready on 127.0.0.1:${port}`,
        async () => {
          if (started.child.exitCode !== null) {
            throw new WaitGaveUpError(`prometheus exited ${started.child.exitCode}: ${started.log()}`);
          }
          const response = await fetch(`${started.url}/-/ready`);
          await response.arrayBuffer();
          return response.ok ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, seen: started.log },
      );
      return {
        ...started,
        close: () => started.close().then(() => rmSync(dir, { recursive: true, force: true })),
      };
    } catch (error) {
      await started.close();
      logs.push(started.log());
      if (started.log().includes(ADDRESS_IN_USE) && attempt < LISTEN_ATTEMPTS) continue;
      rmSync(dir, { recursive: true, force: true });
      if (started.log().includes(ADDRESS_IN_USE)) {
        throw new Error(`prometheus found its port taken ${attempt} times: ${logs.join('\n')}`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

function spawnPrometheus(
  binary: string,
  dir: string,
  port: number,
  targetCount: number,
): PrometheusServer & { child: ChildProcess } {
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      // One data dir per attempt's port: a failed attempt leaves its lock behind.
      `--storage.tsdb.path=${join(dir, `data-${port}`)}`,
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
  };

  return {
    child,
    url,
    query,
    async waitUntilUp(timeoutMs = 30_000) {
      await waitFor(
        `Prometheus to scrape its ${targetCount} target(s) successfully (up == 1)`,
        async () => ((await query('up == 1')).length === targetCount ? true : undefined),
        { timeoutMs, intervalMs: 250, seen: () => output },
      );
    },
    async waitForScrapes(windowS) {
      await waitFor(
        `more than ${windowS} s of scrapes`,
        async () => {
          const scrapes = await query(`count_over_time(up[${2 * windowS}s])`);
          return scrapes.length === 1 && scrapes[0]!.value >= windowS + 3 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, seen: () => output },
      );
    },
    log: () => output,
    close,
  };
}
