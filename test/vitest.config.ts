import { defineTaskscopeConfig } from '../vitest.shared.ts';

export default defineTaskscopeConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
