import { createMetadataClient } from '@taskscope/client';
import {
  createEmfEmitter,
  createOtlpExporter,
  createPrometheusEndpoint,
  type OtlpExporter,
} from '@taskscope/exporters';
import { BUILT_IN_PRICES, type FargatePlatform } from '@taskscope/fargate';
import { formatDurationMs } from '@taskscope/input';
import type { Snapshot } from '@taskscope/sdk';
import type { WirePayloadKind } from '@taskscope/wire';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from './clock.js';
import { createCollector, METADATA_MAX_AGE_MS } from './collect.js';
import type { AgentConfig } from './config.js';
import { type Pricing, processPlatform, type TaskCostFigures, taskCostOf } from './cost.js';
import { AgentListenError } from './errors.js';
import { createSnapshotFeed, type SnapshotFeed } from './feed.js';
import { createAgentLogger, createReadyLog, errorFields, logStartNotices } from './logger.js';
import { createPoller, type Poller } from './poller.js';
import { createAgentServer } from './server.js';
import { createSnapshotStore, type SnapshotStore } from './store.js';

/** The `endpoint` label of a payload kind, as the poll's self-telemetry names it (collect.ts). */
const ENDPOINT_OF_PAYLOAD: Record<WirePayloadKind, string> = {
  'task metadata': 'task',
  'task stats': 'task_stats',
  'container metadata': 'container',
  'container stats': 'container_stats',
};

/** The whole shutdown (poll, OTLP flush, EMF, HTTP close) finishes within this. */
export const SHUTDOWN_BUDGET_MS = 4_500;

export interface StartAgentOptions {
  /** Default: pino JSON on stderr at `config.logLevel`. */
  readonly logger?: Logger;
  /** Default: the system clock. The poller's timers run on it. */
  readonly clock?: Clock;
  /** Where EMF lines go; default `process.stdout`. */
  readonly stdout?: (line: string) => void;
  /** [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** An undici dispatcher for the metadata client (tests, proxies). */
  readonly dispatcher?: Dispatcher;
  /** V8 flags the process set on itself (the CLI's `agent`), reported in the start-up log. */
  readonly v8Flags?: readonly string[];
  /** The built dashboard served at `/` (its `index.html`); default `@taskscope/dashboard`'s `dist/`. */
  readonly dashboardDir?: string;
  /** The platform prices are read for; default this process's own (cost.ts `processPlatform`). */
  readonly platform?: FargatePlatform;
}

