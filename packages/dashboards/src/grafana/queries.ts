import type { GrafanaDashboardJson, GrafanaPanelJson } from './dashboard.js';

/** Values for the dashboard's variables, to run its queries outside Grafana (tests, promtool). */
export interface VariableValues {
  readonly job: string;
  /** A regex of scrape targets, as Grafana fills a multi-value variable: `a:9780|b:9780`. */
  readonly instance: string;
  readonly container: string;
  /** What Grafana puts for `$__rate_interval`, e.g. `1m`. */
  readonly rateInterval: string;
  /** What Grafana puts for `$__range`, the time range's length, e.g. `1h`. */
  readonly range: string;
}

/** `expr` with the dashboard's variables replaced, as Grafana sends it to Prometheus. */
export function fillVariables(expr: string, values: VariableValues): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$__range', values.range)
    .replaceAll('$job', values.job)
    .replaceAll('$instance', values.instance)
    .replaceAll('$container', values.container);
}

/**
 * A multi-value variable's values as Grafana's Prometheus data source puts them in a regex
 * matcher: each value's regex characters escaped for a PromQL string (a backslash written
 * twice), joined with `|` in a group (Grafana, public/app/plugins/datasource/prometheus,
 * `prometheusSpecialRegexEscape`).
 */
export function multiValueRegex(values: readonly string[]): string {
  const escaped = values.map((value) =>
    value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&'),
  );
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/** One query of a panel. */
export interface PanelQuery {
  readonly panel: GrafanaPanelJson;
  readonly refId: string;
  readonly expr: string;
}

/** Every query of a dashboard, panel by panel. */
export function queriesOf(dashboard: GrafanaDashboardJson): PanelQuery[] {
  return dashboard.panels
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ panel, refId: target.refId, expr: target.expr })),
    );
}
