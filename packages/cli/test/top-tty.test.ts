import { spawn } from 'node:child_process';
import { createAgentLogger, type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import { type MockServer, startMock } from '@taskscope/mock';
import { REFUSED_PORT } from '@taskscope/test-support';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, openTmuxPane, type TmuxPane } from './tmux.js';

/*
 * `taskscope top` as a person meets it: the built CLI in a real pseudo-terminal (tmux), against
 * the mock's ten-container Fargate task, read directly and through an agent. What the screen
 * shows is read back with capture-pane; what the process wrote (escape codes and all) with
 * pipe-pane. The 80- and 60-column screens are kept in tmp/artifacts/top/.
 */

const FARGATE_10 = [
  'frontend',
  'api',
  'cart',
  'search',
  'worker',
  'envoy',
  'log-router',
  'xray-daemon',
  'cloudwatch-agent',
  'taskscope',
];

const CSI_SHOW = '\x1b[?25h';
const CSI_HIDE = '\x1b[?25l';

let mock: MockServer | undefined;
let agent: RunningAgent | undefined;
const panes: TmuxPane[] = [];

beforeAll(async () => {
  mock = await startMock({ scenario: 'fargate-10', cadenceMs: 1000, throttle: false });
  return async () => {
    await mock?.close();
  };
});

afterEach(async () => {
  await Promise.all(panes.splice(0).map((pane) => pane.close()));
  await agent?.stop();
  agent = undefined;
});

async function pane(args: readonly string[], widthColumns = 100, heightRows = 30): Promise<TmuxPane> {
  const opened = await openTmuxPane({
    args,
    widthColumns,
    heightRows,
    env: { NO_COLOR: null, COLUMNS: null },
  });
  panes.push(opened);
  return opened;
}

function v4Url(): string {
  return Object.values(mock!.v4Urls)[0]!;
}

/** The table of a capture: its header's column names and each row's cells, once every container has a row. */
function tableOf(lines: readonly string[]): { headers: string[]; rows: string[][] } | undefined {
  const start = lines.findIndex((line) => line.startsWith('NAME '));
  if (start < 0) return undefined;
  const rows = lines
    .slice(start + 1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/));
  const names = rows.map((row) => row[0]);
  if (!FARGATE_10.every((name) => names.includes(name))) return undefined;
  return { headers: lines[start]!.trim().split(/\s+/), rows };
}

/** `620M`, `1.4G`, `4.0K`, `0B` → bytes. */
function bytesOf(text: string): number {
  const match = /^([\d.]+)([BKMGTP])$/.exec(text);
  if (!match) throw new Error(`not a size: ${text}`);
  return Number(match[1]) * 1024 ** 'BKMGTP'.indexOf(match[2]!);
}

/** The values of `column` in row order, as numbers (`-` as null). */
function columnValues(
  table: { headers: string[]; rows: string[][] },
  column: string,
  parse: (text: string) => number,
) {
  const index = table.headers.indexOf(column);
  expect(index).toBeGreaterThanOrEqual(0);
  return table.rows.map((row) => (row[index] === '-' ? null : parse(row[index]!)));
}

function nonIncreasing(values: readonly (number | null)[]): boolean {
  const reported = values.filter((value): value is number => value !== null);
  // Not-reported values sort last.
  const firstNull = values.indexOf(null);
  if (firstNull >= 0 && values.slice(firstNull).some((value) => value !== null)) return false;
  return reported.every((value, i) => i === 0 || reported[i - 1]! >= value);
}

/** What the process wrote, checked the way a shell would notice: the cursor shown last, the alternate screen left. */
function expectTerminalRestored(raw: string): void {
  expect(raw.lastIndexOf(CSI_SHOW)).toBeGreaterThan(raw.lastIndexOf(CSI_HIDE));
  expect(raw.lastIndexOf('\x1b[?1049l')).toBeGreaterThan(raw.lastIndexOf('\x1b[?1049h'));
}

/** The bytes after the terminal was restored: only plain text (the error line) and the sentinel. */
function afterRestore(raw: string): string {
  return raw.slice(raw.lastIndexOf(CSI_SHOW) + CSI_SHOW.length);
}

