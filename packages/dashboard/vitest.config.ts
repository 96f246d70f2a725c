import { defineTaskscopeConfig } from '../../vitest.shared.ts';

// The view model and the formatting are pure: they run in Node, without a DOM. What a person
// sees is tested in a real Chromium (test/src/dashboard.test.ts).
export default defineTaskscopeConfig();
