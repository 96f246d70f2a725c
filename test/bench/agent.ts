import { createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { AGENT_NODE_OPTIONS } from '@taskscope/cli';
import { createSseParser } from '@taskscope/sdk';
import { AGENT_CLI, UNBUNDLED_CLI } from './cli.js';
import { fixed, table } from './measure.js';
import { type Child, cpuSeconds, rssBytes, startChild } from './proc.js';

/*
 * Issue #4's benchmark: the built agent (a child process, as in a task) polls a mock task
 * (`fargate-10`, refreshing every second, in another process) for 60 s with all three
 * exporters on, next to two baselines measured in the same run: a bare node:http server and
 * a loop that fetches and parses the same stats payload every second. Goals: agent CPU
 * ≤ 0.5 % of one core; RSS ≤ 1.5× the bare server's; each fresh sample seen ≤ 1 s after its
 * refresh; ≤ 1.2 `/task/stats` requests per refresh cycle with `--interval auto` after warm-up,
 * ≤ 1.5 over the warm-up, which starts with the task and includes learning (issue #10).
 * Issue #11: the same goals with the history on (`--history 15m`, filling at one cycle a
 * second) and one dashboard client reading `/api/v1/stream` over loopback through the
 * measured window; and what a full 15-minute history of 10 containers costs in memory
 * (history-cost.ts, in a child with the GC exposed).
 */

// The agent runs from the bundle, as the image starts it; the mock from tsc's output.
const CLI = UNBUNDLED_CLI;
const HERE = fileURLToPath(new URL('.', import.meta.url));
const WARMUP_MS = 12_000;
const MEASURE_MS = Number(process.env['TASKSCOPE_BENCH_SECONDS'] ?? 60) * 1000;
const SCRAPE_EVERY_MS = 10_000;
/*
 * OTLP exports every 10 s by default here, six times OpenTelemetry's default of 60 s, so the
 * OTLP exporter does its work several times in the window. Each protobuf export of fargate-10
 * costs milliseconds of CPU, so this interval moves the agent's figure: override it to
 * measure another configuration, e.g. TASKSCOPE_BENCH_OTLP_INTERVAL_MS=60000.
 */
const OTLP_INTERVAL_MS = Number(process.env['TASKSCOPE_BENCH_OTLP_INTERVAL_MS'] ?? 10_000);
/**
 * Extra node options for the agent child only, to look inside the measured process, e.g.
 * `--cpu-prof --cpu-prof-dir=prof` (a profile written at exit). Compiler flags here replace
 * the agent's own (the CLI's v8-flags.ts yields to them), so they change what is measured.
 */
const AGENT_NODE_ARGS = (process.env['TASKSCOPE_BENCH_AGENT_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** The node options the Docker image starts the agent with (its ENTRYPOINT; docker.test.ts). */
const IMAGE_NODE_OPTIONS = AGENT_NODE_OPTIONS;

const GOALS = {
  cpuPercent: 0.5,
  rssRatio: 1.5,
  freshnessMs: 1000,
  requestsPerRefresh: 1.2,
  requestsPerRefreshLearning: 1.5,
};

/** The `poll` part of `/api/v1/snapshot` (the SDK's schema) that the figures use. */
interface Status {
  requests: Record<string, number>;
  samples: { fresh: number; duplicate: number };
}

async function statusOf(agentUrl: string): Promise<Status> {
  const response = await fetch(`${agentUrl}api/v1/snapshot`);
  return ((await response.json()) as { poll: Status }).poll;
}

/**
 * Arrival time and the cycle's newest `read` (the event's `id`) of each `/api/v1/stream` event
 * after the first. The first is the state at connect time (the stream opens with the latest
 * cycle, which can be a whole refresh old), so its age measures when the bench connected, not
 * how fresh the agent is.
 */
async function followStream(url: string, onEvent: (readAtMs: number, receivedAtMs: number) => void) {
  const aborter = new AbortController();
  const response = await fetch(url, { signal: aborter.signal, headers: { accept: 'text/event-stream' } });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let receivedAtMs = 0;
  let seen = 0;
  const parser = createSseParser({
    onEvent: ({ data }) => {
      seen += 1;
      // The whole document is parsed, as a dashboard does with every event.
      const readAtMs = (JSON.parse(data) as { id: number | null }).id;
      if (seen > 1 && readAtMs !== null) onEvent(readAtMs, receivedAtMs);
    },
  });
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        receivedAtMs = Date.now();
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted at the end of the run
    }
  })();
  return () => aborter.abort();
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** Runs the agent benchmark (about 75 s) and prints its table. */
export async function runAgentBench(log: (line: string) => void = console.log): Promise<void> {
  const children: Child[] = [];
  // An OTLP collector that accepts and discards, so the OTLP exporter does its real work.
  let otlpRequests = 0;
  const collector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      otlpRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  let stopStream = () => {};
  try {
    const mock = startChild('mock', [
      CLI,
      'mock',
      '--scenario',
      'fargate-10',
      '--cadence',
      '1s',
      '--no-throttle',
    ]);
    children.push(mock);
    const v4 = (await mock.waitForLine(/^v4 (\S+)/))[1]!;

    const server = startChild('bare server', [`${HERE}baseline-server.js`]);
    const poller = startChild('fetch+parse loop', [`${HERE}baseline-poller.js`, `${v4}/task/stats`]);
    const agent = startChild(
      'agent',
      [
        ...IMAGE_NODE_OPTIONS,
        ...AGENT_NODE_ARGS,
        AGENT_CLI,
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
        'info',
        '--history',
        '15m',
      ],
      { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_METRIC_EXPORT_INTERVAL: String(OTLP_INTERVAL_MS) },
    );
    children.push(server, poller, agent);
    await server.waitForLine(/^listening (\d+)/);
    // The agent logs to stderr (stdout is EMF): find its URL through its snapshot port instead.
    const agentUrl = await agentUrlOf(agent);

    // Warm-up: start-up costs are not steady state, and `auto` learns the cadence first.
    const scrape = setInterval(
      () => void fetch(`${agentUrl}metrics`).then((r) => r.arrayBuffer()),
      SCRAPE_EVERY_MS,
    );
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));

    const measured = [agent, server, poller];
    const cpuStart = measured.map((c) => cpuSeconds(c.pid));
    const rss: number[][] = measured.map(() => []);
    const statusStart = await statusOf(agentUrl);
    const emfStart = agent.lines.length;
    const freshness: number[] = [];
    const reads = new Set<number>();
    stopStream = await followStream(`${agentUrl}api/v1/stream`, (readAtMs, receivedAtMs) => {
      if (reads.has(readAtMs)) return;
      reads.add(readAtMs);
      freshness.push(receivedAtMs - readAtMs);
    });
    const startedAt = performance.now();
    const sampler = setInterval(() => {
      for (const [i, c] of measured.entries()) rss[i]!.push(rssBytes(c.pid));
    }, 1000);
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    clearInterval(sampler);
    clearInterval(scrape);
    const elapsedS = (performance.now() - startedAt) / 1000;
    const cpuPercent = measured.map((c, i) => ((cpuSeconds(c.pid) - cpuStart[i]!) / elapsedS) * 100);
    const statusEnd = await statusOf(agentUrl);
    stopStream();
    // What a dashboard opening now would fetch: the history so far, plain and gzipped.
    const historyPlain = await historyBytes(agentUrl, false);
    const historyZipped = await historyBytes(agentUrl, true);

    const requests =
      statusEnd.requests['task']! +
      statusEnd.requests['task_stats']! -
      statusStart.requests['task']! -
      statusStart.requests['task_stats']!;
    const fresh = statusEnd.samples.fresh - statusStart.samples.fresh;
    // /task/stats requests per refresh of the endpoint (1 s here): after warm-up, and over the
    // warm-up, which starts with the task (first samples, no preread) and includes learning.
    const statsRequests = statusEnd.requests['task_stats']! - statusStart.requests['task_stats']!;
    const perRefresh = statsRequests / Math.round(elapsedS);
    const perRefreshLearning = statusStart.requests['task_stats']! / (WARMUP_MS / 1000);
    const duplicates = statusEnd.samples.duplicate - statusStart.samples.duplicate;
    const rssMedian = rss.map(median);
    const sortedFreshness = [...freshness].sort((a, b) => a - b);
    const emfLines = agent.lines.length - emfStart;

    log(
      `\nIssue #4: the agent on fargate-10 (1 s refresh), prometheus + otlp (export every ${OTLP_INTERVAL_MS / 1000} s) + emf, --interval auto`,
    );
    log(
      `Node ${process.version}; ${fixed(elapsedS, 0)} s measured after ${WARMUP_MS / 1000} s warm-up; processes are children of this bench; the agent runs as the image's ENTRYPOINT starts it (node ${[...IMAGE_NODE_OPTIONS, ...AGENT_NODE_ARGS].join(' ')}, from the bundle)\n`,
    );
    log(
      table(
        ['process', 'CPU % of one core', 'RSS median MB', 'RSS max MB'],
        measured.map((c, i) => [
          c.name,
          fixed(cpuPercent[i]!, 2),
          fixed(rssMedian[i]! / 2 ** 20),
          fixed(Math.max(...rss[i]!) / 2 ** 20),
        ]),
      ),
    );
    const rssRatio = rssMedian[0]! / rssMedian[1]!;
    const p50 = percentile(sortedFreshness, 50);
    const p95 = percentile(sortedFreshness, 95);
    const worst = sortedFreshness.at(-1) ?? Number.NaN;
    const late = freshness.filter((ms) => ms > GOALS.freshnessMs).length;
    const perFresh = requests / Math.max(1, fresh);
    const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
    log('');
    log(
      table(
        ['figure', 'value', 'goal', ''],
        [
          [
            'agent CPU, % of one core',
            fixed(cpuPercent[0]!, 2),
            `≤ ${GOALS.cpuPercent}`,
            verdict(cpuPercent[0]! <= GOALS.cpuPercent),
          ],
          ['agent CPU / fetch+parse loop CPU', `${fixed(cpuPercent[0]! / cpuPercent[2]!, 2)}×`, '', ''],
          [
            'agent RSS / bare server RSS',
            `${fixed(rssRatio, 2)}×`,
            `≤ ${GOALS.rssRatio}×`,
            verdict(rssRatio <= GOALS.rssRatio),
          ],
          [
            'freshness p50 / p95 / max, ms',
            `${fixed(p50, 0)} / ${fixed(p95, 0)} / ${fixed(worst, 0)}`,
            `≤ ${GOALS.freshnessMs}`,
            verdict(worst <= GOALS.freshnessMs),
          ],
          [
            'fresh samples seen (stream, after the first) / refreshes',
            `${reads.size} / ${Math.round(elapsedS)}`,
            '',
            '',
          ],
          ['samples later than 1 s', String(late), '0', ''],
          [
            '/task/stats requests per refresh cycle',
            `${fixed(perRefresh, 2)} (${statsRequests} / ${Math.round(elapsedS)})`,
            `≤ ${GOALS.requestsPerRefresh}`,
            verdict(perRefresh <= GOALS.requestsPerRefresh),
          ],
          [
            `  the same over the warm-up (learning included)`,
            `${fixed(perRefreshLearning, 2)} (${statusStart.requests['task_stats']} / ${WARMUP_MS / 1000})`,
            `≤ ${GOALS.requestsPerRefreshLearning}`,
            verdict(perRefreshLearning <= GOALS.requestsPerRefreshLearning),
          ],
          [
            'all requests per fresh sample (refresh cycle)',
            `${fixed(perFresh, 2)} (${requests} / ${fresh}; ${duplicates} duplicates)`,
            '',
            '',
          ],
          ['EMF lines written', String(emfLines), '', ''],
          ['OTLP exports received (whole run)', String(otlpRequests), '', ''],
          [
            `/api/v1/history after the run (${historyPlain.cycles} cycles)`,
            `${fixed(historyPlain.bytes / 1024, 0)} KiB, ${fixed(historyZipped.bytes / 1024, 0)} KiB gzipped`,
            '',
            '',
          ],
        ],
      ),
    );

    const cost = await measureHistoryCost();
    const costMiB = (cost.heapBytes + cost.arrayBufferBytes) / 2 ** 20;
    log(
      `\nIssue #11: the memory a full history costs (${cost.cycles} cycles = ${cost.historyMs / 60_000} min at 1 s, ${cost.containers} containers), filled by the agent's own code in a child process, after a full GC`,
    );
    log(
      table(
        ['figure', 'value'],
        [
          [
            'heap + ArrayBuffers, against the same work keeping none',
            `${fixed(costMiB, 2)} MiB (${fixed(cost.heapBytes / 2 ** 20, 2)} + ${fixed(cost.arrayBufferBytes / 2 ** 20, 2)})`,
          ],
          ['RSS, against the same work keeping no history', `${fixed(cost.rssBytes / 2 ** 20, 2)} MiB`],
          ['per cycle', `${fixed((cost.heapBytes + cost.arrayBufferBytes) / cost.cycles, 0)} bytes`],
          [
            'one snapshot as JSON (what 900 copies would hold)',
            `${fixed(cost.snapshotJsonBytes / 1024, 1)} KiB (${fixed((cost.snapshotJsonBytes * cost.cycles) / 2 ** 20, 1)} MiB as strings)`,
          ],
        ],
      ),
    );
  } finally {
    stopStream();
    await Promise.all(children.map((c) => c.stop()));
    await new Promise<void>((resolve) => {
      collector.close(() => resolve());
      collector.closeAllConnections();
    });
  }
}

