import { inputErrorClass, problemsOf, safeParseInput } from '@taskscope/input';
import * as v from 'valibot';

/** Every code this package raises. Stable: branch on `code`, never on the message. */
export const DASHBOARDS_ERROR_CODES = ['DASHBOARD_OPTIONS'] as const;

/** Options a builder cannot use: an empty title, a data source UID with spaces, a region that is none. */
export class DashboardOptionsError extends inputErrorClass(
  'DashboardOptionsError',
  'DASHBOARD_OPTIONS',
  'dashboard options',
) {}

export const DEFAULT_GRAFANA_TITLE = 'taskscope: ECS tasks';
export const DEFAULT_GRAFANA_UID = 'taskscope-ecs';
/** The agent's EMF namespace unless `--emf-namespace` says otherwise (docs/contract.md, "CloudWatch"). */
export const DEFAULT_NAMESPACE = 'ECS/Taskscope';

/** Grafana's UIDs: "up to 40 characters, letters, digits, - and _" (Grafana HTTP API, data source and dashboard UIDs). */
const UID = /^[A-Za-z0-9_-]{1,40}$/;
export const UID_WORDS = 'a UID of 1 to 40 letters, digits, "-" or "_" (no spaces)';
export function isGrafanaUid(text: string): boolean {
  return UID.test(text);
}

export const TITLE_WORDS = 'a title that is not empty';
export function isTitle(text: string): boolean {
  return text.trim() !== '';
}

/**
 * AWS region names (`us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`,
 * `us-iso-east-1`): two letters, an optional partition word, a direction and a number.
 */
export const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const REGION_WORDS = 'an AWS region name such as "us-east-1"';
export function isRegion(text: string): boolean {
  return REGION_PATTERN.test(text);
}

/**
 * CloudWatch namespaces: 1 to 255 characters of letters, digits and `. - _ / # : `, not
 * starting with `AWS/` (CloudWatch API reference, PutMetricData `Namespace`).
 */
const NAMESPACE = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;
export const NAMESPACE_WORDS =
  'a CloudWatch namespace: 1 to 255 letters, digits, spaces or . - _ / # :, not starting with "AWS/" (such as "ECS/Taskscope")';
export function isNamespace(text: string): boolean {
  return NAMESPACE.test(text) && text.trim() !== '' && !text.startsWith('AWS/');
}

/** Dimension values (cluster, family): 1 to 1024 characters, none of them control characters (CloudWatch `Dimension.Value`). */
const DIMENSION_VALUE = /^[^\p{Cc}]{1,1024}$/u;
export const DIMENSION_VALUE_WORDS = 'a name of 1 to 1024 characters (no control characters)';
export function isDimensionValue(text: string): boolean {
  return DIMENSION_VALUE.test(text) && text.trim() !== '';
}

/** What a text option accepts and, in words, what is allowed: for a command line's own parsers. */
export interface TextRule {
  readonly accepts: (text: string) => boolean;
  readonly allowed: string;
}

/** The text options of both builders, by option name (`cluster` and `family` are dimension values). */
export const OPTION_RULES = {
  title: { accepts: isTitle, allowed: TITLE_WORDS },
  datasourceUid: { accepts: isGrafanaUid, allowed: UID_WORDS },
  namespace: { accepts: isNamespace, allowed: NAMESPACE_WORDS },
  region: { accepts: isRegion, allowed: REGION_WORDS },
  cluster: { accepts: isDimensionValue, allowed: DIMENSION_VALUE_WORDS },
  family: { accepts: isDimensionValue, allowed: DIMENSION_VALUE_WORDS },
} as const satisfies Readonly<Record<string, TextRule>>;

const text = (rule: TextRule) => v.pipe(v.string(rule.allowed), v.check(rule.accepts, rule.allowed));

const grafanaOptionsSchema = v.object({
  title: v.optional(text(OPTION_RULES.title)),
  datasourceUid: v.optional(text(OPTION_RULES.datasourceUid)),
  uid: v.optional(text(OPTION_RULES.datasourceUid)),
  rows: v.optional(
    v.array(
      v.looseObject({
        title: v.string(),
        // The grid is 24 columns wide; a wider panel would overlap the next line.
        panels: v.array(
          v.looseObject({
            width: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24))),
            height: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
          }),
        ),
      }),
    ),
  ),
});

const cloudwatchOptionsSchema = v.object({
  namespace: v.optional(text(OPTION_RULES.namespace)),
  region: text(OPTION_RULES.region),
  cluster: v.optional(text(OPTION_RULES.cluster)),
  family: v.optional(text(OPTION_RULES.family)),
  title: v.optional(text(OPTION_RULES.title)),
  containerWidgets: v.optional(v.boolean()),
});

function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = safeParseInput(schema, input);
  if (!result.success) throw new DashboardOptionsError(problemsOf(result.issues, input, [], schema));
  return result.output;
}

/** The Grafana options, checked, with the defaults filled in. */
export function parseGrafanaOptions(options: unknown): {
  title: string;
  datasourceUid: string | undefined;
  uid: string;
} {
  const parsed = parse(grafanaOptionsSchema, options);
  return {
    title: parsed.title ?? DEFAULT_GRAFANA_TITLE,
    datasourceUid: parsed.datasourceUid,
    uid: parsed.uid ?? DEFAULT_GRAFANA_UID,
  };
}

/** The CloudWatch options, checked, with the defaults filled in. */
export function parseCloudwatchOptions(options: unknown): {
  namespace: string;
  region: string;
  cluster: string | undefined;
  family: string | undefined;
  title: string | undefined;
  containerWidgets: boolean;
} {
  const parsed = parse(cloudwatchOptionsSchema, options);
  if (parsed.family !== undefined && parsed.cluster === undefined) {
    // The EMF dimension sets are [ClusterName] and [ClusterName, TaskDefinitionFamily]: no
    // metric has the family without the cluster.
    throw new DashboardOptionsError([
      { field: 'cluster', value: undefined, allowed: 'a cluster name whenever a family is given' },
    ]);
  }
  return {
    namespace: parsed.namespace ?? DEFAULT_NAMESPACE,
    region: parsed.region,
    cluster: parsed.cluster,
    family: parsed.family,
    title: parsed.title,
    containerWidgets: parsed.containerWidgets ?? true,
  };
}
