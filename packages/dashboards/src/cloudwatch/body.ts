import { type Problem, problemsOf, safeParseInput } from '@taskscope/input';
import * as v from 'valibot';
import { REGION_PATTERN, REGION_WORDS } from '../options.js';

/*
 * The subset of a CloudWatch dashboard body this package writes, typed from "Dashboard Body
 * Structure and Syntax" (CloudWatch API Reference,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 * AWS publishes no schema and validates bodies only in PutDashboard (its
 * DashboardValidationMessages), so the schema below is what tests check the output against.
 */

/** A metric's rendering options, the last item of a metric array. */
export interface MetricRendering {
  /** Starts with a lower-case letter; letters, digits and `_` ("id": "must start with a lowercase letter"). */
  readonly id?: string;
  readonly label?: string;
  readonly color?: string;
  readonly stat?: string;
  readonly period?: number;
  readonly visible?: boolean;
  readonly yAxis?: 'left' | 'right';
}

/**
 * `[Namespace, MetricName, DimensionName, DimensionValue, …, rendering?]`; `"."` repeats the
 * token at the same position of the previous array.
 */
export type MetricRow = readonly (string | MetricRendering)[];

/** A math or SEARCH expression: the array's only item. */
export interface MetricExpression {
  readonly expression: string;
  readonly id: string;
  readonly label?: string;
  readonly period?: number;
}

export type MetricsItem = MetricRow | readonly [MetricExpression];

export interface YAxisSide {
  readonly min?: number;
  readonly max?: number;
  readonly label?: string;
  readonly showUnits?: boolean;
}

export interface MetricWidgetProperties {
  readonly metrics: readonly MetricsItem[];
  /** Required on every metric widget. */
  readonly region: string;
  readonly title?: string;
  readonly view?: 'timeSeries' | 'singleValue' | 'gauge' | 'bar' | 'pie' | 'table';
  readonly stacked?: boolean;
  readonly stat?: string;
  /** Seconds, a multiple of 60 (default 300). */
  readonly period?: number;
  readonly yAxis?: { readonly left?: YAxisSide; readonly right?: YAxisSide };
  readonly legend?: { readonly position: 'right' | 'bottom' | 'hidden' };
}

export interface TextWidgetProperties {
  readonly markdown: string;
  readonly background?: 'solid' | 'transparent';
}

interface Placed {
  /** Column of the 24-column grid, 0 to 23. */
  readonly x: number;
  readonly y: number;
  /** 1 to 24 columns. */
  readonly width: number;
  /** 1 to 1000 grid units. */
  readonly height: number;
}

export interface MetricWidget extends Placed {
  readonly type: 'metric';
  readonly properties: MetricWidgetProperties;
}

export interface TextWidget extends Placed {
  readonly type: 'text';
  readonly properties: TextWidgetProperties;
}

export type CloudwatchWidget = MetricWidget | TextWidget;

export interface CloudwatchDashboardBody {
  /** 0 to 500 widgets. */
  readonly widgets: readonly CloudwatchWidget[];
  /** Relative (`-PT3H`) or ISO 8601. */
  readonly start?: string;
  readonly periodOverride?: 'auto' | 'inherit';
}

const METRIC_ID = /^[a-z][A-Za-z0-9_]*$/;
const ID_WORDS = 'an id starting with a lower-case letter, then letters, digits or "_"';
const STATISTIC = /^(?:SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(?:\.\d+)?)$/;
const STAT_WORDS = 'SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99';
const GRID_COLUMNS = 24;

const integer = (min: number, max: number) =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const period = v.pipe(
  v.number(),
  v.integer(),
  v.check((seconds) => seconds >= 60 && seconds % 60 === 0, 'a period in seconds, a multiple of 60'),
);
const id = v.pipe(v.string(), v.regex(METRIC_ID, ID_WORDS));
const stat = v.pipe(v.string(), v.regex(STATISTIC, STAT_WORDS));

