import { parsePayloadTime } from '@taskscope/wire';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { CGROUP_V1_NO_LIMIT, JsonInteger, stringifyJson } from '../../../src/common/json-text.js';
import { formatPayloadTime, GO_ZERO_TIME } from '../../../src/scenario/payloads/time-text.js';

test('timestamps are RFC3339Nano with trailing zeros trimmed, as Go writes them', () => {
  const origin = Date.UTC(2025, 1, 27, 5, 22, 49, 186);
  expect(formatPayloadTime(origin, 680_233)).toBe('2025-02-27T05:22:49.186680233Z');
  expect(formatPayloadTime(origin, 4_000_000)).toBe('2025-02-27T05:22:49.19Z');
  expect(formatPayloadTime(origin, 814_000_000)).toBe('2025-02-27T05:22:50Z');
  expect(formatPayloadTime(origin, -186_000_001)).toBe('2025-02-27T05:22:48.999999999Z');
  expect(GO_ZERO_TIME).toBe('0001-01-01T00:00:00Z');
});

test('every formatted time parses back to the same nanosecond', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
      fc.integer({ min: -1e15, max: 1e15 }),
      (originMs, offsetNs) => {
        const parsed = parsePayloadTime(formatPayloadTime(originMs, offsetNs))!;
        const totalNs = BigInt(parsed.epochSeconds) * 1_000_000_000n + BigInt(parsed.nanos);
        expect(totalNs).toBe(BigInt(originMs) * 1_000_000n + BigInt(offsetNs));
      },
    ),
  );
});

test('integers above 2^53 are written digit for digit', () => {
  const text = stringifyJson({
    limit: CGROUP_V1_NO_LIMIT,
    big: new JsonInteger('18446744073709551615'),
    skip: undefined,
    n: 0.5,
  });
  expect(text).toBe('{"limit":9223372036854771712,"big":18446744073709551615,"n":0.5}');
  expect(JSON.stringify({ limit: 2 ** 63 - 4096 })).toBe('{"limit":9223372036854772000}');
  expect(() => new JsonInteger('1e3')).toThrow(TypeError);
});
