import type { TaskMetrics } from '@taskscope/core';
import { Counter, collectDefaultMetrics, Gauge, Registry, type RegistryContentType } from 'prom-client';
import type { TaskCostSample } from '../cost.js';
import { negotiateExposition } from './negotiate.js';
import { createSelfTelemetry, type SelfTelemetry } from './self-telemetry.js';
import {
  PROMETHEUS_FAMILIES,
  type PrometheusFamily,
  type PrometheusSample,
  prometheusLabelNames,
  translatePrometheus,
} from './translate.js';

/** Options of {@link createPrometheusEndpoint}. */
export interface PrometheusEndpointOptions {
  /** The latest computed snapshot; read once per scrape, never on a timer. */
  readonly getSnapshot: () => TaskMetrics | undefined;
  /** Add the task identity labels to every series (default false). */
  readonly taskLabels?: boolean;
  /** Include prom-client's process and Node.js runtime metrics (default true). */
  readonly processMetrics?: boolean;
  /** The task's price and cost now (the agent's cost meter), read once per scrape. */
  readonly getCost?: () => TaskCostSample | undefined;
}

/** One rendered scrape. */
export interface PrometheusScrape {
  readonly contentType: string;
  readonly body: string;
}

/** What the agent's `/metrics` handler calls. */
export interface PrometheusEndpoint {
  readonly selfTelemetry: SelfTelemetry;
  /** Render the latest snapshot in the format the `Accept` header asks for. */
  scrape(acceptHeader?: string): Promise<PrometheusScrape>;
}

/**
 * prom-client samples event-loop delay every 10 ms by default (a native timer waking the
 * process 100 times a second): measured here, that alone cost 0.55 % of a core, more than the
 * agent's whole poll at a 1 s cadence. A sidecar's loop lag is still visible at 1 s
 * resolution.
 */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 1000;

/**
 * prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges with a counter
 * suffix, which `promtool check metrics` rejects. They are the sums of the `type`-labelled
 * `nodejs_active_*` gauges that stay, so nothing is lost by dropping them.
 */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * The gauges prom-client reads from its `monitorEventLoopDelay` histogram. It resets that
 * histogram at every scrape, and with a 1 s resolution a scrape less than a second after the
 * previous one (or after start) finds it empty: Node then reports a NaN mean and stddev, a min
 * of 2^63 ns and zeros for the rest (Node's `IntervalHistogram` docs), none of them a delay.
 */
const EVENT_LOOP_DELAY_GAUGES = [
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

/**
 * Leaves the event-loop delay gauges out of a scrape whose histogram held no sample (a NaN mean
 * is how an empty one shows), and drops any non-finite value they carry, so `/metrics` never
 * serves NaN or Inf. Each gauge's `get()` is wrapped instead of filtering the rendered text:
 * it costs an array check per gauge, not a pass over the whole exposition. prom-client sets
 * all seven from `nodejs_eventloop_lag_seconds`'s collect, which the registry runs first.
 */
function omitEmptyEventLoopDelay(registry: Registry<RegistryContentType>): void {
  const mean = registry.getSingleMetric('nodejs_eventloop_lag_mean_seconds');
  if (mean === undefined) return;
  const meanGet = mean.get.bind(mean);
  for (const name of EVENT_LOOP_DELAY_GAUGES) {
    const gauge = registry.getSingleMetric(name);
    if (gauge === undefined) continue;
    const get = gauge.get.bind(gauge);
    gauge.get = async () => {
      const [metric, meanMetric] = await Promise.all([get(), meanGet()]);
      const empty = !meanMetric.values.every((sample) => Number.isFinite(sample.value));
      return {
        ...metric,
        values: empty ? [] : metric.values.filter((sample) => Number.isFinite(sample.value)),
      } as typeof metric;
    };
  }
}

function buildRegistry(
  contentType: RegistryContentType,
  taskLabels: boolean,
  processMetrics: boolean,
  current: () => ReadonlyMap<string, PrometheusFamily>,
): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  if (processMetrics) {
    collectDefaultMetrics({
      register: registry,
      eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS,
    });
    for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
    omitEmptyEventLoopDelay(registry);
  }
  for (const spec of PROMETHEUS_FAMILIES) {
    const labelNames = prometheusLabelNames(spec, taskLabels);
    const metric = { name: spec.name, help: spec.help, labelNames, registers: [registry] };
    // reset() seeds an unlabelled metric with 0; remove() drops that seed so a value the
    // payload does not have is absent, never an invented 0.
    const mirror = (target: Counter | Gauge, write: (s: PrometheusSample) => void) => {
      target.reset();
      if (labelNames.length === 0) target.remove();
      for (const s of current().get(spec.name)?.samples ?? []) write(s);
    };
    if (spec.type === 'counter') {
      new Counter({
        ...metric,
        collect() {
          // ECS counters are already cumulative: mirror the payload's value instead of
          // accumulating, like ecs_exporter's const metrics.
          mirror(this, (s) => this.inc(s.labels, s.value));
        },
      });
    } else {
      new Gauge({
        ...metric,
        collect() {
          mirror(this, (s) => this.set(s.labels, s.value));
        },
      });
    }
  }
  return registry;
}

/**
 * The Prometheus `/metrics` adapter: values are translated from `getSnapshot()` at scrape
 * time. Text 0.0.4 by default; OpenMetrics 1.0.0 only when `Accept` prefers it. Each format has
 * its own registry and metric objects, because prom-client strips `_total` from counter names
 * in place when it renders OpenMetrics (prometheus/client_js PR #829).
 */
export function createPrometheusEndpoint(options: PrometheusEndpointOptions): PrometheusEndpoint {
  const taskLabels = options.taskLabels ?? false;
  const processMetrics = options.processMetrics ?? true;
  let families: ReadonlyMap<string, PrometheusFamily> = new Map();
  const current = (): ReadonlyMap<string, PrometheusFamily> => families;
  const text = buildRegistry(Registry.PROMETHEUS_CONTENT_TYPE, taskLabels, processMetrics, current);
  const openMetrics = buildRegistry(Registry.OPENMETRICS_CONTENT_TYPE, taskLabels, processMetrics, current);
  const selfTelemetry = createSelfTelemetry([text, openMetrics]);
  // Scrapes render one at a time: the translated families are shared by the collect()
  // callbacks of one render and must not be swapped under it by a concurrent scrape.
  let queue: Promise<unknown> = Promise.resolve();

  const render = async (acceptHeader: string | undefined): Promise<PrometheusScrape> => {
    const cost = options.getCost?.();
    families = new Map(
      translatePrometheus(options.getSnapshot(), { taskLabels, cost }).map((f) => [f.name, f]),
    );
    const registry = negotiateExposition(acceptHeader) === 'openmetrics' ? openMetrics : text;
    return { contentType: registry.contentType, body: await registry.metrics() };
  };

  return {
    selfTelemetry,
    scrape(acceptHeader) {
      const result = queue.then(() => render(acceptHeader));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}
