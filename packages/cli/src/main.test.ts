import { expect, it } from 'vitest';
import { type CliIo, main } from './main.js';

function capture(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

it('lists every command in the top-level help, exit 0', async () => {
  const io = capture();
  expect(await main(['--help'], io)).toBe(0);
  const help = io.out.join('');
  for (const command of ['agent', 'demo', 'mock', 'record'])
    expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
});

it('rejects an unknown command with exit 2 and names it', async () => {
  const io = capture();
  expect(await main(['agnet'], io)).toBe(2);
  expect(io.err.join('')).toContain("unknown command 'agnet'");
});

it("loads only the named command, so a command's help shows its own flags", async () => {
  const io = capture();
  expect(await main(['agent', '--help'], io)).toBe(0);
  expect(io.out.join('')).toContain('--metadata-url <url>');
});
