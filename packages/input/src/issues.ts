import type { BaseIssue, GenericSchema } from 'valibot';
import * as v from 'valibot';
import type { Problem } from './errors.js';

/**
 * The first problem of a failed parse, for a one-line message: path (dotted, prefix included),
 * the value found there, and what is allowed, plus every problem as `path: expected`.
 */
export interface IssueSummary {
  readonly path: string;
  readonly value: unknown;
  readonly expected: string;
  readonly problems: readonly string[];
}

/**
 * Summarizes valibot issues in the team's words (`a number`, `an object`, `a string or a number`,
 * `one of: a, b`, a check's own message). Pass `schema` so a missing field can say what it
 * should hold: valibot reports a missing key without the value schema's expectation.
 */
export function summarizeIssues(
  issues: readonly BaseIssue<unknown>[],
  input: unknown,
  prefix: readonly PropertyKey[] = [],
  schema?: GenericSchema,
): IssueSummary {
  const resolved = issues.map((issue) => resolve(issue, [], input, schema));
  const first = resolved[0];
  if (first === undefined) {
    return { path: dotted(prefix), value: input, expected: 'a valid value', problems: [] };
  }
  // An array where an object belongs yields one "missing" issue per required key, all
  // resolved to the same line: list it once.
  const problems = new Set(
    resolved.map((problem) => `${dotted([...prefix, ...problem.path])}: ${problem.expected}`),
  );
  return {
    path: dotted([...prefix, ...first.path]),
    value: first.value,
    expected: first.expected,
    problems: [...problems],
  };
}

/**
 * Every problem of a failed parse as {@link Problem}s (field, value, allowed), first one first,
 * each distinct line once: what an {@link InputError} carries.
 */
