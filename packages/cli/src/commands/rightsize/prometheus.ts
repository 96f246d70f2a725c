import {
  type ContainerSample,
  type PriceTable,
  type Recommendation,
  regionOf,
  rightsize,
  type TaskUsage,
} from '@taskscope/fargate';
import { formatDurationMs, safeParseInput, summarizeIssues } from '@taskscope/input';
import * as v from 'valibot';
import { RightsizeError } from '../../errors.js';
import type { RightsizeRequest } from '../rightsize.js';
import { fetchText } from './http.js';

/*
 * `rightsize --prometheus URL --family NAME`: the agents' series of every task of a family, from
 * Prometheus's HTTP API (`query_range`, https://prometheus.io/docs/prometheus/latest/querying/api/),
 * sized with the same function the agent uses. The series and their names are the contract's
 * ("Prometheus"); without --task-labels they carry no task identity, so each is joined to its
 * task by the scrape target (`job`, `instance`) of `ecs_task_metadata_info`, which carries
 * `family` and `task_arn`.
 */

/**
 * Prometheus refuses a range query of more than 11,000 points per series ("exceeded maximum
 * resolution of 11,000 points per timeseries"); the step keeps each under that.
 */
export const MAX_POINTS_PER_SERIES = 11_000;
/** A whole query answers within this, or Prometheus counts as unreachable. */
export const PROMETHEUS_TIMEOUT_MS = 60_000;
/** rate() reads this many scrape intervals, so that a missed scrape leaves two samples in range. */
export const SCRAPES_PER_RATE = 4;

export interface PrometheusRequest extends RightsizeRequest {
  readonly windowMs: number;
  readonly scrapeIntervalMs: number;
}

/** What was asked of Prometheus: printed with the recommendation, so anyone can ask it again. */
export interface PrometheusQuery {
  readonly url: string;
  readonly family: string;
  /** Unix seconds, as query_range takes them. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
  readonly rateRangeSeconds: number;
}

/** The step and rate range of a window: a point per scrape at best, at most 11,000 a series. */
export function queryShape(
  windowMs: number,
  scrapeIntervalMs: number,
): { stepSeconds: number; rateRangeSeconds: number } {
  const scrapeSeconds = Math.ceil(scrapeIntervalMs / 1000);
  const stepSeconds = Math.max(scrapeSeconds, Math.ceil(windowMs / 1000 / (MAX_POINTS_PER_SERIES - 1)));
  return { stepSeconds, rateRangeSeconds: Math.max(stepSeconds, SCRAPES_PER_RATE * scrapeSeconds) };
}

/** The PromQL of each series, joined to the family's tasks. */
export function familyQueries(family: string, stepSeconds: number, rateRangeSeconds: number) {
  // `max by` keeps one info series per target however its status labels change.
  const join = `* on (job, instance) group_left (task_arn, availability_zone) max by (job, instance, task_arn, availability_zone) (ecs_task_metadata_info{family="${family}"})`;
  return {
    cpu: `rate(ecs_container_cpu_usage_seconds_total[${rateRangeSeconds}s]) ${join}`,
    // The peak within each step, not the value at its end: a spike between two points counts.
    memory: `max_over_time(ecs_container_memory_working_set_bytes[${stepSeconds}s]) ${join}`,
    memoryLimit: `ecs_container_memory_limit_bytes ${join}`,
    startTime: `ecs_container_start_time_seconds ${join}`,
    taskCpu: `ecs_task_cpu_limit_vcpus ${join}`,
    taskMemory: `ecs_task_memory_limit_bytes ${join}`,
  } as const;
}

const matrixSchema = v.object({
  status: v.literal('success'),
  data: v.object({
    resultType: v.literal('matrix'),
    result: v.array(
      v.object({
        metric: v.record(v.string(), v.string()),
        values: v.array(v.tuple([v.number(), v.string()])),
      }),
    ),
  }),
});
const errorSchema = v.object({ status: v.literal('error'), errorType: v.string(), error: v.string() });

type Series = v.InferOutput<typeof matrixSchema>['data']['result'][number];

async function queryRange(
  base: string,
  promql: string,
  query: PrometheusQuery,
  fetchFn: typeof fetch,
): Promise<Series[]> {
  const url = new URL('api/v1/query_range', base.endsWith('/') ? base : `${base}/`);
  const body = new URLSearchParams({
    query: promql,
    start: String(query.start),
    end: String(query.end),
    step: `${query.stepSeconds}s`,
  });
  // POST: a PromQL with its join is long, and the API takes the same form body.
  const response = await fetchText(
    `Prometheus at ${base}`,
    url,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
    },
    PROMETHEUS_TIMEOUT_MS,
    fetchFn,
  );
  const { json } = response;
  if (json === undefined)
    throw new RightsizeError(
      `Prometheus at ${base} answered ${response.status} with no JSON; is it Prometheus's HTTP API?`,
    );
  const failed = v.safeParse(errorSchema, json);
  if (failed.success)
    throw new RightsizeError(
      `Prometheus at ${base} refused ${promql}: ${failed.output.errorType}: ${failed.output.error}`,
    );
  const parsed = safeParseInput(matrixSchema, json);
  if (!parsed.success) {
    const { path, expected } = summarizeIssues(parsed.issues, json);
    throw new RightsizeError(
      `Prometheus at ${base} answered something other than a range query's matrix (${path || 'the body'}: expected ${expected})`,
    );
  }
  return parsed.output.data.result;
}

