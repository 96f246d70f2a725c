/**
 * Our own small description of a Grafana dashboard: rows of panels, each with PromQL
 * queries, a unit and a description. The dashboard is built from it with Grafana's builders
 * (`grafana.ts`); keeping this layer ours means the builder library can be swapped without
 * changing what users of this package write.
 */

/** One PromQL query of a panel; `legend` is Grafana's legend format (`{{container_name}}`). */
export interface PromQuery {
  readonly expr: string;
  readonly legend: string;
}

/** A colour step: the colour from `value` up (the first step of a panel starts at minus infinity). */
export interface ThresholdStep {
  readonly value: number;
  readonly color: string;
}

/** A panel: what it shows (title, description), in which unit, from which queries. */
export interface PanelSpec {
  readonly kind: 'timeseries' | 'stat';
  readonly title: string;
  /** What the number means, shown in the panel's (i) tooltip: working set, not usage. */
  readonly description: string;
  /**
   * A Grafana unit id: `bytes`, `Bps`, `percent`, `s`, `currencyUSD`, `reqps`, `cps`, `short`,
   * or a custom `suffix: vCPU`.
   */
  readonly unit: string;
  readonly queries: readonly PromQuery[];
  /** Grid columns of 24; default 12. */
  readonly width?: number;
  /** Grid rows (30 px each); default 8. */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** Colour steps above the base colour (green), for utilisation panels. */
  readonly thresholds?: readonly ThresholdStep[];
}

/** A row: a heading and the panels under it, laid out left to right on the 24-column grid. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** A time series panel. */
export function timeSeriesPanel(spec: Omit<PanelSpec, 'kind'>): PanelSpec {
  return { kind: 'timeseries', ...spec };
}

/** A single-value (stat) panel: the last value of each query. */
export function statPanel(spec: Omit<PanelSpec, 'kind'>): PanelSpec {
  return { kind: 'stat', ...spec };
}

/** A row of panels. */
export function row(title: string, panels: readonly PanelSpec[]): RowSpec {
  return { title, panels };
}

/**
 * The label matchers of a task-level series (`ecs_task_*`, `ecs_network_*`, `taskscope_*`):
 * the Prometheus job and the task, which is the agent's scrape target (`instance`). Task
 * identity is no label by default (docs/contract.md, "Metrics"), so cluster and family pick
 * tasks through `ecs_task_metadata_info` in the `instance` variable's query.
 */
export const TASK_SELECTOR = 'job=~"$job", instance=~"$instance"';

/** {@link TASK_SELECTOR} and the container variable, for `ecs_container_*` series. */
export const CONTAINER_SELECTOR = `${TASK_SELECTOR}, container_name=~"$container"`;

/**
 * Grafana's rate window: at least four scrape intervals, so `rate()` always has two samples
 * whatever the zoom (Grafana docs, "Template variables": `$__rate_interval`).
 */
export const RATE_INTERVAL = '$__rate_interval';
