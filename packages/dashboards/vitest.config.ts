import { defineTaskscopeConfig } from '../../vitest.shared.ts';

export default defineTaskscopeConfig();
