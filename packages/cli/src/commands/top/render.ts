import type { Snapshot, SnapshotContainer, SnapshotInterface } from '@taskscope/sdk';
import {
  compactBytes,
  compactCount,
  cores,
  dollars,
  memorySize,
  NOT_REPORTED,
  NOT_REPORTED_WORDS,
  percent,
  restarts,
  seconds,
  timeOfDay,
  vcpus,
} from './format.js';

/*
 * `taskscope top`'s screen as a pure function of one snapshot: lines of text, each at most
 * `widthColumns` characters wide, with SGR codes (bold, underline, colours) only when colour
 * is on and never a cursor movement; the terminal edge (screen.ts) positions them. Every
 * character is printable ASCII: payload strings are sanitised (an escape code in a container
 * name must not reach the terminal), and ASCII is one column wide in any terminal and locale.
 */

/** The orders `--sort` and the keys choose (docs/contract.md, "taskscope top"). */
export const SORT_KEYS = ['cpu', 'memory', 'name', 'net', 'disk'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The key that picks each order on the live screen. */
export const SORT_KEY_OF_KEY: Readonly<Record<string, SortKey>> = {
  c: 'cpu',
  m: 'memory',
  n: 'name',
  t: 'net',
  d: 'disk',
};

export interface RenderOptions {
  readonly widthColumns: number;
  /** The terminal's rows: rows that do not fit are counted in a last line. Default: no limit. */
  readonly heightRows?: number;
  readonly sortKey: SortKey;
  readonly color: boolean;
  /** A line about the source rather than the task (`agent unreachable, reconnecting: …`). */
  readonly notice?: string;
}

/**
 * Columns leave the table in this order as the terminal narrows, so a line never wraps: the
 * name keeps at least {@link NAME_MIN_COLUMNS} characters, and HEALTH and LIMIT (extras) stay
 * only while names fit whole. NAME, CPU% and MEM are never dropped; below their width lines
 * are cut at the edge. README.md ("taskscope top") documents the same order.
 */
export const COLUMN_DROP_ORDER = [
  'HEALTH',
  'LIMIT',
  'RD/s WR/s',
  'RX/s TX/s',
  'RST',
  'STATE',
  'CPU',
  'MEM%',
] as const;

/** The narrowest the NAME column is made before columns are dropped. */
export const NAME_MIN_COLUMNS = 12;
/** Names longer than this do not keep the extras (HEALTH, LIMIT) out. */
const NAME_FULL_MAX_COLUMNS = 24;
const EXTRA_GROUPS = new Set<string>(['HEALTH', 'LIMIT']);
const SEPARATOR = ' ';
const HEADER_GAP = '  ';

type Tone = 'red' | 'yellow' | 'green' | 'dim';
interface Span {
  readonly text: string;
  readonly bold?: boolean;
  readonly underline?: boolean;
  readonly tone?: Tone | undefined;
}
type Line = readonly Span[];

interface Cell {
  readonly text: string;
  readonly tone?: Tone | undefined;
}

interface Column {
  readonly header: string;
  /** Which {@link COLUMN_DROP_ORDER} entry removes it; `undefined`: kept at every width. */
  readonly group?: (typeof COLUMN_DROP_ORDER)[number];
  readonly widthColumns: number;
  readonly align: 'left' | 'right';
  readonly sortKey?: SortKey;
  readonly cell: (container: SnapshotContainer) => Cell;
}

/** The screen for `snapshot`: header lines, then the container table sorted by `sortKey`. */
export function renderTop(snapshot: Snapshot, options: RenderOptions): string[] {
  const width = Math.max(1, Math.floor(options.widthColumns));
  const header = headerLines(snapshot, options, width);
  const containers = sortContainers(snapshot.containers, options.sortKey);
  const table = tableLines(snapshot, containers, options.sortKey, width);
  let lines: Line[] = table.lines.length === 0 ? header : [...header, [], ...table.lines];
  const height = options.heightRows === undefined ? Infinity : Math.max(1, Math.floor(options.heightRows));
  if (lines.length > height) {
    // Drop rows from the end of the table and say how many, keeping the header and the first rows.
    const hidden = lines.length - height + 1;
    if (hidden <= table.rows) {
      lines = [
        ...lines.slice(0, lines.length - hidden),
        [{ text: `+${hidden} more container${hidden === 1 ? '' : 's'}: enlarge the terminal`, tone: 'dim' }],
      ];
    } else {
      lines = lines.slice(0, height);
    }
  }
  return lines.map((line) => serialize(line, width, options.color));
}

/**
 * `containers` in the order of `key`: by name ascending, else by the value descending with
 * the not-reported last; ties by name, then by docker id, so equal rows keep their place.
 */
export function sortContainers(containers: readonly SnapshotContainer[], key: SortKey): SnapshotContainer[] {
  const byName = (a: SnapshotContainer, b: SnapshotContainer) =>
    compareText(a.name, b.name) || compareText(a.dockerId, b.dockerId);
  if (key === 'name') return [...containers].sort(byName);
  const value = SORT_VALUE[key];
  return [...containers].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return y - x || byName(a, b);
  });
}

