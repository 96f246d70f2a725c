import { readFileSync } from 'node:fs';
import { type Snapshot, type SnapshotContainer, SnapshotSchema } from '@taskscope/sdk';
import { UNSAMPLED } from '@taskscope/sdk/testing';
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { container, fargate10, snapshot } from '../../../test/top-snapshots.js';
import {
  COLUMN_DROP_ORDER,
  hasRates,
  layoutColumns,
  renderTop,
  SORT_KEYS,
  SORT_VALUE,
  type SortKey,
  sortContainers,
} from './render.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: SGR codes are what is stripped.
const SGR = /\x1b\[[0-9;]*m/g;
const visible = (line: string) => line.replace(SGR, '');

/** The table's header row and body rows: after the blank line that ends the header. */
function table(lines: readonly string[]): { header: string; rows: string[] } {
  const blank = lines.indexOf('');
  expect(blank).toBeGreaterThan(0);
  return { header: lines[blank + 1]!, rows: lines.slice(blank + 2) };
}

const FARGATE_10_HEADER_80 = [
  'storefront:118  4 vCPU 8 GiB  cost so far $0.0421 ($0.2370/h)  FARGATE',
  'total  CPU 2.70 cores 67.5%  MEM 3.9G 48.7%  DISK rd 1.2M/s wr 3.4M/s',
  'net eth1  rx 2.4M/s  tx 1.1M/s  1.2K / 980 packets/s',
  'sample 00:00:10Z over 10s  sort cpu (c m n t d)  q quits  age 0.4s',
  '',
];

/** Its table at 80 columns by CPU: the column heads, then a row per container. */
const FARGATE_10_TABLE_80 = [
  'NAME             STATE     CPU  CPU%   MEM LIMIT  MEM%  RD/s  WR/s  RST',
  'api              RUNNING 0.900 22.5%  980M  2.0G 47.9%    0B  4.0K    1',
  'search           RUNNING 0.500 12.5%  1.4G  1.5G 91.1%  2.5M  600K    0',
  'frontend         RUNNING 0.450 11.3%  620M  1.5G 40.4%    0B  4.0K    0',
  'worker           RUNNING 0.350  8.8%  450M  1.0G 43.9%    0B  4.0K    0',
  'cart             RUNNING 0.220  5.5%  310M  768M 40.4%    0B  4.0K    0',
  'envoy            RUNNING 0.180  4.5%   96M  512M 18.8%    0B  4.0K    0',
  'log-router       RUNNING 0.050  1.3%   58M  256M 22.7%    0B  4.0K    0',
  'cloudwatch-agent RUNNING 0.030  0.8%   72M  256M 28.1%    0B  4.0K    0',
  'xray-daemon      RUNNING 0.020  0.5%   24M  128M 18.8%    0B  4.0K    0',
  'taskscope        RUNNING 0.004  0.1%   41M     -     -    0B  4.0K    -',
];

describe('renderTop', () => {
  it('draws fargate-10 at 80 columns: task, totals, the awsvpc interface, then one row per container by CPU', () => {
    expect(renderTop(fargate10(), { widthColumns: 80, sortKey: 'cpu', color: false })).toEqual([
      ...FARGATE_10_HEADER_80,
      ...FARGATE_10_TABLE_80,
    ]);
  });

  it('adds HEALTH once the names fit whole beside it, and drops columns in the documented order below 80', () => {
    const headersAt = (width: number, document: Snapshot = fargate10()) =>
      layoutColumns(document, width).headers.join(' ');
    expect(headersAt(120)).toBe('NAME STATE HEALTH CPU CPU% MEM LIMIT MEM% RD/s WR/s RST');
    expect(headersAt(80)).toBe('NAME STATE CPU CPU% MEM LIMIT MEM% RD/s WR/s RST');
    expect(headersAt(70)).toBe('NAME STATE CPU CPU% MEM MEM% RD/s WR/s RST');
    expect(headersAt(60)).toBe('NAME STATE CPU CPU% MEM MEM% RST');
    expect(headersAt(50)).toBe('NAME STATE CPU CPU% MEM MEM% RST');
    expect(headersAt(45)).toBe('NAME STATE CPU CPU% MEM MEM%');
    expect(headersAt(40)).toBe('NAME CPU CPU% MEM MEM%');
    expect(headersAt(30)).toBe('NAME CPU% MEM MEM%');
    expect(headersAt(29)).toBe('NAME CPU% MEM');
    expect(headersAt(10)).toBe('NAME CPU% MEM');
    // The README's "Narrow terminals" paragraph names the same order as the code.
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    const documented = /leave in this order: (.*?)\. `NAME`/.exec(readme)?.[1] ?? '';
    expect([...documented.matchAll(/`([^`]+)`/g)].map((match) => match[1])).toEqual([...COLUMN_DROP_ORDER]);
    const bridge = snapshot([container('web', { network: true }), container('sidecar', { network: true })], {
      networkMode: 'bridge',
    });
    expect(headersAt(84, bridge)).toBe('NAME STATE HEALTH CPU CPU% MEM LIMIT MEM% RX/s TX/s RD/s WR/s RST');
    expect(headersAt(80, bridge)).toBe('NAME STATE CPU CPU% MEM LIMIT MEM% RX/s TX/s RD/s WR/s RST');
    expect(headersAt(70, bridge)).toBe('NAME STATE CPU CPU% MEM MEM% RX/s TX/s RD/s WR/s RST');
    expect(headersAt(60, bridge)).toBe('NAME STATE CPU CPU% MEM MEM% RX/s TX/s RST');
    expect(headersAt(55, bridge)).toBe('NAME STATE CPU CPU% MEM MEM% RST');
  });

  it('draws fargate-10 at 60 and 40 columns without a line over the width', () => {
    expect(renderTop(fargate10(), { widthColumns: 60, sortKey: 'memory', color: false })).toEqual([
      'storefront:118  4 vCPU 8 GiB  FARGATE  cluster prod',
      'total  CPU 2.70 cores 67.5%  MEM 3.9G 48.7%',
      'net eth1  rx 2.4M/s  tx 1.1M/s  1.2K / 980 packets/s',
      'sample 00:00:10Z over 10s  sort memory (c m n t d)  q quits',
      '',
      'NAME             STATE     CPU  CPU%   MEM  MEM%  RST',
      'search           RUNNING 0.500 12.5%  1.4G 91.1%    0',
      'api              RUNNING 0.900 22.5%  980M 47.9%    1',
      'frontend         RUNNING 0.450 11.3%  620M 40.4%    0',
      'worker           RUNNING 0.350  8.8%  450M 43.9%    0',
      'cart             RUNNING 0.220  5.5%  310M 40.4%    0',
      'envoy            RUNNING 0.180  4.5%   96M 18.8%    0',
      'cloudwatch-agent RUNNING 0.030  0.8%   72M 28.1%    0',
      'log-router       RUNNING 0.050  1.3%   58M 22.7%    0',
      'taskscope        RUNNING 0.004  0.1%   41M     -    -',
      'xray-daemon      RUNNING 0.020  0.5%   24M 18.8%    0',
    ]);
    const narrow = renderTop(fargate10(), { widthColumns: 40, sortKey: 'name', color: false });
    expect(narrow.slice(0, 7)).toEqual([
      'storefront:118  4 vCPU 8 GiB  FARGATE',
      'total  CPU 2.70 cores 67.5%',
      'net eth1  rx 2.4M/s  tx 1.1M/s',
      'sample 00:00:10Z over 10s  q quits',
      '',
      'NAME               CPU  CPU%   MEM  MEM%',
      'api              0.900 22.5%  980M 47.9%',
    ]);
    expect(narrow).toHaveLength(16);
  });

  it('shows per-container network on bridge, cuts a long name with ~, and sorts by rx+tx', () => {
    const bridge = snapshot(
      [
        container('web', { network: true, rxPerSecond: 3e6, txPerSecond: 1e5 }),
        container('a-sidecar-with-a-long-name', {
          network: true,
          state: 'STOPPED',
          cores: null,
          cpuPercent: null,
        }),
        container('no-net', { network: true, rxPerSecond: null, txPerSecond: null }),
      ],
      { networkMode: 'bridge' },
    );
    expect(renderTop(bridge, { widthColumns: 80, sortKey: 'net', color: false })).toEqual([
      'storefront:118  4 vCPU 8 GiB  cost so far $0.0421 ($0.2370/h)  FARGATE',
      'total  CPU 2.70 cores 67.5%  MEM 3.9G 48.7%  NET rx 2.4M/s tx 1.1M/s',
      'sample 00:00:10Z over 10s  sort net (c m n t d)  q quits  age 0.4s',
      '',
      'NAME                STATE     CPU  CPU%   MEM  MEM%  RX/s  TX/s  RD/s  WR/s  RST',
      'web                 RUNNING 0.100  2.5%  100M  9.8%  2.9M   98K    0B  4.0K    0',
      'a-sidecar-with-a-l~ STOPPED     -     -  100M  9.8%  1.0K  2.0K    0B  4.0K    0',
      'no-net              RUNNING 0.100  2.5%  100M  9.8%     -     -    0B  4.0K    0',
    ]);
  });

  it('says what it waits for before the first sample, and shows failing polls with the last error', () => {
    const waiting = snapshot([], {
      ...UNSAMPLED,
      poll: {
        ...fargate10().poll,
        ready: false,
        lastSampleAgeMs: null,
        consecutiveFailures: 2,
        failures: 2,
        lastError: {
          code: 'TMDS_CONNECTION',
          message: 'connect ECONNREFUSED 169.254.170.2:80',
          endpoint: 'task',
          at: '2026-01-01T00:00:09.000Z',
        },
      },
    });
    expect(renderTop(waiting, { widthColumns: 80, sortKey: 'cpu', color: false })).toEqual([
      'task n/r (no poll has succeeded yet)  cost so far n/r',
      'waiting for the first sample  sort cpu (c m n t d)  q quits  age n/r',
      'polls failing: 2 in a row',
      'TMDS_CONNECTION connect ECONNREFUSED 169.254.170.2:80',
    ]);
    const stale = { ...fargate10(), poll: { ...waiting.poll, ready: true } };
    const lines = renderTop(stale, {
      widthColumns: 80,
      sortKey: 'cpu',
      color: false,
      notice: 'stream interrupted; reconnecting',
    });
    expect(lines.slice(4, 8)).toEqual([
      'polls failing: 2 in a row, showing the last good sample',
      'TMDS_CONNECTION connect ECONNREFUSED 169.254.170.2:80',
      'stream interrupted; reconnecting',
      '',
    ]);
  });

  it('colours with SGR codes only: bold headers, the sort column underlined, states and loads by threshold', () => {
    const document = snapshot([
      container('busy', { cores: 1.9, cpuPercent: 95, memoryPercent: 80, health: 'UNHEALTHY', restarts: 2 }),
      container('gone', { state: 'STOPPED', cores: null, cpuPercent: null, health: 'HEALTHY' }),
    ]);
    const lines = renderTop(document, { widthColumns: 100, sortKey: 'memory', color: true });
    const { header, rows } = table(lines);
    expect(header).toBe(
      '\x1b[1mNAME\x1b[0m \x1b[1mSTATE\x1b[0m   \x1b[1mHEALTH\x1b[0m      \x1b[1mCPU\x1b[0m  \x1b[1mCPU%\x1b[0m   ' +
        '\x1b[1;4mMEM\x1b[0m \x1b[1mLIMIT\x1b[0m  \x1b[1mMEM%\x1b[0m  \x1b[1mRD/s\x1b[0m  \x1b[1mWR/s\x1b[0m  \x1b[1mRST\x1b[0m',
    );
    expect(rows).toEqual([
      'busy \x1b[32mRUNNING\x1b[0m \x1b[31mUNHEALTHY\x1b[0m  1.90 \x1b[31m95.0%\x1b[0m  100M  1.0G \x1b[33m80.0%\x1b[0m    0B  4.0K    \x1b[33m2\x1b[0m',
      'gone \x1b[31mSTOPPED\x1b[0m \x1b[32mhealthy\x1b[0m       \x1b[2m-\x1b[0m     \x1b[2m-\x1b[0m  100M  1.0G  9.8%    0B  4.0K    0',
    ]);
    expect(lines[0]).toBe(
      '\x1b[1mstorefront:118\x1b[0m  4 vCPU 8 GiB  cost so far $0.0421 ($0.2370/h)  FARGATE  cluster prod  eu-west-1a',
    );
    // Without colour: the same text, no escape at all.
    expect(renderTop(document, { widthColumns: 100, sortKey: 'memory', color: false })).toEqual(
      lines.map(visible),
    );
  });

  it('never passes a payload escape code or non-ASCII character to the terminal', () => {
    const document = snapshot([container('\x1b[2Jevil\tname\u00e9', { state: 'RUNNING\x07' })], {
      task: {
        ...fargate10().task!,
        identity: { ...fargate10().task!.identity, family: 'f\x1b]0;title\x07' },
      },
    });
    const lines = renderTop(document, { widthColumns: 100, sortKey: 'cpu', color: false });
    expect(lines[0]).toMatch(/^f\?\]0;title\?:118 /);
    expect(table(lines).rows[0]).toMatch(/^\?\[2Jevil\?name\? RUNNIN~ /);
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]*$/);
  });

  it('fits the terminal height: rows that do not fit are counted in the last line', () => {
    const lines = renderTop(fargate10(), { widthColumns: 80, heightRows: 12, sortKey: 'cpu', color: false });
    expect(lines).toHaveLength(12);
    expect(lines.slice(5)).toEqual([
      ...FARGATE_10_TABLE_80.slice(0, 6),
      '+5 more containers: enlarge the terminal',
    ]);
    expect(renderTop(fargate10(), { widthColumns: 80, heightRows: 3, sortKey: 'cpu', color: false })).toEqual(
      FARGATE_10_HEADER_80.slice(0, 3),
    );
  });

  it('tells a snapshot with rates (an interval closed) from the first sample and from none', () => {
    expect(hasRates(fargate10())).toBe(true);
    expect(hasRates({ ...fargate10(), sample: { kind: 'first', intervalSeconds: null } })).toBe(false);
    expect(hasRates({ ...fargate10(), sample: { kind: 'duplicate', intervalSeconds: 10 } })).toBe(true);
    expect(hasRates({ ...fargate10(), sample: { kind: 'fresh', intervalSeconds: null } })).toBe(false);
    expect(hasRates({ ...fargate10(), id: null, sample: null })).toBe(false);
  });
});

// --- Properties -------------------------------------------------------------------------------

const reported = (max: number) => fc.option(fc.double({ min: 0, max, noNaN: true }), { nil: null, freq: 4 });

const containerArbitrary = (name: string, bridge: boolean): fc.Arbitrary<SnapshotContainer> =>
  fc
    .record({
      cores: reported(64),
      cpuPercent: reported(150),
      workingSetMib: reported(120_000),
      limitMib: reported(120_000),
      memoryPercent: reported(120),
      rxPerSecond: reported(1e10),
      txPerSecond: reported(1e10),
      readPerSecond: reported(1e10),
      writePerSecond: reported(1e10),
      restarts: fc.option(fc.nat({ max: 5000 }), { nil: null }),
      state: fc.constantFrom('RUNNING', 'STOPPED', 'PULLED', 'RESOURCES_PROVISIONED', 'RUNNING\x1b[31m'),
      health: fc.constantFrom('HEALTHY' as const, 'UNHEALTHY' as const, 'UNKNOWN' as const, null),
    })
    .map((values) => container(name, { ...values, network: bridge }));

/** Any document the schema accepts, from an empty waiting agent to a bridge task of 12. */
const snapshotArbitrary: fc.Arbitrary<Snapshot> = fc
  .record({
    bridge: fc.boolean(),
    names: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), { maxLength: 12 }),
    waiting: fc.boolean(),
    failures: fc.nat({ max: 5 }),
    hasCost: fc.boolean(),
    notReported: fc.boolean(),
  })
  .chain(({ bridge, names, waiting, failures, hasCost, notReported }) =>
    fc.tuple(...names.map((name) => containerArbitrary(name, bridge))).map((containers) => {
      const base = snapshot(containers, { networkMode: bridge ? 'bridge' : 'awsvpc' });
      const document: Snapshot = {
        ...base,
        ...(waiting ? { id: null, sample: null, task: null, totals: null } : {}),
        ...(hasCost ? {} : { cost: null }),
        ...(notReported && base.totals
          ? {
              totals: {
                ...base.totals,
                cpuCores: null,
                memoryPercentOfTask: null,
                diskReadBytesPerSecond: null,
              },
            }
          : {}),
        poll: {
          ...base.poll,
          consecutiveFailures: failures,
          lastError:
            failures > 0
              ? {
                  code: 'TMDS_TIMEOUT',
                  message: 'no answer within 2000 ms',
                  endpoint: 'task_stats',
                  at: base.generatedAt,
                }
              : null,
        },
      };
      return v.parse(SnapshotSchema, document);
    }),
  );

const sortKeyArbitrary = fc.constantFrom<SortKey>(...SORT_KEYS);

/** What `top` draws from: a document, a width from `minColumns` to 200, and a sort key. */
const drawing = (minColumns: number) =>
  fc.tuple(snapshotArbitrary, fc.integer({ min: minColumns, max: 200 }), sortKeyArbitrary);

describe('renderTop properties', () => {
  it('every line fits the width (1 to 200 columns, colour or not) and is printable ASCII apart from SGR codes', () => {
    fc.assert(
      fc.property(drawing(1), fc.boolean(), ([document, width, sortKey], color) => {
        for (const line of renderTop(document, { widthColumns: width, sortKey, color })) {
          expect(visible(line).length).toBeLessThanOrEqual(width);
          expect(visible(line)).toMatch(/^[\x20-\x7e]*$/);
          if (!color) expect(line).not.toContain('\x1b');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('at 80 columns and more every container has its row, in the order of the sort key', () => {
    fc.assert(
      fc.property(drawing(80), ([document, width, sortKey]) => {
        const lines = renderTop(document, { widthColumns: width, sortKey, color: false });
        if (document.containers.length === 0) return;
        const { nameColumns } = layoutColumns(document, width);
        const names = table(lines).rows.map((row) => row.slice(0, nameColumns).trimEnd());
        const expected = sortContainers(document.containers, sortKey).map((c) => {
          const name = c.name.replace(/[^\x20-\x7e]/g, '?');
          return (name.length > nameColumns ? `${name.slice(0, nameColumns - 1)}~` : name).trimEnd();
        });
        expect(names).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('sorts by name ascending, else by the value descending with the not-reported last', () => {
    fc.assert(
      fc.property(snapshotArbitrary, sortKeyArbitrary, (document, sortKey) => {
        const sorted = sortContainers(document.containers, sortKey);
        expect(sorted).toHaveLength(document.containers.length);
        for (let i = 1; i < sorted.length; i++) {
          const [a, b] = [sorted[i - 1]!, sorted[i]!];
          if (sortKey === 'name') {
            expect(a.name <= b.name).toBe(true);
            continue;
          }
          const [x, y] = [SORT_VALUE[sortKey](a), SORT_VALUE[sortKey](b)];
          if (x === null) expect(y).toBeNull();
          else if (y !== null) expect(x).toBeGreaterThanOrEqual(y);
        }
      }),
    );
  });

  it('never draws more lines than the terminal has rows', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.integer({ min: 1, max: 40 }), (document, height) => {
        const lines = renderTop(document, {
          widthColumns: 80,
          heightRows: height,
          sortKey: 'cpu',
          color: true,
        });
        expect(lines.length).toBeLessThanOrEqual(height);
      }),
    );
  });
});
