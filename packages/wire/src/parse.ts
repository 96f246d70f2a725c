import { describeFound, safeParseInput, summarizeIssues } from '@taskscope/input';
import type * as v from 'valibot';
import { checkOf } from './check.js';
import { type WirePayloadKind, WireSchemaError } from './errors.js';
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
  /**
   * Dotted path of the part left out, relative to the payload's root: the bad field itself,
   * or the smallest part that contains it and must go with it (a whole blkio list for one bad
   * entry, a whole interface for one bad counter; see STATS_LENIENT). Stable from one poll to
   * the next, so it is what a caller says once.
   */
  readonly path: string;
  /** Dotted path of the bad field itself (equal to `path` or inside it). */
  readonly field: string;
  /** The value found at `field`. */
  readonly value: unknown;
  /** What `field` allows, in words. */
  readonly expected: string;
  /**
   * What it cost: `field`, the part at `path` only; `sample`, the container's whole sample
   * (its stats entry becomes `null`, "no sample"), for a field no sample means anything
   * without (`read`, `cpu_stats.cpu_usage.total_usage`).
   */
  readonly cost: 'field' | 'sample';
  /**
   * `task metadata: field "Containers.1.Health.exitCode" is "1" (string); expected a number; left out`,
   * `task stats: field "<id>.networks.eth1.rx_bytes" is true (boolean); expected a number; "<id>.networks.eth1" left out`.
   */
  readonly message: string;
}

export interface ParseOptions {
  /** Told of each part left out, in payload order; without it they are left out silently. */
  readonly onFieldIssue?: (issue: WireFieldIssue) => void;
}

/** The options of the metadata parses (the same as every parse's). */
export type MetadataParseOptions = ParseOptions;

/*
 * Metadata fields whose problems cost only themselves. Nothing computed depends on a
 * container's health check, and a poll must not be lost to one of its keys: a bad key of
 * `Health` is left out, and so is a `Health` that is no object. Everything else in metadata
 * still fails the payload (stats: STATS_LENIENT below). `*` stands for any key; the most
 * specific pattern that fits an issue's path is the part left out.
 */
type PathPattern = readonly PropertyKey[];
interface Lenient {
  readonly pattern: PathPattern;
  /** What a problem there costs: the matched part (`field`) or the whole entry (`sample`). */
  readonly cost: 'field' | 'sample';
}
const fields = (...patterns: PathPattern[]): Lenient[] =>
  patterns.map((pattern) => ({ pattern, cost: 'field' }));
const CONTAINER_LENIENT: readonly Lenient[] = fields(['Health', '*'], ['Health']);
const TASK_LENIENT: readonly Lenient[] = CONTAINER_LENIENT.map(({ pattern, cost }) => ({
  pattern: ['Containers', '*', ...pattern],
  cost,
}));

/*
 * Stats, relative to one container's entry. AWS has changed these payloads without
 * versioning (ecs_exporter README), and real ones carry odd values: Datadog's Windows
 * Fargate fixture (DataDog/integrations-core ecs_fargate/tests/fixtures/stats_windows.json)
 * has `"io_service_bytes_recursive": "None"`, a string where a list belongs. So a bad field
 * costs the metric computed from it, for that container, never the poll: the part left out
 * is the smallest one whose absence core already handles as "not reported" (other platforms
 * send payloads without each of these parts, docs/endpoint.md §5):
 *
 * - a scalar core reads on its own (`memory_stats.usage`, a `memory_stats.stats` key,
 *   `usage_in_usermode`, `preread`, `num_procs`…): that field;
 * - a blkio list with one bad entry: the whole list, since a sum without the entry would be
 *   a wrong number, not an absent one;
 * - an interface with one bad counter: the whole interface, since core reads an absent
 *   counter as the agent's own 0 (Windows has no rx_errors);
 * - `storage_stats` with one bad key: all of it, for the same reason (an absent
 *   read_size_bytes next to a write_size_bytes reads as 0);
 * - a part that is not an object (`memory_stats`, `precpu_stats`, `networks`,
 *   `blkio_stats`, `network_rate_stats`): that part.
 *
 * `read`, `cpu_stats`, `cpu_stats.cpu_usage` and `total_usage` are the sample itself: a
 * sample without its time or its CPU counter is no sample, so a problem there costs that
 * container's sample (its entry becomes `null`, as a stopped container's is) and nothing
 * else. Only a payload that is not the document at all fails the parse: a task stats map
 * that is not an object, an entry that is neither `null` nor an object (parseTaskStats,
 * parseContainerStats). `*` stands for any key; the most specific pattern that fits an
 * issue's path wins (longest, then the one with fewer `*`).
 */
