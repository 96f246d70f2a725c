import { describeFound, safeParseInput, summarizeIssues } from '@taskscope/input';
import type * as v from 'valibot';
import { type Check, checkOf } from './check.js';
import { type WirePayloadKind, WireSchemaError } from './errors.js';
import {
  type ContainerMetadata,
  ContainerMetadataSchema,
  type ContainerStats,
  ContainerStatsSchema,
  type Loose,
  type TaskMetadata,
  TaskMetadataSchema,
  type TaskStats,
} from './schemas.js';

/**
 * A stats entry that carries no sample: `null` (v2/v3, Fargate v4), `{}` (EC2 v4) or an
 * object with neither `read` nor `cpu_stats` (EC2 v4 for a container whose first sample
 * has not arrived, which may carry only `network_rate_stats`; docs/endpoint.md §5).
 */
export function isEmptyStats(entry: unknown): boolean {
  if (entry === null || entry === undefined) return true;
  if (typeof entry !== 'object' || Array.isArray(entry)) return false;
  return !('read' in entry) && !('cpu_stats' in entry);
}

/**
 * A field left out of a parsed payload because it did not have its shape, while the rest of
 * the payload was kept (see {@link parseTaskMetadata}).
 */
export interface WireFieldIssue {
  readonly payload: WirePayloadKind;
  /** Dotted path of the field left out, relative to the payload's root. */
  readonly path: string;
  /** The value found there. */
  readonly value: unknown;
  /** What the field allows, in words. */
  readonly expected: string;
  /** `task metadata: field "Containers.1.Health.exitCode" is "1" (string); expected a number; left out`. */
  readonly message: string;
}

export interface MetadataParseOptions {
  /** Told of each field left out, in payload order; without it they are left out silently. */
  readonly onFieldIssue?: (issue: WireFieldIssue) => void;
}

/*
 * Fields whose problems cost only themselves. Nothing computed depends on a container's
 * health check, and a poll must not be lost to one of its keys: a bad key of `Health` is left
 * out, and so is a `Health` that is no object. Everything else still fails the payload. `*`
 * stands for any key; the longest pattern that fits an issue's path is the part left out.
 */
type PathPattern = readonly PropertyKey[];
const CONTAINER_LENIENT: readonly PathPattern[] = [['Health', '*'], ['Health']];
const TASK_LENIENT: readonly PathPattern[] = CONTAINER_LENIENT.map((pattern) => [
  'Containers',
  '*',
  ...pattern,
]);

/**
 * Task metadata (`/v2/metadata`, `…/task`, `…/taskWithTags`); throws {@link WireSchemaError}.
 * A bad key of a container's `Health` is left out instead (`options.onFieldIssue` is told).
 */
export function parseTaskMetadata(payload: unknown, options: MetadataParseOptions = {}): TaskMetadata {
  return parseWith(TaskMetadataSchema, payload, 'task metadata', [], TASK_LENIENT, options);
}

/**
 * One container's metadata (`/v2/metadata/<id>`, the v3/v4 base URL); throws {@link WireSchemaError}.
 * A bad key of `Health` is left out instead (`options.onFieldIssue` is told).
 */
export function parseContainerMetadata(
  payload: unknown,
  options: MetadataParseOptions = {},
): ContainerMetadata {
  return parseWith(ContainerMetadataSchema, payload, 'container metadata', [], CONTAINER_LENIENT, options);
}

// Compiled at import, so a schema the predicate cannot mirror fails the first test that loads it.
const isContainerStats = checkOf(ContainerStatsSchema);

/** One container's stats (`…/stats`); `null` when the entry carries no sample. Throws {@link WireSchemaError}. */
export function parseContainerStats(payload: unknown): ContainerStats | null {
  if (isEmptyStats(payload)) return null;
  return checkWith(ContainerStatsSchema, isContainerStats, payload, 'container stats', []);
}

