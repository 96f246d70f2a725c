import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactBytes,
  compactCount,
  cores,
  dollars,
  memorySize,
  percent,
  restarts,
  seconds,
  timeOfDay,
  vcpus,
} from './format.js';

describe('top formatters', () => {
  it('write bytes in at most five characters, one decimal below 10 of a unit, never four digits', () => {
    expect(
      [0, 980, 999.6, 1023, 1024, 9.5 * 1024, 620 * 2 ** 20, 1000 * 2 ** 20, 1.4 * 2 ** 30, 2 ** 60].map(
        compactBytes,
      ),
    ).toEqual(['0B', '980B', '1.0K', '1.0K', '1.0K', '9.5K', '620M', '1.0G', '1.4G', '1024P']);
    expect(compactBytes(null)).toBe('-');
    expect(compactBytes(Number.NaN)).toBe('-');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 59, noNaN: true }), (bytes) => {
        const text = compactBytes(bytes);
        expect(text.length).toBeLessThanOrEqual(5);
        expect(text).toMatch(/^\d+(\.\d)?[BKMGTP]$/);
        expect(text).not.toMatch(/^\d{4}/);
      }),
    );
  });

  it('write counts in SI units and cores, percentages and restarts in their column widths', () => {
    expect([0, 980, 1234, 45_600, 3.1e6].map(compactCount)).toEqual(['0', '980', '1.2K', '46K', '3.1M']);
    expect([0, 0.0042, 0.45, 1.234, 12.34, 123.4, 2e5].map(cores)).toEqual([
      '0.000',
      '0.004',
      '0.450',
      '1.23',
      '12.3',
      '123',
      '>1e5',
    ]);
    expect([0, 0.44, 67.5, 99.96, 100, 250, 1000].map(percent)).toEqual([
      '0.0%',
      '0.4%',
      '67.5%',
      '100%',
      '100%',
      '250%',
      '>999%',
    ]);
    expect([0, 12, 999, 1000].map(restarts)).toEqual(['0', '12', '999', '999+']);
    for (const format of [compactCount, cores, percent, restarts]) expect(format(null)).toBe('-');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (value) => {
        expect(cores(value).length).toBeLessThanOrEqual(5);
        expect(percent(value).length).toBeLessThanOrEqual(5);
        expect(restarts(value).length).toBeLessThanOrEqual(4);
        expect(compactCount(value).length).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('write the task size, dollars, durations and the sample time as the header shows them', () => {
    expect([vcpus(0.25), vcpus(4), vcpus(null)]).toEqual(['0.25 vCPU', '4 vCPU', 'vCPU n/r']);
    expect([512, 1024, 1536, 8192].map((mib) => memorySize(mib * 2 ** 20))).toEqual([
      '512 MiB',
      '1 GiB',
      '1.5 GiB',
      '8 GiB',
    ]);
    expect(memorySize(null)).toBe('memory n/r');
    expect([dollars(0.0421), dollars(12.5)]).toEqual(['$0.0421', '$12.50']);
    expect([0.4, 10, 125, 3725, null].map(seconds)).toEqual(['0.4s', '10s', '2m05s', '1h02m', 'n/r']);
    expect(timeOfDay(Date.UTC(2026, 0, 1, 12, 34, 56, 789))).toBe('12:34:56Z');
  });
});
