import { isTaskscopeError } from '@taskscope/input';
import { describe, expect, test } from 'vitest';
import {
  BUILT_IN_PRICES,
  costSoFar,
  dollarsPerHour,
  PriceTableError,
  parsePriceTable,
  priceTask,
  regionOf,
  regionPrices,
} from '../src/index.js';

const linux = BUILT_IN_PRICES.regions['us-east-1']!.platforms['linux/x86_64']!;
const storage = BUILT_IN_PRICES.regions['us-east-1']!.dollarsPerEphemeralGbHour;

describe('prices', () => {
  test('the built-in table is frozen', () => {
    expect(Object.isFrozen(BUILT_IN_PRICES.regions['us-east-1']!.platforms['windows'])).toBe(true);
    expect(BUILT_IN_PRICES.fallbackRegion).toBe('us-east-1');
  });

  test('the price of a size an hour', () => {
    // 0.25 × 0.04048 + 0.5 × 0.004445
    expect(dollarsPerHour(linux, storage, { cpuUnits: 256, memoryMiB: 512 })).toBeCloseTo(0.0123425, 10);
    // 1 × 0.04048 + 2 × 0.004445 + (50 − 20) × 0.000111
    expect(dollarsPerHour(linux, storage, { cpuUnits: 1024, memoryMiB: 2048 }, 50)).toBeCloseTo(0.0527, 10);
    const windows = priceTask(BUILT_IN_PRICES, {
      region: 'us-east-1',
      platform: 'windows',
      size: { cpuUnits: 2048, memoryMiB: 4096 },
    });
    // 2 × (0.09148 + 0.046) + 4 × 0.01005
    expect(windows?.dollarsPerHour).toBeCloseTo(0.31516, 10);
    expect(windows).toMatchObject({ minimumBilledSeconds: null, region: 'us-east-1', fallback: false });
  });

  test('a region the table lacks falls back to us-east-1 and says so', () => {
    expect(regionPrices(BUILT_IN_PRICES, 'eu-west-1')).toMatchObject({
      requestedRegion: 'eu-west-1',
      region: 'us-east-1',
      fallback: true,
    });
    expect(regionPrices(BUILT_IN_PRICES, 'us-east-1')).toMatchObject({
      region: 'us-east-1',
      fallback: false,
    });
    expect(
      priceTask(BUILT_IN_PRICES, {
        region: 'ap-south-1',
        platform: 'linux/arm64',
        size: { cpuUnits: 512, memoryMiB: 1024 },
      }),
    ).toMatchObject({ fallback: true, region: 'us-east-1' });
  });

  test('the cost so far bills whole seconds, at least the minimum', () => {
    const price = { dollarsPerHour: 3.6, minimumBilledSeconds: 60 };
    expect(costSoFar(price, 1_000_000, 1_000_000 + 10_500)).toEqual({
      dollars: 0.06,
      billedSeconds: 60,
      elapsedSeconds: 11,
      minimumApplied: true,
      minimumKnown: true,
    });
    const later = costSoFar(price, 1_000_000, 1_000_000 + 90_001);
    expect(later).toMatchObject({
      billedSeconds: 91,
      elapsedSeconds: 91,
      minimumApplied: false,
      minimumKnown: true,
    });
    expect(later.dollars).toBeCloseTo(0.091, 12);
    // A clock behind the pull start: nothing elapsed, the minimum still billed.
    expect(costSoFar(price, 1_000_000, 999_000)).toMatchObject({ elapsedSeconds: 0, billedSeconds: 60 });
    expect(costSoFar({ dollarsPerHour: 3.6, minimumBilledSeconds: null }, 0, 30_000)).toEqual({
      dollars: 0.03,
      billedSeconds: 30,
      elapsedSeconds: 30,
      minimumApplied: false,
      minimumKnown: false,
    });
  });

  test('regionOf reads ARNs and availability zones', () => {
    expect(regionOf('arn:aws:ecs:eu-west-1:123456789012:task/c/abc')).toBe('eu-west-1');
    expect(regionOf('us-east-1b')).toBe('us-east-1');
    expect(regionOf('us-west-2-lax-1a')).toBe('us-west-2');
    expect(regionOf('us-gov-west-1a')).toBe('us-gov-west-1');
    expect(regionOf('use1-az1')).toBeUndefined();
  });
});