const STATS_LENIENT: readonly Lenient[] = [
  ...[['read'], ['cpu_stats'], ['cpu_stats', 'cpu_usage'], ['cpu_stats', 'cpu_usage', 'total_usage']].map(
    (pattern): Lenient => ({ pattern, cost: 'sample' }),
  ),
  ...fields(
    ['preread'],
    ['name'],
    ['id'],
    ['num_procs'],
    // system_cpu_usage, online_cpus, throttling_data; percpu_usage, usage_in_*mode.
    ['cpu_stats', '*'],
    ['cpu_stats', 'cpu_usage', '*'],
    ['precpu_stats'],
    ['precpu_stats', '*'],
    ['precpu_stats', 'cpu_usage', '*'],
    ['memory_stats'],
    ['memory_stats', '*'],
    ['memory_stats', 'stats', '*'],
    ['blkio_stats'],
    ['blkio_stats', '*'],
    ['networks'],
    ['networks', '*'],
    ['storage_stats'],
    ['network_rate_stats'],
    ['network_rate_stats', '*'],
  ),
];

/**
 * Task metadata (`/v2/metadata`, `…/task`, `…/taskWithTags`); throws {@link WireSchemaError}.
 * A bad key of a container's `Health` is left out instead (`options.onFieldIssue` is told).
 */
export function parseTaskMetadata(payload: unknown, options: ParseOptions = {}): TaskMetadata {
  return parseWith(TaskMetadataSchema, payload, 'task metadata', [], TASK_LENIENT, options);
}

/**
 * One container's metadata (`/v2/metadata/<id>`, the v3/v4 base URL); throws {@link WireSchemaError}.
 * A bad key of `Health` is left out instead (`options.onFieldIssue` is told).
 */
export function parseContainerMetadata(payload: unknown, options: ParseOptions = {}): ContainerMetadata {
  return parseWith(ContainerMetadataSchema, payload, 'container metadata', [], CONTAINER_LENIENT, options);
}

// Compiled at import, so a schema the predicate cannot mirror fails the first test that loads it.
const isContainerStats = checkOf(ContainerStatsSchema);

/**
 * One container's stats (`…/stats`); `null` when the entry carries no sample, or when a field
 * the sample cannot do without is bad (`options.onFieldIssue` is told). A bad field that
 * costs only itself is left out (STATS_LENIENT). Throws {@link WireSchemaError} only for an
 * entry that is not an object.
 */
export function parseContainerStats(payload: unknown, options: ParseOptions = {}): ContainerStats | null {
  if (isEmptyStats(payload)) return null;
  // The compiled predicate answers for a payload that passes: the common case costs nothing more.
  if (isContainerStats(payload)) return payload as ContainerStats;
  return degradeStats(payload, 'container stats', [], options);
}

/**
 * The task stats map (`/v2/stats`, `…/task/stats`). A bad field of an entry costs only what is
 * computed from it, for that container (see {@link parseContainerStats}; `options.onFieldIssue`
 * is told). Throws {@link WireSchemaError}, naming the DockerId, only for a map that is not an
 * object or an entry that is neither `null` nor an object.
 */
export function parseTaskStats(payload: unknown, options: ParseOptions = {}): TaskStats {
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
        : isContainerStats(entry)
          ? (entry as ContainerStats)
          : degradeStats(entry, 'task stats', [dockerId], options),
    ]),
  );
}

/**
 * A stats entry the predicate refused: valibot names its problems, and each one in a lenient
 * part (STATS_LENIENT) is left out of a copy (only the objects along the path are copied).
 * Returns the copy, or `null` when a problem costs the sample; throws for an entry that is not
 * an object or a problem outside every lenient part (none today: every field of the schema is
 * in one, but a field added to it without a pattern stays fatal rather than silently lenient).
 */
function degradeStats(
  entry: unknown,
  what: WirePayloadKind,
  prefix: readonly PropertyKey[],
  options: ParseOptions,
): ContainerStats | null {
  // valibot's object schemas take arrays; an array is no stats entry, whatever its items.
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw schemaError(
      what,
      prefix.map(String).join('.'),
      entry,
      "an object (a container's stats) or null",
      [],
    );
  }
  const { output, sample } = leaveOut(ContainerStatsSchema, entry, what, prefix, STATS_LENIENT, options);
  if (sample) return null;
  // Every part left out is optional in the schema, so what is left passes; checked, because
  // returning an unchecked payload as typed would be the one bug here that nothing else catches.
  if (!isContainerStats(output)) parseWith(ContainerStatsSchema, output, what, prefix);
  return output as ContainerStats;
}

