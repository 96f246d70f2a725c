import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CGROUP_V2_NO_LIMIT,
  JsonInteger,
  looksLikeJson,
  parseJsonLossless,
  stringifyJson,
} from '../../src/common/json-text.js';

describe('lossless JSON', () => {
  it('keeps the no-limit sentinels above 2^53 exact', () => {
    const text =
      '{"limit":9223372036854771712,"max":18446744073709551615,"neg":-9223372036854775808,"f":1.5e+300}';
    expect(stringifyJson(parseJsonLossless(text))).toBe(text);
  });

  it('leaves digits inside strings and fractions alone', () => {
    const text = '{"id":"12345678901234567890","x":0.12345678901234567,"y":"a\\"1234567890123456789"}';
    const value = parseJsonLossless(text) as Record<string, unknown>;
    expect(value['id']).toBe('12345678901234567890');
    expect(value['y']).toBe('a"1234567890123456789');
    expect(stringifyJson(value)).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('writes bigint values as bare integers', () => {
    expect(stringifyJson({ limit: 18446744073709551615n, n: 1 })).toBe(
      '{"limit":18446744073709551615,"n":1}',
    );
  });

  it('round-trips any compact JSON document with big integers spliced in', () => {
    const big = fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n }).map((n) => ({ big: n }));
    const doc = fc.jsonValue().chain((value) => big.map((b) => ({ value, ...b })));
    fc.assert(
      fc.property(doc, ({ value, big: n }) => {
        const text = JSON.stringify({ value, n: '__N__' }).replace('"__N__"', n.toString());
        expect(stringifyJson(parseJsonLossless(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('writes parsed big integers, JsonIntegers and bigints side by side with one marker', () => {
    const parsed = parseJsonLossless('{"limit":9223372036854771712}') as Record<string, unknown>;
    expect(parsed['limit']).toBe('\u0000#9223372036854771712');
    expect(
      stringifyJson({ ...parsed, max: CGROUP_V2_NO_LIMIT, n: new JsonInteger('-12'), b: 2n ** 64n }),
    ).toBe('{"limit":9223372036854771712,"max":18446744073709551615,"n":-12,"b":18446744073709551616}');
  });

  it('tells JSON text from plain text', () => {
    expect(['"x"', '{}', '[1]', 'null', '12', 'true'].map(looksLikeJson)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['404 page not found\n', '', 'You have reached maximum request limit.', '{"a":'].map(looksLikeJson),
    ).toEqual([false, false, false, false]);
  });
});
