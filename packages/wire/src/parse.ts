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

/** Task metadata (`/v2/metadata`, `…/task`, `…/taskWithTags`); throws {@link WireSchemaError}. */
export function parseTaskMetadata(payload: unknown): TaskMetadata {
  return parseWith(TaskMetadataSchema, payload, 'task metadata', []);
}

/** One container's metadata (`/v2/metadata/<id>`, the v3/v4 base URL); throws {@link WireSchemaError}. */
export function parseContainerMetadata(payload: unknown): ContainerMetadata {
  return parseWith(ContainerMetadataSchema, payload, 'container metadata', []);
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
): v.InferOutput<TSchema> {
  const result = safeParseInput(schema, payload);
  if (result.success) return result.output;
  const summary = summarizeIssues(result.issues, payload, prefix, schema);
  throw schemaError(what, summary.path, summary.value, summary.expected, summary.problems);
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
