/**
 * How docs/contract.md ("OpenTelemetry (OTLP)") says a metric is exported: a `counter` is a
 * monotonic cumulative Sum, a `gauge` a Gauge, and an `updown` value either a Gauge or a
 * non-monotonic Sum.
 */
export type OtlpContractKind = 'counter' | 'gauge' | 'updown';

/**
 * The contract's OTLP metrics of an awsvpc task (Fargate), name → [unit, kind], in the order
 * the exporter writes them. `container.network.io` is left out: it is bridge mode only.
 */
export const OTLP_AWSVPC_METRICS: Readonly<Record<string, readonly [unit: string, kind: OtlpContractKind]>> =
  {
    'container.cpu.time': ['s', 'counter'],
    'container.cpu.usage': ['{cpu}', 'gauge'],
    'container.memory.usage': ['By', 'updown'],
    'container.memory.working_set': ['By', 'updown'],
    'container.memory.rss': ['By', 'updown'],
    'container.disk.io': ['By', 'counter'],
    'container.uptime': ['s', 'gauge'],
    'aws.ecs.task.network.io': ['By', 'counter'],
    'aws.ecs.task.cpu.limit': ['{cpu}', 'updown'],
    'aws.ecs.task.cpu.limit.utilization': ['1', 'gauge'],
    'aws.ecs.task.memory.limit': ['By', 'updown'],
    'aws.ecs.task.memory.limit.utilization': ['1', 'gauge'],
  };
