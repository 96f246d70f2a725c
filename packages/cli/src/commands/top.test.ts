import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { fargate10 } from '../../test/top-snapshots.js';
import { main, reportFailure } from '../main.js';
import type { TopSource } from './top/session.js';
import { registerTopCommand, type TopCommandDeps } from './top.js';

afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('TASKSCOPE_')) delete process.env[name];
});

describe('taskscope top: bad input', () => {
  it('rejects bad values with exit 2 and one line naming the flag (or variable), the value and what is allowed', async () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [
        ['--sort', 'speed'],
        {},
        "error: option '--sort <key>' argument 'speed' is invalid. Allowed choices are cpu, memory, name, net, disk.",
      ],
      [
        [],
        { TASKSCOPE_TOP_SORT: 'size' },
        "error: option '--sort <key>' value 'size' from env 'TASKSCOPE_TOP_SORT' is invalid. Allowed choices are cpu, memory, name, net, disk.",
      ],
      [
        ['--agent', 'localhost:9780'],
        {},
        "error: option '--agent <url>' argument 'localhost:9780' is invalid. expected the agent's http:// or https:// URL, such as http://127.0.0.1:9780",
      ],
      [
        ['--metadata-url', 'ftp://169.254.170.2/v4/x'],
        {},
        "error: option '--metadata-url <url>' argument 'ftp://169.254.170.2/v4/x' is invalid. expected an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id> (the scheme ftp: is not HTTP)",
      ],
      [
        ['--once'],
        { TASKSCOPE_TOP_NO_COLOR: 'maybe' },
        'taskscope: TASKSCOPE_TOP_NO_COLOR is "maybe" (string); expected true or false (also 1/0, yes/no, on/off)',
      ],
      [
        ['--agent', 'http://127.0.0.1:9780', '--metadata-url', 'http://169.254.170.2/v4/x'],
        {},
        'taskscope: --agent and --metadata-url cannot be combined; expected one: --agent reads an agent, --metadata-url the endpoint itself',
      ],
      [
        ['--metadata-url', 'http://169.254.170.2/v4/x'],
        { TASKSCOPE_TOP_AUTH_TOKEN: 'secret' },
        'taskscope: TASKSCOPE_TOP_AUTH_TOKEN is the token of an agent; expected it with --agent (reading the endpoint directly needs none)',
      ],
      [
        ['--agent', 'http://127.0.0.1:9780'],
        {},
        'taskscope: top: stdout is not a terminal; expected --once to print one table and exit (scripts, ECS Exec without a TTY)',
      ],
    ];
    for (const [argv, env, message] of cases) {
      Object.assign(process.env, env);
      const { io, stdout, stderr } = captureIo();
      expect([argv, env, await main(['top', ...argv], io)]).toEqual([argv, env, 2]);
      expect([argv, stderr()]).toEqual([argv, `${message}\n`]);
      expect(stdout()).toBe('');
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });

  it('names an unknown flag and lists the flags of top (exit 2)', async () => {
    const { io, stderr } = captureIo();
    expect(await main(['top', '--agnet', 'http://127.0.0.1:9780'], io)).toBe(2);
    expect(stderr()).toBe(
      "error: unknown option '--agnet'\n(Did you mean --agent?)\n" +
        'options of top: --agent, --metadata-url, --auth-token, --sort, --once, --no-once, --no-color, --color, --help; taskscope top --help tells more\n',
    );
  });

  it('prints its help with every flag, its variable and the keys, exit 0', async () => {
    const { io, stdout } = captureIo();
    expect(await main(['top', '--help'], io)).toBe(0);
    // Commander wraps the help at the terminal's width: compared with the breaks undone.
    const help = stdout().replace(/\s+/g, ' ');
    for (const text of [
      '--agent <url>',
      'env: TASKSCOPE_TOP_AGENT',
      '--metadata-url <url>',
      'env: TASKSCOPE_TOP_METADATA_URL',
      '--auth-token <token>',
      'env: TASKSCOPE_TOP_AUTH_TOKEN',
      '--sort <key>',
      'choices: "cpu", "memory", "name", "net", "disk"',
      'env: TASKSCOPE_TOP_SORT',
      '--once',
      'TASKSCOPE_TOP_ONCE=true|false',
      '--no-color',
      'TASKSCOPE_TOP_NO_COLOR=true|false',
      'Keys: c cpu, m memory, n name, t network, d disk; q or Ctrl-C quits.',
    ])
      expect([text, help.includes(text)]).toEqual([text, true]);
  });
});

