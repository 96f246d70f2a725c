import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as format from './format.js';

describe('top formatters', () => {
  it('write bytes in at most five characters, one decimal below 10 of a unit, never four digits', () => {
    expect(
      [0, 980, 999.6, 1023, 1024, 9.5 * 1024, 620 * 2 ** 20, 1000 * 2 ** 20, 1.4 * 2 ** 30, 2 ** 60].map(
        format.compactBytes,
      ),
    ).toEqual(['0B', '980B', '1.0K', '1.0K', '1.0K', '9.5K', '620M', '1.0G', '1.4G', '1024P']);
    expect(format.compactBytes(null)).toBe('-');
    expect(format.compactBytes(Number.NaN)).toBe('-');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 59, noNaN: true }), (bytes) => {
        const text = format.compactBytes(bytes);
        expect(text.length).toBeLessThanOrEqual(5);
        expect(text).toMatch(/^\d+(\.\d)?[BKMGTP]$/);
        expect(text).not.toMatch(/^\d{4}/);
      }),
    );
  });

  it('write counts in SI units and cores, percentages and restarts in their column widths', () => {
    expect([0, 980, 1234, 45_600, 3.1e6].map(format.compactCount)).toEqual([
      '0',
      '980',
      '1.2K',
      '46K',
      '3.1M',
    ]);
    expect([0, 0.0042, 0.45, 1.234, 12.34, 123.4, 2e5].map(format.cores)).toEqual([
      '0.000',
      '0.004',
      '0.450',
      '1.23',
      '12.3',
      '123',
      '>1e5',
    ]);
    expect([0, 0.44, 67.5, 99.96, 100, 250, 1000].map(format.percent)).toEqual([
      '0.0%',
      '0.4%',
      '67.5%',
      '100%',
      '100%',
      '250%',
      '>999%',
    ]);
    expect([0, 12, 999, 1000].map(format.restarts)).toEqual(['0', '12', '999', '999+']);
    for (const formatter of [format.compactCount, format.cores, format.percent, format.restarts])
      expect(formatter(null)).toBe('-');
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (value) => {
        expect(format.cores(value).length).toBeLessThanOrEqual(5);
        expect(format.percent(value).length).toBeLessThanOrEqual(5);
        expect(format.restarts(value).length).toBeLessThanOrEqual(4);
        expect(format.compactCount(value).length).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('write the task size, dollars, durations and the sample time as the header shows them', () => {
    expect([format.vcpus(0.25), format.vcpus(4), format.vcpus(null)]).toEqual([
      '0.25 vCPU',
      '4 vCPU',
      'vCPU n/r',
    ]);
    expect([512, 1024, 1536, 8192].map((mib) => format.memorySize(mib * 2 ** 20))).toEqual([
      '512 MiB',
      '1 GiB',
      '1.5 GiB',
      '8 GiB',
    ]);
    expect(format.memorySize(null)).toBe('memory n/r');
    expect([format.dollars(0.0421), format.dollars(12.5)]).toEqual(['$0.0421', '$12.50']);
    expect([0.4, 10, 125, 3725, null].map(format.seconds)).toEqual(['0.4s', '10s', '2m05s', '1h02m', 'n/r']);
    expect(format.timeOfDay(Date.UTC(2026, 0, 1, 12, 34, 56, 789))).toBe('12:34:56Z');
  });
});