const renderingSchema = v.strictObject({
  id: v.optional(id),
  label: v.optional(v.string()),
  color: v.optional(v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as "#1f77b4"'))),
  stat: v.optional(stat),
  period: v.optional(period),
  visible: v.optional(v.boolean()),
  yAxis: v.optional(v.picklist(['left', 'right'])),
});

const expressionSchema = v.strictObject({
  expression: v.pipe(v.string(), v.minLength(1)),
  id,
  label: v.optional(v.string()),
  period: v.optional(period),
});

/** Namespace, name, then dimension name-value pairs: an even count of strings, the rendering last. */
const metricRowSchema = v.pipe(
  v.array(v.union([v.pipe(v.string(), v.minLength(1)), renderingSchema])),
  v.check((row) => {
    const last = row.at(-1);
    const tokens = typeof last === 'object' ? row.slice(0, -1) : row;
    return (
      tokens.length >= 2 && tokens.length % 2 === 0 && tokens.every((token) => typeof token === 'string')
    );
  }, 'a namespace, a metric name and dimension name-value pairs, then at most one rendering object'),
);

const metricsItemSchema = v.union([v.tuple([expressionSchema]), metricRowSchema]);

/**
 * `"."` repeats the previous array's token at the same position, so the first metric array
 * may hold none, and a later one only where the previous one has a token.
 */
function repetitionsResolve(metrics: readonly MetricsItem[]): boolean {
  let previous: readonly string[] | undefined;
  for (const item of metrics) {
    if (item.length === 1 && typeof item[0] === 'object') {
      previous = undefined;
      continue;
    }
    const tokens = item.filter((token): token is string => typeof token === 'string');
    const resolved = tokens.map((token, index) => (token === '.' ? previous?.[index] : token));
    if (resolved.some((token) => token === undefined)) return false;
    previous = resolved as string[];
  }
  return true;
}

function idsUnique(metrics: readonly MetricsItem[]): boolean {
  const ids = metrics.flatMap((item) =>
    item.flatMap((token) => (typeof token === 'object' && token.id !== undefined ? [token.id] : [])),
  );
  return new Set(ids).size === ids.length;
}

const ySideSchema = v.strictObject({
  min: v.optional(v.number()),
  max: v.optional(v.number()),
  label: v.optional(v.string()),
  showUnits: v.optional(v.boolean()),
});

const metricPropertiesSchema = v.strictObject({
  metrics: v.pipe(
    v.array(metricsItemSchema),
    v.maxLength(500),
    v.check(
      (metrics) => repetitionsResolve(metrics),
      'metric arrays whose "." each repeat a token of the previous array',
    ),
    v.check((metrics) => idsUnique(metrics), 'metric ids unique within the widget'),
  ),
  region: v.pipe(v.string(), v.regex(REGION_PATTERN, REGION_WORDS)),
  title: v.optional(v.string()),
  view: v.optional(v.picklist(['timeSeries', 'singleValue', 'gauge', 'bar', 'pie', 'table'])),
  stacked: v.optional(v.boolean()),
  stat: v.optional(stat),
  period: v.optional(period),
  yAxis: v.optional(v.strictObject({ left: v.optional(ySideSchema), right: v.optional(ySideSchema) })),
  legend: v.optional(v.strictObject({ position: v.picklist(['right', 'bottom', 'hidden']) })),
});

const placed = {
  x: integer(0, GRID_COLUMNS - 1),
  y: integer(0, Number.MAX_SAFE_INTEGER),
  width: integer(1, GRID_COLUMNS),
  height: integer(1, 1000),
};

const widgetSchema = v.pipe(
  v.variant('type', [
    v.strictObject({ type: v.literal('metric'), ...placed, properties: metricPropertiesSchema }),
    v.strictObject({
      type: v.literal('text'),
      ...placed,
      properties: v.strictObject({
        markdown: v.pipe(v.string(), v.minLength(1)),
        background: v.optional(v.picklist(['solid', 'transparent'])),
      }),
    }),
  ]),
  v.check(
    (widget) => widget.x + widget.width <= GRID_COLUMNS,
    'a widget inside the 24 columns (x + width ≤ 24)',
  ),
);

/** The valibot schema of the body subset: the 24-column grid, a region on every metric widget, lower-case ids. */
export const cloudwatchBodySchema = v.strictObject({
  widgets: v.pipe(v.array(widgetSchema), v.maxLength(500)),
  start: v.optional(v.string()),
  periodOverride: v.optional(v.picklist(['auto', 'inherit'])),
});

/** What is wrong with `body` as a dashboard body of the subset, in the project's problem shape; empty when nothing is. */
export function cloudwatchBodyProblems(body: unknown): Problem[] {
  const result = safeParseInput(cloudwatchBodySchema, body);
  return result.success ? [] : problemsOf(result.issues, body, [], cloudwatchBodySchema);
}
