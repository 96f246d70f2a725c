import * as promql from '../promql.js';
import {
  CONTAINER_SELECTOR,
  type PanelSpec,
  RATE_INTERVAL,
  type RowSpec,
  row,
  statPanel,
  TASK_SELECTOR,
  timeSeriesPanel,
} from './panels.js';

const T = TASK_SELECTOR;
const C = CONTAINER_SELECTOR;
const W = RATE_INTERVAL;

/** vCPU has no Grafana unit; a custom suffix says what the number counts. */
export const VCPU_UNIT = 'suffix: vCPU';

/** Orange from 80 %, red from 90 %: the memory warning levels of Netdata's cgroup alarms. */
const UTILISATION_STEPS = [
  { value: 80, color: 'orange' },
  { value: 90, color: 'red' },
] as const;

/** The task row: CPU and memory against the task's limits, network per interface, cost. */
export function taskRow(): RowSpec {
  return row('Task', [
    timeSeriesPanel({
      title: 'Task CPU (vCPU) and limit',
      description:
        "CPU the task's containers used, summed, in vCPU (1 = one full vCPU), against the task's CPU limit from task metadata. A task may exceed its limit briefly only where CPU is not hard-capped (EC2 without a task limit).",
      unit: VCPU_UNIT,
      min: 0,
      queries: [
        { expr: promql.taskCpuCores(T, W), legend: '{{instance}} used' },
        { expr: promql.series('ecs_task_cpu_limit_vcpus', T), legend: '{{instance}} limit' },
      ],
    }),
    timeSeriesPanel({
      title: 'Task memory working set and limit',
      description:
        "Memory working set of the task's containers, summed: usage minus inactive page cache (what the kernel cannot reclaim, the figure the OOM killer acts on), against the task's memory limit. Not raw usage, which counts reclaimable cache.",
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: promql.taskWorkingSetBytes(T), legend: '{{instance}} working set' },
        { expr: promql.series('ecs_task_memory_limit_bytes', T), legend: '{{instance}} limit' },
      ],
    }),
    statPanel({
      title: 'Task CPU % of limit',
      description:
        "The task's CPU use as a percentage of its CPU limit (100 % = the task uses all its vCPU).",
      unit: 'percent',
      width: 6,
      height: 6,
      min: 0,
      thresholds: UTILISATION_STEPS,
      queries: [{ expr: `100 * (${promql.taskCpuRatio(T, W)})`, legend: '{{instance}}' }],
    }),
    statPanel({
      title: 'Task memory % of limit',
      description:
        "The task's memory working set as a percentage of its memory limit: near 100 % the kernel reclaims cache and then OOM-kills a container.",
      unit: 'percent',
      width: 6,
      height: 6,
      min: 0,
      thresholds: UTILISATION_STEPS,
      queries: [{ expr: `100 * (${promql.taskMemoryRatio(T)})`, legend: '{{instance}}' }],
    }),
    statPanel({
      title: 'Task price',
      description:
        "What the task's size costs per hour at the on-demand Fargate price (vCPU-hours and GB-hours, Savings Plans and Spot not included). Fargate only: EC2 tasks have no price series.",
      unit: 'currencyUSD',
      width: 6,
      height: 6,
      queries: [{ expr: promql.series('ecs_task_price_dollars_per_hour', T), legend: '{{instance}} $/h' }],
    }),
    statPanel({
      title: 'Task cost in the time range',
      description:
        "The estimated on-demand cost the selected tasks accrued during the dashboard's time range (Fargate bills from the image pull until the task stops, one-minute minimum).",
      unit: 'currencyUSD',
      width: 6,
      height: 6,
      queries: [
        {
          expr: `sum(increase(${promql.series('ecs_task_estimated_cost_dollars_total', T)}[$__range]))`,
          legend: 'cost',
        },
      ],
    }),
    timeSeriesPanel({
      title: 'Network per interface',
      description:
        'Bytes per second received and transmitted on each network interface of the task. On awsvpc (Fargate) the interface belongs to the task: the figure is the whole task, never a sum over containers.',
      unit: 'Bps',
      queries: (['receive', 'transmit'] as const).map((direction) => ({
        expr: promql.networkBytesRate(direction, T, W),
        legend: `{{instance}} {{interface}} ${direction === 'receive' ? 'received' : 'transmitted'}`,
      })),
    }),
    timeSeriesPanel({
      title: 'Ephemeral storage used and allocated',
      description:
        "Bytes of the task's ephemeral storage in use (images and writable layers count against it), against what is allocated (Fargate: 20 GiB free, up to 200 GiB).",
      unit: 'bytes',
      min: 0,
      queries: [
        { expr: promql.series('ecs_task_ephemeral_storage_used_bytes', T), legend: '{{instance}} used' },
        {
          expr: promql.series('ecs_task_ephemeral_storage_allocated_bytes', T),
          legend: '{{instance}} allocated',
        },
      ],
    }),
  ]);
}

