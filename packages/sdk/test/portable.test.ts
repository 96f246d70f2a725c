/*
 * The SDK runs in browsers (the dashboard page) as well as Node (`taskscope top`, apps of the
 * task): its sources import nothing but valibot and each other. `tsc -p tsconfig.browser.json`
 * (DOM types, no @types/node) checks the globals; this checks the imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url);

/** Every module specifier a source imports or re-exports, statically or with import(). */
function importedModules(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

function isNodeOnly(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] as string);
}

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => ({ file, text: readFileSync(join(SRC.pathname, file), 'utf8') }));

describe('src/ is portable', () => {
  it('finds the sources and their imports', () => {
    expect(sources.map((source) => source.file).sort()).toEqual(
      expect.arrayContaining(['client.ts', 'index.ts', 'schema.ts', 'sse.ts']),
    );
    expect(importedModules(sources.find((source) => source.file === 'client.ts')!.text)).toContain('valibot');
  });

  it('the scan sees every way of importing node built-ins', () => {
    const sample = [
      "import { readFile } from 'node:fs/promises';",
      'import http from "http";',
      "export { x } from 'node:os';",
      "const url = await import('node:url');",
      "import 'node:process';",
      "const fs = require('fs');",
    ].join('\n');
    expect(importedModules(sample).filter(isNodeOnly)).toEqual([
      'node:fs/promises',
      'http',
      'node:os',
      'node:url',
      'node:process',
      'fs',
    ]);
  });

  it.each(sources)('$file imports no node: module or built-in', ({ text }) => {
    expect(importedModules(text).filter(isNodeOnly)).toEqual([]);
  });

  it.each(sources)('$file imports only valibot and the package’s own modules', ({ text }) => {
    const outside = importedModules(text).filter(
      (specifier) => !specifier.startsWith('./') && specifier !== 'valibot',
    );
    expect(outside).toEqual([]);
  });

  it('the package has one runtime dependency, valibot', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['valibot']);
  });
});
