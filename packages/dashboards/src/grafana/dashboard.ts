import {
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  type GridPos,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeSeriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { parseGrafanaOptions } from '../options.js';
import type { PanelSpec, RowSpec } from './panels.js';
import { defaultRows } from './rows.js';

/** What {@link grafanaDashboard} takes; every field is optional. */
export interface GrafanaDashboardOptions {
  /** Default `taskscope: ECS tasks`. */
  readonly title?: string;
  /**
   * The UID of the Prometheus data source the dashboard opens on (the `datasource` variable's
   * current value); without it Grafana picks the default Prometheus data source.
   */
  readonly datasourceUid?: string;
  /** The dashboard's UID, stable across imports so a re-import updates it. Default `taskscope-ecs`. */
  readonly uid?: string;
  /** The rows; default {@link defaultRows}. Add your own with `row()` and the panel builders. */
  readonly rows?: readonly RowSpec[];
}

/** A panel of the dashboard JSON, as far as this package reads it back. */
export interface GrafanaPanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly {
    readonly expr: string;
    readonly refId: string;
    readonly legendFormat?: string;
  }[];
  readonly fieldConfig?: { readonly defaults: { readonly unit?: string } };
  readonly [key: string]: unknown;
}

/** The dashboard JSON model (schemaVersion 42), for the import API and file provisioning. */
export interface GrafanaDashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly GrafanaPanelJson[];
  readonly templating: { readonly list: readonly Readonly<Record<string, unknown>>[] };
  readonly [key: string]: unknown;
}

/** Every query and panel reads the data source the `datasource` variable holds. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, in the JSON as written.
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

const GRID_COLUMNS = 24;
const DEFAULT_WIDTH = 12;
const DEFAULT_HEIGHT = 8;

/**
 * The taskscope Grafana dashboard: template variables for the data source, the Prometheus
 * job, cluster and family (from `ecs_task_metadata_info`), the task (the agent's scrape
 * target, `instance`) and the container, then the rows. Pure: the same options give the
 * same JSON. Throws a {@link DashboardOptionsError} for a bad title or data source UID.
 */
export function grafanaDashboard(options: GrafanaDashboardOptions = {}): GrafanaDashboardJson {
  const { title, datasourceUid, uid } = parseGrafanaOptions(options);
  const builder = new DashboardBuilder(title)
    .uid(uid)
    .tags(['taskscope', 'ecs', 'fargate'])
    .description(
      'ECS and Fargate tasks from the taskscope agent (ecs_exporter v0.4 metric names): task and container CPU and memory against their limits, network, cost, and the agent’s health.',
    )
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .tooltip(DashboardCursorSync.Crosshair);
  for (const variable of variables(datasourceUid)) builder.withVariable(variable);
  let id = 0;
  let y = 0;
  for (const spec of options.rows ?? defaultRows()) {
    // An expanded row is a row panel with no panels of its own, followed by its panels at
    // the top level (Grafana's dashboard model; only collapsed rows nest their panels).
    builder.withRow(
      new RowBuilder(spec.title).id(++id).collapsed(false).gridPos({ x: 0, y, w: GRID_COLUMNS, h: 1 }),
    );
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const panel of spec.panels) {
      const w = panel.width ?? DEFAULT_WIDTH;
      const h = panel.height ?? DEFAULT_HEIGHT;
      if (x + w > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      builder.withPanel(panelBuilder(panel, ++id, { x, y, w, h }));
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  // Plain JSON: the builders' objects carry marker functions (`_implementsDataqueryVariant`)
  // that serialising drops, and a caller comparing or validating the object must not see.
  return JSON.parse(JSON.stringify(builder.build())) as GrafanaDashboardJson;
}

function panelBuilder(
  spec: PanelSpec,
  id: number,
  gridPos: GridPos,
): TimeSeriesPanelBuilder | StatPanelBuilder {
  const panel =
    spec.kind === 'stat'
      ? new StatPanelBuilder()
      : // The builder's defaults hide the legend; a fleet panel needs it to say which line is which.
        new TimeSeriesPanelBuilder()
          .legend(
            new VizLegendOptionsBuilder()
              .showLegend(true)
              .displayMode(LegendDisplayMode.List)
              .placement(LegendPlacement.Bottom),
          )
          .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  panel
    .id(id)
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .gridPos(gridPos);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.thresholds !== undefined) {
    panel.thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps([
          { value: null, color: 'green' },
          ...spec.thresholds.map((step) => ({ value: step.value, color: step.color })),
        ]),
    );
  }
  spec.queries.forEach((query, index) => {
    panel.withTarget(
      new DataqueryBuilder()
        .datasource(DATASOURCE)
        .expr(query.expr)
        .legendFormat(query.legend)
        // A, B, C…: Grafana's own refIds.
        .refId(String.fromCharCode(65 + index)),
    );
  });
  return panel;
}

/**
 * The template variables. Cluster and family narrow the tasks through
 * `ecs_task_metadata_info`, the one series with task identity; the task variable's options are
 * then the scrape targets (`instance`) of the matching tasks, and every query selects on
 * `instance`. "All" expands to the listed values (no custom all value), so it keeps the
 * cluster and family filter instead of matching every target.
 */
function variables(datasourceUid: string | undefined) {
  const datasource = new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
  if (datasourceUid !== undefined)
    datasource.current({ selected: true, text: datasourceUid, value: datasourceUid });
  const info = 'ecs_task_metadata_info';
  return [
    datasource,
    query('job', 'Job', `label_values(${info}, job)`, false),
    query('cluster', 'Cluster', `label_values(${info}{job=~"$job"}, cluster)`, true),
    query('family', 'Family', `label_values(${info}{job=~"$job", cluster=~"$cluster"}, family)`, true),
    query(
      'instance',
      'Task',
      `label_values(${info}{job=~"$job", cluster=~"$cluster", family=~"$family"}, instance)`,
      true,
    ),
    query(
      'container',
      'Container',
      'label_values(ecs_container_info{job=~"$job", instance=~"$instance"}, container_name)',
      true,
    ),
  ];
}

function query(name: string, label: string, definition: string, multi: boolean): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(definition)
    .definition(definition)
    // On time range change: a task that started within the range appears.
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(multi);
  if (multi) variable.current({ selected: true, text: ['All'], value: ['$__all'] });
  return variable;
}
