import { afterAll, bench, describe } from 'vitest';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Every package resolves its workspace dependencies from source through the
 * `@taskscope/source` export condition, so tests never run against a stale `dist`.
 */
export const SOURCE_CONDITION = '@taskscope/source';

export function defineTaskscopeConfig(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(
    defineConfig({
      resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] },
      ssr: { resolve: { conditions: [SOURCE_CONDITION, 'import', 'node', 'default'] } },
      test: {
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        benchmark: { include: ['bench/**/*.bench.ts'] },
        restoreMocks: true,
        testTimeout: 20_000,
      },
    }),
    overrides,
  );
}

interface BenchNode {
  readonly name: string;
  readonly tasks?: readonly BenchNode[];
  readonly result?: { readonly benchmark?: { readonly mean: number } };
}

/** A finished bench group: its name and the mean time, in ms, of each of its benches by name. */
export interface BenchGroup {
  readonly name: string;
  mean(benchName: string): number | undefined;
}

/**
 * The groups (`describe` blocks) of a finished bench file, for an `afterAll(({}, suite) => …)`
 * hook that prints a ratio against a baseline measured in the same run.
 */
export function benchGroups(suite: unknown): BenchGroup[] {
  return ((suite as BenchNode).tasks ?? []).map((group) => ({
    name: group.name,
    mean: (benchName) => group.tasks?.find((task) => task.name === benchName)?.result?.benchmark?.mean,
  }));
}

/** What a bench may be given besides its name and body (tinybench's time, iterations, warm-up…). */
export type BenchOptions = Parameters<typeof bench>[2];

/** Where each bench puts what its body returns, so the engine cannot drop the work as unused. */
let sink: unknown;

/**
 * A group (`describe`) of benches run with the same options, one per entry in order: its name,
 * then the work to measure, which returns its result rather than storing it.
 */
export function benchGroup(
  name: string,
  benches: Readonly<Record<string, () => unknown>>,
  options?: BenchOptions,
): void {
  describe(name, () => {
    for (const [benchName, work] of Object.entries(benches)) {
      bench(
        benchName,
        () => {
          sink = work();
        },
        options,
      );
    }
  });
}

/**
 * Calls `report` once per group of the file's benches after they have all run: for a line that
 * gives a ratio against a baseline measured in the same run.
 */
export function afterBenchGroups(report: (group: BenchGroup) => void): void {
  // biome-ignore lint/correctness/noEmptyPattern: vitest hooks take a fixture object first; only the suite is used.
  afterAll(({}, suite) => {
    void sink;
    for (const group of benchGroups(suite)) report(group);
  });
}
