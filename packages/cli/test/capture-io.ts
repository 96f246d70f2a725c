import type { CliIo } from '../src/io.js';

/** A CliIo that keeps what a command writes, for a test to read as a user would. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}
