import { MALFORMED_PAYLOAD_TIMES } from '@taskscope/test-support';
import { parsePayloadTime } from '@taskscope/wire';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { payloadTime, RECENT_TIMES_LIMIT } from '../src/time.js';

/*
 * core's fast timestamp path must be indistinguishable from wire's parsePayloadTime,
 * which stays the definition: every string gives the same PayloadTime or the same
 * `undefined`.
 */

const pad = (value: number, width: number) => String(value).padStart(width, '0');

const timestampArb = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1970, max: 2100 }), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 10 }),
    dot: fc.boolean(),
    zone: fc.constantFrom('Z', 'Z', 'Z', 'z', '+00:00', '-07:30'),
  })
  .map(
    ({ year, month, day, hour, minute, second, fraction, dot, zone }) =>
      `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${
        dot ? `.${fraction}` : ''
      }${zone}`,
  );

/** A well-formed timestamp with one character replaced. */
const corruptedArb = fc
  .tuple(timestampArb, fc.nat(), fc.constantFrom('x', ' ', '/', ':', '-', '.', '٣'))
  .map(([text, at, char]) => {
    const index = at % text.length;
    return text.slice(0, index) + char + text.slice(index + 1);
  });

test('payloadTime equals wire’s parsePayloadTime on any timestamp-shaped string', () => {
  fc.assert(
    fc.property(fc.oneof(timestampArb, corruptedArb, fc.string({ maxLength: 32 })), (text) => {
      expect(payloadTime(text)).toEqual(parsePayloadTime(text));
    }),
    { numRuns: 5000 },
  );
});

test.each([
  ['2025-02-27T05:22:49.186680233Z', { epochSeconds: 1_740_633_769, nanos: 186_680_233 }],
  ['2018-11-19T15:40:00.93733207Z', { epochSeconds: 1_542_642_000, nanos: 937_332_070 }],
  ['2025-02-27T05:22:43Z', { epochSeconds: 1_740_633_763, nanos: 0 }],
  ['0001-01-01T00:00:00Z', { epochSeconds: -62_135_596_800, nanos: 0 }],
  ['1969-12-31T23:59:59.99999999Z', { epochSeconds: -1, nanos: 999_999_990 }],
  ['2024-02-29T00:00:00Z', { epochSeconds: 1_709_164_800, nanos: 0 }],
  ['2000-02-29T00:00:00Z', { epochSeconds: 951_782_400, nanos: 0 }],
  ['2025-02-27T05:22:49+01:00', { epochSeconds: 1_740_630_169, nanos: 0 }],
  ['2025-02-27t05:22:49Z', { epochSeconds: 1_740_633_769, nanos: 0 }],
  ['2025-02-27T05:22:49.5z', { epochSeconds: 1_740_633_769, nanos: 500_000_000 }],
])('%s', (text, expected) => {
  expect(payloadTime(text)).toEqual(expected);
  expect(parsePayloadTime(text)).toEqual(expected);
});

test.each(MALFORMED_PAYLOAD_TIMES)('%j is no payload time to either', (text) => {
  expect(payloadTime(text)).toBeUndefined();
  expect(parsePayloadTime(text)).toBeUndefined();
});

test('a repeated timestamp gives the same value, also after the memo of recent ones was emptied', () => {
  const first = '2025-02-27T05:22:49.186680233Z';
  const expected = { epochSeconds: 1_740_633_769, nanos: 186_680_233 };
  expect(payloadTime(first)).toEqual(expected);
  expect(payloadTime(first)).toEqual(expected);
  expect(payloadTime('not a time')).toBeUndefined();
  expect(payloadTime('not a time')).toBeUndefined();
  // More distinct stamps than the memo holds: it is emptied on the way, and nothing changes.
  for (let second = 0; second <= RECENT_TIMES_LIMIT; second++) {
    const text = `2025-02-27T05:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.5Z`;
    expect(payloadTime(text)).toEqual(parsePayloadTime(text));
  }
  expect(payloadTime(first)).toEqual(expected);
});
