/**
 * @taskscope/dashboards: dashboards as code for taskscope's metrics. A Grafana dashboard on
 * Prometheus (built with Grafana's foundation SDK behind this package's own panel and row
 * types), a CloudWatch dashboard body on the agent's EMF namespace, the builders both use,
 * and the Prometheus recording and alerting rules. Pure: no I/O.
 */

export {
  type CloudwatchDashboardBody,
  type CloudwatchWidget,
  cloudwatchBodyProblems,
  cloudwatchBodySchema,
  type MetricExpression,
  type MetricRendering,
  type MetricRow,
  type MetricsItem,
  type MetricWidget,
  type MetricWidgetProperties,
  type TextWidget,
  type TextWidgetProperties,
  type YAxisSide,
} from './cloudwatch/body.js';
export {
  type CloudwatchDashboardOptions,
  cloudwatchDashboard,
  containerWidgetSpecs,
  layOut,
  type MetricSource,
  type MetricWidgetSpec,
  metricWidget,
  taskWidgetSpecs,
  textWidget,
  type WidgetMetric,
} from './cloudwatch/dashboard.js';
export {
  type GrafanaDashboardJson,
  type GrafanaDashboardOptions,
  type GrafanaPanelJson,
  grafanaDashboard,
} from './grafana/dashboard.js';
export {
  CONTAINER_SELECTOR,
  type PanelSpec,
  type PromQuery,
  RATE_INTERVAL,
  type RowSpec,
  row,
  statPanel,
  TASK_SELECTOR,
  type ThresholdStep,
  timeSeriesPanel,
} from './grafana/panels.js';
export {
  fillVariables,
  multiValueRegex,
  type PanelQuery,
  queriesOf,
  type VariableValues,
} from './grafana/queries.js';
export { agentRow, containersRow, defaultRows, panelsOf, taskRow, VCPU_UNIT } from './grafana/rows.js';
export {
  DASHBOARDS_ERROR_CODES,
  DashboardOptionsError,
  DEFAULT_GRAFANA_TITLE,
  DEFAULT_GRAFANA_UID,
  DEFAULT_NAMESPACE,
  DIMENSION_VALUE_WORDS,
  isDimensionValue,
  isGrafanaUid,
  isNamespace,
  isRegion,
  isTitle,
  NAMESPACE_WORDS,
  OPTION_RULES,
  REGION_WORDS,
  type TextRule,
  TITLE_WORDS,
  UID_WORDS,
} from './options.js';
export * as promql from './promql.js';
export {
  type AlertingRule,
  alertingRules,
  prometheusRules,
  prometheusRulesYaml,
  type RecordingRule,
  type RuleGroup,
  type RulesFile,
  recordingRules,
} from './rules.js';