/** The task stats map (`/v2/stats`, `…/task/stats`); throws {@link WireSchemaError} naming the DockerId. */
export function parseTaskStats(payload: unknown): TaskStats {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw schemaError('task stats', '', payload, 'an object mapping DockerId to stats', []);
  }
  // Object.fromEntries defines own properties, so even a key such as "__proto__" stays an
  // entry of the map instead of replacing the result's prototype.
  return Object.fromEntries(
    Object.entries(payload).map(([dockerId, entry]) => [
      dockerId,
      isEmptyStats(entry)
        ? null
        : checkWith(ContainerStatsSchema, isContainerStats, entry, 'task stats', [dockerId]),
    ]),
  );
}

function parseWith<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  payload: unknown,
  what: WirePayloadKind,
  prefix: readonly PropertyKey[],
  lenient: readonly PathPattern[] = [],
  options: MetadataParseOptions = {},
): v.InferOutput<TSchema> {
  const result = safeParseInput(schema, payload);
  if (result.success) return result.output;
  const fatal = result.issues.filter((issue) => lenientPart(issue, lenient) === undefined);
  if (fatal.length > 0) {
    // Only the problems that cost the payload are its error; the lenient ones would not have.
    const summary = summarizeIssues(fatal, payload, prefix, schema);
    throw schemaError(what, summary.path, summary.value, summary.expected, summary.problems);
  }
  // Every problem is in a lenient part: parse again without those parts. The happy path
  // never gets here, so it costs nothing.
  const issues = new Map<string, WireFieldIssue>();
  let patched = payload;
  for (const issue of result.issues) {
    const part = lenientPart(issue, lenient)!;
    const path = [...prefix, ...part].map(String).join('.');
    if (issues.has(path)) continue;
    const { value, expected } = summarizeIssues([issue], payload, prefix, schema);
    issues.set(path, {
      payload: what,
      path,
      value,
      expected,
      message: `${what}: field "${path}" is ${describeFound(value)}; expected ${expected}; left out`,
    });
    patched = without(patched, part);
  }
  const output = parseWith(schema, patched, what, prefix);
  for (const issue of issues.values()) options.onFieldIssue?.(issue);
  return output;
}

/** The part of the payload to leave out for `issue`: the longest lenient pattern that fits its path. */
function lenientPart(
  issue: v.BaseIssue<unknown>,
  lenient: readonly PathPattern[],
): readonly PropertyKey[] | undefined {
  const path = (issue.path ?? []).map((item) => item.key as PropertyKey);
  let best: readonly PropertyKey[] | undefined;
  for (const pattern of lenient) {
    if (pattern.length > path.length || (best !== undefined && pattern.length <= best.length)) continue;
    if (pattern.every((key, i) => key === '*' || key === path[i])) best = path.slice(0, pattern.length);
  }
  return best;
}

/** A copy of `value` without the key at `path`, copying only the objects along the path. */
function without(value: unknown, path: readonly PropertyKey[]): unknown {
  if (value === null || typeof value !== 'object' || path.length === 0) return value;
  const [key, ...rest] = path as [PropertyKey, ...PropertyKey[]];
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<PropertyKey, unknown>;
  if (rest.length === 0) delete copy[key];
  else copy[key] = without(copy[key], rest);
  return copy;
}

/**
 * Like parseWith, but returns the payload itself, typed, instead of valibot's output: for the
 * stats schemas, which check without copying (schemas.ts) and transform nothing. The compiled
 * predicate (check.ts) answers for a payload that passes; valibot runs only to describe one
 * that does not.
 */
function checkWith<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  passes: Check,
  payload: unknown,
  what: WirePayloadKind,
  prefix: readonly PropertyKey[],
): Loose<v.InferOutput<TSchema>> {
  if (!passes(payload)) parseWith(schema, payload, what, prefix);
  return payload as Loose<v.InferOutput<TSchema>>;
}

function schemaError(
  what: WirePayloadKind,
  field: string,
  value: unknown,
  expected: string,
  problems: readonly string[],
): WireSchemaError {
  const where = field === '' ? 'the payload' : `field "${field}"`;
  return new WireSchemaError(
    `${what}: ${where} is ${describeFound(value)}; expected ${expected}`,
    field,
    value,
    expected,
    problems.length > 0 ? problems : [`${field}: ${expected}`],
    what,
  );
}
