import type { z } from 'zod';
import { WireSchemaError } from './errors.js';
import {
  type ContainerMetadata,
  ContainerMetadataSchema,
  type ContainerStats,
  ContainerStatsSchema,
  type TaskMetadata,
  TaskMetadataSchema,
  type TaskStats,
} from './schemas.js';

/**
 * A stats entry that carries no sample: `null` (v2/v3, Fargate v4), `{}` (EC2 v4) or an
 * object with neither `read` nor `cpu_stats` (EC2 v4 for a container whose first sample
 * has not arrived, which may carry only `network_rate_stats`; research/payloads.md §5).
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

/** One container's stats (`…/stats`); `null` when the entry carries no sample. Throws {@link WireSchemaError}. */
export function parseContainerStats(payload: unknown): ContainerStats | null {
  if (isEmptyStats(payload)) return null;
  return parseWith(ContainerStatsSchema, payload, 'container stats', []);
}

/** The task stats map (`/v2/stats`, `…/task/stats`); throws {@link WireSchemaError} naming the DockerId. */
export function parseTaskStats(payload: unknown): TaskStats {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw schemaError('task stats', [], payload, 'an object mapping DockerId to stats', []);
  }
  // Object.fromEntries defines own properties, so even a key such as "__proto__" stays an
  // entry of the map instead of replacing the result's prototype.
  return Object.fromEntries(
    Object.entries(payload).map(([dockerId, entry]) => [
      dockerId,
      isEmptyStats(entry) ? null : parseWith(ContainerStatsSchema, entry, 'task stats', [dockerId]),
    ]),
  );
}

function parseWith<T extends z.ZodType>(
  schema: T,
  payload: unknown,
  what: string,
  prefix: readonly PropertyKey[],
): z.output<T> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0]!;
  const path = [...prefix, ...first.path];
  const problems = issues.map(
    (issue) => `${dotted([...prefix, ...issue.path])}: ${expectation(issue, valueAt(payload, issue.path))}`,
  );
  const value = valueAt(payload, first.path);
  throw schemaError(what, path, value, expectation(first, value), problems);
}

function schemaError(
  what: string,
  path: readonly PropertyKey[],
  value: unknown,
  expected: string,
  problems: readonly string[],
): WireSchemaError {
  const field = dotted(path);
  const found = value === undefined ? 'missing' : `${preview(value)} (${kindOf(value)})`;
  const where = field === '' ? 'the payload' : `field "${field}"`;
  return new WireSchemaError(
    `${what}: ${where} is ${found}; expected ${expected}`,
    field,
    value,
    expected,
    problems.length > 0 ? problems : [`${field}: ${expected}`],
  );
}

function expectation(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      // JSON.parse turns an overlong literal such as 1e999 into Infinity, which zod rejects.
      if (issue.expected === 'number' && typeof value === 'number') return 'a finite number';
      return issue.expected === 'object'
        ? 'an object'
        : issue.expected === 'array'
          ? 'an array'
          : `a ${issue.expected}`;
    case 'invalid_union':
      return 'a string or a number';
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function preview(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
