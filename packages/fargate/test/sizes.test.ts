import { describe, expect, test } from 'vitest';
import {
  cpuOptions,
  FARGATE_PLATFORMS,
  fargateSizes,
  isFargateSize,
  memoryWords,
  sizeTableWords,
  smallestSizeHolding,
} from '../src/index.js';

describe('the size table', () => {
  test('Linux has 74 sizes, the same on x86_64 and ARM64; Windows 43, from 1 to 4 vCPU', () => {
    expect(fargateSizes('linux/x86_64')).toHaveLength(3 + 4 + 7 + 13 + 23 + 12 + 12);
    expect(fargateSizes('linux/arm64')).toEqual(fargateSizes('linux/x86_64'));
    expect(fargateSizes('windows')).toHaveLength(7 + 13 + 23);
    expect(cpuOptions('windows').map((option) => option.cpuUnits)).toEqual([1024, 2048, 4096]);
  });

  test('each CPU value has the memory AWS lists, and 8 and 16 vCPU need platform 1.4.0', () => {
    const linux = Object.fromEntries(cpuOptions('linux/x86_64').map((option) => [option.cpuUnits, option]));
    expect(linux[256]!.memoriesMiB).toEqual([512, 1024, 2048]);
    expect(linux[512]!.memoriesMiB).toEqual([1024, 2048, 3072, 4096]);
    expect(linux[1024]!.memoriesMiB).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect([linux[2048]!.memoriesMiB[0], linux[2048]!.memoriesMiB.at(-1)]).toEqual([4096, 16384]);
    expect([linux[4096]!.memoriesMiB[0], linux[4096]!.memoriesMiB.at(-1)]).toEqual([8192, 30720]);
    expect(linux[8192]!.memoriesMiB.slice(0, 3)).toEqual([16384, 20480, 24576]);
    expect(linux[8192]!.memoriesMiB.at(-1)).toBe(61440);
    expect(linux[16384]!.memoriesMiB.slice(0, 3)).toEqual([32768, 40960, 49152]);
    expect(linux[16384]!.memoriesMiB.at(-1)).toBe(122880);
    expect([linux[8192]!.minimumPlatformVersion, linux[16384]!.minimumPlatformVersion]).toEqual([
      '1.4.0',
      '1.4.0',
    ]);
    expect(linux[4096]!.minimumPlatformVersion).toBeUndefined();
  });

  test('isFargateSize answers for the platform', () => {
    expect(isFargateSize('linux/x86_64', 256, 512)).toBe(true);
    expect(isFargateSize('linux/x86_64', 256, 1536)).toBe(false);
    expect(isFargateSize('windows', 256, 512)).toBe(false);
    expect(isFargateSize('windows', 2048, 4096)).toBe(true);
    expect(isFargateSize('linux/arm64', 16384, 122880)).toBe(true);
    expect(isFargateSize('linux/arm64', 300, 1024)).toBe(false);
  });

  test('sizes are ascending by CPU, then memory', () => {
    for (const platform of FARGATE_PLATFORMS) {
      const sizes = fargateSizes(platform);
      for (let i = 1; i < sizes.length; i++) {
        const [a, b] = [sizes[i - 1]!, sizes[i]!];
        expect(a.cpuUnits < b.cpuUnits || (a.cpuUnits === b.cpuUnits && a.memoryMiB < b.memoryMiB)).toBe(
          true,
        );
      }
    }
  });

  test('smallestSizeHolding picks the first size holding both, or none', () => {
    expect(smallestSizeHolding('linux/x86_64', 100, 600)).toEqual({ cpuUnits: 256, memoryMiB: 1024 });
    expect(smallestSizeHolding('linux/x86_64', 256, 3000)).toEqual({ cpuUnits: 512, memoryMiB: 3072 });
    expect(smallestSizeHolding('windows', 100, 600)).toEqual({ cpuUnits: 1024, memoryMiB: 2048 });
    expect(smallestSizeHolding('linux/x86_64', 16384, 122881)).toBeUndefined();
    expect(smallestSizeHolding('windows', 4097, 1)).toBeUndefined();
  });

  test('the words of a rule', () => {
    const [first, second, , fourth] = cpuOptions('linux/x86_64');
    expect(memoryWords(first!)).toBe('512, 1024 or 2048 MiB');
    expect(memoryWords(second!)).toBe('1024, 2048, 3072 or 4096 MiB');
    expect(memoryWords(fourth!)).toBe('4096 to 16384 MiB in steps of 1024');
    expect(sizeTableWords('windows')).toBe(
      '1024 with 2048 to 8192 MiB in steps of 1024; 2048 with 4096 to 16384 MiB in steps of 1024; 4096 with 8192 to 30720 MiB in steps of 1024',
    );
  });
});