function parseWith<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  payload: unknown,
  what: WirePayloadKind,
  prefix: readonly PropertyKey[],
  lenient: readonly Lenient[] = [],
  options: ParseOptions = {},
): v.InferOutput<TSchema> {
  const result = safeParseInput(schema, payload);
  if (result.success) return result.output;
  // Every problem is in a lenient part: parse again without those parts. The happy path
  // never gets here, so it costs nothing.
  const { output } = leaveOut(schema, payload, what, prefix, lenient, options, result.issues);
  return parseWith(schema, output, what, prefix);
}

/**
 * `payload` without the lenient parts valibot found problems in (`issues`, or a parse of its
 * own), each told to `options.onFieldIssue` once, in payload order. `sample` is true when a
 * problem costs the whole entry (the copy is then only partly patched). Throws, naming only
 * the problems that cost the payload, when any problem is outside every lenient part.
 */
function leaveOut(
  schema: v.GenericSchema,
  payload: unknown,
  what: WirePayloadKind,
  prefix: readonly PropertyKey[],
  lenient: readonly Lenient[],
  options: ParseOptions,
  issues: readonly v.BaseIssue<unknown>[] = safeParseInput(schema, payload).issues ?? [],
): { output: unknown; sample: boolean } {
  const fatal = issues.filter((issue) => lenientPart(issue, lenient) === undefined);
  if (fatal.length > 0) {
    // Only the problems that cost the payload are its error; the lenient ones would not have.
    const summary = summarizeIssues(fatal, payload, prefix, schema);
    throw schemaError(what, summary.path, summary.value, summary.expected, summary.problems);
  }
  const told = new Map<string, WireFieldIssue>();
  let patched = payload;
  let sample = false;
  for (const issue of issues) {
    const { part, cost } = lenientPart(issue, lenient)!;
    const path = [...prefix, ...part].map(String).join('.');
    if (told.has(path)) continue;
    const { path: field, value, expected } = summarizeIssues([issue], payload, prefix, schema);
    const costs =
      cost === 'sample'
        ? "the container's sample left out"
        : field === path
          ? 'left out'
          : `"${path}" left out`;
    told.set(path, {
      payload: what,
      path,
      field,
      value,
      expected,
      cost,
      message: `${what}: field "${field}" is ${describeFound(value)}; expected ${expected}; ${costs}`,
    });
    if (cost === 'sample') sample = true;
    else patched = without(patched, part);
  }
  for (const issue of told.values()) options.onFieldIssue?.(issue);
  return { output: patched, sample };
}

/** The part of the payload to leave out for `issue`: the most specific lenient pattern that fits its path. */
function lenientPart(
  issue: v.BaseIssue<unknown>,
  lenient: readonly Lenient[],
): { part: readonly PropertyKey[]; cost: Lenient['cost'] } | undefined {
  const path = (issue.path ?? []).map((item) => item.key as PropertyKey);
  let best: Lenient | undefined;
  let bestWildcards = 0;
  for (const candidate of lenient) {
    const { pattern } = candidate;
    if (pattern.length > path.length || !pattern.every((key, i) => key === '*' || key === path[i])) continue;
    const wildcards = pattern.filter((key) => key === '*').length;
    if (
      best === undefined ||
      pattern.length > best.pattern.length ||
      (pattern.length === best.pattern.length && wildcards < bestWildcards)
    ) {
      best = candidate;
      bestWildcards = wildcards;
    }
  }
  return best && { part: path.slice(0, best.pattern.length), cost: best.cost };
}

/** A copy of `value` without the key at `path`, copying only the objects along the path. */
function without(value: unknown, path: readonly PropertyKey[]): unknown {
  if (value === null || typeof value !== 'object' || path.length === 0) return value;
  const [key, ...rest] = path as [PropertyKey, ...PropertyKey[]];
  // slice, not a spread: a spread turns the hole a first delete left back into `undefined`,
  // which a record of objects refuses (a `networks` that is an array loses its items one by one).
  const copy = (Array.isArray(value) ? value.slice() : { ...value }) as Record<PropertyKey, unknown>;
  if (rest.length === 0) delete copy[key];
  else copy[key] = without(copy[key], rest);
  return copy;
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
