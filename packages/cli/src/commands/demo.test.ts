import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { registerDemoCommand } from './demo.js';

type Snapshot = {
  metrics: {
    containers: { name: string; knownStatus?: string; stats?: { cpu: { cores?: number } } }[];
  } | null;
};

describe('taskscope demo', () => {
  it('shows running containers with numbers from the first good poll', async () => {
    const out: string[] = [];
    const io: CliIo = { stdout: (text) => out.push(text), stderr: () => {} };
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const program = new Command('taskscope').exitOverride();
    registerDemoCommand(program, io, () => stopped);
    const running = program.parseAsync(['demo'], { from: 'user' });
    await expect.poll(() => out.join('').includes('snapshot '), { timeout: 20_000 }).toBe(true);
    const snapshotUrl = /^snapshot\s+(\S+)$/m.exec(out.join(''))![1]!;
    // The first snapshot with metrics is the first good poll: it must already have numbers.
    let first: Snapshot | undefined;
    await expect
      .poll(
        async () => {
          const snapshot = (await (await fetch(snapshotUrl)).json()) as Snapshot;
          if (snapshot.metrics !== null) first ??= snapshot;
          return first !== undefined;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const containers = first!.metrics!.containers.map((c) => ({
      name: c.name,
      knownStatus: c.knownStatus,
      hasCores: typeof c.stats?.cpu.cores === 'number',
    }));
    expect(containers).toEqual(
      ['app', 'worker', 'taskscope'].map((name) => ({ name, knownStatus: 'RUNNING', hasCores: true })),
    );
    stop('SIGINT');
    await running;
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