/** The points of a series as [ms, value], finite values only (Prometheus writes NaN and ±Inf as text). */
function points(series: Series): [number, number][] {
  return series.values
    .map(([seconds, text]): [number, number] => [Math.round(seconds * 1000), Number(text)])
    .filter(([, value]) => Number.isFinite(value));
}

const MIB = 1024 * 1024;
/** A container in a step before its series say anything. */
const NO_NUMBERS = {
  cpuVcpu: null,
  memoryMiB: null,
  memoryLimitMiB: null,
  startedAtMs: null,
  restarts: null,
};

/** What the CLI adds to a recommendation from Prometheus: the agents' series do not carry the platform. */
export const UNKNOWN_PLATFORM_WARNING =
  'The platform is not in the series: priced as linux/x86_64; --platform names another.';

/** The series as one usage per task (`task_arn`), each sample a step with the task's containers. */
export function usageOfSeries(
  series: Readonly<Record<keyof ReturnType<typeof familyQueries>, readonly Series[]>>,
): TaskUsage[] {
  interface Task {
    steps: Map<number, Map<string, { -readonly [K in keyof ContainerSample]: ContainerSample[K] }>>;
    cpuVcpus?: { atMs: number; value: number };
    memoryBytes?: { atMs: number; value: number };
  }
  const tasks = new Map<string, Task>();
  const taskOf = (metric: Record<string, string>): Task => {
    const name = metric['task_arn'] ?? `${metric['job']}/${metric['instance']}`;
    const task = tasks.get(name) ?? { steps: new Map() };
    tasks.set(name, task);
    return task;
  };
  const each = (
    list: readonly Series[],
    put: (sample: { -readonly [K in keyof ContainerSample]: ContainerSample[K] }, value: number) => void,
    createsSample: boolean,
  ) => {
    for (const one of list) {
      const task = taskOf(one.metric);
      const name = one.metric['container_name'] ?? '';
      for (const [atMs, value] of points(one)) {
        let step = task.steps.get(atMs);
        if (step === undefined) {
          if (!createsSample) continue;
          step = new Map();
          task.steps.set(atMs, step);
        }
        let sample = step.get(name);
        if (sample === undefined) {
          if (!createsSample) continue;
          sample = { name, ...NO_NUMBERS };
          step.set(name, sample);
        }
        put(sample, value);
      }
    }
  };
  each(series.cpu, (sample, value) => (sample.cpuVcpu = value), true);
  each(series.memory, (sample, value) => (sample.memoryMiB = value / MIB), true);
  each(series.memoryLimit, (sample, value) => (sample.memoryLimitMiB = value / MIB), false);
  each(series.startTime, (sample, value) => (sample.startedAtMs = Math.round(value * 1000)), false);
  const latest = (list: readonly Series[], key: 'cpuVcpus' | 'memoryBytes') => {
    for (const one of list) {
      const task = taskOf(one.metric);
      for (const [atMs, value] of points(one))
        if (task[key] === undefined || atMs >= task[key].atMs) task[key] = { atMs, value };
    }
  };
  latest(series.taskCpu, 'cpuVcpus');
  latest(series.taskMemory, 'memoryBytes');
  return [...tasks].map(([name, task]) => ({
    task: name,
    size:
      task.cpuVcpus === undefined || task.memoryBytes === undefined
        ? null
        : {
            cpuUnits: Math.round(task.cpuVcpus.value * 1024),
            memoryMiB: Math.round(task.memoryBytes.value / MIB),
          },
    samples: [...task.steps]
      .sort(([a], [b]) => a - b)
      .map(([atMs, containers]) => ({ atMs, containers: [...containers.values()] })),
  }));
}

