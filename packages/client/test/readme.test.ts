import { readFileSync } from 'node:fs';
import { TaskscopeError } from '@taskscope/input';
import { expect, test } from 'vitest';
import * as api from '../src/index.js';
import { METADATA_CLIENT_ERROR_CODES, MetadataClientError } from '../src/index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ERRORS_SOURCE = readFileSync(new URL('../src/errors.ts', import.meta.url), 'utf8');

/** Rows of the README's error table: code and class, in order. */
function readmeRows(): { code: string; className: string }[] {
  const section = README.slice(
    README.indexOf('## Errors'),
    README.indexOf('\n## ', README.indexOf('## Errors') + 1),
  );
  return [...section.matchAll(/^\|\s*`(TMDS_[A-Z_]+)`\s*\|\s*`(\w+)`/gm)].map((m) => ({
    code: m[1]!,
    className: m[2]!,
  }));
}

test('the README error table lists exactly the codes in the source, in the same order', () => {
  expect(readmeRows().map((row) => row.code)).toEqual([...METADATA_CLIENT_ERROR_CODES]);
});

test('every code literal in errors.ts is a declared code, and every declared code is used by a class', () => {
  const literals = new Set([...ERRORS_SOURCE.matchAll(/'(TMDS_[A-Z_]+)'/g)].map((m) => m[1]!));
  expect([...literals].sort()).toEqual([...METADATA_CLIENT_ERROR_CODES].sort());
});

test('each README row names an exported class that carries that code', () => {
  for (const { code, className } of readmeRows()) {
    const ErrorClass = (api as Record<string, unknown>)[className];
    expect(ErrorClass, className).toBeTypeOf('function');
    expect((ErrorClass as { prototype: unknown }).prototype, className).toBeInstanceOf(MetadataClientError);
    expect((ErrorClass as { prototype: unknown }).prototype, className).toBeInstanceOf(TaskscopeError);
    // The class's constructor passes its own code: find it in the class body.
    const body = ERRORS_SOURCE.slice(ERRORS_SOURCE.indexOf(`export class ${className} `));
    const nextClass = body.indexOf('\nexport class ', 1);
    expect(body.slice(0, nextClass === -1 ? undefined : nextClass), className).toContain(`'${code}'`);
  }
});
