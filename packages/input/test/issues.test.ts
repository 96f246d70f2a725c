import fc from 'fast-check';
import * as v from 'valibot';
import { expect, test } from 'vitest';
import {
  describeFound,
  INPUT_PARSE_CONFIG,
  problemsOf,
  safeParseInput,
  summarizeIssues,
} from '../src/index.js';

function summary(schema: v.GenericSchema, input: unknown, prefix: readonly PropertyKey[] = []) {
  const result = v.safeParse(schema, input, INPUT_PARSE_CONFIG);
  if (result.success) throw new Error('expected the parse to fail');
  return summarizeIssues(result.issues, input, prefix, schema);
}

const Config = v.looseObject({
  name: v.string(),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  ratio: v.nullish(v.pipe(v.number(), v.finite())),
  mode: v.optional(v.picklist(['fast', 'safe'])),
  level: v.optional(v.union([v.number(), v.literal('auto')])),
  id: v.optional(v.union([v.string(), v.number()])),
  tags: v.optional(v.array(v.looseObject({ key: v.string(), value: v.nullable(v.string()) }))),
  url: v.optional(
    v.pipe(
      v.string(),
      v.check((text) => text.startsWith('http'), 'expected an http:// URL'),
    ),
  ),
});

test('type, missing field, nested missing field and wrapper schemas are named in words', () => {
  expect(summary(Config, { name: 7, port: 80 })).toEqual({
    path: 'name',
    value: 7,
    expected: 'a string',
    problems: ['name: a string'],
  });
  expect(summary(Config, { port: 80 })).toMatchObject({
    path: 'name',
    value: undefined,
    expected: 'a string',
  });
  const nested = summary(Config, { name: 'a', port: 1, tags: [{ key: 'k', value: 'v' }, { key: 'k' }] });
  expect(nested).toMatchObject({ path: 'tags.1.value', value: undefined, expected: 'a string or null' });
  expect(summary(Config, 'text')).toMatchObject({ path: '', value: 'text', expected: 'an object' });
  expect(summary(Config, { name: 'a', port: 1, tags: {} })).toMatchObject({
    path: 'tags',
    expected: 'an array',
  });
});

test('without the schema a missing field still gets a path and a generic expectation', () => {
  const result = v.safeParse(Config, { port: 80 }, INPUT_PARSE_CONFIG);
  expect(result.success).toBe(false);
  expect(summarizeIssues(result.issues!, { port: 80 })).toMatchObject({ path: 'name', expected: 'a value' });
});

test('validations, picklists, literal unions, plain unions and custom messages', () => {
  expect(summary(Config, { name: 'a', port: 0 })).toMatchObject({ value: 0, expected: 'a value ≥ 1' });
  expect(summary(Config, { name: 'a', port: 1.5 })).toMatchObject({ expected: 'an integer' });
  expect(summary(Config, { name: 'a', port: 1, ratio: Number.POSITIVE_INFINITY }).expected).toBe(
    'a finite number',
  );
  expect(summary(Config, { name: 'a', port: 1, mode: 'slow' }).expected).toBe('one of: fast, safe');
  expect(summary(Config, { name: 'a', port: 1, level: 'max' }).expected).toBe('a number or "auto"');
  expect(summary(Config, { name: 'a', port: 1, id: true }).expected).toBe('a string or a number');
  // A check's own message is the expectation, without a leading "expected".
  expect(summary(Config, { name: 'a', port: 1, url: 'ftp://x' }).expected).toBe('an http:// URL');
  expect(summary(v.strictObject({ a: v.number() }), { a: 1, b: 2 })).toMatchObject({
    path: 'b',
    value: 2,
    expected: 'no such field',
  });
});

test('a union that reaches inside one option reports that option’s field', () => {
  const schema = v.union([
    v.looseObject({ kind: v.literal('a'), size: v.number() }),
    v.looseObject({ kind: v.literal('b') }),
  ]);
  expect(summary(schema, { kind: 'a', size: 'big' }, ['entry'])).toMatchObject({
    path: 'entry.size',
    value: 'big',
    expected: 'a number',
  });
});

test('an array given for an object is one problem at the array, not one per missing key', () => {
  expect(summary(Config, [1, 2], ['cfg'])).toEqual({
    path: 'cfg',
    value: [1, 2],
    expected: 'an object',
    problems: ['cfg: an object'],
  });
  expect(summary(Config, { name: 'a', port: 1, tags: [[]] })).toMatchObject({
    path: 'tags.0',
    expected: 'an object',
  });
});

test('a union whose option fitted the type but failed a check names the check', () => {
  const revision = v.union([v.string(), v.pipe(v.number(), v.finite(), v.transform(String))]);
  expect(summary(revision, Number.NEGATIVE_INFINITY)).toMatchObject({
    path: '',
    expected: 'a finite number',
  });
  expect(summary(revision, false)).toMatchObject({ expected: 'a string or a number' });
});

test('every problem is listed with the prefix, first problem first', () => {
  const result = summary(Config, { name: 1, port: 'x' }, ['cfg', 0]);
  expect(result.path).toBe('cfg.0.name');
  expect(result.problems).toEqual(['cfg.0.name: a string', 'cfg.0.port: a number']);
});

