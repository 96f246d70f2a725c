import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ERROR_CODES } from '@taskscope/agent';
import { CLI_ERROR_CODES } from '@taskscope/cli';
import { METADATA_CLIENT_ERROR_CODES } from '@taskscope/client';
import { DASHBOARDS_ERROR_CODES } from '@taskscope/dashboards';
import { EXPORTERS_ERROR_CODES } from '@taskscope/exporters';
import { FARGATE_ERROR_CODES } from '@taskscope/fargate';
import { MOCK_ERROR_CODES } from '@taskscope/mock';
import { WIRE_ERROR_CODES } from '@taskscope/wire';
import { expect, test } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const README = readFileSync(new URL('README.md', ROOT), 'utf8');

/** The codes exported by every package, the union the README's table must equal. */
const EXPORTED = new Set<string>([
  ...WIRE_ERROR_CODES,
  ...METADATA_CLIENT_ERROR_CODES,
  ...AGENT_ERROR_CODES,
  ...EXPORTERS_ERROR_CODES,
  ...MOCK_ERROR_CODES,
  ...CLI_ERROR_CODES,
  ...FARGATE_ERROR_CODES,
  ...DASHBOARDS_ERROR_CODES,
]);

/** Rows of the README's "Errors" table: code and origin, in order. */
function tableRows(): Array<{ code: string; origin: string }> {
  const start = README.indexOf('## Errors');
  expect(start).toBeGreaterThan(-1);
  const section = README.slice(start, README.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^\| `([A-Z_]+)` \| (input|world) \((\d)\) \|/gm)].map((match) => {
    // The exit code column must say what the origin means.
    expect([match[1], match[3]]).toEqual([match[1], match[2] === 'input' ? '2' : '1']);
    return { code: match[1]!, origin: match[2]! };
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('the README error table lists every exported code once, and nothing else', () => {
  const codes = tableRows().map((row) => row.code);
  expect(new Set(codes).size).toBe(codes.length);
  expect([...codes].sort()).toEqual([...EXPORTED].sort());
});

test('every code a package writes in its sources is one it exports', () => {
  const packages = new URL('packages/', ROOT).pathname;
  const written = new Set<string>();
  for (const name of readdirSync(packages)) {
    let files: string[] = [];
    try {
      files = sourceFiles(join(packages, name, 'src'));
    } catch {
      continue; // a package without sources (fixtures' payloads only)
    }
    for (const file of files) {
      for (const match of readFileSync(file, 'utf8').matchAll(
        /'((?:TMDS|AGENT|OTLP|EMF|MOCK|CLI|FARGATE|DASHBOARD)_[A-Z_]+)'/g,
      ))
        written.add(match[1]!);
    }
  }
  expect(written.size).toBeGreaterThan(10);
  expect([...written].filter((code) => !EXPORTED.has(code))).toEqual([]);
});
