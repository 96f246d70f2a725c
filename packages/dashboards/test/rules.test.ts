import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPromtool } from '@taskscope/test-support';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { alertingRules, prometheusRules, prometheusRulesYaml, recordingRules } from '../src/index.ts';

const RULES_FILE = fileURLToPath(new URL('../rules/taskscope.rules.yml', import.meta.url));
const UNIT_TESTS = fileURLToPath(new URL('./rules/taskscope.rules.test.yml', import.meta.url));

test('the shipped rules file is what prometheusRulesYaml() writes', () => {
  expect(readFileSync(RULES_FILE, 'utf8')).toBe(prometheusRulesYaml());
  expect(parse(readFileSync(RULES_FILE, 'utf8'))).toEqual(prometheusRules());
});

test('promtool check rules accepts the shipped file', async () => {
  const { exitCode, output } = await runPromtool(['check', 'rules', RULES_FILE]);
  expect(output).toContain(`SUCCESS: ${recordingRules().length + alertingRules().length} rules found`);
  expect(exitCode).toBe(0);
});

test('promtool test rules: the recording rules compute the rates and the alerts fire on the hot task only', async () => {
  const { exitCode, output } = await runPromtool(['test', 'rules', UNIT_TESTS]);
  expect(output).toContain('SUCCESS');
  expect(exitCode).toBe(0);
});

test('the alerts the issue asks for, each on a recorded series or a counter through increase()', () => {
  expect(alertingRules().map((rule) => rule.alert)).toEqual([
    'TaskscopeContainerMemoryNearLimit',
    'TaskscopeTaskCpuAtLimit',
    'TaskscopeContainerRestarted',
    'TaskscopeAgentPollsFailing',
  ]);
  const recorded = new Set(recordingRules().map((rule) => rule.record));
  for (const rule of alertingRules()) {
    const names = rule.expr.match(/\b[a-z_]+:[a-z_]+:[a-z0-9_]+\b/g) ?? [];
    for (const name of names) expect(recorded, `${rule.alert} reads ${name}`).toContain(name);
  }
});
