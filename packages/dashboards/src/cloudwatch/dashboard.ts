import { parseCloudwatchOptions } from '../options.js';
import type {
  CloudwatchDashboardBody,
  CloudwatchWidget,
  MetricRendering,
  MetricsItem,
  MetricWidget,
  MetricWidgetProperties,
  TextWidget,
  YAxisSide,
} from './body.js';

/** What {@link cloudwatchDashboard} takes. */
export interface CloudwatchDashboardOptions {
  /** The region of the metrics; every metric widget names it. */
  readonly region: string;
  /** The agent's `--emf-namespace`; default `ECS/Taskscope`. */
  readonly namespace?: string;
  /** The `ClusterName` dimension's value; without it the widgets show every cluster, one line each. */
  readonly cluster?: string;
  /** The `TaskDefinitionFamily` dimension's value (needs `cluster`). */
  readonly family?: string;
  /** The text widget's heading; default names the namespace and the selection. */
  readonly title?: string;
  /** The per-container widgets (filled when the agent runs with `--emf-container-metrics`); default true. */
  readonly containerWidgets?: boolean;
}

/** One line of a widget: the metric and the id and label it is drawn with. */
export interface WidgetMetric {
  readonly name: string;
  readonly id: string;
  readonly label: string;
}

/** A metric widget of the EMF metrics: what it shows, its statistic and its left axis. */
export interface MetricWidgetSpec {
  readonly title: string;
  readonly metrics: readonly WidgetMetric[];
  /** Default `Average`. */
  readonly stat?: string;
  readonly yAxis?: YAxisSide;
  /** Grid columns of 24; default 12. */
  readonly width?: number;
  /** Default 6. */
  readonly height?: number;
}

/** Where a widget's metrics live: the namespace, the dimensions they are selected by, the region. */
export interface MetricSource {
  readonly namespace: string;
  readonly region: string;
  /** Dimension name-value pairs every metric has, e.g. `[["ClusterName", "prod"]]`. */
  readonly dimensions: readonly (readonly [string, string])[];
  /**
   * Dimension names to SEARCH over when `dimensions` does not pin them (every cluster, every
   * container): each matching combination is one line.
   */
  readonly searchDimensions: readonly string[];
}

/** EMF events are written once a refresh (about 10 s on Fargate); a minute is CloudWatch's finest standard period. */
const PERIOD_SECONDS = 60;
const GRID_COLUMNS = 24;

/**
 * A metric widget. Pinned dimensions give explicit metric arrays, the second and later
 * repeating namespace and dimensions with `"."`; dimensions to search over give one SEARCH
 * expression a metric, with each match its own line.
 */
export function metricWidget(
  spec: MetricWidgetSpec,
  source: MetricSource,
  position: { readonly x: number; readonly y: number },
): MetricWidget {
  const stat = spec.stat ?? 'Average';
  const metrics: MetricsItem[] =
    source.searchDimensions.length === 0
      ? spec.metrics.map((metric, index) => {
          const dimensions = source.dimensions.flat();
          const rendering: MetricRendering = { id: metric.id, label: metric.label };
          return index === 0
            ? [source.namespace, metric.name, ...dimensions, rendering]
            : ['.', metric.name, ...dimensions.map(() => '.'), rendering];
        })
      : spec.metrics.map((metric) => [
          { expression: searchExpression(metric.name, source, stat), id: metric.id, label: metric.label },
        ]);
  const properties: MetricWidgetProperties = {
    title: spec.title,
    region: source.region,
    view: 'timeSeries',
    stacked: false,
    stat,
    period: PERIOD_SECONDS,
    metrics,
    ...(spec.yAxis === undefined ? {} : { yAxis: { left: spec.yAxis } }),
  };
  return {
    type: 'metric',
    x: position.x,
    y: position.y,
    width: spec.width ?? 12,
    height: spec.height ?? 6,
    properties,
  };
}

/** A search string's quoted token: CloudWatch search escapes `"` and `\` with a backslash. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * `SEARCH('{"NS",Dim1,Dim2} MetricName="X" Dim1="v"', 'Average', 60)`: the schema in braces
 * matches the metrics with exactly those dimensions (CloudWatch "Search expression syntax").
 */