/** The containers row: CPU in cores and as a share of the task, memory against limits, restarts, disk. */
export function containersRow(): RowSpec {
  return row('Containers', [
    timeSeriesPanel({
      title: 'Container CPU (vCPU)',
      description: 'CPU each container used, in vCPU (1 = one full vCPU), from its cumulative CPU seconds.',
      unit: VCPU_UNIT,
      min: 0,
      queries: [{ expr: promql.containerCpuCores(C, W), legend: '{{instance}} {{container_name}}' }],
    }),
    timeSeriesPanel({
      title: "Container CPU % of the task's limit",
      description:
        "Each container's CPU as a percentage of the task's CPU limit: the containers of a task add up to the task's CPU %. Containers share the task's vCPU unless a container sets its own cpu.",
      unit: 'percent',
      min: 0,
      queries: [
        {
          expr: `100 * (${promql.containerCpuRatioOfTask(C, T, W)})`,
          legend: '{{instance}} {{container_name}}',
        },
      ],
    }),
    timeSeriesPanel({
      title: 'Container memory working set and limit',
      description:
        "Each container's memory working set (usage minus inactive page cache; what the OOM killer looks at), against its limit: the container's own memory limit, else the task's.",
      unit: 'bytes',
      min: 0,
      queries: [
        {
          expr: promql.series('ecs_container_memory_working_set_bytes', C),
          legend: '{{instance}} {{container_name}} working set',
        },
        {
          expr: promql.series('ecs_container_memory_limit_bytes', C),
          legend: '{{instance}} {{container_name}} limit',
        },
      ],
    }),
    timeSeriesPanel({
      title: 'Container memory % of limit',
      description:
        "Each container's memory working set as a percentage of its limit. Raw usage can sit near 100 % harmlessly (page cache); the working set cannot.",
      unit: 'percent',
      min: 0,
      thresholds: UTILISATION_STEPS,
      queries: [
        { expr: `100 * (${promql.containerMemoryRatio(C)})`, legend: '{{instance}} {{container_name}}' },
      ],
    }),
    timeSeriesPanel({
      title: 'Container restarts',
      description:
        'Restarts of each container in each rate interval, as the ECS agent counts them (RestartCount). Only containers with a restart policy have the series.',
      unit: 'short',
      min: 0,
      queries: [
        {
          expr: `increase(${promql.series('ecs_container_restarts_total', C)}[${W}])`,
          legend: '{{instance}} {{container_name}}',
        },
      ],
    }),
    timeSeriesPanel({
      title: 'Container disk I/O',
      description:
        "Bytes per second each container read from and wrote to block devices (all devices, the stats' read and write operations).",
      unit: 'Bps',
      queries: [
        { expr: promql.diskBytesRate('reads', C, W), legend: '{{instance}} {{container_name}} read' },
        { expr: promql.diskBytesRate('writes', C, W), legend: '{{instance}} {{container_name}} written' },
      ],
    }),
  ]);
}

/** The agent row: its polls of the task metadata endpoint, failed, fresh or duplicate, and how long they take. */
export function agentRow(): RowSpec {
  return row('taskscope agent', [
    timeSeriesPanel({
      title: 'Poll errors by reason',
      description:
        'Failed requests to the task metadata endpoint per second, by endpoint and reason (timeout, http_503, schema…). No series at all means no poll has ever failed.',
      unit: 'reqps',
      width: 8,
      min: 0,
      queries: [{ expr: promql.pollErrorsRate(T, W), legend: '{{instance}} {{endpoint}} {{reason}}' }],
    }),
    timeSeriesPanel({
      title: 'Samples: fresh and duplicate',
      description:
        'Stats samples per second: fresh once per refresh of the whole task (about every 10 s on Fargate), duplicate for a poll that found no new refresh. Fresh at zero means the figures are stale.',
      unit: 'cps',
      width: 8,
      min: 0,
      queries: [
        {
          expr: `sum by (job, instance, result) (rate(${promql.series('taskscope_samples_total', T)}[${W}]))`,
          legend: '{{instance}} {{result}}',
        },
      ],
    }),
    timeSeriesPanel({
      title: 'Poll duration (p50, p99)',
      description:
        'How long requests to the task metadata endpoint take, by endpoint: median and 99th percentile.',
      unit: 's',
      width: 8,
      min: 0,
      queries: [0.5, 0.99].map((quantile) => ({
        expr: `histogram_quantile(${quantile}, sum by (job, instance, endpoint, le) (rate(${promql.series('taskscope_poll_duration_seconds_bucket', T)}[${W}])))`,
        legend: `{{instance}} {{endpoint}} p${quantile * 100}`,
      })),
    }),
  ]);
}

/** The rows of taskscope's dashboard, in order: task, containers, agent. */
export function defaultRows(): RowSpec[] {
  return [taskRow(), containersRow(), agentRow()];
}

/** Every panel of some rows, in order. */
export function panelsOf(rows: readonly RowSpec[]): PanelSpec[] {
  return rows.flatMap((r) => r.panels);
}
