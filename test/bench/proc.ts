import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * Process figures from Linux /proc, read by the bench for child processes it started: CPU
 * time from /proc/<pid>/stat (utime + stime, fields 14 and 15, in clock ticks) and resident
 * memory from VmRSS in /proc/<pid>/status.
 */

/** USER_HZ: 100 on every Linux architecture Node supports (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size, bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** A child process with its stdout split into lines. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly lines: string[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/**
 * Starts `node …args` without this machine's NODE_EXTRA_CA_CERTS: Node 20 loads that bundle
 * eagerly at start (+2 MB RSS, docs/decisions.md §1), and an ECS task does not have it.
 */
export function startChild(name: string, args: readonly string[], env: Record<string, string> = {}): Child {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv['NODE_EXTRA_CA_CERTS'];
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    pid: child.pid!,
    lines,
    async waitForLine(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const line of lines) {
          const match = pattern.exec(line);
          if (match) return match;
        }
        if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${stderr}`);
        if (Date.now() > deadline)
          throw new Error(`${name}: no line matching ${pattern} in ${timeoutMs} ms; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 6000);
      await exited;
      clearTimeout(timer);
    },
  };
}