/** The region of the family's tasks: of the first ARN or zone that names one. */
function regionOfSeries(series: readonly Series[]): string | undefined {
  for (const one of series) {
    const region = regionOf(one.metric['task_arn'] ?? '') ?? regionOf(one.metric['availability_zone'] ?? '');
    if (region !== undefined) return region;
  }
  return undefined;
}

/** The recommendation for every task of `family`, with what was asked of Prometheus. */
export async function fromPrometheus(
  url: string,
  family: string,
  request: PrometheusRequest,
  prices: PriceTable,
  options: { readonly fetch?: typeof fetch; readonly nowMs?: number } = {},
): Promise<Recommendation & { readonly prometheus: PrometheusQuery }> {
  const fetchFn = options.fetch ?? fetch;
  const { stepSeconds, rateRangeSeconds } = queryShape(request.windowMs, request.scrapeIntervalMs);
  const end = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const query: PrometheusQuery = {
    url,
    family,
    start: end - Math.ceil(request.windowMs / 1000),
    end,
    stepSeconds,
    rateRangeSeconds,
  };
  const promql = familyQueries(family, stepSeconds, rateRangeSeconds);
  const keys = Object.keys(promql) as (keyof typeof promql)[];
  const answers = await Promise.all(keys.map((key) => queryRange(url, promql[key], query, fetchFn)));
  const series = Object.fromEntries(keys.map((key, i) => [key, answers[i]!])) as Record<
    keyof typeof promql,
    Series[]
  >;
  const usage = usageOfSeries(series);
  const platform = request.platform ?? 'linux/x86_64';
  const recommendation = rightsize(usage, {
    percentile: request.percentile,
    headroomPercent: request.headroomPercent,
    platform,
    prices,
    region: regionOfSeries(series.cpu) ?? prices.fallbackRegion,
  });
  if (recommendation === undefined)
    throw new RightsizeError(
      usage.length === 0
        ? `no data to size on: Prometheus at ${url} has no ecs_container_cpu_usage_seconds_total of a task of family ${family} in the last ${formatDurationMs(request.windowMs)} (is the family's agent scraped, and its ecs_task_metadata_info labelled family="${family}"?)`
        : `no data to size on: the ${usage.length} task(s) of family ${family} have no step with both CPU and memory in the last ${formatDurationMs(request.windowMs)}`,
    );
  // The agents' series do not say the platform; a sidecar knows its own, Prometheus does not.
  const warnings =
    request.platform === undefined
      ? [...recommendation.warnings, UNKNOWN_PLATFORM_WARNING]
      : recommendation.warnings;
  return { ...recommendation, warnings, prometheus: query };
}
