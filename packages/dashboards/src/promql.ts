/**
 * The PromQL of the rates and ratios the Grafana dashboard shows and the recording rules
 * record, written once: `matchers` is the inside of a selector (`job=~"$job"` on the
 * dashboard, empty in a rule) and `window` the range (`$__rate_interval`, `5m`). Metric names
 * are the agent's (docs/contract.md, "Prometheus"); every counter goes through `rate()`.
 */

/** `name{matchers}`, or the bare name when there are none. */
export function series(name: string, matchers = ''): string {
  return matchers === '' ? name : `${name}{${matchers}}`;
}

/**
 * Task-level series divide container-level ones on the scrape target: `instance` is the task,
 * and `job` with it, since one target may sit in two jobs and `instance` alone then matches
 * twice (Prometheus: "many-to-many matching not allowed").
 */
const ON_TASK = 'on(job, instance)';

/** CPU cores each container used: `ecs_container_cpu_usage_seconds_total` is CPU seconds. */
export function containerCpuCores(matchers: string, window: string): string {
  return `rate(${series('ecs_container_cpu_usage_seconds_total', matchers)}[${window}])`;
}

/** CPU cores the whole task used: its containers summed per scrape target. */
export function taskCpuCores(matchers: string, window: string): string {
  return `sum by (job, instance) (${containerCpuCores(matchers, window)})`;
}

/** The task's CPU use as a fraction of its limit (`ecs_task_cpu_limit_vcpus`). */
export function taskCpuRatio(matchers: string, window: string): string {
  return `${taskCpuCores(matchers, window)} / ${ON_TASK} ${series('ecs_task_cpu_limit_vcpus', matchers)}`;
}

/**
 * Each container's CPU as a fraction of the task's limit: a task-level series divides a
 * container one, so `group_left` keeps the container's labels.
 */
export function containerCpuRatioOfTask(
  containerMatchers: string,
  taskMatchers: string,
  window: string,
): string {
  return `${containerCpuCores(containerMatchers, window)} / ${ON_TASK} group_left ${series('ecs_task_cpu_limit_vcpus', taskMatchers)}`;
}

/** The task's memory working set: its containers' working sets summed per scrape target. */
export function taskWorkingSetBytes(matchers: string): string {
  return `sum by (job, instance) (${series('ecs_container_memory_working_set_bytes', matchers)})`;
}

/** The task's working set as a fraction of its limit (`ecs_task_memory_limit_bytes`). */
export function taskMemoryRatio(matchers: string): string {
  return `${taskWorkingSetBytes(matchers)} / ${ON_TASK} ${series('ecs_task_memory_limit_bytes', matchers)}`;
}

/**
 * Each container's working set as a fraction of its limit: both series carry the same
 * labels (`container_name` and the target's), so they match one to one.
 */
export function containerMemoryRatio(matchers: string): string {
  return `${series('ecs_container_memory_working_set_bytes', matchers)} / ${series('ecs_container_memory_limit_bytes', matchers)}`;
}

/**
 * Bytes per second per interface. On awsvpc the agent exports one series per interface for
 * the task; bridge mode adds `container_name`, and the sum folds it into the interface.
 */
export function networkBytesRate(
  direction: 'receive' | 'transmit',
  matchers: string,
  window: string,
): string {
  return `sum by (job, instance, interface) (rate(${series(`ecs_network_${direction}_bytes_total`, matchers)}[${window}]))`;
}

/** Bytes per second each container read or wrote to its block devices. */
export function diskBytesRate(direction: 'reads' | 'writes', matchers: string, window: string): string {
  return `rate(${series(`ecs_container_fs_${direction}_bytes_total`, matchers)}[${window}])`;
}

/** Failed polls of the metadata endpoint per second, by endpoint and reason. */
export function pollErrorsRate(matchers: string, window: string): string {
  return `sum by (job, instance, endpoint, reason) (rate(${series('taskscope_poll_errors_total', matchers)}[${window}]))`;
}

/** Polls of the metadata endpoint per second, failed or not (the histogram counts each). */
export function pollsRate(matchers: string, window: string): string {
  return `sum by (job, instance) (rate(${series('taskscope_poll_duration_seconds_count', matchers)}[${window}]))`;
}
