import { defineTaskscopeConfig } from '../../vitest.shared.ts';

// Pure rules and arithmetic: every line and branch is reachable from a task definition or a
// price table, so the gate is 100 % as for core. index.ts only re-exports.
export default defineTaskscopeConfig({
  test: {
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/index.ts'],
      reporter: ['text', 'json-summary'],
      thresholds: { lines: 100, branches: 100, functions: 100, statements: 100 },
    },
  },
});