describe('taskscope top --once (in process, over a fake source)', () => {
  /** Runs `top ARGV` with a pipe for stdout and a source that already has a snapshot with rates. */
  async function runOnce(argv: readonly string[], env: Record<string, string> = {}) {
    const { io, stdout, stderr } = captureIo();
    const opened: string[] = [];
    const source = (description: string): TopSource => ({
      client: {
        snapshot: async () => fargate10(),
        subscribe: async () => undefined,
      },
      description,
      endpointFailuresAreFatal: false,
      close: async () => {
        opened.push(`closed ${description}`);
      },
    });
    const deps: TopCommandDeps = {
      streams: {
        output: { isTTY: false, write: () => true, on: () => undefined, off: () => undefined },
        input: { resume: () => undefined, pause: () => undefined, on: () => undefined, off: () => undefined },
      },
      env,
      agentSource: (url, token) => {
        opened.push(`agent ${url} ${token}`);
        return source('agent');
      },
      metadataSource: async (url) => {
        opened.push(`metadata ${url}`);
        return source('metadata');
      },
    };
    const program = new Command('taskscope').exitOverride();
    registerTopCommand(program, io, deps);
    let code = 0;
    try {
      await program.parseAsync(['top', ...argv], { from: 'user' });
    } catch (error) {
      code = reportFailure(error, io);
    }
    return { code, stdout: stdout(), stderr: stderr(), opened };
  }

  it('prints one plain table of every container to a pipe and exits 0, 80 columns unless COLUMNS says', async () => {
    const run = await runOnce([
      '--once',
      '--agent',
      'http://127.0.0.1:9780',
      '--auth-token',
      't0k',
      '--sort',
      'memory',
    ]);
    expect(run.code).toBe(0);
    expect(run.opened).toEqual(['agent http://127.0.0.1:9780/ t0k', 'closed agent']);
    const lines = run.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(5, 8)).toEqual([
      'NAME             STATE     CPU  CPU%   MEM LIMIT  MEM%  RD/s  WR/s  RST',
      'search           RUNNING 0.500 12.5%  1.4G  1.5G 91.1%  2.5M  600K    0',
      'api              RUNNING 0.900 22.5%  980M  2.0G 47.9%    0B  4.0K    1',
    ]);
    expect(lines).toHaveLength(17);
    expect(run.stdout).not.toContain('\x1b');
    const narrow = await runOnce(['--once'], { COLUMNS: '60' });
    expect(narrow.opened).toEqual(['metadata undefined', 'closed metadata']);
    expect(narrow.stdout.split('\n')[5]).toBe('NAME             STATE     CPU  CPU%   MEM  MEM%  RST');
  });

  it('reads --once, --sort and --metadata-url from TASKSCOPE_TOP_*; --color forces colour into a pipe', async () => {
    const run = await runOnce(['--color'], {});
    expect(run.code).toBe(2);
    process.env['TASKSCOPE_TOP_ONCE'] = 'yes';
    process.env['TASKSCOPE_TOP_SORT'] = 'name';
    process.env['TASKSCOPE_TOP_METADATA_URL'] = 'http://127.0.0.1:51678/v4/abc/';
    const colored = await runOnce(['--color']);
    expect(colored.code).toBe(0);
    expect(colored.opened[0]).toBe('metadata http://127.0.0.1:51678/v4/abc');
    expect(colored.stdout).toContain('\x1b[1;4mNAME\x1b[0m');
    expect(colored.stdout.split('\n')[6]).toMatch(/^api /);
  });
});
