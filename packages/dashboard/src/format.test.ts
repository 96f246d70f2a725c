import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as format from './format.js';

const NBSP = '\u00a0';
const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** "312 MiB" → bytes, as a reader of the page would take it. */
function parseBytes(text: string): number {
  const [number, unit] = text.split(NBSP);
  return Number(number) * UNITS[unit!]!;
}

describe('null is "not reported", never 0', () => {
  test.each([
    ['formatBytes', format.formatBytes],
    ['formatRate', format.formatRate],
    ['formatCores', format.formatCores],
    ['formatPercent', format.formatPercent],
    ['formatCount', format.formatCount],
    ['formatDuration', format.formatDuration],
    ['formatDollars', format.formatDollars],
    ['formatVcpus', format.formatVcpus],
  ])('%s(null)', (_name, formatter) => {
    expect(formatter(null)).toBe(format.NOT_REPORTED);
    expect(formatter(Number.NaN)).toBe(format.NOT_REPORTED);
  });

  test('a reported 0 is 0', () => {
    expect(format.formatBytes(0)).toBe(`0${NBSP}B`);
    expect(format.formatRate(0)).toBe(`0${NBSP}B/s`);
    expect(format.formatCores(0)).toBe('0');
    expect(format.formatPercent(0)).toBe(`0.0${NBSP}%`);
    expect(format.formatCount(0)).toBe('0');
  });
});

describe('formatBytes', () => {
  test.each([
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [420 * 1024, '420 KiB'],
    [31.25 * 1024 * 1024, '31.3 MiB'],
    [312.4 * 1024 * 1024, '312 MiB'],
    [1023.9 * 1024 * 1024, '1 GiB'],
    [2 * 1024 ** 3, '2 GiB'],
    [1.3 * 1024 ** 2, '1.3 MiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(format.formatBytes(bytes)).toBe(text.replace(' ', NBSP));
  });

  test('rates add /s', () => {
    expect(format.formatRate(420 * 1024)).toBe(`420${NBSP}KiB/s`);
  });

  test('property: the text reads back within half a unit of its last digit (≤ 0.5 %)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 44, noNaN: true }), (bytes) => {
        const text = format.formatBytes(bytes);
        const [number, unit] = text.split(NBSP);
        // Three format.significant digits and a number below 1024 of its unit.
        expect(Number(number)).toBeLessThan(1024);
        expect(Object.keys(UNITS)).toContain(unit);
        expect(Math.abs(parseBytes(text) - bytes)).toBeLessThanOrEqual(0.005 * bytes + 0.5);
      }),
    );
  });
});

describe('significant', () => {
  test.each([
    [0.4123, '0.412'],
    [4.123, '4.12'],
    [41.23, '41.2'],
    [412.3, '412'],
    [4123, '4123'],
    [0.5, '0.5'],
    [-0.0001, '0'],
  ])('%d → %s', (value, text) => {
    expect(format.significant(value)).toBe(text);
  });
});

test('formatCores, formatPercent, formatVcpus', () => {
  expect(format.formatCores(0.41234)).toBe('0.412');
  expect(format.formatCores(1.256)).toBe('1.26');
  expect(format.formatPercent(41.25)).toBe(`41.3${NBSP}%`);
  expect(format.formatPercent(104.04)).toBe(`104.0${NBSP}%`);
  expect(format.formatVcpus(0.25)).toBe(`0.25${NBSP}vCPU`);
  expect(format.formatVcpus(1)).toBe(`1${NBSP}vCPU`);
});

test.each([
  [850, '850 ms'],
  [4200, '4.2 s'],
  [12_400, '12 s'],
  [185_000, '3 min 5 s'],
  [2 * 3600_000 + 4 * 60_000, '2 h 4 min'],
  [-5, '0 ms'],
])('formatDuration(%d) → %s', (ms, text) => {
  // Number and unit are joined by a no-break space; the parts by a plain one.
  expect(format.formatDuration(ms).replaceAll(NBSP, '_')).toBe(text.replace(/(\d) /g, '$1_'));
});

test('formatDollars: four decimals under a dollar', () => {
  expect(format.formatDollars(0.04937)).toBe('$0.0494');
  expect(format.formatDollars(12.5)).toBe('$12.50');
});
