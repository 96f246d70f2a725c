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
