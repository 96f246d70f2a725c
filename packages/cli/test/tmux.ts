import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, requireBinary, waitFor } from '@taskscope/test-support';

/*
 * A real pseudo-terminal for the built CLI: a tmux server of the test's own (its own socket,
 * killed at the end), one pane of a given size running `node packages/cli/dist/bin.js …`.
 * The pane is read with capture-pane (what a person sees) and its raw bytes are kept with
 * pipe-pane (what the process wrote, escape codes included). After the command a sentinel
 * line carries its exit code through the same terminal, so once the raw bytes hold the
 * sentinel they hold everything the process wrote before it.
 */

const run = promisify(execFile);

/** The built `taskscope` binary; packages/cli/turbo.json builds it before these tests. */
export const CLI_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Where a test leaves what it captured for a person to read (git ignores /tmp/ at the root). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'tmp', 'artifacts', 'top');

const SENTINEL = /\[taskscope exited (\d+)\]/;

export interface TmuxPane {
  /** The pane's lines as a person sees them now, trailing blank lines dropped. */
  capture(): Promise<string[]>;
  /** Polls the pane until `probe` returns something; fails with the last capture at the deadline. */
  waitForScreen<T>(what: string, probe: (lines: string[]) => T | undefined, timeoutMs?: number): Promise<T>;
  /** tmux send-keys, e.g. `'m'`, `'q'`, `'C-c'`. */
  sendKeys(...keys: string[]): Promise<void>;
  /** Resizes the window (the process gets SIGWINCH). */
  resize(widthColumns: number, heightRows: number): Promise<void>;
  /** Sends `signal` to the command (the pane shell's one child while it runs). */
  signal(signal: NodeJS.Signals): Promise<void>;
  /** The process's exit code, once it exited (read from the sentinel line). */
  exited(timeoutMs?: number): Promise<number>;
  /** Every byte the pane received so far. */
  raw(): Promise<string>;
  /** Writes `lines` to ARTIFACTS_DIR/`name` and returns the path. */
  saveArtifact(name: string, lines: readonly string[]): Promise<string>;
  /** Kills this test's tmux server and removes its files. */
  close(): Promise<void>;
}

export interface TmuxPaneOptions {
  /** Arguments after `node dist/bin.js`. */
  readonly args: readonly string[];
  readonly widthColumns: number;
  readonly heightRows: number;
  /** Extra environment of the command; `null` removes a variable (`NO_COLOR`). */
  readonly env?: Readonly<Record<string, string | null>>;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Starts the command in a fresh pane and returns once it runs. */
export async function openTmuxPane(options: TmuxPaneOptions): Promise<TmuxPane> {
  const tmux = requireBinary('tmux', 'tmux');
  if (!existsSync(CLI_BIN)) {
    throw new Error(
      `${CLI_BIN} is missing: build the CLI first (npx turbo run build --filter=@taskscope/cli; its test task does it)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-top-'));
  const socket = join(dir, 'tmux.sock');
  const rawFile = join(dir, 'raw');
  const tmuxArgs = (...args: string[]) => ['-S', socket, '-f', '/dev/null', ...args];
  const tmuxRun = async (...args: string[]) => (await run(tmux, tmuxArgs(...args))).stdout;

  const env = Object.entries(options.env ?? {});
  const unset = env.filter(([, value]) => value === null).map(([name]) => `-u ${quote(name)}`);
  const set = env.filter(([, value]) => value !== null).map(([name, value]) => quote(`${name}=${value}`));
  const script = [
    '#!/bin/sh',
    // Nothing runs until the raw capture is attached.
    `${quote(tmux)} -S ${quote(socket)} wait-for go`,
    `env ${[...unset, ...set].join(' ')} ${quote(process.execPath)} ${quote(CLI_BIN)} ${options.args.map(quote).join(' ')}`,
    'code=$?',
    `printf '\\n[taskscope exited %s]\\n' "$code"`,
    // The pane stays (for the last capture) until the server is killed.
    `${quote(tmux)} -S ${quote(socket)} wait-for end`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'run.sh'), script, { mode: 0o755 });
  await writeFile(rawFile, '');
  await tmuxRun(
    'new-session',
    '-d',
    '-s',
    'top',
    '-x',
    String(options.widthColumns),
    '-y',
    String(options.heightRows),
    join(dir, 'run.sh'),
  );
  // A window keeps the size it was made with, whatever clients attach (none do here).
  await tmuxRun('set-option', '-t', 'top', 'window-size', 'manual');
  await tmuxRun('pipe-pane', '-t', 'top', '-o', `cat >> ${quote(rawFile)}`);
  await tmuxRun('wait-for', '-S', 'go');

  const capture = async () => {
    const lines = (await tmuxRun('capture-pane', '-p', '-t', 'top')).split('\n');
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines;
  };
  const raw = () => readFile(rawFile, 'latin1');
  let last: string[] = [];
  return {
    capture,
    waitForScreen: (what, probe, timeoutMs = 30_000) =>
      waitFor(
        what,
        async () => {
          last = await capture();
          return probe(last);
        },
        { timeoutMs, intervalMs: 100, seen: () => `the pane:\n${last.join('\n')}` },
      ),
    sendKeys: async (...keys) => {
      await tmuxRun('send-keys', '-t', 'top', ...keys);
    },
    resize: async (widthColumns, heightRows) => {
      await tmuxRun('resize-window', '-t', 'top', '-x', String(widthColumns), '-y', String(heightRows));
    },
    signal: async (signal) => {
      const shell = (await tmuxRun('display-message', '-p', '-t', 'top', '#{pane_pid}')).trim();
      const children = (await readFile(`/proc/${shell}/task/${shell}/children`, 'utf8')).trim().split(/\s+/);
      if (children.length !== 1 || children[0] === '')
        throw new Error(
          `expected the command to be the only child of the pane's shell ${shell}: ${children.join(' ')}`,
        );
      process.kill(Number(children[0]), signal);
    },
    exited: async (timeoutMs = 30_000) => {
      const text = await waitFor(
        'the exit sentinel in the raw bytes',
        async () => {
          const bytes = await raw();
          return SENTINEL.test(bytes) ? bytes : undefined;
        },
        { timeoutMs, intervalMs: 100, seen: () => `the pane:\n${last.join('\n')}` },
      );
      return Number(SENTINEL.exec(text)![1]);
    },
    raw,
    saveArtifact: async (name, lines) => {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      const path = join(ARTIFACTS_DIR, name);
      await writeFile(path, `${lines.join('\n')}\n`);
      return path;
    },
    close: async () => {
      await run(tmux, tmuxArgs('kill-server')).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
