import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { EXPORTERS_ERROR_CODES, OTLP_SCOPE, translateOtlp } from '../src/index.js';
import { fargateTask } from './helpers/task-metrics.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

test("the OTLP scope is the package's own name and version, read from its package.json", () => {
  expect(OTLP_SCOPE).toEqual({ name: '@taskscope/exporters', version: manifest.version });
  expect(manifest.name).toBe('@taskscope/exporters');
  expect(
    translateOtlp(fargateTask(), undefined, { temporality: 'cumulative', nowMs: Date.now() }).scopeMetrics
      .scope,
  ).toEqual({
    name: manifest.name,
    version: manifest.version,
  });
});

test('the exporters declare their error codes', () => {
  expect(EXPORTERS_ERROR_CODES).toEqual(['OTLP_CONFIG', 'EMF_CONFIG']);
});
