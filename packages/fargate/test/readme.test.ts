import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { BUILT_IN_PRICES, cpuOptions, type FargatePlatform, type PlatformRates } from '../src/index.js';

/*
 * The README's tables are what users read: these tests hold them to the code, so neither can
 * change alone (and no test restates the figures a third time).
 */

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The cells of each row of the table under `heading`. */
function tableRows(heading: string): string[][] {
  const start = README.indexOf(`\n## ${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const section = README.slice(start + 1, README.indexOf('\n## ', start + 1));
  return [...section.matchAll(/^\|(.+)\|$/gm)]
    .map((match) => match[1]!.split('|').map((cell) => cell.trim()))
    .filter((cells) => !cells[0]!.startsWith('---'))
    .slice(1);
}

const dollars = (text: string) => Number(/\$([\d.]+)/.exec(text)![1]);

test('the README prices table is the built-in us-east-1 table', () => {
  const platforms: Partial<Record<FargatePlatform, PlatformRates>> = {};
  let dollarsPerEphemeralGbHour = Number.NaN;
  const names: Record<string, FargatePlatform> = {
    'Linux/x86_64': 'linux/x86_64',
    'Linux/ARM64': 'linux/arm64',
    'Windows/x86_64': 'windows',
  };
  for (const [name, vcpu, gb, minimum] of tableRows('Prices')) {
    if (name!.startsWith('ephemeral storage')) {
      dollarsPerEphemeralGbHour = dollars(gb!);
      continue;
    }
    const licence = /\+ \$([\d.]+) OS licence/.exec(vcpu!)?.[1];
    platforms[names[name!]!] = {
      dollarsPerVcpuHour: dollars(vcpu!),
      dollarsPerGbHour: dollars(gb!),
      licenceDollarsPerVcpuHour: licence === undefined ? 0 : Number(licence),
      minimumBilledSeconds: minimum === 'unknown' ? null : Number.parseInt(minimum!, 10),
    };
  }
  expect({ platforms, dollarsPerEphemeralGbHour }).toEqual(BUILT_IN_PRICES.regions['us-east-1']);
});

test('the README sizes table is the size table, per platform', () => {
  const rows = tableRows('Sizes');
  for (const platform of ['linux/x86_64', 'linux/arm64', 'windows'] as const) {
    const documented = rows
      .filter(([, , platforms]) => platforms!.includes(platform === 'windows' ? 'Windows' : 'Linux'))
      .map(([cpu, memory]) => {
        const range = /^(\d+) to (\d+), (\d+) GiB steps/.exec(memory!);
        const memoriesMiB = range
          ? Array.from(
              { length: (Number(range[2]) - Number(range[1])) / (Number(range[3]) * 1024) + 1 },
              (_, i) => Number(range[1]) + i * Number(range[3]) * 1024,
            )
          : memory!.split(', ').map(Number);
        return { cpuUnits: Number(cpu), memoriesMiB, platform140: memory!.includes('(platform 1.4.0+)') };
      });
    expect(documented, platform).toEqual(
      cpuOptions(platform).map((option) => ({
        cpuUnits: option.cpuUnits,
        memoriesMiB: option.memoriesMiB,
        platform140: platform !== 'windows' && option.minimumPlatformVersion === '1.4.0',
      })),
    );
  }
});
