import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, TaskscopeError } from '@taskscope/input';
import { expect, it } from 'vitest';
import { CLI_ERROR_CODES, RecordError, UsageError } from './errors.js';
import { type CliIo, main, reportFailure } from './main.js';

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

it('rejects an unknown command with exit 2, names it, suggests the closest and lists the commands', async () => {
  const commands =
    'commands: agent, dashboards, demo, inject, mock, record, rightsize, top, validate; options: --version, --help; taskscope --help tells more\n';
  for (const [argv, message] of [
    [['agnet'], "error: unknown command 'agnet'\n(Did you mean agent?)\n"],
    // A --help after a command that does not exist printed the top-level help, exit 0.
    [['stats', '--help'], "error: unknown command 'stats'\n"],
    [['help', 'stats'], "error: unknown command 'stats'\n"],
    [['--bogus'], "error: unknown option '--bogus'\n"],
  ] as const) {
    const io = capture();
    expect([argv, await main(argv, io)]).toEqual([argv, 2]);
    expect(io.err.join('')).toBe(message + commands);
    expect(io.out.join('')).toBe('');
  }
});

it('rejects an unknown option of a command with exit 2, the closest and the list of its options', async () => {
  const io = capture();
  expect(await main(['record', '--from', 'http://127.0.0.1:9/v4/x', '--out', 'x', '--keep-id'], io)).toBe(2);
  expect(io.err.join('')).toBe(
    "error: unknown option '--keep-id'\n(Did you mean --keep-ids?)\n" +
      'options of record: --from, --out, --count, --interval, --keep-ids, --no-keep-ids, --help; taskscope record --help tells more\n',
  );
});

it('prints the version of the package with --version and -V, exit 0', async () => {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const io = capture();
    expect(await main([flag], io)).toBe(0);
    expect(io.out.join('')).toBe(`${version}\n`);
  }
});

it("loads only the named command, so a command's help shows its own flags", async () => {
  const io = capture();
  expect(await main(['agent', '--help'], io)).toBe(0);
  expect(io.out.join('')).toContain('--metadata-url <url>');
});

it('exits 2 for an InputError and prints its message without a stack', () => {
  const io = capture();
  const error = new InputError('AGENT_CONFIG', 'invalid agent configuration', [
    { field: '--interval', value: '5ms', allowed: 'a duration from 100ms to 1h' },
  ]);
  expect(reportFailure(error, io)).toBe(2);
  expect(io.err.join('')).toBe(
    'taskscope: invalid agent configuration: --interval is "5ms" (string); expected a duration from 100ms to 1h\n',
  );
});

it('exits 1 for an error of the world and prints its message without a stack', () => {
  const io = capture();
  const error = new RecordError(
    'record: http://127.0.0.1:9/v4/x/task: refused',
    'http://127.0.0.1:9/v4/x/task',
  );
  expect(reportFailure(error, io)).toBe(1);
  expect(io.err.join('')).toBe('taskscope: record: http://127.0.0.1:9/v4/x/task: refused\n');
  const io2 = capture();
  expect(reportFailure(new TaskscopeError('TMDS_TIMEOUT', 'world', 'GET x: no complete response'), io2)).toBe(
    1,
  );
  expect(io2.err.join('')).not.toContain('    at ');
});

it('exits 2 for a UsageError (CLI_USAGE), and prints a stack only for what is not a TaskscopeError (a bug)', () => {
  const io = capture();
  const usage = new UsageError('--scenario and --replay cannot be combined');
  expect([usage.code, usage.origin]).toEqual(['CLI_USAGE', 'input']);
  expect(reportFailure(usage, io)).toBe(2);
  expect(io.err.join('')).toBe('taskscope: --scenario and --replay cannot be combined\n');
  const bug = capture();
  expect(reportFailure(new TypeError('x is not a function'), bug)).toBe(1);
  expect(bug.err.join('')).toMatch(/^taskscope: TypeError: x is not a function\n\s+at /);
  expect(CLI_ERROR_CODES.join(' ')).toBe(
    'CLI_USAGE CLI_RECORD CLI_TOP CLI_VALIDATE CLI_INJECT CLI_RIGHTSIZE',
  );
});

it('exits 1 for a record that cannot reach the endpoint, one line without a stack (CLI_RECORD)', async () => {
  const io = capture();
  const out = join(await mkdtemp(join(tmpdir(), 'taskscope-main-')), 'r.jsonl');
  // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
  const code = await main(['record', '--from', 'http://127.0.0.1:9/v4/x', '--out', out, '--count', '1'], io);
  expect(code).toBe(1);
  const err = io.err.join('');
  expect(err).toMatch(
    /^taskscope: record: http:\/\/127\.0\.0\.1:9\/v4\/x: GET http:\/\/127\.0\.0\.1:9\/v4\/x: .*ECONNREFUSED/,
  );
  expect(err.trim().split('\n')).toHaveLength(1);
});