/** The value each order sorts by (descending; `null` last). */
export const SORT_VALUE: Readonly<Record<Exclude<SortKey, 'name'>, (c: SnapshotContainer) => number | null>> =
  {
    cpu: (c) => c.cpu.cores,
    memory: (c) => c.memory.workingSetBytes,
    net: (c) => sumReported(c.network?.rxBytesPerSecond ?? null, c.network?.txBytesPerSecond ?? null),
    disk: (c) => sumReported(c.blockIo.readBytesPerSecond, c.blockIo.writeBytesPerSecond),
  };

/** Whether `snapshot` covers an interval, so it has rates (what `--once` waits for). */
export function hasRates(snapshot: Snapshot): boolean {
  return (
    snapshot.sample !== null && snapshot.sample.kind !== 'first' && snapshot.sample.intervalSeconds !== null
  );
}

/** Printable ASCII only: anything else (escape codes, tabs, wide characters) becomes `?`. */
export function sanitize(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function sumReported(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- Header ---------------------------------------------------------------------------------

function headerLines(snapshot: Snapshot, options: RenderOptions, width: number): Line[] {
  const lines: Line[] = [];
  const { task, totals, cost, poll } = snapshot;
  const identity = task
    ? `${task.identity.family}:${task.identity.revision}`
    : `task ${NOT_REPORTED_WORDS} (no poll has succeeded yet)`;
  const costText = cost
    ? `cost so far ${dollars(cost.estimatedDollarsSoFar)} (${dollars(cost.dollarsPerHour)}/h)`
    : `cost so far ${NOT_REPORTED_WORDS}`;
  lines.push(
    fitSegments(
      [
        [{ text: identity, bold: true }],
        task ? [{ text: `${vcpus(task.size.cpuVcpus)} ${memorySize(task.size.memoryBytes)}` }] : [],
        [{ text: costText }],
        task?.identity.launchType ? [{ text: task.identity.launchType }] : [],
        task ? [{ text: `cluster ${task.identity.cluster}` }] : [],
        task?.identity.availabilityZone ? [{ text: task.identity.availabilityZone }] : [],
      ],
      width,
    ),
  );

  if (totals) {
    const awsvpc = task?.networkMode === 'awsvpc';
    lines.push(
      fitSegments(
        [
          [{ text: 'total', bold: true }],
          [
            {
              text: `CPU ${cores(totals.cpuCores)} cores ${percent(totals.cpuPercentOfTask)}`,
            },
          ],
          [
            {
              text: `MEM ${compactBytes(totals.memoryWorkingSetBytes)} ${percent(totals.memoryPercentOfTask)}`,
            },
          ],
          // On awsvpc the interface lines below say it, per interface.
          awsvpc
            ? []
            : [
                {
                  text: `NET rx ${rate(totals.networkRxBytesPerSecond)} tx ${rate(totals.networkTxBytesPerSecond)}`,
                },
              ],
          [
            {
              text: `DISK rd ${rate(totals.diskReadBytesPerSecond)} wr ${rate(totals.diskWriteBytesPerSecond)}`,
            },
          ],
        ],
        width,
      ),
    );
  }

  // awsvpc: the task's interfaces (one namespace for all containers); bridge shows them per row.
  for (const network of snapshot.networks.filter((n) => n.containerName === null))
    lines.push(interfaceLine(network, width));

  const sample = snapshot.sample;
  lines.push(
    fitSegments(
      [
        [
          {
            text:
              snapshot.id === null
                ? 'waiting for the first sample'
                : `sample ${timeOfDay(snapshot.id)}${sample?.intervalSeconds != null ? ` over ${seconds(sample.intervalSeconds)}` : ''}`,
          },
        ],
        [{ text: `sort ${options.sortKey} (c m n t d)` }],
        [{ text: 'q quits' }],
        [
          {
            text: `age ${poll.lastSampleAgeMs === null ? NOT_REPORTED_WORDS : seconds(poll.lastSampleAgeMs / 1000)}`,
          },
        ],
        [{ text: `${NOT_REPORTED} = not reported`, tone: 'dim' }],
        [{ text: `${poll.endpoint.version} ${poll.endpoint.url}`, tone: 'dim' }],
      ],
      width,
    ),
  );

  if (poll.consecutiveFailures > 0) {
    const kept = snapshot.id === null ? '' : ', showing the last good sample';
    lines.push([{ text: `polls failing: ${poll.consecutiveFailures} in a row${kept}`, tone: 'red' }]);
    if (poll.lastError)
      lines.push([{ text: `${poll.lastError.code} ${poll.lastError.message}`, tone: 'red' }]);
  }
  if (options.notice !== undefined) lines.push([{ text: options.notice, tone: 'yellow' }]);
  return lines;
}

function interfaceLine(network: SnapshotInterface, width: number): Line {
  return fitSegments(
    [
      [{ text: `net ${network.interface}`, bold: true }],
      [{ text: `rx ${rate(network.rxBytesPerSecond)}` }],
      [{ text: `tx ${rate(network.txBytesPerSecond)}` }],
      [
        {
          text: `${packets(network.rxPacketsPerSecond)} / ${packets(network.txPacketsPerSecond)} packets/s`,
        },
      ],
    ],
    width,
  );
}

function rate(bytesPerSecond: number | null): string {
  return bytesPerSecond === null ? NOT_REPORTED_WORDS : `${compactBytes(bytesPerSecond)}/s`;
}

function packets(perSecond: number | null): string {
  return perSecond === null ? NOT_REPORTED_WORDS : compactCount(perSecond);
}

/**
 * Joins the segments that fit in `width`, in order, with a gap; a segment that does not fit
 * is left out (the first one is cut instead). Segments are ordered by importance.
 */
function fitSegments(segments: readonly Line[], width: number): Line {
  const line: Span[] = [];
  let used = 0;
  for (const segment of segments) {
    const length = segment.reduce((sum, span) => sum + sanitize(span.text).length, 0);
    if (length === 0) continue;
    const gap = line.length === 0 ? 0 : HEADER_GAP.length;
    if (line.length > 0 && used + gap + length > width) continue;
    if (gap > 0) line.push({ text: HEADER_GAP });
    line.push(...segment);
    used += gap + length;
  }
  return line;
}

// --- Table ----------------------------------------------------------------------------------

const COLUMNS: readonly Column[] = [
  { header: 'NAME', widthColumns: 0, align: 'left', sortKey: 'name', cell: (c) => ({ text: c.name }) },
  { header: 'STATE', group: 'STATE', widthColumns: 7, align: 'left', cell: stateCell },
  { header: 'HEALTH', group: 'HEALTH', widthColumns: 9, align: 'left', cell: healthCell },
  {
    header: 'CPU',
    group: 'CPU',
    widthColumns: 5,
    align: 'right',
    sortKey: 'cpu',
    cell: (c) => reportedCell(cores(c.cpu.cores)),
  },
  {
    header: 'CPU%',
    widthColumns: 5,
    align: 'right',
    cell: (c) => loadCell(c.cpu.percentOfTask),
  },
  {
    header: 'MEM',
    widthColumns: 5,
    align: 'right',
    sortKey: 'memory',
    cell: (c) => reportedCell(compactBytes(c.memory.workingSetBytes)),
  },
  {
    header: 'LIMIT',
    group: 'LIMIT',
    widthColumns: 5,
    align: 'right',
    cell: (c) => reportedCell(compactBytes(c.memory.limitBytes)),
  },
  {
    header: 'MEM%',
    group: 'MEM%',
    widthColumns: 5,
    align: 'right',
    cell: (c) => loadCell(c.memory.percentOfLimit),
  },
  {
    header: 'RX/s',
    group: 'RX/s TX/s',
    widthColumns: 5,
    align: 'right',
    sortKey: 'net',
    cell: (c) => reportedCell(compactBytes(c.network?.rxBytesPerSecond ?? null)),
  },
  {
    header: 'TX/s',
    group: 'RX/s TX/s',
    widthColumns: 5,
    align: 'right',
    sortKey: 'net',
    cell: (c) => reportedCell(compactBytes(c.network?.txBytesPerSecond ?? null)),
  },
  {
    header: 'RD/s',
    group: 'RD/s WR/s',
    widthColumns: 5,
    align: 'right',
    sortKey: 'disk',
    cell: (c) => reportedCell(compactBytes(c.blockIo.readBytesPerSecond)),
  },
  {
    header: 'WR/s',
    group: 'RD/s WR/s',
    widthColumns: 5,
    align: 'right',
    sortKey: 'disk',
    cell: (c) => reportedCell(compactBytes(c.blockIo.writeBytesPerSecond)),
  },
  {
    header: 'RST',
    group: 'RST',
    widthColumns: 4,
    align: 'right',
    cell: (c) => {
      const text = restarts(c.restarts);
      return { text, tone: c.restarts === null ? 'dim' : c.restarts > 0 ? 'yellow' : undefined };
    },
  },
];

/**
 * The columns that fit `width`, and the NAME column's width. Network columns only where
 * containers have their own network (bridge): on awsvpc every container shares the task's
 * interfaces, which the header shows.
 */
export function layoutColumns(
  snapshot: Snapshot,
  width: number,
): { readonly headers: readonly string[]; readonly nameColumns: number } {
  const { columns, nameColumns } = layout(snapshot.containers, width);
  return { headers: columns.map((column) => column.header), nameColumns };
}

function layout(
  containers: readonly SnapshotContainer[],
  width: number,
): { columns: Column[]; nameColumns: number } {
  const perContainerNetwork = containers.some((c) => c.network !== null);
  let columns = COLUMNS.filter((column) => perContainerNetwork || column.group !== 'RX/s TX/s');
  const longestName = Math.max(4, ...containers.map((c) => c.name.length));
  const nameMin = Math.min(longestName, NAME_MIN_COLUMNS);
  const nameFull = Math.min(longestName, NAME_FULL_MAX_COLUMNS);
  const fixed = (cs: readonly Column[]) =>
    cs.reduce((sum, column) => sum + column.widthColumns, 0) + (cs.length - 1) * SEPARATOR.length;
  for (const group of COLUMN_DROP_ORDER) {
    if (!columns.some((column) => column.group === group)) continue;
    const nameNeeded = EXTRA_GROUPS.has(group) ? nameFull : nameMin;
    if (fixed(columns) + nameNeeded <= width) break;
    columns = columns.filter((column) => column.group !== group);
  }
  return { columns, nameColumns: Math.max(1, Math.min(longestName, width - fixed(columns))) };
}

function tableLines(
  snapshot: Snapshot,
  containers: readonly SnapshotContainer[],
  sortKey: SortKey,
  width: number,
): { lines: Line[]; rows: number } {
  if (containers.length === 0) {
    // Before the first sample the status line says so; after it, an empty task is news.
    const lines: Line[] = snapshot.id === null ? [] : [[{ text: 'no containers reported', tone: 'dim' }]];
    return { lines, rows: 0 };
  }
  const { columns, nameColumns } = layout(containers, width);
  const widthOf = (column: Column) => (column.header === 'NAME' ? nameColumns : column.widthColumns);
  const joinCells = (cells: readonly (readonly Span[])[]): Line =>
    cells.flatMap((cell, index) => (index === 0 ? cell : [{ text: SEPARATOR }, ...cell]));
  const headerRow = joinCells(
    columns.map((column) =>
      aligned(column.header, widthOf(column), column.align, {
        bold: true,
        underline: column.sortKey === sortKey,
      }),
    ),
  );
  const rows = containers.map((container) =>
    joinCells(
      columns.map((column) => {
        const cell = column.cell(container);
        return aligned(cell.text, widthOf(column), column.align, { tone: cell.tone });
      }),
    ),
  );
  return { lines: [headerRow, ...rows], rows: rows.length };
}

/** The cell's text cut or padded to `width`: the padding unstyled, so a colour marks the value only. */
function aligned(text: string, width: number, side: 'left' | 'right', style: Omit<Span, 'text'>): Span[] {
  const clean = sanitize(text);
  // A cut name ends in `~`, so a cut is never mistaken for a whole, shorter name.
  const cut = clean.length > width ? `${clean.slice(0, Math.max(0, width - 1))}~`.slice(0, width) : clean;
  const padding = { text: ' '.repeat(width - cut.length) };
  return side === 'left' ? [{ ...style, text: cut }, padding] : [padding, { ...style, text: cut }];
}

function reportedCell(text: string): Cell {
  return { text, tone: text === NOT_REPORTED ? 'dim' : undefined };
}

/** A percentage coloured as the dashboards do: 75 % and up yellow, 90 % and up red. */
function loadCell(value: number | null): Cell {
  const text = percent(value);
  if (value === null) return { text, tone: 'dim' };
  return { text, tone: value >= 90 ? 'red' : value >= 75 ? 'yellow' : undefined };
}

function stateCell(container: SnapshotContainer): Cell {
  const state = container.state;
  return {
    text: state,
    tone: state === 'RUNNING' ? 'green' : state === 'STOPPED' ? 'red' : 'yellow',
  };
}

function healthCell(container: SnapshotContainer): Cell {
  const health = container.health;
  if (health === null) return { text: NOT_REPORTED, tone: 'dim' };
  if (health.status === 'HEALTHY') return { text: 'healthy', tone: 'green' };
  if (health.status === 'UNHEALTHY') return { text: 'UNHEALTHY', tone: 'red' };
  return { text: 'unknown', tone: 'yellow' };
}

// --- Output ---------------------------------------------------------------------------------

const TONE_SGR: Record<Tone, string> = { red: '31', yellow: '33', green: '32', dim: '2' };

/**
 * The line's text cut at `width` columns (trailing blanks dropped), with SGR codes around
 * styled spans when `color` is on. Sanitised here, at the one place text leaves the renderer.
 */
function serialize(line: Line, width: number, color: boolean): string {
  const spans: { text: string; sgr: string }[] = [];
  let room = width;
  for (const span of line) {
    if (room <= 0) break;
    const text = sanitize(span.text).slice(0, room);
    room -= text.length;
    if (text === '') continue;
    const codes = [span.bold && '1', span.underline && '4', span.tone && TONE_SGR[span.tone]].filter(
      (code): code is string => typeof code === 'string',
    );
    spans.push({ text, sgr: color ? codes.join(';') : '' });
  }
  // Trailing blanks would only pad the line; a styled one (an underlined header) is cut too.
  while (spans.length > 0) {
    const last = spans[spans.length - 1]!;
    const trimmed = last.text.replace(/ +$/, '');
    if (trimmed !== '') {
      spans[spans.length - 1] = { ...last, text: trimmed };
      break;
    }
    spans.pop();
  }
  return spans.map(({ text, sgr }) => (sgr === '' ? text : `\x1b[${sgr}m${text}\x1b[0m`)).join('');
}
