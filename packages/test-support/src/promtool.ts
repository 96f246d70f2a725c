import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.js';

/** The Debian package with both `prometheus` and `promtool` (docs/decisions.md §5). */
export const PROMETHEUS_APT_PACKAGE = 'prometheus';

/** `promtool check metrics` on an exposition: its exit code (0 clean, 3 lint findings, 1 parse error) and output. */
export async function promtoolCheckMetrics(
  exposition: string,
): Promise<{ exitCode: number; output: string }> {
  const binary = requireBinary('promtool', PROMETHEUS_APT_PACKAGE);
  const child = spawn(binary, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  child.stdin.end(exposition);
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return { exitCode, output: output.trim() };
}