describe('--prices FILE', () => {
  const file = {
    source: 'our enterprise discount sheet',
    retrievedOn: '2026-11-30',
    fallbackRegion: 'eu-west-1',
    regions: {
      'eu-west-1': {
        'linux/x86_64': { dollarsPerVcpuHour: 0.04, dollarsPerGbHour: 0.004, minimumBilledSeconds: 60 },
        dollarsPerEphemeralGbHour: 0.0001,
      },
      'eu-central-1': {
        windows: { dollarsPerVcpuHour: 0.1, dollarsPerGbHour: 0.01, licenceDollarsPerVcpuHour: 0.05 },
        dollarsPerEphemeralGbHour: 0.0001,
      },
    },
  };

  test('a good file replaces the table, with defaults filled in', () => {
    const table = parsePriceTable(file, 'price table prices.json');
    expect(table.fallbackRegion).toBe('eu-west-1');
    expect(table.regions['eu-central-1']!.platforms.windows).toEqual({
      dollarsPerVcpuHour: 0.1,
      dollarsPerGbHour: 0.01,
      licenceDollarsPerVcpuHour: 0.05,
      minimumBilledSeconds: null,
    });
    expect(table.regions['eu-west-1']!.platforms['linux/x86_64']!.licenceDollarsPerVcpuHour).toBe(0);
    expect(
      priceTask(table, {
        region: 'eu-central-1',
        platform: 'linux/x86_64',
        size: { cpuUnits: 256, memoryMiB: 512 },
      }),
    ).toBeUndefined();
    expect(
      priceTask(table, {
        region: 'sa-east-1',
        platform: 'linux/x86_64',
        size: { cpuUnits: 1024, memoryMiB: 2048 },
      }),
    ).toMatchObject({ region: 'eu-west-1', fallback: true, dollarsPerHour: 0.048 });
    const { fallbackRegion: _, ...withoutFallback } = file;
    expect(() => parsePriceTable(withoutFallback, 'price table p.json')).toThrow(
      'price table p.json: field "fallbackRegion" is "us-east-1" (string); expected a region of "regions" (eu-west-1, eu-central-1)',
    );
  });

  test('a bad file is one InputError naming every field, value and what is allowed', () => {
    const bad = {
      source: '',
      retrievedOn: '30/11/2026',
      regions: {
        Ireland: { dollarsPerEphemeralGbHour: -1 },
        'eu-west-1': {
          'linux/x86_64': { dollarsPerVcpuHour: '0.04', dollarsPerGbHour: 0.004, spot: true },
          dollarsPerEphemeralGbHour: 0,
        },
      },
    };
    let error: unknown;
    try {
      parsePriceTable(bad, 'price table bad.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PriceTableError);
    expect(isTaskscopeError(error, 'FARGATE_PRICES')).toBe(true);
    expect((error as PriceTableError).exitCode).toBe(2);
    expect((error as PriceTableError).problems.map((problem) => problem.field)).toEqual([
      'source',
      'retrievedOn',
      'regions.Ireland.dollarsPerEphemeralGbHour',
      'regions.eu-west-1.linux/x86_64.dollarsPerVcpuHour',
      'regions.eu-west-1.linux/x86_64.spot',
      'regions.Ireland',
    ]);
    expect((error as Error).message).toContain(
      'field "retrievedOn" is "30/11/2026" (string); expected a date as YYYY-MM-DD',
    );
    expect((error as Error).message).toContain(
      'field "regions.Ireland" is "Ireland" (string); expected an AWS region name such as "us-east-1"',
    );
    expect(() =>
      parsePriceTable(
        { source: 'x', retrievedOn: '2026-01-01', fallbackRegion: 'us-east-1', regions: {} },
        'p',
      ),
    ).toThrow('expected a region of "regions" (none given)');
    expect(() => parsePriceTable({ source: 'x', retrievedOn: '2026-01-01', regions: null }, 'p')).toThrow(
      'p: field "regions" is null (null); expected an object',
    );
    expect(() => parsePriceTable(null, 'p')).toThrow('p: the value is null (null); expected an object');
  });
});