/** Exit 0, the terminal restored, and nothing after it but the shell's own line. */
async function expectCleanExit(top: TmuxPane): Promise<void> {
  expect(await top.exited()).toBe(0);
  const raw = await top.raw();
  expectTerminalRestored(raw);
  expect(afterRestore(raw)).toBe('\r\n[taskscope exited 0]\r\n');
}

describe('taskscope top in a terminal', () => {
  it('draws every container of fargate-10, redraws on each fresh sample, sorts on m n c, fits 80 and 60 columns, and q exits 0', async () => {
    const top = await pane(['top', '--metadata-url', v4Url()]);
    const first = await top.waitForScreen('every fargate-10 container drawn', tableOf);
    expect(first.headers).toEqual([
      'NAME',
      'STATE',
      'HEALTH',
      'CPU',
      'CPU%',
      'MEM',
      'LIMIT',
      'MEM%',
      'RD/s',
      'WR/s',
      'RST',
    ]);
    expect(first.rows).toHaveLength(10);

    // A fresh sample (the mock refreshes every second) changes the sample line; the first
    // screen may show the first sample, which covers no interval yet.
    const sampleLine = (lines: readonly string[]) => lines.find((line) => line.startsWith('sample '));
    const before = sampleLine(await top.capture());
    expect(before).toMatch(/^sample \d\d:\d\d:\d\dZ /);
    const after = await top.waitForScreen('a redraw with a newer sample', (lines) => {
      const now = sampleLine(lines);
      return now !== undefined && now.slice(0, 16) !== before!.slice(0, 16) ? now : undefined;
    });
    expect(after).toMatch(/^sample \d\d:\d\d:\d\dZ over [\d.]+s /);

    /** Presses `key`, then waits for the sort line to name `sortKey` and `column` to run biggest first. */
    const sortsBiggestFirst = async (
      key: string,
      sortKey: string,
      column: string,
      value: (text: string) => number,
    ) => {
      await top.sendKeys(key);
      await top.waitForScreen(`rows by ${column}, the sort line saying ${sortKey}`, (lines) => {
        const table = tableOf(lines);
        return table &&
          lines.some((l) => l.includes(`sort ${sortKey}`)) &&
          nonIncreasing(columnValues(table, column, value))
          ? true
          : undefined;
      });
    };
    await sortsBiggestFirst('m', 'memory', 'MEM', bytesOf);
    await top.sendKeys('n');
    await top.waitForScreen('rows by name', (lines) => {
      const names = tableOf(lines)?.rows.map((row) => row[0]);
      return names && names.join() === [...FARGATE_10].sort().join() ? true : undefined;
    });
    await sortsBiggestFirst('c', 'cpu', 'CPU', Number);

    await top.resize(80, 24);
    const at80 = await top.waitForScreen('the 80-column layout', (lines) => {
      const table = tableOf(lines);
      return table?.headers.join(' ') === 'NAME STATE CPU CPU% MEM LIMIT MEM% RD/s WR/s RST'
        ? lines
        : undefined;
    });
    await top.saveArtifact('top-80x24.txt', at80);
    for (const line of at80) expect(line.length).toBeLessThanOrEqual(80);
    expect(at80[0]).toMatch(/^storefront:118 {2}4 vCPU 8 GiB {2}cost so far /);

    await top.resize(60, 24);
    const at60 = await top.waitForScreen('the 60-column layout', (lines) => {
      const table = tableOf(lines);
      return table?.headers.join(' ') === 'NAME STATE CPU CPU% MEM MEM% RST' ? lines : undefined;
    });
    await top.saveArtifact('top-60x24.txt', at60);
    for (const line of at60) expect(line.length).toBeLessThanOrEqual(60);
    // Not garbled: the header lines are whole, and every row has the seven cells of the layout.
    expect(at60[0]).toMatch(/^storefront:118 {2}4 vCPU 8 GiB {2}.*FARGATE/);
    expect(at60.find((line) => line.startsWith('NAME '))).toBe(
      'NAME             STATE     CPU  CPU%   MEM  MEM%  RST',
    );
    const table60 = tableOf(at60)!;
    for (const row of table60.rows) expect(row).toHaveLength(7);

    await top.sendKeys('q');
    await expectCleanExit(top);
  }, 120_000);

  it('reads an agent through --agent and --auth-token, and Ctrl-C exits 0 with the terminal restored', async () => {
    const config = readAgentConfig({
      flags: { metadataUrl: v4Url(), listen: '127.0.0.1:0', authToken: 's3cret', logLevel: 'silent' },
      env: {},
    });
    agent = await startAgent(config, { logger: createAgentLogger('silent') });
    const top = await pane(['top', '--agent', agent.url, '--auth-token', 's3cret', '--sort', 'name']);
    const table = await top.waitForScreen('every fargate-10 container drawn', tableOf);
    expect(table.rows.map((row) => row[0])).toEqual([...FARGATE_10].sort());
    await top.sendKeys('C-c');
    await expectCleanExit(top);
  }, 60_000);

  it('exits 0 on SIGTERM with the terminal restored', async () => {
    const top = await pane(['top', '--metadata-url', v4Url()]);
    await top.waitForScreen('every fargate-10 container drawn', tableOf);
    await top.signal('SIGTERM');
    expect(await top.exited()).toBe(0);
    expectTerminalRestored(await top.raw());
  }, 60_000);

  it('exits 2 with one line for a bad flag, before touching the terminal', async () => {
    const top = await pane(['top', '--sort', 'speed']);
    expect(await top.exited()).toBe(2);
    expect(await top.raw()).toBe(
      "error: option '--sort <key>' argument 'speed' is invalid. Allowed choices are cpu, memory, name, net, disk.\r\n" +
        '\r\n[taskscope exited 2]\r\n',
    );
  }, 30_000);

  it('exits 1 with one line for an unreachable agent or endpoint, the cursor shown and no escape code left after', async () => {
    for (const [args, message] of [
      [
        ['top', '--agent', `http://127.0.0.1:${REFUSED_PORT}`],
        `taskscope: top: cannot reach the agent at http://127.0.0.1:${REFUSED_PORT}/: `,
      ],
      [
        ['top', '--metadata-url', `http://127.0.0.1:${REFUSED_PORT}/v4/abc`],
        `taskscope: top: cannot read the task metadata endpoint at http://127.0.0.1:${REFUSED_PORT}/v4/abc: TMDS_CONNECTION `,
      ],
    ] as const) {
      const top = await pane(args);
      expect([args, await top.exited()]).toEqual([args, 1]);
      const raw = await top.raw();
      expectTerminalRestored(raw);
      const rest = afterRestore(raw);
      // One line of plain text, then the sentinel: no stray escape code after the restore.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape code is what must be absent.
      expect(rest).toMatch(/^[^\x1b\r\n]+\r\n\r\n\[taskscope exited 1\]\r\n$/);
      expect(rest.slice(0, message.length)).toBe(message);
      const screen = await top.capture();
      expect(screen.join('\n')).toContain(message.slice(0, 40));
    }
  }, 60_000);
});

describe('taskscope top --once without a terminal', () => {
  it('prints one plain table of every container after the first interval with rates, exit 0', async () => {
    const child = spawn(process.execPath, [CLI_BIN, 'top', '--once', '--metadata-url', v4Url()], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, COLUMNS: '80' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).not.toContain('\x1b');
    const lines = stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^storefront:118 /);
    expect(lines.find((line) => line.startsWith('sample '))).toMatch(/^sample \d\d:\d\d:\d\dZ over [\d.]+s /);
    const table = tableOf(lines)!;
    expect(table.rows).toHaveLength(10);
    // Rates are in: the interval closed, so no CPU cell is "not reported".
    expect(columnValues(table, 'CPU', Number).every((value) => value !== null)).toBe(true);
    expect(nonIncreasing(columnValues(table, 'CPU', Number))).toBe(true);
  }, 60_000);
});
