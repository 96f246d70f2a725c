import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, main } from './main.js';
import { addSwitch, envNameOf } from './options.js';

const SWITCH_ENV = 'TASKSCOPE_RECORD_KEEP_IDS';

afterEach(() => {
  delete process.env[SWITCH_ENV];
  delete process.env['TASKSCOPE_MOCK_NO_THROTTLE'];
});

/** A command with one switch like record's `--keep-ids` and one like mock's `--no-throttle`; resolves to their values. */
async function parseSwitches(args: string[]): Promise<{ keepIds?: boolean; throttle?: boolean }> {
  let seen: { keepIds?: boolean; throttle?: boolean } = {};
  const program = new Command('taskscope').exitOverride();
  const command = program.command('record').exitOverride();
  addSwitch(command, 'record', { flag: '--keep-ids', description: 'keep', oppositeDescription: 'scrub' });
  addSwitch(command, 'record', { flag: '--no-throttle', description: 'off', oppositeDescription: 'on' });
  command.action((options: typeof seen) => {
    seen = options;
  });
  await program.parseAsync(['record', ...args], { from: 'user' });
  return seen;
}

describe('switches', () => {
  it('reads every switch word from the variable, and the flag (either form) wins', async () => {
    for (const [word, on] of [
      ['true', true],
      ['1', true],
      ['YES', true],
      [' on ', true],
      ['false', false],
      ['0', false],
      ['no', false],
      ['off', false],
      ['', false],
    ] as const) {
      process.env[SWITCH_ENV] = word;
      expect([word, (await parseSwitches([])).keepIds]).toEqual([word, on]);
      expect([word, (await parseSwitches(['--keep-ids'])).keepIds]).toEqual([word, true]);
      expect([word, (await parseSwitches(['--no-keep-ids'])).keepIds]).toEqual([word, false]);
    }
    delete process.env[SWITCH_ENV];
    expect((await parseSwitches([])).keepIds).toBeUndefined();
  });

  it('reads a negative switch (--no-throttle) as its flag says: the variable set to true turns the thing off', async () => {
    process.env['TASKSCOPE_RECORD_NO_THROTTLE'] = 'true';
    try {
      expect((await parseSwitches([])).throttle).toBe(false);
      expect((await parseSwitches(['--throttle'])).throttle).toBe(true);
      process.env['TASKSCOPE_RECORD_NO_THROTTLE'] = 'false';
      expect((await parseSwitches([])).throttle).toBe(true);
      expect((await parseSwitches(['--no-throttle'])).throttle).toBe(false);
    } finally {
      delete process.env['TASKSCOPE_RECORD_NO_THROTTLE'];
    }
  });

  it('stops with exit 2 naming the variable, its value and the words for anything else', async () => {
    const err: string[] = [];
    const io: CliIo = { stdout: () => {}, stderr: (text) => err.push(text) };
    process.env[SWITCH_ENV] = 'banana';
    expect(await main(['record', '--from', 'http://127.0.0.1:1/v4/x', '--out', '/nonexistent/x'], io)).toBe(
      2,
    );
    expect(err.join('')).toBe(
      'taskscope: TASKSCOPE_RECORD_KEEP_IDS is "banana" (string); expected true or false (also 1/0, yes/no, on/off)\n',
    );
  });
});

describe('environment variable names', () => {
  it("keeps the agent's names unscoped and scopes every other command's", () => {
    expect(envNameOf('--listen')).toBe('TASKSCOPE_LISTEN');
    expect(envNameOf('--emf-container-metrics', 'agent')).toBe('TASKSCOPE_EMF_CONTAINER_METRICS');
    expect(envNameOf('--listen', 'mock')).toBe('TASKSCOPE_MOCK_LISTEN');
    expect(envNameOf('--no-throttle', 'mock')).toBe('TASKSCOPE_MOCK_NO_THROTTLE');
    expect(envNameOf('--interval', 'record')).toBe('TASKSCOPE_RECORD_INTERVAL');
  });
});
