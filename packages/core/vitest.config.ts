import { defineTaskscopeConfig } from '../../vitest.shared.ts';

// Core is pure computation: every line and branch is reachable from a payload, so the
// gate is 100 % (docs/decisions.md §3.5). types.ts, snapshot.ts and state.ts hold
// only type declarations and index.ts only re-exports: they compile to no code.
export default defineTaskscopeConfig({
  test: {
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/types.ts', 'src/snapshot.ts', 'src/state.ts', 'src/index.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 100, branches: 100, functions: 100, statements: 100 },
    },
  },
});