test('describeFound previews values with their kind and shortens long ones', () => {
  expect(describeFound('12')).toBe('"12" (string)');
  expect(describeFound(null)).toBe('null (null)');
  expect(describeFound(undefined)).toBe('missing');
  expect(describeFound(Number.POSITIVE_INFINITY)).toBe('Infinity (number)');
  expect(describeFound([1])).toBe('[1] (array)');
  expect(describeFound(10n)).toBe('10 (bigint)');
  expect(describeFound('y'.repeat(80))).toBe(`"${'y'.repeat(56)}... (string)`);
  const circular: Record<string, unknown> = {};
  circular['self'] = circular;
  expect(describeFound(circular)).toBe('[object Object] (object)');
});

test('property: any failing input gives a path, an expectation and one problem per issue', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (input) => {
      const result = v.safeParse(Config, input, INPUT_PARSE_CONFIG);
      if (result.success) return;
      const summary = summarizeIssues(result.issues, input, ['x'], Config);
      expect(summary.path.startsWith('x')).toBe(true);
      expect(summary.expected.length).toBeGreaterThan(0);
      // One line per distinct problem: never more lines than issues, never a repeated line.
      expect(summary.problems.length).toBeGreaterThan(0);
      expect(summary.problems.length).toBeLessThanOrEqual(result.issues.length);
      expect(new Set(summary.problems).size).toBe(summary.problems.length);
      expect(summary.problems[0]).toBe(`${summary.path}: ${summary.expected}`);
      expect(describeFound(summary.value).length).toBeGreaterThan(0);
    }),
    { numRuns: 300 },
  );
});

test.each<[string, v.GenericSchema, unknown, string]>([
  ['safe integer', v.pipe(v.number(), v.safeInteger()), 2 ** 60, 'a safe integer'],
  ['gt', v.pipe(v.number(), v.gtValue(0)), 0, 'a value > 0'],
  ['lt', v.pipe(v.number(), v.ltValue(10)), 10, 'a value < 10'],
  ['min length (text)', v.pipe(v.string(), v.minLength(2)), 'a', 'at least 2 characters'],
  ['max length (list)', v.pipe(v.array(v.number()), v.maxLength(1)), [1, 2], 'at most 1 items'],
  ['length', v.pipe(v.string(), v.length(3)), 'ab', 'exactly 3 characters'],
  ['non-empty', v.pipe(v.string(), v.nonEmpty()), '', 'a non-empty value'],
  ['regex', v.pipe(v.string(), v.regex(/^a+$/)), 'b', 'text matching /^a+$/'],
  ['url', v.pipe(v.string(), v.url()), 'nope', 'a URL'],
  ['other validation', v.pipe(v.string(), v.email()), 'nope', 'a valid email'],
  ['bigint', v.bigint(), 1, 'a bigint'],
  ['undefined', v.undefined(), 1, 'nothing'],
  ['null, with undefined left unsaid', v.union([v.null(), v.undefined()]), 1, 'null'],
  ['three kinds', v.union([v.string(), v.number(), v.boolean()]), null, 'a string, a number or a boolean'],
])('%s is phrased in words', (_name, schema, input, expected) => {
  expect(summary(schema, input).expected).toBe(expected);
});

test('a missing field is looked up through records, tuples, rests and union options', () => {
  const schema = v.looseObject({
    byName: v.record(v.string(), v.looseObject({ size: v.number() })),
    pair: v.tuple([v.string(), v.looseObject({ flag: v.boolean() })]),
    withRest: v.objectWithRest({}, v.looseObject({ when: v.string() })),
    either: v.union([v.looseObject({ kind: v.literal('a'), a: v.number() }), v.string()]),
  });
  const valid = { byName: {}, pair: ['x', { flag: true }], withRest: {}, either: 's' };
  expect(summary(schema, { ...valid, byName: { x: {} } }).expected).toBe('a number');
  expect(summary(schema, { ...valid, pair: ['x', {}] }).expected).toBe('a boolean');
  expect(summary(schema, { ...valid, withRest: { k: {} } }).expected).toBe('a string');
  expect(summary(schema, { ...valid, either: { kind: 'a' } })).toMatchObject({
    path: 'either.a',
    expected: 'a number',
  });
});

test('a schema author message is kept, valibot’s own is worded, with or without the config', () => {
  const port = v.pipe(
    v.number(),
    v.check((n) => n !== 22, 'any port but 22'),
  );
  expect(summary(port, 22).expected).toBe('any port but 22');
  // Without INPUT_PARSE_CONFIG valibot writes its own text, which then reads as an author's
  // message: the config is what tells the two apart, not the wording (whatever it is).
  const unmarked = v.safeParse(v.number(), 'x');
  expect(unmarked.success).toBe(false);
  expect(summarizeIssues(unmarked.issues!, 'x').expected).toBe(unmarked.issues![0]!.message);
  expect(summarizeIssues(unmarked.issues!, 'x').expected).not.toBe('a number');
});

test('problemsOf lists each distinct problem as field, value and allowed, prefix included', () => {
  const result = safeParseInput(Config, { name: 1, port: 'x' });
  expect(result.success).toBe(false);
  expect(problemsOf(result.issues!, { name: 1, port: 'x' }, ['cfg'], Config)).toEqual([
    { field: 'cfg.name', value: 1, allowed: 'a string' },
    { field: 'cfg.port', value: 'x', allowed: 'a number' },
  ]);
  // An array where an object belongs: one problem, not one per missing key.
  const list = safeParseInput(Config, []);
  expect(problemsOf(list.issues!, [], [], Config)).toEqual([{ field: '', value: [], allowed: 'an object' }]);
});
