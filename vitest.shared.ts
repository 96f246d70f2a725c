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
