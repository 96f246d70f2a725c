import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMTOOL = '/usr/bin/promtool';

/** Run `promtool check metrics` on an exposition body; fails loudly when promtool is missing. */
export function promtoolCheckMetrics(body: string): { status: number | null; output: string } {
  if (!existsSync(PROMTOOL)) {
    throw new Error(
      `${PROMTOOL} is missing: install it with "apt-get install -y --no-install-recommends prometheus" (Debian package prometheus); these tests never skip`,
    );
  }
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
