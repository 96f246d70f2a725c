import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dashboardDistDir } from '@taskscope/dashboard';
import { SnapshotSchema } from '@taskscope/sdk';
import { waitFor } from '@taskscope/test-support';
import { Command } from 'commander';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { registerDemoCommand } from './demo.js';

/** `taskscope demo` in this process, its output captured, with a stop standing in for Ctrl-C. */
function startDemo() {
  const out: string[] = [];
  const io: CliIo = { stdout: (text) => out.push(text), stderr: () => {} };
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const program = new Command('taskscope').exitOverride();
  registerDemoCommand(program, io, () => stopped);
  const running = program.parseAsync(['demo'], { from: 'user' });
  const stdout = () => out.join('');
  /** The printed `dashboard`, `metrics` and `snapshot` URLs, once all three are out. */
  const urls = () =>
    waitFor(
      'the demo to print its dashboard, metrics and snapshot URLs',
      () => {
        const printed = Object.fromEntries(
          stdout()
            .split('\n')
            .filter((line) => /^(dashboard|metrics|snapshot) /.test(line))
            .map((line) => line.split(/\s+/) as [string, string]),
        );
        return printed['snapshot'] === undefined ? undefined : printed;
      },
      { timeoutMs: 20_000, seen: stdout },
    );
  return { urls, running, stop: () => stop('SIGINT') };
}

describe('taskscope demo', () => {
  it('starts the mock and the agent on free ports, prints the URLs, and stops both', async () => {
    const demo = startDemo();
    const lines = await demo.urls();
    expect(lines['dashboard']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lines['metrics']).toBe(`${lines['dashboard']}metrics`);
    await waitFor('the agent to serve task metrics', async () =>
      (await (await fetch(lines['metrics']!)).text()).includes('ecs_task_metadata_info{') ? true : undefined,
    );
    // The dashboard package's build, which turbo makes before these tests (packages/cli/turbo.json);
    // without it, `/` says how to make it.
    const built = join(dashboardDistDir, 'index.html');
    const page = await fetch(lines['dashboard']!);
    if (existsSync(built)) {
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(await page.text()).toBe(readFileSync(built, 'utf8'));
    } else {
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
    }
    demo.stop();
    await demo.running;
    await expect(fetch(lines['dashboard']!)).rejects.toThrow();
  });

  it('shows running containers with numbers from the first good poll', async () => {
    const demo = startDemo();
    const snapshotUrl = (await demo.urls())['snapshot']!;
    // The first snapshot with metrics is the first good poll: it must already have numbers.
    const first = await waitFor(
      'the first snapshot with metrics',
      async () => {
        const snapshot = v.parse(SnapshotSchema, await (await fetch(snapshotUrl)).json());
        return snapshot.id === null ? undefined : snapshot;
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    const containers = first.containers.map((c) => ({
      name: c.name,
      state: c.state,
      hasCores: typeof c.cpu.cores === 'number',
    }));
    expect(containers).toEqual(
      ['app', 'worker', 'taskscope'].map((name) => ({ name, state: 'RUNNING', hasCores: true })),
    );
    demo.stop();
    await demo.running;
  });
});

describe('npm run demo', () => {
  it('shows a line per package while it builds, but not the build tools’ own output', () => {
    const manifest = JSON.parse(
      readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
    ) as {
      scripts: Record<string, string>;
    };
    const script = manifest.scripts['demo']!;
    // hash-only: turbo prints "<package>:build: cache miss, executing <hash>" as each task
    // starts (or "cache hit"), and the compilers' output only on failure. errors-only and
    // none print nothing for the 25–40 s of a first build.
    expect(script).toMatch(/turbo run build \S+ --output-logs=hash-only &&/);
    expect(script).toMatch(/^echo '[^']*building[^']*' &&/);
  });
});
