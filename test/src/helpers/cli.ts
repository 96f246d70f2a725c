import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@taskscope/test-support';

/** The built `taskscope` binary; test/turbo.json makes `test` depend on `^build`. */
export const CLI_BIN = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

/** A `taskscope` child process with its output split into lines. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdoutLines: string[];
  readonly stderrLines: string[];
  /** Resolves to the first stdout or stderr line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves to the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Kills the process if it still runs (test cleanup). */
  kill(): void;
}

/** Spawns `node packages/cli/dist/bin.js …args`. */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  if (!existsSync(CLI_BIN)) {
    throw new Error(
      `${CLI_BIN} is missing: build the CLI first (npx turbo run build --filter=@taskscope/cli...; npm test does it through test/turbo.json)`,
    );
  }
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const split = (stream: NodeJS.ReadableStream, into: string[]) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      into.push(...lines);
    });
  };
  split(child.stdout!, stdoutLines);
  split(child.stderr!, stderrLines);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    stdoutLines,
    stderrLines,
    exited,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      waitFor(
        `a line matching ${pattern} from taskscope ${args.join(' ')}`,
        () => {
          if (child.exitCode !== null) {
            throw new Error(`exited ${child.exitCode}; stderr: ${stderrLines.join('\n').slice(-2000)}`);
          }
          return [...stdoutLines, ...stderrLines].find((line) => pattern.test(line));
        },
        { timeoutMs },
      ),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Sends `signal` and resolves to the exit code and how long the exit took, ms. */
export async function stopWith(
  cli: CliProcess,
  signal: NodeJS.Signals,
): Promise<{ code: number | string; ms: number }> {
  const started = performance.now();
  cli.child.kill(signal);
  const code = await cli.exited;
  return { code, ms: performance.now() - started };
}
