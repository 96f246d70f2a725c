import { MALFORMED_PAYLOAD_TIMES } from '@taskscope/test-support';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  isSampleTime,
  parsePayloadTime,
  payloadTimeToMs,
  samePayloadTime,
  secondsBetween,
} from '../src/index.js';

// 2025-02-27T05:22:49Z
const EPOCH_S = 1740633769;

test.each([
  ['2025-02-27T05:22:49Z', 0],
  ['2025-02-27T05:22:49.1Z', 100_000_000],
  ['2025-02-27T05:22:49.18Z', 180_000_000],
  ['2025-02-27T05:22:49.186Z', 186_000_000],
  ['2025-02-27T05:22:49.1866Z', 186_600_000],
  ['2025-02-27T05:22:49.18668Z', 186_680_000],
  ['2025-02-27T05:22:49.186680Z', 186_680_000],
  ['2025-02-27T05:22:49.1866802Z', 186_680_200],
  ['2025-02-27T05:22:49.18668023Z', 186_680_230],
  ['2025-02-27T05:22:49.186680233Z', 186_680_233],
])('%s has the exact nanoseconds (%i)', (text, nanos) => {
  expect(parsePayloadTime(text)).toEqual({ epochSeconds: EPOCH_S, nanos });
});

test.each([
  ['2025-02-27T07:22:49.5+02:00', EPOCH_S],
  ['2025-02-27T00:52:49.5-04:30', EPOCH_S],
  ['2025-02-27T05:22:49.5+00:00', EPOCH_S],
  ['2025-02-27t05:22:49.5z', EPOCH_S],
  ['2025-02-27T00:00:00.5+23:59', 1740614400 - (23 * 3600 + 59 * 60)],
])('%s is read with its offset', (text, epochSeconds) => {
  expect(parsePayloadTime(text)).toEqual({ epochSeconds, nanos: 500_000_000 });
});

test("Go's zero time and the agent's 1969 input parse but are not sample times", () => {
  const zero = parsePayloadTime('0001-01-01T00:00:00Z');
  expect(zero).toEqual({ epochSeconds: -62135596800, nanos: 0 });
  expect(isSampleTime(zero)).toBe(false);
  const synthetic = parsePayloadTime('1969-12-31T23:59:59.99999999Z');
  expect(synthetic).toEqual({ epochSeconds: -1, nanos: 999_999_990 });
  expect(isSampleTime(synthetic)).toBe(false);
  expect(isSampleTime(undefined)).toBe(false);
  expect(isSampleTime(parsePayloadTime('2025-02-27T05:22:49Z'))).toBe(true);
});

test.each(MALFORMED_PAYLOAD_TIMES)('%j is not a payload time', (text) => {
  expect(parsePayloadTime(text)).toBeUndefined();
});

test('leap day exists only in leap years', () => {
  expect(parsePayloadTime('2024-02-29T00:00:00Z')).toBeDefined();
  expect(parsePayloadTime('2025-02-29T00:00:00Z')).toBeUndefined();
});

test('secondsBetween is exact to the nanosecond for the Fargate fixture (read − preread)', () => {
  const preread = parsePayloadTime('2025-02-27T05:22:39.185738849Z')!;
  const read = parsePayloadTime('2025-02-27T05:22:49.186680233Z')!;
  expect(secondsBetween(preread, read)).toBe(10.000941384);
  expect(secondsBetween(read, preread)).toBe(-10.000941384);
  // Across a second boundary, with a borrow from the seconds.
  const a = parsePayloadTime('2025-02-27T05:22:49.999999999Z')!;
  const b = parsePayloadTime('2025-02-27T05:22:50.000000001Z')!;
  expect(secondsBetween(a, b)).toBe(2e-9);
});

test('payloadTimeToMs keeps the fraction; samePayloadTime compares to the nanosecond', () => {
  const read = parsePayloadTime('2025-02-27T05:22:49.186680233Z')!;
  expect(payloadTimeToMs(read)).toBe(EPOCH_S * 1000 + 186.680233);
  expect(samePayloadTime(read, parsePayloadTime('2025-02-27T07:22:49.186680233+02:00')!)).toBe(true);
  expect(samePayloadTime(read, parsePayloadTime('2025-02-27T05:22:49.186680234Z')!)).toBe(false);
});

test('property: any instant round-trips, and a difference under 104 days is the correctly rounded value', () => {
  const instant = fc.record({
    ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
    subMsNanos: fc.integer({ min: 0, max: 999_999 }),
  });
  fc.assert(
    fc.property(instant, fc.integer({ min: 0, max: 104 * 86_400 * 1e3 - 1 }), (start, spanMs) => {
      const text = (ms: number, sub: number) =>
        `${new Date(ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1e6 + sub).padStart(9, '0')}Z`;
      const earlier = parsePayloadTime(text(start.ms, start.subMsNanos))!;
      const later = parsePayloadTime(text(start.ms + spanMs, 0))!;
      expect(earlier.epochSeconds * 1000 + Math.floor(earlier.nanos / 1e6)).toBe(start.ms);
      const exactNanos = BigInt(spanMs) * 1_000_000n - BigInt(start.subMsNanos);
      expect(secondsBetween(earlier, later)).toBe(Number(exactNanos) / 1e9);
    }),
    { numRuns: 300 },
  );
});
