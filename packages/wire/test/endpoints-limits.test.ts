import fc from 'fast-check';
import { expect, test } from 'vitest';
import { apiVersionOf, effectiveLimit, endpointPaths, MIB, NO_LIMIT_THRESHOLD } from '../src/index.js';

test.each([
  ['http://169.254.170.2/v2', 'v2'],
  ['http://169.254.170.2/v2/', 'v2'],
  ['http://169.254.170.2/v2/metadata', 'v2'],
  ['http://169.254.170.2/v3/7b0b7f80-b4c5-4d7d-a1a0-1f4e6d3c5d2b', 'v3'],
  ['http://169.254.170.2/v3', 'v3'],
  ['http://169.254.170.2/v4/7b0b7f80-b4c5-4d7d-a1a0-1f4e6d3c5d2b', 'v4'],
  ['http://169.254.232.106/v4/bae32def0ab64f06818e8862e58f8d6d-1819985369', 'v4'],
  // Anything else is v4 (docs/contract.md), including look-alikes of the older prefixes.
  ['http://127.0.0.1:9000/', 'v4'],
  ['http://127.0.0.1:9000/metadata', 'v4'],
  ['http://127.0.0.1:9000/v20', 'v4'],
  ['http://127.0.0.1:9000/v3x/abc', 'v4'],
  ['http://127.0.0.1:9000/api/v2', 'v4'],
])('apiVersionOf(%s) is %s', (url, version) => {
  expect(apiVersionOf(url)).toBe(version);
});

test('apiVersionOf rejects a relative or malformed URL with TypeError', () => {
  expect(() => apiVersionOf('/v4/abc')).toThrow(TypeError);
  expect(() => apiVersionOf('not a url')).toThrow(TypeError);
});

test('v2 paths address containers by DockerId, encoded', () => {
  const paths = endpointPaths('v2');
  expect([paths.task, paths.taskWithTags, paths.taskStats]).toEqual([
    '/metadata',
    '/metadataWithTags',
    '/stats',
  ]);
  expect(paths.container('43481a6ce484')).toBe('/metadata/43481a6ce484');
  expect(paths.containerStats('43481a6ce484')).toBe('/stats/43481a6ce484');
  expect(paths.containerStats('a/b c')).toBe('/stats/a%2Fb%20c');
  expect(paths.container()).toBe('/metadata/');
});

test.each(['v3', 'v4'] as const)('%s paths are relative to the calling container', (version) => {
  const paths = endpointPaths(version);
  expect([paths.task, paths.taskWithTags, paths.taskStats]).toEqual([
    '/task',
    '/taskWithTags',
    '/task/stats',
  ]);
  expect(paths.container()).toBe('');
  expect(paths.containerStats()).toBe('/stats');
});

test.each([
  [134217728, 134217728],
  [0.25, 0.25],
  [2 ** 53 - 1, 2 ** 53 - 1],
  [2 ** 53, undefined],
  [2 ** 63 - 4096, undefined],
  // 2^64 − 1 as JSON.parse reads it.
  [JSON.parse('18446744073709551615') as number, undefined],
  [9223372036854772000, undefined],
  [Number.POSITIVE_INFINITY, undefined],
  [0, undefined],
  [-1, undefined],
  [Number.NaN, undefined],
  [null, undefined],
  [undefined, undefined],
])('effectiveLimit(%s) is %s', (value, expected) => {
  expect(effectiveLimit(value)).toBe(expected);
});

test('property: effectiveLimit is the value itself exactly when 0 < value < 2^53', () => {
  fc.assert(
    fc.property(fc.double(), (value) => {
      const limit = effectiveLimit(value);
      if (value > 0 && value < NO_LIMIT_THRESHOLD) expect(limit).toBe(value);
      else expect(limit).toBeUndefined();
    }),
  );
  expect(MIB).toBe(1048576);
});
