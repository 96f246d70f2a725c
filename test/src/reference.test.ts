import { createProgram } from '@taskscope/cli';
import { OTLP_METRICS, PROMETHEUS_FAMILIES } from '@taskscope/exporters';
import { expect, test } from 'vitest';
import { renderCliReference, renderMetricsReference } from './helpers/reference.js';

/*
 * Issue #14: reference pages generated from the code and checked current. A page that differs
 * from what the code renders fails here; `npx vitest run src/reference.test.ts -u` in test/
 * writes it anew (CI never writes: a missing or stale page fails).
 */

test('docs/reference/cli.md is current: every command and flag of the program', async () => {
  const page = await renderCliReference();
  const program = await createProgram([]);
  // Every command and every long flag of the program appears, so the page cannot silently
  // leave one out.
  for (const command of program.commands) {
    expect(page).toContain(`## \`taskscope ${command.name()}`);
    for (const option of command.options) expect(page).toContain(option.long!);
  }
  expect(page).toContain('`TASKSCOPE_LISTEN`');
  await expect(page).toMatchFileSnapshot('../../docs/reference/cli.md');
});

test('docs/reference/metrics.md is current: every family, OTLP metric and EMF metric', async () => {
  const page = await renderMetricsReference();
  for (const family of PROMETHEUS_FAMILIES) expect(page).toContain(`| \`${family.name}\` | ${family.type} |`);
  for (const spec of OTLP_METRICS) expect(page).toContain(`| \`${spec.name}\` |`);
  expect(page).toContain('`taskscope_poll_errors_total`');
  expect(page).toContain('`CpuUtilized`');
  await expect(page).toMatchFileSnapshot('../../docs/reference/metrics.md');
});
