/**
 * How docs/contract.md ("OpenTelemetry (OTLP)") says a metric is exported: a `counter` is a
 * monotonic cumulative Sum, a `gauge` a Gauge, and an `updown` value either a Gauge or a
 * non-monotonic Sum.
 */
export type OtlpContractKind = 'counter' | 'gauge' | 'updown';

type OtlpContractRow = readonly [unit: string, kind: OtlpContractKind];
type OtlpContractRows = Readonly<Record<string, OtlpContractRow>>;

/** Each container's metrics, `container.*`. */
const CONTAINER_METRICS: OtlpContractRows = {
  'cpu.time': ['s', 'counter'],
  'cpu.usage': ['{cpu}', 'gauge'],
  'memory.usage': ['By', 'updown'],
  'memory.working_set': ['By', 'updown'],
  'memory.rss': ['By', 'updown'],
  'disk.io': ['By', 'counter'],
  uptime: ['s', 'gauge'],
};

/** A task's size in a resource, and the share of it the containers use. */
const limitMetrics = (resource: string, unit: string): OtlpContractRows => ({
  [`${resource}.limit`]: [unit, 'updown'],
  [`${resource}.limit.utilization`]: ['1', 'gauge'],
});

/**
 * The task's own metrics, `aws.ecs.task.*`: its one awsvpc interface, its size in CPU and
 * memory, and on Fargate the cost meter's price and cost so far.
 */
const TASK_METRICS: OtlpContractRows = {
  'network.io': ['By', 'counter'],
  ...limitMetrics('cpu', '{cpu}'),
  ...limitMetrics('memory', 'By'),
  price: ['{USD}/h', 'gauge'],
  cost: ['{USD}', 'counter'],
};

const prefixed = (prefix: string, metrics: OtlpContractRows) =>
  Object.entries(metrics).map(([name, row]) => [`${prefix}${name}`, row] as const);

/**
 * The contract's OTLP metrics of an awsvpc task (Fargate), name → [unit, kind], in the order
 * the exporter writes them. `container.network.io` is left out: it is bridge mode only.
 */
export const OTLP_AWSVPC_METRICS: OtlpContractRows = Object.fromEntries([
  ...prefixed('container.', CONTAINER_METRICS),
  ...prefixed('aws.ecs.task.', TASK_METRICS),
]);