/** A running agent. */
export interface RunningAgent {
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:9780/` (a wildcard host is shown as loopback). */
  readonly url: string;
  readonly metricsUrl: string;
  readonly store: SnapshotStore;
  /** The API's documents: the current snapshot, the history, the cycles as they close. */
  readonly feed: SnapshotFeed;
  /** The `/api/v1/snapshot` document, now. */
  snapshot(): Snapshot;
  /** Stops polling, flushes OTLP and EMF, closes the server; resolves within 5 s. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the agent in-process: metadata client, poller, exporters and HTTP server, from a
 * typed config (`readAgentConfig` makes one from flags and environment variables; code may
 * build one itself). Throws {@link AgentListenError} (`AGENT_LISTEN`) when the address cannot
 * be listened on. The CLI's `agent` and `demo` commands and the e2e tests
 * run it this way.
 */
export async function startAgent(
  config: AgentConfig,
  options: StartAgentOptions = {},
): Promise<RunningAgent> {
  const logger = options.logger ?? createAgentLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const writeStdout = options.stdout ?? ((line: string) => void process.stdout.write(line));
  const store = createSnapshotStore();
  const aborter = new AbortController();

  // A field the parse left out (a bad `Health` key, a wrong-typed stats field) costs only what
  // is computed from it; it is counted each time and said once per field at warn, then at
  // debug, as schema errors are (collect.ts): stats come every poll, metadata is re-read often.
  const fieldIssuesLogged = new Set<string>();
  const client = createMetadataClient({
    metadataUrl: config.metadata.baseUrl,
    timeoutMs: config.requestTimeoutMs,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    onFieldIssue: (issue, url) => {
      // Called only once a poll runs, after `prometheus` below is set.
      prometheus.selfTelemetry.countFieldDropped(ENDPOINT_OF_PAYLOAD[issue.payload], issue.cost);
      const key = `${issue.payload}:${issue.path}`;
      const first = !fieldIssuesLogged.has(key);
      fieldIssuesLogged.add(key);
      logger[first ? 'warn' : 'debug'](
        {
          url,
          field: issue.field,
          value: issue.value,
          expected: issue.expected,
          leftOut: issue.path,
          cost: issue.cost,
        },
        'payload field left out; the rest of the answer is used',
      );
    },
  });
  const pricing: Pricing = {
    table: config.prices ?? BUILT_IN_PRICES,
    platform: options.platform ?? processPlatform(),
  };
  const costNow = () => {
    const metrics = store.latest();
    return metrics === undefined ? undefined : taskCostOf(metrics, pricing, clock.now());
  };
  // Always built: it also carries the self-telemetry, which costs nothing until scraped.
  const prometheus = createPrometheusEndpoint({
    getSnapshot: store.latest,
    getCost: costNow,
    taskLabels: config.prometheus.taskLabels,
    // Process metrics only when something scrapes them: prom-client watches every GC and the event loop.
    processMetrics: config.exporters.includes('prometheus'),
  });
  const emf = config.exporters.includes('emf')
    ? createEmfEmitter({
        namespace: config.emf.namespace,
        containerMetrics: config.emf.containerMetrics,
        write: writeStdout,
      })
    : undefined;
  let otlp: OtlpExporter | undefined;
  let lastOtlpError = '';
  if (config.exporters.includes('otlp')) {
    otlp = await createOtlpExporter({
      getSnapshot: store.latest,
      getCost: costNow,
      env: config.otelEnv,
      onError: (error) => {
        // An unreachable collector fails every export: warn when the reason changes.
        const level = error.message === lastOtlpError ? 'debug' : 'warn';
        lastOtlpError = error.message;
        logger[level](errorFields(logger, error), 'OTLP export failed');
      },
    });
  }

  let poller: Poller | undefined;
  const logReady = createReadyLog(logger, config);
  // Said once: a region the price table has no rates for is priced at another region's.
  let pricedRegionLogged = false;
  const logPricedRegion = (figures: TaskCostFigures | undefined) => {
    if (pricedRegionLogged || figures === undefined) return;
    pricedRegionLogged = true;
    if (figures.fallbackFrom !== undefined)
      logger.warn(
        { region: figures.fallbackFrom, pricedRegion: figures.pricedRegion },
        'no prices for the task region; the cost meter uses another region rates',
      );
  };
  const collector = createCollector({
    client,
    clock,
    store,
    telemetry: prometheus.selfTelemetry,
    logger,
    signal: aborter.signal,
    onPoll: (metrics, cycles) => {
      logReady(metrics, poller?.state().cadence);
      // Priced once a poll: the region log and the EMF Task events read the same figures.
      const cost = taskCostOf(metrics, pricing, clock.now());
      logPricedRegion(cost);
      try {
        emf?.emit(metrics, cycles, cost);
      } catch (error) {
        logger.error(errorFields(logger, error), 'EMF emit failed');
      }
    },
    // At a 10 s cadence a 60 s refresh alone would cost 1/6 request per fresh sample; ten
    // cadences keep the metadata overhead at 10 % whatever the cadence.
    metadataMaxAgeMs: () => Math.max(METADATA_MAX_AGE_MS, 10 * (poller?.state().cadence?.cadenceMs ?? 0)),
  });
  poller = createPoller({
    interval: config.interval,
    clock,
    poll: () => collector.collect(),
    ...(options.random ? { random: options.random } : {}),
  });

  const feed = createSnapshotFeed({
    store,
    clock,
    historyMs: config.historyMs,
    context: () => ({
      endpoint: { url: config.metadata.baseUrl, version: config.metadata.version },
      interval: config.interval,
      cadence: poller?.state().cadence,
      exporters: config.exporters,
      pricing,
    }),
  });

  const server = createAgentServer({
    store,
    feed,
    prometheus: config.exporters.includes('prometheus') ? prometheus : undefined,
    authToken: config.authToken,
    logger,
    pricing,
    ...(options.dashboardDir !== undefined ? { dashboardDir: options.dashboardDir } : {}),
  });
  let address: { address: string; port: number; family: string };
  try {
    address = await server.listen(config.listen.host, config.listen.port);
  } catch (error) {
    await Promise.allSettled([client.close(), otlp?.shutdown()]);
    const code = (error as NodeJS.ErrnoException).code;
    throw new AgentListenError(config.listen.host, config.listen.port, code, error, config.listen.setting);
  }
  const url = `http://${displayHost(address.address, address.family)}:${address.port}/`;
  poller.start();
  logger.info(
    {
      url,
      metadataUrl: config.metadata.baseUrl,
      apiVersion: config.metadata.version,
      metadataUrlSource: config.metadata.source,
      interval: config.interval.mode === 'auto' ? 'auto' : `${config.interval.intervalMs}ms`,
      exporters: config.exporters,
      history: config.historyMs === 0 ? 'off' : formatDurationMs(config.historyMs),
      auth: config.authToken !== undefined,
      ...(options.v8Flags ? { v8Flags: options.v8Flags } : {}),
    },
    'agent started',
  );
  logStartNotices(logger, config);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const startedMs = performance.now();
      const remainingMs = () => SHUTDOWN_BUDGET_MS - (performance.now() - startedMs);
      logger.info('stopping: polling stops, exporters flush, server closes');
      // Abort the request in flight: its answer would be thrown away anyway.
      aborter.abort();
      await bounded(poller.stop(), Math.min(500, remainingMs()));
      const flushes: Promise<unknown>[] = [];
      if (otlp) flushes.push(otlp.shutdown());
      if (emf && !options.stdout) flushes.push(drainStdout());
      // OTLP's own budget is 3 s; the bound here keeps the total under 5 s whatever happens.
      const flushed = await bounded(Promise.allSettled(flushes), Math.min(3_200, remainingMs() - 600));
      if (!flushed) logger.warn('exporters did not flush in time; the last export may be lost');
      await bounded(server.close(), Math.max(100, remainingMs() - 200));
      feed.close();
      await bounded(client.close(), Math.max(50, remainingMs()));
      logger.info({ durationMs: Math.round(performance.now() - startedMs) }, 'stopped');
    })();
    return stopping;
  };

  return { url, metricsUrl: `${url}metrics`, store, feed, snapshot: () => feed.current(), stop };
}

/** Resolves true when `promise` settles within `timeoutMs`, false otherwise; never rejects. */
async function bounded(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    timer.unref();
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** EMF lines are plain stdout writes; on a pipe they may still sit in Node's buffer. */
function drainStdout(): Promise<void> {
  if (!process.stdout.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

function displayHost(host: string, family: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return family === 'IPv6' ? `[${host}]` : host;
}
