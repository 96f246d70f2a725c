import { BUILT_IN_PRICES, type PriceTable } from '@taskscope/fargate';
import { describe, expect, it } from 'vitest';
import { processPlatform, taskCostOf } from '../src/cost.js';
import { computeTask, EC2, FARGATE } from './helpers/payloads.js';

/*
 * The cost meter on ecs_exporter's real Fargate capture: 0.25 vCPU and 512 MiB in us-east-1,
 * its image pull started at 2025-02-27T05:06:03.714437592Z, 20,496 MiB of ephemeral storage
 * reserved (the free 20 GiB). us-east-1 Linux/x86 on-demand: $0.04048 a vCPU-hour and
 * $0.004445 a GB-hour, so 0.25 × 0.04048 + 0.5 × 0.004445 = $0.0123425 an hour.
 */

const PRICE_PER_HOUR = 0.25 * 0.04048 + 0.5 * 0.004445;
const LINUX_X86 = { table: BUILT_IN_PRICES, platform: 'linux/x86_64' } as const;

describe('taskCostOf', () => {
  const fargate = computeTask(FARGATE).metrics;
  const PULL_STARTED_MS = fargate.imagePull!.startedAtMs!;

  it('prices the task size at its region and platform, and bills from the image pull with the minute minimum', () => {
    expect(PULL_STARTED_MS).toBe(Date.parse('2025-02-27T05:06:03.714Z') + 0.437592);
    const figures = taskCostOf(fargate, LINUX_X86, PULL_STARTED_MS + 600_000);
    expect(figures?.dollarsPerHour).toBeCloseTo(PRICE_PER_HOUR, 12);
    expect(figures?.estimatedDollarsSoFar).toBeCloseTo((PRICE_PER_HOUR * 600) / 3600, 12);
    // Per second, rounded up: a millisecond into the next second bills it whole.
    expect(taskCostOf(fargate, LINUX_X86, PULL_STARTED_MS + 600_001)?.estimatedDollarsSoFar).toBeCloseTo(
      (PRICE_PER_HOUR * 601) / 3600,
      12,
    );
    expect(figures).toMatchObject({ pricedRegion: 'us-east-1' });
    expect(figures).not.toHaveProperty('fallbackFrom');
    // Ten seconds in: the one-minute minimum.
    expect(taskCostOf(fargate, LINUX_X86, PULL_STARTED_MS + 10_000)?.estimatedDollarsSoFar).toBeCloseTo(
      (PRICE_PER_HOUR * 60) / 3600,
      12,
    );
  });

  it('uses ARM rates on arm64, and says when the region fell back to another region’s rates', () => {
    const arm = taskCostOf(fargate, { table: BUILT_IN_PRICES, platform: 'linux/arm64' }, PULL_STARTED_MS);
    expect(arm?.dollarsPerHour).toBeCloseTo(0.25 * 0.03238 + 0.5 * 0.00356, 12);
    const elsewhere = structuredClone(FARGATE);
    elsewhere.metadata.TaskARN = elsewhere.metadata.TaskARN.replace('us-east-1', 'eu-west-1');
    elsewhere.metadata.AvailabilityZone = 'eu-west-1a';
    const fellBack = taskCostOf(computeTask(elsewhere).metrics, LINUX_X86, PULL_STARTED_MS);
    expect(fellBack).toMatchObject({ pricedRegion: 'us-east-1', fallbackFrom: 'eu-west-1' });
    expect(fellBack?.dollarsPerHour).toBeCloseTo(PRICE_PER_HOUR, 12);
  });

  it('has no cost on EC2, without a size, or without rates for the platform; a price without a pull start', () => {
    expect(taskCostOf(computeTask(EC2).metrics, LINUX_X86, PULL_STARTED_MS)).toBeUndefined();
    const noSize = structuredClone(FARGATE);
    delete noSize.metadata.Limits;
    expect(taskCostOf(computeTask(noSize).metrics, LINUX_X86, PULL_STARTED_MS)).toBeUndefined();
    const linuxOnly: PriceTable = {
      ...BUILT_IN_PRICES,
      regions: {
        'us-east-1': {
          ...BUILT_IN_PRICES.regions['us-east-1']!,
          platforms: { 'linux/x86_64': BUILT_IN_PRICES.regions['us-east-1']!.platforms['linux/x86_64']! },
        },
      },
    };
    expect(
      taskCostOf(fargate, { table: linuxOnly, platform: 'linux/arm64' }, PULL_STARTED_MS),
    ).toBeUndefined();
    const noPull = structuredClone(FARGATE);
    delete noPull.metadata.PullStartedAt;
    const priceOnly = taskCostOf(computeTask(noPull).metrics, LINUX_X86, PULL_STARTED_MS);
    expect(priceOnly?.dollarsPerHour).toBeCloseTo(PRICE_PER_HOUR, 12);
    expect(priceOnly).not.toHaveProperty('estimatedDollarsSoFar');
  });

  it('bills ephemeral storage only for whole GiB configured above the free 20', () => {
    const bigger = structuredClone(FARGATE);
    // 50 GiB configured: Reserved shows a few MiB more, as for the default 20 GiB.
    bigger.metadata.EphemeralStorageMetrics.Reserved = 50 * 1024 + 16;
    const figures = taskCostOf(computeTask(bigger).metrics, LINUX_X86, PULL_STARTED_MS);
    expect(figures?.dollarsPerHour).toBeCloseTo(PRICE_PER_HOUR + 30 * 0.000111, 12);
  });
});

describe('processPlatform', () => {
  it('maps node’s platform and architecture to a Fargate platform', () => {
    expect(processPlatform('linux', 'x64')).toBe('linux/x86_64');
    expect(processPlatform('linux', 'arm64')).toBe('linux/arm64');
    expect(processPlatform('win32', 'x64')).toBe('windows');
  });
});
