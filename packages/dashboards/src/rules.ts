import { stringify } from 'yaml';
import {
  containerCpuCores,
  containerCpuRatioOfTask,
  containerMemoryRatio,
  diskBytesRate,
  networkBytesRate,
  pollErrorsRate,
  pollsRate,
  series,
  taskCpuCores,
  taskCpuRatio,
  taskMemoryRatio,
  taskWorkingSetBytes,
} from './promql.js';

/** A recording rule of a Prometheus rules file. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** An alerting rule of a Prometheus rules file. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** A Prometheus rules file (`rule_files:`), as its YAML reads. */
export interface RulesFile {
  readonly groups: readonly RuleGroup[];
}

/**
 * The recording rules' window: with the common 15 s to 1 m scrape intervals a 5-minute rate
 * always rests on several samples, and the alerts' `for` smooths what it does not.
 */
const WINDOW = '5m';

/**
 * Recording rules for the rates and ratios the Grafana dashboard shows, named after
 * Prometheus' `level:metric:operations` convention (Prometheus docs, "Recording rules"); the
 * level lists the labels the result keeps besides `job`.
 */
export function recordingRules(): RecordingRule[] {
  return [
    {
      record: 'instance_container_name:ecs_container_cpu_usage_seconds:rate5m',
      expr: containerCpuCores('', WINDOW),
    },
    { record: 'instance:ecs_task_cpu_usage_seconds:rate5m', expr: taskCpuCores('', WINDOW) },
    { record: 'instance:ecs_task_cpu_utilization:ratio_rate5m', expr: taskCpuRatio('', WINDOW) },
    {
      record: 'instance_container_name:ecs_container_cpu_utilization_of_task:ratio_rate5m',
      expr: containerCpuRatioOfTask('', '', WINDOW),
    },
    { record: 'instance:ecs_task_memory_working_set_bytes:sum', expr: taskWorkingSetBytes('') },
    { record: 'instance:ecs_task_memory_utilization:ratio', expr: taskMemoryRatio('') },
    {
      record: 'instance_container_name:ecs_container_memory_utilization:ratio',
      expr: containerMemoryRatio(''),
    },
    {
      record: 'instance_interface:ecs_network_receive_bytes:rate5m',
      expr: networkBytesRate('receive', '', WINDOW),
    },
    {
      record: 'instance_interface:ecs_network_transmit_bytes:rate5m',
      expr: networkBytesRate('transmit', '', WINDOW),
    },
    {
      record: 'instance_container_name:ecs_container_fs_reads_bytes:rate5m',
      expr: diskBytesRate('reads', '', WINDOW),
    },
    {
      record: 'instance_container_name:ecs_container_fs_writes_bytes:rate5m',
      expr: diskBytesRate('writes', '', WINDOW),
    },
    { record: 'instance_endpoint_reason:taskscope_poll_errors:rate5m', expr: pollErrorsRate('', WINDOW) },
    { record: 'instance:taskscope_polls:rate5m', expr: pollsRate('', WINDOW) },
  ];
}

/**
 * Alerting rules with defaults that page on what needs a person, not on a spike: the
 * memory level is Netdata's cgroup RAM warning (90 %), the CPU level its 95 % over 10
 * minutes; copy the file and change the numbers to taste.
 */
export function alertingRules(): AlertingRule[] {
  return [
    {
      alert: 'TaskscopeContainerMemoryNearLimit',
      expr: 'instance_container_name:ecs_container_memory_utilization:ratio > 0.9',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Container {{ $labels.container_name }} of {{ $labels.instance }} is near its memory limit',
        description:
          'The memory working set of {{ $labels.container_name }} is {{ $value | humanizePercentage }} of its limit: near 100 % the kernel OOM-kills the container.',
      },
    },
    {
      alert: 'TaskscopeTaskCpuAtLimit',
      expr: 'instance:ecs_task_cpu_utilization:ratio_rate5m > 0.95',
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Task {{ $labels.instance }} uses all the CPU it has',
        description:
          'The task has used {{ $value | humanizePercentage }} of its CPU limit for 10 minutes: its containers are throttled. A larger task size or fewer requests per task would help.',
      },
    },
    {
      alert: 'TaskscopeContainerRestarted',
      expr: `increase(${series('ecs_container_restarts_total')}[15m]) > 0`,
      for: '0m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Container {{ $labels.container_name }} of {{ $labels.instance }} restarted',
        description:
          'The ECS agent restarted {{ $labels.container_name }} (its restart policy) in the last 15 minutes; its logs say why.',
      },
    },
    {
      alert: 'TaskscopeAgentPollsFailing',
      expr: 'sum by (job, instance) (instance_endpoint_reason:taskscope_poll_errors:rate5m) / instance:taskscope_polls:rate5m > 0.5',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The taskscope agent of {{ $labels.instance }} cannot read task metadata',
        description:
          'More than half of the requests of the agent to the task metadata endpoint fail ({{ $value | humanizePercentage }}): its figures are stale. taskscope_poll_errors_total of this instance says why, by reason.',
      },
    },
  ];
}

/** The rules file: one group of recording rules, one of alerts (which read the recorded series). */
export function prometheusRules(): RulesFile {
  return {
    groups: [
      { name: 'taskscope.rules', rules: recordingRules() },
      { name: 'taskscope.alerts', rules: alertingRules() },
    ],
  };
}

/** {@link prometheusRules} as the YAML Prometheus' `rule_files` loads (the package's `rules/taskscope.rules.yml`). */
export function prometheusRulesYaml(): string {
  return [
    '# taskscope: Prometheus recording and alerting rules for the metrics of the taskscope agent.',
    '# Generated by @taskscope/dashboards (prometheusRulesYaml); load it with rule_files.',
    stringify(prometheusRules(), { lineWidth: 0 }),
  ].join('\n');
}
