import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPromtool } from '@taskscope/test-support';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { dashboard as customPanelExample } from '../examples/custom-panel.ts';
import {
  DashboardOptionsError,
  defaultRows,
  fillVariables,
  grafanaDashboard,
  multiValueRegex,
  queriesOf,
  row,
  statPanel,
  TASK_SELECTOR,
} from '../src/index.ts';
import { contentPanels, layoutFindings, schemaFindings } from './grafana-helpers.ts';

const dashboard = grafanaDashboard();

describe('the taskscope Grafana dashboard', () => {
  test('is the golden JSON', async () => {
    await expect(`${JSON.stringify(dashboard, null, 2)}\n`).toMatchFileSnapshot('__golden__/grafana.json');
  });

  test('validates against the Grafana dashboard, panel and Prometheus query schemas', () => {
    expect(schemaFindings(dashboard)).toEqual([]);
    expect(dashboard.schemaVersion).toBe(42);
  });

  test('the schemas find a broken dashboard (the check can fail)', () => {
    const broken = {
      ...dashboard,
      schemaVersion: 'x',
      panels: [{ ...dashboard.panels[1]!, gridPos: { x: 0 } }],
    };
    expect(schemaFindings(broken as never).length).toBeGreaterThanOrEqual(2);
  });

  test('has the rows and variables the issue asks for', () => {
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Task',
      'Containers',
      'taskscope agent',
    ]);
    expect(dashboard.templating.list.map((v) => [v.name, v.type])).toEqual([
      ['datasource', 'datasource'],
      ['job', 'query'],
      ['cluster', 'query'],
      ['family', 'query'],
      ['instance', 'query'],
      ['container', 'query'],
    ]);
    const variable = (name: string) => dashboard.templating.list.find((v) => v.name === name)!;
    expect(variable('family').definition).toBe(
      'label_values(ecs_task_metadata_info{job=~"$job", cluster=~"$cluster"}, family)',
    );
    expect(variable('instance').definition).toBe(
      'label_values(ecs_task_metadata_info{job=~"$job", cluster=~"$cluster", family=~"$family"}, instance)',
    );
  });

  test('panel ids are unique and the grid has no overlap', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(layoutFindings(dashboard)).toEqual([]);
  });

  test('every panel has a unit, a description, the data source variable and queries', () => {
    for (const panel of contentPanels(dashboard)) {
      expect(panel.fieldConfig?.defaults.unit, panel.title).toMatch(/\S/);
      expect(panel.description, panel.title).toMatch(/^.{40,}$/);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax.
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  test('every counter goes through rate() or increase() over $__rate_interval (cost: over $__range)', () => {
    for (const { panel, expr } of queriesOf(dashboard)) {
      const counters = expr.match(/\b\w+_(?:total|bucket|count)\b/g) ?? [];
      const wrapped =
        expr.match(
          /\b(?:rate|increase)\(\w+_(?:total|bucket|count)\{[^}]*\}\[\$__(?:rate_interval|range)\]\)/g,
        ) ?? [];
      expect(wrapped.length, `${panel.title}: ${expr}`).toBe(counters.length);
      if (expr.includes('[$__range]')) expect(expr).toContain('ecs_task_estimated_cost_dollars_total');
    }
  });

  test('a task-level series divides a container-level one with on(job, instance) group_left', () => {
    for (const { panel, expr } of queriesOf(dashboard)) {
      for (const divisor of expr.split(' / ').slice(1)) {
        if (!divisor.includes('ecs_task_')) continue;
        const left = expr.slice(0, expr.indexOf(divisor));
        // A sum by (job, instance) is task-level itself: one to one.
        const taskLevel = /sum by \(job, instance\) \(/.test(left);
        expect(divisor, `${panel.title}: ${expr}`).toMatch(
          taskLevel ? /^on\(job, instance\) ecs_task_/ : /^on\(job, instance\) group_left ecs_task_/,
        );
      }
    }
    const share = queriesOf(dashboard).find((q) => q.panel.title === "Container CPU % of the task's limit")!;
    expect(share.expr).toBe(
      '100 * (rate(ecs_container_cpu_usage_seconds_total{job=~"$job", instance=~"$instance", container_name=~"$container"}[$__rate_interval]) / on(job, instance) group_left ecs_task_cpu_limit_vcpus{job=~"$job", instance=~"$instance"})',
    );
  });

  test('multi-value variables are filled as Grafana fills them', () => {
    expect(multiValueRegex(['10.0.1.7:9780', 'a|b'])).toBe('(10\\\\.0\\\\.1\\\\.7:9780|a\\\\|b)');
    expect(multiValueRegex(['app'])).toBe('app');
  });

  test('every query, variables filled in, passes promtool check rules as a recording rule', async () => {
    const values = {
      job: 'taskscope',
      instance: multiValueRegex(['10.0.1.7:9780', '10.0.2.9:9780']),
      container: multiValueRegex(['app', 'envoy']),
      rateInterval: '1m',
      range: '6h',
    };
    const rules = queriesOf(dashboard).map((q) => ({
      record: `taskscope:panel_${q.panel.id}_${q.refId.toLowerCase()}`,
      expr: fillVariables(q.expr, values),
    }));
    for (const rule of rules) expect(rule.expr).not.toContain('$');
    const dir = mkdtempSync(join(tmpdir(), 'taskscope-dashboards-'));
    try {
      const file = join(dir, 'panels.rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'panels', rules }] }));
      const { exitCode, output } = await runPromtool(['check', 'rules', file]);
      expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the data source UID becomes the data source variable’s value; the title and UID are the options’', () => {
    const own = grafanaDashboard({ title: 'Fleet', datasourceUid: 'P1809F7CD0C75ACF3', uid: 'fleet' });
    expect(own.title).toBe('Fleet');
    expect(own.uid).toBe('fleet');
    expect(own.templating.list[0]!.current).toEqual({
      selected: true,
      text: 'P1809F7CD0C75ACF3',
      value: 'P1809F7CD0C75ACF3',
    });
    expect(dashboard.templating.list[0]!.current).toBeUndefined();
  });

  test('refuses a data source UID with spaces and an empty title, naming the field', () => {
    expect(() => grafanaDashboard({ datasourceUid: 'my prometheus' })).toThrow(DashboardOptionsError);
    expect(() => grafanaDashboard({ datasourceUid: 'my prometheus' })).toThrow(
      'dashboard options: field "datasourceUid" is "my prometheus" (string); expected a UID of 1 to 40 letters, digits, "-" or "_" (no spaces)',
    );
    expect(() => grafanaDashboard({ title: ' ' })).toThrow(
      /field "title" is " " \(string\); expected a title that is not empty/,
    );
  });

  test('refuses a panel wider than the grid', () => {
    const wide = statPanel({ title: 'wide', description: 'too wide', unit: 'short', width: 25, queries: [] });
    expect(() => grafanaDashboard({ rows: [row('r', [wide])] })).toThrow(
      /field "rows.0.panels.0.width" is 25 \(number\); expected/,
    );
  });

  test('the README example adds its panel after the default rows, with the next id', () => {
    const defaults = grafanaDashboard({ rows: defaultRows() });
    expect(customPanelExample.panels.length).toBe(defaults.panels.length + 2);
    const added = customPanelExample.panels.at(-1)!;
    expect(added.title).toBe('Container RSS');
    expect(added.id).toBe(Math.max(...defaults.panels.map((p) => p.id)) + 2);
    expect(schemaFindings(customPanelExample)).toEqual([]);
    expect(layoutFindings(customPanelExample)).toEqual([]);
  });

  test('any rows of any panel sizes lay out without overlap, ids unique, schema-valid', () => {
    const panel = (width: number, height: number) =>
      statPanel({
        title: `w${width} h${height}`,
        description: 'a panel of a property test',
        unit: 'short',
        width,
        height,
        queries: [{ expr: `up{${TASK_SELECTOR}}`, legend: '{{instance}}' }],
      });
    const sizes = fc.array(fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 12 })), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(fc.array(sizes, { minLength: 1, maxLength: 4 }), (rows) => {
        const built = grafanaDashboard({
          rows: rows.map((panels, index) =>
            row(
              `row ${index}`,
              panels.map(([w, h]) => panel(w, h)),
            ),
          ),
        });
        const ids = built.panels.map((p) => p.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(layoutFindings(built)).toEqual([]);
        expect(schemaFindings(built)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
