import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { JSON_SCHEMA_FILE, JSON_SCHEMA_ID, snapshotJsonSchemaText } from '../scripts/write-json-schema.mjs';
import { describeIssues } from '../src/index.ts';
import * as schemas from '../src/schema.ts';
import { sampleApiError, sampleHistory, sampleSnapshot, snapshotBeforeFirstSample } from './samples.ts';

/** Sets (or, with `undefined`, deletes) the value at `path` of a parsed JSON document. */
function setPath(document: unknown, path: readonly (string | number)[], value: unknown): void {
  const parent = path
    .slice(0, -1)
    .reduce((node, key) => (node as Record<string | number, unknown>)[key], document);
  const key = path.at(-1) as string | number;
  if (value === undefined) delete (parent as Record<string | number, unknown>)[key];
  else (parent as Record<string | number, unknown>)[key] = value;
}

const committedText = readFileSync(JSON_SCHEMA_FILE, 'utf8');

function validators() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addSchema(JSON.parse(committedText));
  const get = (ref: string) => {
    const validate = ajv.getSchema(ref);
    if (validate === undefined) throw new Error(`no schema at ${ref}`);
    return validate;
  };
  return {
    ajv,
    snapshot: get(JSON_SCHEMA_ID),
    history: get(`${JSON_SCHEMA_ID}#/$defs/History`),
    apiError: get(`${JSON_SCHEMA_ID}#/$defs/ApiError`),
  };
}

describe('schema/snapshot-v1.json', () => {
  it('is what the valibot schema gives today (run `npm run build -w @taskscope/sdk` when this fails)', () => {
    expect(committedText).toBe(snapshotJsonSchemaText(schemas));
  });

  it('is the file package.json exports as ./schema/snapshot-v1.json', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.exports['./schema/snapshot-v1.json']).toBe('./schema/snapshot-v1.json');
    expect(manifest.files).toContain('schema');
    expect(JSON_SCHEMA_FILE.endsWith('/schema/snapshot-v1.json')).toBe(true);
  });

  it('names draft 2020-12, its id and the snapshot as its root', () => {
    const schema = JSON.parse(committedText);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://taskscope.dev/schemas/snapshot-v1.json');
    expect(schema.$ref).toBe('#/$defs/Snapshot');
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['Snapshot', 'History', 'ApiError']));
  });
});

describe('sample documents against both the JSON Schema (ajv) and valibot', () => {
  const { ajv, snapshot, history, apiError } = validators();

  const valid = [
    ['a fresh Fargate snapshot', snapshot, schemas.SnapshotSchema, sampleSnapshot()],
    [
      'a snapshot before the first sample (all null)',
      snapshot,
      schemas.SnapshotSchema,
      snapshotBeforeFirstSample(),
    ],
    ['a history of three snapshots', history, schemas.HistorySchema, sampleHistory([1000, 11_000, 21_000])],
    [
      'an empty history (history off)',
      history,
      schemas.HistorySchema,
      { ...sampleHistory([]), retentionMs: 0 },
    ],
    ['an API error', apiError, schemas.ApiErrorSchema, sampleApiError],
    [
      'an API error without a parameter',
      apiError,
      schemas.ApiErrorSchema,
      { error: 'UNAUTHORIZED', message: 'a Bearer token is required' },
    ],
  ] as const;

  it.each(valid)('accepts %s', (_name, validate, schema, document) => {
    expect(validate(document), ajv.errorsText(validate.errors)).toBe(true);
    expect(v.safeParse(schema, document).success).toBe(true);
  });

  it('accepts a field added within v1 (both keep objects open), and valibot drops it', () => {
    const document = { ...sampleSnapshot(), addedLater: { any: 1 } };
    expect(snapshot(document)).toBe(true);
    const parsed = v.parse(schemas.SnapshotSchema, document);
    expect('addedLater' in parsed).toBe(false);
  });

  const wrong = [
    {
      name: 'a string where a number belongs',
      edit: (doc: unknown) => setPath(doc, ['containers', 1, 'memory', 'limitBytes'], '536870912'),
      ajvPath: '/containers/1/memory/limitBytes',
      valibot: 'containers[1].memory.limitBytes: expected number but received "536870912"',
    },
    {
      name: 'a missing field',
      edit: (doc: unknown) => setPath(doc, ['totals', 'memoryWorkingSetBytes'], undefined),
      ajvPath: "must have required property 'memoryWorkingSetBytes'",
      valibot: 'totals.memoryWorkingSetBytes: is missing (expected "memoryWorkingSetBytes")',
    },
    {
      name: 'a value outside a picklist',
      edit: (doc: unknown) => setPath(doc, ['task', 'networkMode'], 'nat'),
      ajvPath: '/task/networkMode',
      valibot: 'task.networkMode: expected ("awsvpc" | "bridge" | "host" | "unknown") but received "nat"',
    },
    {
      name: 'another schema version',
      edit: (doc: unknown) => setPath(doc, ['schema'], 'taskscope.snapshot/v2'),
      ajvPath: '/schema',
      valibot: 'schema: expected "taskscope.snapshot/v1" but received "taskscope.snapshot/v2"',
    },
  ];

  it.each(wrong)('rejects $name in both, naming the field', ({ edit, ajvPath, valibot }) => {
    const document = structuredClone(sampleSnapshot());
    edit(document);
    expect(snapshot(document)).toBe(false);
    expect(ajv.errorsText(snapshot.errors)).toContain(ajvPath);
    const result = v.safeParse(schemas.SnapshotSchema, document);
    expect(result.success).toBe(false);
    expect(describeIssues(result.issues ?? [])).toBe(valibot);
  });

  it('rejects a history whose second snapshot is wrong, naming its index', () => {
    const document = structuredClone(sampleHistory([1000, 11_000]));
    setPath(document, ['snapshots', 1, 'poll', 'ready'], 'yes');
    expect(history(document)).toBe(false);
    expect(ajv.errorsText(history.errors)).toContain('/snapshots/1/poll/ready');
    const result = v.safeParse(schemas.HistorySchema, document);
    expect(describeIssues(result.issues ?? [])).toBe(
      'snapshots[1].poll.ready: expected boolean but received "yes"',
    );
  });
});
