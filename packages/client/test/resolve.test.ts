import { thrownBy } from '@taskscope/test-support';
import { expect, test } from 'vitest';
import {
  DEFAULT_METADATA_URL,
  MetadataConfigError,
  type ResolveMetadataEndpointOptions,
  resolveMetadataEndpoint,
} from '../src/index.js';

const V4 = 'http://169.254.170.2/v4/bae32def0ab64f06818e8862e58f8d6d-1819985369';
const V3 = 'http://169.254.170.2/v3/7b0b7f80-b4c5-4d7d-a1a0-1f4e6d3c5d2b';
const BOTH = { ECS_CONTAINER_METADATA_URI_V4: V4, ECS_CONTAINER_METADATA_URI: V3 };

test('the flag wins over both environment variables', () => {
  expect(resolveMetadataEndpoint({ metadataUrl: 'http://127.0.0.1:9000/v3/abc', env: BOTH })).toEqual({
    baseUrl: 'http://127.0.0.1:9000/v3/abc',
    version: 'v3',
    source: 'flag',
  });
});

test('ECS_CONTAINER_METADATA_URI_V4 wins over ECS_CONTAINER_METADATA_URI', () => {
  expect(resolveMetadataEndpoint({ env: BOTH })).toEqual({
    baseUrl: V4,
    version: 'v4',
    source: 'ECS_CONTAINER_METADATA_URI_V4',
  });
});

test('ECS_CONTAINER_METADATA_URI alone is v3', () => {
  expect(resolveMetadataEndpoint({ env: { ECS_CONTAINER_METADATA_URI: V3 } })).toEqual({
    baseUrl: V3,
    version: 'v3',
    source: 'ECS_CONTAINER_METADATA_URI',
  });
});

test('nothing set (or set empty) falls back to v2 on 169.254.170.2', () => {
  const expected = { baseUrl: 'http://169.254.170.2/v2', version: 'v2', source: 'default' };
  expect(resolveMetadataEndpoint({ env: {} })).toEqual(expected);
  expect(
    resolveMetadataEndpoint({ env: { ECS_CONTAINER_METADATA_URI_V4: '', ECS_CONTAINER_METADATA_URI: ' ' } }),
  ).toEqual(expected);
  expect(DEFAULT_METADATA_URL).toBe(expected.baseUrl);
});

test('the version is read from the path, whatever the source says', () => {
  // amazon-ecs-local-container-endpoints has no /v4 routes; its docs point the V4 variable at /v3.
  expect(
    resolveMetadataEndpoint({ env: { ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v3' } }),
  ).toMatchObject({
    version: 'v3',
    source: 'ECS_CONTAINER_METADATA_URI_V4',
  });
  expect(resolveMetadataEndpoint({ metadataUrl: 'http://127.0.0.1:51679/v2', env: BOTH }).version).toBe('v2');
  expect(resolveMetadataEndpoint({ metadataUrl: 'http://mock.local:8080', env: {} })).toEqual({
    baseUrl: 'http://mock.local:8080',
    version: 'v4',
    source: 'flag',
  });
});

test('trailing slashes and surrounding blanks are dropped from the base URL', () => {
  expect(resolveMetadataEndpoint({ metadataUrl: ' http://127.0.0.1:9000/v4/abc// ', env: {} }).baseUrl).toBe(
    'http://127.0.0.1:9000/v4/abc',
  );
});

test.each<[ResolveMetadataEndpointOptions, string, string]>([
  [{ metadataUrl: 'not a url' }, '--metadata-url', ''],
  [{ metadataUrl: '' }, '--metadata-url', ''],
  [{ metadataUrl: '169.254.170.2/v4/abc' }, '--metadata-url', ''],
  [{ metadataUrl: 'ftp://169.254.170.2/v4/abc' }, '--metadata-url', ' (the scheme ftp: is not HTTP)'],
  [{ metadataUrl: 'http://169.254.170.2/v4/abc?x=1' }, '--metadata-url', ', without a query or fragment'],
  [{ env: { ECS_CONTAINER_METADATA_URI_V4: 'http//broken' } }, 'ECS_CONTAINER_METADATA_URI_V4', ''],
  [{ env: { ECS_CONTAINER_METADATA_URI: 'http://[::1' } }, 'ECS_CONTAINER_METADATA_URI', ''],
])('%j is a TMDS_CONFIG error naming %s', (options, setting, why) => {
  const value = options.metadataUrl ?? Object.values(options.env ?? {})[0];
  const caught = thrownBy(() => resolveMetadataEndpoint({ env: {}, ...options }));
  expect(caught).toBeInstanceOf(MetadataConfigError);
  const error = caught as MetadataConfigError;
  expect(error.code).toBe('TMDS_CONFIG');
  expect(error.setting).toBe(setting);
  expect(error.value).toBe(value);
  const allowed = `an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id>${why}`;
  expect(error.message).toBe(`${setting} is ${JSON.stringify(value)} (string); expected ${allowed}`);
  expect(error.problems).toEqual([{ field: setting, value, allowed }]);
  expect([error.origin, error.exitCode]).toEqual(['input', 2]);
});

test('a bad V4 variable is reported even when the v3 one is fine: no silent fallback', () => {
  expect(() =>
    resolveMetadataEndpoint({
      env: { ECS_CONTAINER_METADATA_URI_V4: 'garbage', ECS_CONTAINER_METADATA_URI: V3 },
    }),
  ).toThrow(/^ECS_CONTAINER_METADATA_URI_V4 is "garbage"/);
});

test('process.env is read when no env is given', () => {
  const saved = process.env['ECS_CONTAINER_METADATA_URI_V4'];
  process.env['ECS_CONTAINER_METADATA_URI_V4'] = V4;
  try {
    expect(resolveMetadataEndpoint().source).toBe('ECS_CONTAINER_METADATA_URI_V4');
  } finally {
    if (saved === undefined) delete process.env['ECS_CONTAINER_METADATA_URI_V4'];
    else process.env['ECS_CONTAINER_METADATA_URI_V4'] = saved;
  }
});
