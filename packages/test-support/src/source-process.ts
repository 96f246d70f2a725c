import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tail, WaitGaveUpError, type WaitOptions, waitFor } from './wait.js';

/** The repository root (this file is packages/test-support/src/source-process.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * tsx's loader as a file URL, resolved from here so the child finds it whatever its cwd.
 * tsx transpiles with esbuild and caches; the hooks it replaced (a `ts.transpileModule` loader)
 * loaded the TypeScript compiler into every child and ran `ts.transpileModule` per file, which
 * took 16–22 s under load before the child printed anything (issue #9).
 */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A child process running a TypeScript entry point of the workspace from its sources. */
export interface SourceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves to what `probe` returns for the output, once not `undefined`; fails loudly on exit or timeout. */
  waitForOutput<T>(
    what: string,
    probe: (output: { stdout: string; stderr: string }) => T | undefined,
    options?: WaitOptions,
  ): Promise<T>;
  /** The exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
  /** Kills it with SIGKILL if it still runs (test cleanup). */
  kill(): void;
}

/**
 * Spawns `node --conditions=@taskscope/source --import tsx ENTRY ...args` from the repository
 * root: the workspace packages resolve to their `src` through the same export condition the
 * vitest configs use, so a child process test runs on the sources, like the rest, with nothing built.
 */
export function spawnSource(
  entry: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv } = {},
): SourceProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@taskscope/source', '--import', TSX_LOADER, entry, ...args],
    {
      cwd: REPO_ROOT,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const seen = () => `stdout: ${tail(out)}\nstderr: ${tail(err)}`;
  const command = `${entry} ${args.join(' ')}`;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput: (what, probe, waitOptions = {}) =>
      waitFor(
        `${what} from ${command}`,
        () => {
          const found = probe({ stdout: out, stderr: err });
          if (found !== undefined) return found;
          if (child.exitCode !== null || child.signalCode !== null) {
            throw new WaitGaveUpError(
              `${command} exited (${child.exitCode ?? child.signalCode}) before ${what}; ${seen()}`,
            );
          }
          return undefined;
        },
        { seen, ...waitOptions },
      ),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
