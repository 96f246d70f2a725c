/*
 * Writes `schema/snapshot-v1.json`, the published JSON Schema of `taskscope.snapshot/v1`, from
 * the same valibot definitions the TypeScript types are inferred from. `npm run build` runs it
 * on the compiled `dist/schema.js`; a test runs `snapshotJsonSchemaText` on the sources and
 * fails when the committed file differs, so the file cannot drift from the types.
 *
 * One file: its root is the snapshot (what `/api/v1/snapshot` and every SSE event carry), and
 * `$defs` holds `History` (`/api/v1/history`), `ApiError` (every 4xx/5xx body) and the parts
 * they share, reachable as `snapshot-v1.json#/$defs/History`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { toJsonSchemaDefs } from '@valibot/to-json-schema';

export const JSON_SCHEMA_ID = 'https://taskscope.dev/schemas/snapshot-v1.json';
export const JSON_SCHEMA_FILE = fileURLToPath(new URL('../schema/snapshot-v1.json', import.meta.url));

/**
 * @param {typeof import('../src/schema.ts')} schemas the schema module, from `src` or `dist`
 * @returns {Record<string, unknown>}
 */
export function snapshotJsonSchema(schemas) {
  const defs = toJsonSchemaDefs(
    {
      Snapshot: schemas.SnapshotSchema,
      History: schemas.HistorySchema,
      ApiError: schemas.ApiErrorSchema,
      Task: schemas.TaskSchema,
      TaskIdentity: schemas.TaskIdentitySchema,
      Container: schemas.ContainerSchema,
      Health: schemas.HealthSchema,
      Interface: schemas.InterfaceSchema,
      Totals: schemas.TotalsSchema,
      Cost: schemas.CostSchema,
      Poll: schemas.PollSchema,
      PollError: schemas.PollErrorSchema,
    },
    // `throw`: a valibot construct JSON Schema cannot express fails the build rather than
    // being left out of the published schema.
    { target: 'draft-2020-12', errorMode: 'throw' },
  );
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: JSON_SCHEMA_ID,
    title: schemas.SNAPSHOT_SCHEMA_ID,
    description:
      'One snapshot of the taskscope agent API (GET /api/v1/snapshot, each SSE event of /api/v1/stream). ' +
      'History (GET /api/v1/history) is #/$defs/History, the error body of every 4xx/5xx is #/$defs/ApiError. ' +
      'Units are in the field names (Bytes, PerSecond, Ms, Cores, Percent, Vcpus). null means "not reported" ' +
      '(the task metadata endpoint did not give it), never 0. Objects may gain fields within v1; a breaking ' +
      'change bumps the schema value.',
    $ref: '#/$defs/Snapshot',
    $defs: defs,
  };
}

/**
 * The file's exact text: two-space JSON with a final newline.
 * @param {typeof import('../src/schema.ts')} schemas
 */
export function snapshotJsonSchemaText(schemas) {
  return `${JSON.stringify(snapshotJsonSchema(schemas), null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  // From `dist`, just compiled by `tsc -p tsconfig.build.json` (node runs no TypeScript on 20).
  const schemas = await import(new URL('../dist/schema.js', import.meta.url).href);
  await writeFile(JSON_SCHEMA_FILE, snapshotJsonSchemaText(schemas));
  console.log('wrote schema/snapshot-v1.json');
}