function searchExpression(metricName: string, source: MetricSource, stat: string): string {
  const names = [...source.dimensions.map(([name]) => name), ...source.searchDimensions];
  const schema = `{${[quoted(source.namespace), ...names].join(',')}}`;
  const terms = [
    `MetricName=${quoted(metricName)}`,
    ...source.dimensions.map(([n, value]) => `${n}=${quoted(value)}`),
  ];
  // Single quotes delimit the search string inside the expression.
  const search = `${schema} ${terms.join(' ')}`.replace(/'/g, "\\'");
  return `SEARCH('${search}', '${stat}', ${PERIOD_SECONDS})`;
}

/** The task widgets: Container Insights' task metrics, as the agent's Task events carry them. */
export function taskWidgetSpecs(): MetricWidgetSpec[] {
  return [
    {
      title: 'Task CPU: utilized and reserved (CPU units, 1024 = 1 vCPU)',
      metrics: [
        { name: 'CpuUtilized', id: 'cpu_utilized', label: 'utilized' },
        { name: 'CpuReserved', id: 'cpu_reserved', label: 'reserved' },
      ],
      yAxis: { min: 0, label: 'CPU units', showUnits: false },
    },
    {
      title: 'Task memory: utilized and reserved (MiB)',
      metrics: [
        { name: 'MemoryUtilized', id: 'memory_utilized', label: 'utilized' },
        { name: 'MemoryReserved', id: 'memory_reserved', label: 'reserved' },
      ],
      yAxis: { min: 0, label: 'MiB', showUnits: false },
    },
    {
      title: 'Task CPU and memory utilization (% of the task limits)',
      metrics: [
        { name: 'CpuUtilization', id: 'cpu_utilization', label: 'CPU' },
        { name: 'MemoryUtilization', id: 'memory_utilization', label: 'memory' },
      ],
      yAxis: { min: 0, max: 100, label: '%', showUnits: false },
    },
    {
      title: 'Task network (bytes/s, the whole task)',
      metrics: [
        { name: 'NetworkRxBytes', id: 'network_rx', label: 'received' },
        { name: 'NetworkTxBytes', id: 'network_tx', label: 'transmitted' },
      ],
      yAxis: { min: 0 },
    },
    {
      title: 'Task storage (bytes read and written per minute)',
      metrics: [
        { name: 'StorageReadBytes', id: 'storage_read', label: 'read' },
        { name: 'StorageWriteBytes', id: 'storage_write', label: 'written' },
      ],
      // Each event carries the bytes of its interval: a minute's sum is the minute's bytes.
      stat: 'Sum',
      yAxis: { min: 0 },
    },
  ];
}

/** The per-container widgets: the agent's Container events (`--emf-container-metrics`). */
export function containerWidgetSpecs(): MetricWidgetSpec[] {
  return [
    {
      title: 'Container CPU (CPU units, 1024 = 1 vCPU)',
      metrics: [{ name: 'ContainerCpuUtilized', id: 'container_cpu', label: '' }],
      yAxis: { min: 0, label: 'CPU units', showUnits: false },
    },
    {
      title: 'Container memory utilized (MiB)',
      metrics: [{ name: 'ContainerMemoryUtilized', id: 'container_memory', label: '' }],
      yAxis: { min: 0, label: 'MiB', showUnits: false },
    },
    {
      title: 'Container memory utilization (% of its limit)',
      metrics: [{ name: 'ContainerMemoryUtilization', id: 'container_memory_pct', label: '' }],
      yAxis: { min: 0, max: 100, label: '%', showUnits: false },
    },
  ];
}

/** A full-width text widget. */
export function textWidget(markdown: string, y: number, height = 3): TextWidget {
  return { type: 'text', x: 0, y, width: GRID_COLUMNS, height, properties: { markdown } };
}

/**
 * Widgets laid out left to right on the 24-column grid from row `y`, wrapping to a new line
 * where the next does not fit.
 */
export function layOut(
  specs: readonly MetricWidgetSpec[],
  source: MetricSource,
  y: number,
): { widgets: MetricWidget[]; nextY: number } {
  const widgets: MetricWidget[] = [];
  let x = 0;
  let lineHeight = 0;
  for (const spec of specs) {
    const width = spec.width ?? 12;
    if (x + width > GRID_COLUMNS) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    widgets.push(metricWidget(spec, source, { x, y }));
    x += width;
    lineHeight = Math.max(lineHeight, spec.height ?? 6);
  }
  return { widgets, nextY: y + lineHeight };
}

/**
 * The taskscope CloudWatch dashboard body for `aws cloudwatch put-dashboard --dashboard-body`:
 * the agent's EMF metrics (Container Insights names) on its dimension sets, `[ClusterName]`
 * or `[ClusterName, TaskDefinitionFamily]` for the task, `[ClusterName,
 * TaskDefinitionFamily, ContainerName]` per container. Pure; throws a
 * {@link DashboardOptionsError} for an empty namespace, a region that is none, or a family
 * without a cluster.
 */
export function cloudwatchDashboard(options: CloudwatchDashboardOptions): CloudwatchDashboardBody {
  const { namespace, region, cluster, family, title, containerWidgets } = parseCloudwatchOptions(options);
  const pinned: (readonly [string, string])[] = [];
  if (cluster !== undefined) pinned.push(['ClusterName', cluster]);
  if (family !== undefined) pinned.push(['TaskDefinitionFamily', family]);
  const taskSource: MetricSource = {
    namespace,
    region,
    dimensions: pinned,
    searchDimensions: cluster === undefined ? ['ClusterName'] : [],
  };
  const containerSource: MetricSource = {
    namespace,
    region,
    dimensions: pinned,
    searchDimensions: [
      ...(cluster === undefined ? ['ClusterName'] : []),
      ...(family === undefined ? ['TaskDefinitionFamily'] : []),
      'ContainerName',
    ],
  };
  const selection =
    cluster === undefined
      ? 'every cluster, one line each'
      : family === undefined
        ? `cluster \`${cluster}\``
        : `cluster \`${cluster}\`, task family \`${family}\``;
  const markdown = [
    `# ${title ?? `taskscope: ECS tasks (${namespace})`}`,
    `The taskscope agent's Embedded Metric Format metrics in \`${namespace}\` (${region}), for ${selection}, with Container Insights' names and units: CPU in CPU units (1024 = 1 vCPU) and memory in MiB, utilized against reserved (the task's limits from task metadata); memory utilized is usage minus page cache.${
      containerWidgets
        ? ' The container widgets fill only when the agent runs with `--emf-container-metrics`.'
        : ''
    }`,
  ].join('\n\n');
  const widgets: CloudwatchWidget[] = [textWidget(markdown, 0)];
  const task = layOut(taskWidgetSpecs(), taskSource, 3);
  widgets.push(...task.widgets);
  if (containerWidgets) widgets.push(...layOut(containerWidgetSpecs(), containerSource, task.nextY).widgets);
  return { start: '-PT3H', periodOverride: 'auto', widgets };
}
