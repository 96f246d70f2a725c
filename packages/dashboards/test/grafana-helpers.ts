import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import type { GrafanaDashboardJson, GrafanaPanelJson } from '../src/index.ts';

const SCHEMAS = ['dashboard', 'prometheus', 'timeseries', 'stat'] as const;

function loadSchema(name: (typeof SCHEMAS)[number]): object {
  return JSON.parse(
    readFileSync(new URL(`./schemas/grafana/${name}.jsonschema.json`, import.meta.url), 'utf8'),
  );
}

const ajv = new Ajv({ allErrors: true, strict: false });
// The dashboard's meta block has date-time fields; the dashboards here have none, and ajv
// ships no formats of its own.
ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
for (const name of SCHEMAS) ajv.addSchema(loadSchema(name), name);

function validator(ref: string) {
  const validate = ajv.getSchema(ref);
  if (validate === undefined) throw new Error(`no schema ${ref}`);
  return validate;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

/**
 * Every finding of the Grafana schemas on a dashboard: the dashboard model, then each panel's
 * options and field config by panel type, and each target as a Prometheus query.
 */
export function schemaFindings(dashboard: GrafanaDashboardJson): string[] {
  const findings: string[] = [];
  const check = (ref: string, value: unknown, where: string) => {
    const validate = validator(ref);
    if (!validate(value)) findings.push(...describe(validate.errors).map((line) => `${where}: ${line}`));
  };
  check('dashboard', dashboard, 'dashboard');
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') continue;
    check(`${panel.type}#/definitions/Options`, panel.options, `panel ${panel.id} options`);
    if (panel.type === 'timeseries') {
      const custom = (panel.fieldConfig?.defaults as { custom?: unknown } | undefined)?.custom;
      check('timeseries#/definitions/FieldConfig', custom, `panel ${panel.id} fieldConfig.defaults.custom`);
    }
    for (const target of panel.targets ?? [])
      check('prometheus', target, `panel ${panel.id} target ${target.refId}`);
  }
  return findings;
}

/** The panels that are not rows. */
export function contentPanels(dashboard: GrafanaDashboardJson): GrafanaPanelJson[] {
  return dashboard.panels.filter((panel) => panel.type !== 'row');
}

/** Pairs of panels whose grid rectangles overlap, and panels outside the 24 columns. */
export function layoutFindings(dashboard: GrafanaDashboardJson): string[] {
  const findings: string[] = [];
  const panels = dashboard.panels;
  for (const p of panels) {
    const { x, w } = p.gridPos;
    if (x < 0 || w < 1 || x + w > 24) findings.push(`panel ${p.id} leaves the 24 columns: x ${x}, w ${w}`);
  }
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      const a = panels[i]!.gridPos;
      const b = panels[j]!.gridPos;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        findings.push(`panels ${panels[i]!.id} and ${panels[j]!.id} overlap`);
    }
  }
  return findings;
}
