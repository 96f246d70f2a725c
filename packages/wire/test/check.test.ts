import { listFixtures, loadFixture } from '@taskscope/fixtures';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, test } from 'vitest';
import { checkOf } from '../src/check.js';
import {
  BlkioStatsSchema,
  ContainerStatsSchema,
  CpuStatsSchema,
  InterfaceStatsSchema,
  MemoryStatsSchema,
  PreCpuStatsSchema,
} from '../src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests corrupt payloads at arbitrary depths on purpose.
type Json = any;

/** Every container stats entry with a sample in the stats fixtures, as [label, entry]. */
function statsEntries(): [string, Json][] {
  const entries: [string, Json][] = [];
  for (const name of listFixtures()) {
    if (!name.endsWith('.json') || !/stats/.test(name)) continue;
    const json = loadFixture(name).json as Json;
    if ('read' in json || 'cpu_stats' in json) entries.push([name, json]);
    else {
      for (const [id, entry] of Object.entries(json)) {
        if (entry !== null && typeof entry === 'object' && 'cpu_stats' in entry)
          entries.push([`${name} ${id}`, entry]);
      }
    }
  }
  return entries;
}

const ENTRIES = statsEntries();
const isContainerStats = checkOf(ContainerStatsSchema);

/** Every path to a value inside `value`, objects and arrays alike. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...pathsOf(value[key], [...prefix, key])]);
}

const replacement = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.constant('delete'),
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  fc.string(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
  fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(null))),
  fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.string(), fc.constant(null))),
);

test('the stats fixtures include entries from cgroup v1, cgroup v2 and Windows', () => {
  expect(ENTRIES.length).toBeGreaterThanOrEqual(8);
  const labels = ENTRIES.map(([label]) => label).join('\n');
  expect(labels).toContain('cgroupv2');
  expect(labels).toContain('windows');
});

test.each(ENTRIES)(
  '%s passes both valibot and the compiled check (one with a wrong-typed field fails both)',
  (label, entry) => {
    // Payloads with wrong-typed fields (payloads/README.md): DataDog's real one, and the
    // variants made from real ones for tests.
    const passes = !label.startsWith('variants/') && !label.startsWith('datadog-integrations-core/');
    expect(v.is(ContainerStatsSchema, entry)).toBe(passes);
    expect(isContainerStats(entry)).toBe(passes);
  },
);

test('the compiled check agrees with valibot on fixture entries corrupted at any depth', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: ENTRIES.length - 1 }),
      fc.nat(),
      replacement,
      (entryIndex, pathSeed, value) => {
        const entry = structuredClone((ENTRIES[entryIndex] as [string, Json])[1]);
        const paths = pathsOf(entry);
        const path = paths[pathSeed % paths.length] as (string | number)[];
        let parent = entry;
        for (const key of path.slice(0, -1)) parent = parent[key];
        const last = path[path.length - 1] as string | number;
        if (value === 'delete') delete parent[last];
        else parent[last] = value;
        expect(isContainerStats(entry)).toBe(v.is(ContainerStatsSchema, entry));
      },
    ),
    { numRuns: 3000 },
  );
});

describe.each([
  ['ContainerStatsSchema', ContainerStatsSchema],
  ['CpuStatsSchema', CpuStatsSchema],
  ['PreCpuStatsSchema', PreCpuStatsSchema],
  ['MemoryStatsSchema', MemoryStatsSchema],
  ['BlkioStatsSchema', BlkioStatsSchema],
  ['InterfaceStatsSchema', InterfaceStatsSchema],
])('%s', (_name, schema) => {
  test('the compiled check agrees with valibot on arbitrary values', () => {
    const check = checkOf(schema);
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (value) => {
        expect(check(value)).toBe(v.is(schema, value));
      }),
      { numRuns: 500 },
    );
  });
});

test('record keys valibot skips (inherited, __proto__, constructor) are skipped by the check too', () => {
  const entry = structuredClone((ENTRIES[0] as [string, Json])[1]);
  entry.networks = JSON.parse('{"eth0": {"rx_bytes": 1}, "__proto__": "junk", "constructor": 7}');
  expect(v.is(ContainerStatsSchema, entry)).toBe(true);
  expect(isContainerStats(entry)).toBe(true);
  entry.networks = Object.assign(Object.create({ inherited: 'junk' }), { eth0: { rx_bytes: 1 } });
  expect(v.is(ContainerStatsSchema, entry)).toBe(true);
  expect(isContainerStats(entry)).toBe(true);
});

test('a key present but undefined is checked, as valibot checks it', () => {
  const entry = structuredClone((ENTRIES[0] as [string, Json])[1]);
  entry.cpu_stats = undefined;
  expect(v.is(ContainerStatsSchema, entry)).toBe(false);
  expect(isContainerStats(entry)).toBe(false);
});

test('the check is compiled once per schema', () => {
  expect(checkOf(ContainerStatsSchema)).toBe(isContainerStats);
});

test.each([
  ['a transformation', v.pipe(v.string(), v.transform(Number)), 'the pipe transformation "transform"'],
  ['another validation', v.pipe(v.number(), v.integer()), 'the pipe validation "integer"'],
  ['a default', v.object({ n: v.optional(v.number(), 0) }), 'a default or fallback'],
  ['a fallback', v.object({ n: v.fallback(v.number(), 0) }), 'a default or fallback'],
  ['a union', v.object({ n: v.union([v.number(), v.string()]) }), 'the schema type "union"'],
])('a schema with %s is refused when compiled, not checked differently', (_what, schema, message) => {
  expect(() => checkOf(schema as v.GenericSchema)).toThrow(message);
});