/** `/api/v1/history`'s body size, and its cycles. */
async function historyBytes(agentUrl: string, gzip: boolean): Promise<{ bytes: number; cycles: number }> {
  return new Promise((resolve, reject) => {
    httpGet(
      `${agentUrl}api/v1/history`,
      { headers: gzip ? { 'accept-encoding': 'gzip' } : {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = (gzip ? gunzipSync(body) : body).toString('utf8');
          resolve({
            bytes: body.length,
            cycles: (JSON.parse(text) as { snapshots: unknown[] }).snapshots.length,
          });
        });
      },
    ).on('error', reject);
  });
}

interface HistoryCost {
  containers: number;
  cycles: number;
  historyMs: number;
  snapshotJsonBytes: number;
  heapBytes: number;
  arrayBufferBytes: number;
  /** The child's RSS after the run and a full GC. */
  rssBytes: number;
}

/**
 * Runs history-cost.js in two children with the GC exposed, one keeping a full history and
 * one keeping none after the same work; resolves with the first's figures less the second's
 * (what is left after the work that is not the history: code, the last core state).
 */
async function measureHistoryCost(): Promise<HistoryCost> {
  const run = async (mode: 'keep' | 'drop'): Promise<HistoryCost> => {
    // With the image's node options: the young generation's cap decides what RSS the ring costs.
    const child = startChild(`history cost (${mode})`, [
      ...IMAGE_NODE_OPTIONS,
      '--expose-gc',
      `${HERE}history-cost.js`,
      mode,
    ]);
    try {
      return JSON.parse((await child.waitForLine(/^\{.*\}$/, 120_000))[0]) as HistoryCost;
    } finally {
      await child.stop();
    }
  };
  const keep = await run('keep');
  const drop = await run('drop');
  return {
    ...keep,
    heapBytes: keep.heapBytes - drop.heapBytes,
    arrayBufferBytes: keep.arrayBufferBytes - drop.arrayBufferBytes,
    rssBytes: keep.rssBytes - drop.rssBytes,
  };
}

/** The agent's base URL, from its `agent started` log line (pino JSON on stderr). */
async function agentUrlOf(agent: Child): Promise<string> {
  let stderr = '';
  agent.process.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const match =
      /"msg":"agent started"[^\n]*/.exec(stderr) ??
      /^\{[^\n]*"url":"[^"]+"[^\n]*"agent started"[^\n]*$/m.exec(stderr);
    const line = match ? stderr.slice(stderr.lastIndexOf('\n', match.index) + 1).split('\n')[0]! : undefined;
    if (line) return (JSON.parse(line) as { url: string }).url;
    if (agent.process.exitCode !== null) throw new Error(`agent exited ${agent.process.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`agent did not log "agent started": ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
