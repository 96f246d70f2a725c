import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.js';

/** The Debian package with both `prometheus` and `promtool` (docs/decisions.md §5). */
export const PROMETHEUS_APT_PACKAGE = 'prometheus';

/** `promtool check metrics` on an exposition: its exit code (0 clean, 3 lint findings, 1 parse error) and output. */
export function promtoolCheckMetrics(exposition: string): Promise<{ exitCode: number; output: string }> {
  return runPromtool(['check', 'metrics'], exposition);
}

/**
 * `promtool ARGS…` (`check rules FILE`, `test rules FILE`), with `stdin` as its input when
 * given: its exit code and its output, stdout and stderr together, trimmed.
 */
export async function runPromtool(
  args: readonly string[],
  stdin?: string,
): Promise<{ exitCode: number; output: string }> {
  const binary = requireBinary('promtool', PROMETHEUS_APT_PACKAGE);
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdin.end(stdin);
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return { exitCode, output: output.trim() };
}