export function problemsOf(
  issues: readonly BaseIssue<unknown>[],
  input: unknown,
  prefix: readonly PropertyKey[] = [],
  schema?: GenericSchema,
): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const issue of issues) {
    const resolved = resolve(issue, [], input, schema);
    const field = dotted([...prefix, ...resolved.path]);
    const key = `${field}\u0000${resolved.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ field, value: resolved.value, allowed: resolved.expected });
  }
  return problems;
}

interface Resolved {
  readonly path: readonly PropertyKey[];
  readonly value: unknown;
  readonly expected: string;
}

const OBJECT_TYPES = new Set(['object', 'loose_object', 'strict_object', 'object_with_rest']);

/**
 * The message valibot gives an issue whose schema or action has no message of its own. Parse
 * with {@link INPUT_PARSE_CONFIG} and valibot writes this mark, through its own fallback hook
 * (`config.message`), instead of its English text: the summary can then tell the schema
 * author's words (kept) from valibot's (replaced by ours) without matching valibot's English,
 * which a valibot release may change.
 */
export const VALIBOT_OWN_MESSAGE = '\u0000valibot';

/** The config for `v.safeParse`/`v.parse` of anything a summary will word. */
export const INPUT_PARSE_CONFIG: v.Config<v.BaseIssue<unknown>> = Object.freeze({
  message: VALIBOT_OWN_MESSAGE,
});

/** `v.safeParse` with {@link INPUT_PARSE_CONFIG}. */
export function safeParseInput<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
): v.SafeParseResult<TSchema> {
  return v.safeParse(schema, input, INPUT_PARSE_CONFIG);
}

function resolve(
  issue: BaseIssue<unknown>,
  base: readonly PropertyKey[],
  baseValue: unknown,
  schema: GenericSchema | undefined,
): Resolved {
  const items = issue.path ?? [];
  const path = [...base, ...items.map((item) => item.key as PropertyKey)];
  const last = items.at(-1);
  const value = last === undefined ? baseValue : last.value;

  // A union none of whose options fit reports the options' problems as sub-issues with paths
  // relative to the union; one that reaches inside the value, or one whose type fitted but a
  // check failed (Infinity for a finite number), is the precise explanation.
  if (issue.type === 'union' && issue.issues !== undefined) {
    const inner =
      issue.issues.find((sub) => (sub.path?.length ?? 0) > 0) ??
      issue.issues.find((sub) => sub.kind === 'validation');
    if (inner !== undefined) return resolve(inner, path, value, schema);
  }

  // valibot's object schemas accept arrays and then miss every required key; the problem is
  // the array itself (`[]` for the payload, expected an object), not its first missing key.
  if (isMissingKey(issue) && last !== undefined && Array.isArray(last.input)) {
    return { path: path.slice(0, -1), value: last.input, expected: 'an object' };
  }

  return { path, value, expected: expectation(issue, value, path, schema) };
}

function expectation(
  issue: BaseIssue<unknown>,
  value: unknown,
  path: readonly PropertyKey[],
  schema: GenericSchema | undefined,
): string {
  if (issue.message !== VALIBOT_OWN_MESSAGE) return issue.message.replace(/^expected\s+/i, '');
  if (isKeyIssue(issue)) {
    // valibot names the missing key (`"total_usage"`) as the expectation, not its type.
    if (issue.expected === 'never') return 'no such field';
    const field = schema === undefined ? undefined : schemaAt(schema, path);
    return field === undefined ? 'a value' : describeExpects(field.expects);
  }
  if (issue.kind === 'validation') return validationExpectation(issue, value);
  // valibot's number() rejects NaN only; a finite() check reports the infinities.
  if (issue.type === 'number' && typeof value === 'number') return 'a finite number';
  return describeExpects(issue.expected ?? 'unknown');
}

/** A problem with an object's key: a required one missing, or one a strict object forbids. */
function isKeyIssue(issue: BaseIssue<unknown>): boolean {
  const last = issue.path?.at(-1);
  return OBJECT_TYPES.has(issue.type) && last !== undefined && 'origin' in last && last.origin === 'key';
}

function isMissingKey(issue: BaseIssue<unknown>): boolean {
  return isKeyIssue(issue) && issue.expected !== 'never';
}

function validationExpectation(issue: BaseIssue<unknown>, value: unknown): string {
  const requirement = issue.requirement;
  const unit = typeof value === 'string' ? 'characters' : 'items';
  switch (issue.type) {
    case 'finite':
      return 'a finite number';
    case 'integer':
      return 'an integer';
    case 'safe_integer':
      return 'a safe integer';
    case 'min_value':
      return `a value ≥ ${String(requirement)}`;
    case 'max_value':
      return `a value ≤ ${String(requirement)}`;
    case 'gt_value':
      return `a value > ${String(requirement)}`;
    case 'lt_value':
      return `a value < ${String(requirement)}`;
    case 'min_length':
      return `at least ${String(requirement)} ${unit}`;
    case 'max_length':
      return `at most ${String(requirement)} ${unit}`;
    case 'length':
      return `exactly ${String(requirement)} ${unit}`;
    case 'non_empty':
      return 'a non-empty value';
    case 'regex':
      return `text matching ${String(requirement)}`;
    case 'url':
      return 'a URL';
    default:
      // valibot's own text for these (`Invalid email: Received "x"`) is no expectation.
      return issue.expected === null
        ? `a valid ${issue.type.replaceAll('_', ' ')}`
        : describeExpects(issue.expected);
  }
}

interface SchemaNode {
  readonly type: string;
  readonly expects: string;
  readonly entries?: Record<string, SchemaNode>;
  readonly rest?: SchemaNode;
  readonly item?: SchemaNode;
  readonly items?: readonly SchemaNode[];
  readonly value?: SchemaNode;
  readonly wrapped?: SchemaNode;
  readonly options?: readonly SchemaNode[];
}

/** The schema that validates `path` below `schema`, following wrappers, pipes and unions. */
function schemaAt(schema: GenericSchema, path: readonly PropertyKey[]): SchemaNode | undefined {
  return walk(schema as unknown as SchemaNode, path);
}

function walk(node: SchemaNode | undefined, path: readonly PropertyKey[]): SchemaNode | undefined {
  if (node === undefined || path.length === 0) return node;
  if (node.wrapped !== undefined) return walk(node.wrapped, path);
  if (node.options !== undefined) {
    for (const option of node.options) {
      const found = walk(option, path);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const [key, ...rest] = path;
  if (node.entries !== undefined) {
    const entry = Object.hasOwn(node.entries, key as string) ? node.entries[key as string] : node.rest;
    return walk(entry, rest);
  }
  if (node.item !== undefined) return walk(node.item, rest);
  if (node.items !== undefined) return walk(node.items[Number(key)], rest);
  if (node.value !== undefined) return walk(node.value, rest);
  return undefined;
}

/** valibot's `expects` text, e.g. `(number | null | undefined)` or `("a" | "b")`, in words. */
function describeExpects(expects: string): string {
  const tokens = [...new Set(flatten(expects))];
  const words: string[] = [];
  const literals: string[] = [];
  for (const token of tokens) {
    if (isLiteral(token)) literals.push(token);
    else if (token !== 'undefined' || tokens.length === 1) words.push(typeWords(token));
  }
  if (literals.length === 1) words.push(literals[0]!);
  if (literals.length > 1) words.push(`one of: ${literals.map(unquote).join(', ')}`);
  return joinOr(words);
}

/** Splits `(a | (b | c))` into `a`, `b`, `c`, leaving `|` inside quoted literals alone. */
function flatten(expects: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of expects) {
    if (char === '"') quoted = !quoted;
    if (!quoted && (char === '(' || char === ')' || char === '|' || char === '&')) {
      if (current.trim() !== '') tokens.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') tokens.push(current.trim());
  return tokens;
}

function isLiteral(token: string): boolean {
  return token.startsWith('"') || token === 'true' || token === 'false' || /^-?\d/.test(token);
}

function unquote(token: string): string {
  return token.startsWith('"') && token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token;
}

function typeWords(token: string): string {
  switch (token) {
    case 'Object':
      return 'an object';
    case 'Array':
      return 'an array';
    case 'null':
      return 'null';
    case 'undefined':
      return 'nothing';
    case 'unknown':
    case 'any':
      return 'any value';
    case 'never':
      return 'no value';
    default:
      return /^[aeiou]/i.test(token) ? `an ${token}` : `a ${token}`;
  }
}

function joinOr(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? 'no value';
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
