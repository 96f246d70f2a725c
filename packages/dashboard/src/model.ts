/*
 * The view model: a Snapshot in, the words and numbers the page shows out. Pure (no DOM, no
 * clock: the caller passes the time), so every rule here is unit-tested; the DOM modules
 * only copy these fields into elements.
 */
import type { Snapshot, SnapshotContainer, SnapshotInterface } from '@taskscope/sdk';
import {
  formatBytes,
  formatCores,
  formatCount,
  formatDollars,
  formatDuration,
  formatPercent,
  formatRate,
  formatVcpus,
  NOT_REPORTED,
} from './format.js';

/** How a figure is coloured: the thresholds cAdvisor's gauges use (75 % warn, 90 % bad). */
export type Level = 'ok' | 'warn' | 'bad' | 'none';

export const WARN_PERCENT = 75;
export const BAD_PERCENT = 90;

/** One displayed figure: its text and the raw value behind it (for sorting and bars). */
export interface Figure {
  readonly text: string;
  /** `null` when not reported. */
  readonly value: number | null;
  readonly level: Level;
}

export function levelOfPercent(percent: number | null): Level {
  if (percent === null) return 'none';
  if (percent >= BAD_PERCENT) return 'bad';
  if (percent >= WARN_PERCENT) return 'warn';
  return 'ok';
}

function figure(value: number | null, format: (v: number | null) => string, level: Level = 'none'): Figure {
  return { text: format(value), value, level };
}

function sum(values: readonly (number | null)[]): number | null {
  // A sum of which a part is not reported is not reported: showing the known part as the
  // whole would understate it.
  let total = 0;
  for (const value of values) {
    if (value === null) return null;
    total += value;
  }
  return total;
}

// ---------------------------------------------------------------- the task header

export interface TaskHeaderView {
  /** `family:revision`, or a placeholder before the first metadata. */
  readonly title: string;
  readonly taskId: string;
  readonly cluster: string;
  readonly launchType: string;
  readonly availabilityZone: string;
  /** "1 vCPU · 2 GiB". */
  readonly size: string;
  readonly networkMode: string;
  readonly knownStatus: string;
  /** "$0.0494/h · $0.12 so far", or not reported. */
  readonly cost: string;
}

export function taskHeader(snapshot: Snapshot): TaskHeaderView {
  const task = snapshot.task;
  const cost = snapshot.cost;
  const costText =
    cost === null
      ? NOT_REPORTED
      : `${formatDollars(cost.dollarsPerHour)}/h · ${formatDollars(cost.estimatedDollarsSoFar)} so far` +
        (cost.regionFallback ? ` (${cost.pricedRegion} prices)` : '');
  if (task === null) {
    return {
      title: 'waiting for the task metadata',
      taskId: NOT_REPORTED,
      cluster: NOT_REPORTED,
      launchType: NOT_REPORTED,
      availabilityZone: NOT_REPORTED,
      size: NOT_REPORTED,
      networkMode: NOT_REPORTED,
      knownStatus: NOT_REPORTED,
      cost: costText,
    };
  }
  const { identity, size } = task;
  return {
    title: `${identity.family}:${identity.revision}`,
    taskId: identity.taskId,
    cluster: identity.cluster,
    launchType: identity.launchType ?? NOT_REPORTED,
    availabilityZone: identity.availabilityZone ?? NOT_REPORTED,
    size:
      size.cpuVcpus === null && size.memoryBytes === null
        ? NOT_REPORTED
        : `${formatVcpus(size.cpuVcpus)} · ${formatBytes(size.memoryBytes)}`,
    networkMode: task.networkMode,
    knownStatus: identity.knownStatus,
    cost: costText,
  };
}

// ---------------------------------------------------------------- task totals

export interface UsageOfSize {
  /** "0.52 of 1 vCPU" / "612 MiB of 2 GiB". */
  readonly text: string;
  readonly percent: Figure;
}

export interface InterfaceView {
  readonly name: string;
  readonly rx: Figure;
  readonly tx: Figure;
}

export interface TotalsView {
  readonly cpu: UsageOfSize;
  readonly memory: UsageOfSize;
  readonly networkRx: Figure;
  readonly networkTx: Figure;
  readonly diskRead: Figure;
  readonly diskWrite: Figure;
  /** The task's interfaces (awsvpc) or every container's (bridge). */
  readonly interfaces: readonly InterfaceView[];
}

export function totalsView(snapshot: Snapshot): TotalsView {
  const totals = snapshot.totals;
  const size = snapshot.task?.size ?? { cpuVcpus: null, memoryBytes: null };
  const cpuCores = totals?.cpuCores ?? null;
  const memoryBytes = totals?.memoryWorkingSetBytes ?? null;
  const cpuPercent = totals?.cpuPercentOfTask ?? null;
  const memoryPercent = totals?.memoryPercentOfTask ?? null;
  return {
    cpu: {
      // A task without a size (EC2 may have none) has no "of": the usage stands alone.
      text:
        cpuCores === null || size.cpuVcpus === null
          ? `${formatCores(cpuCores)}${cpuCores === null ? '' : ' cores'}`
          : `${formatCores(cpuCores)} of ${formatVcpus(size.cpuVcpus)}`,
      percent: figure(cpuPercent, formatPercent, levelOfPercent(cpuPercent)),
    },
    memory: {
      text:
        memoryBytes === null || size.memoryBytes === null
          ? formatBytes(memoryBytes)
          : `${formatBytes(memoryBytes)} of ${formatBytes(size.memoryBytes)}`,
      percent: figure(memoryPercent, formatPercent, levelOfPercent(memoryPercent)),
    },
    networkRx: figure(totals?.networkRxBytesPerSecond ?? null, formatRate),
    networkTx: figure(totals?.networkTxBytesPerSecond ?? null, formatRate),
    diskRead: figure(totals?.diskReadBytesPerSecond ?? null, formatRate),
    diskWrite: figure(totals?.diskWriteBytesPerSecond ?? null, formatRate),
    interfaces: snapshot.networks.map(interfaceView),
  };
}

function interfaceView(network: SnapshotInterface): InterfaceView {
  return {
    name:
      network.containerName === null ? network.interface : `${network.containerName} ${network.interface}`,
    rx: figure(network.rxBytesPerSecond, formatRate),
    tx: figure(network.txBytesPerSecond, formatRate),
  };
}

// ---------------------------------------------------------------- poll health

/** Where the page's live connection stands (the client's subscribe states, plus ours). */
export type ConnectionState = 'connecting' | 'open' | 'retrying' | 'unauthorized' | 'closed';

export type PollLevel = 'live' | 'waiting' | 'stale' | 'failing' | 'offline' | 'unauthorized';

export interface PollView {
  readonly level: PollLevel;
  /** One line for the badge: "live", "stale: last sample 45 s ago"… */
  readonly summary: string;
  /** A sentence for the warning banner; `null` when all is well. */
  readonly warning: string | null;
  readonly lastSampleAge: string;
  readonly interval: string;
  readonly consecutiveFailures: string;
  readonly failures: string;
  readonly lastError: string;
  readonly endpointVersion: string;
}

/** A sample is stale when it is older than this many intervals (polls or refreshes, the longer)… */
export const STALE_INTERVALS = 3;
/** …or, while the interval is not known yet, older than this. */
export const STALE_FALLBACK_MS = 60_000;

/**
 * `ageMs`: the newest sample's age now, which the caller derives from the document's
 * `lastSampleAgeMs` plus the time since the page received it (the browser's clock and the
 * agent's need not agree, so `generatedAt` is not compared with the browser's time).
 */
export function pollView(
  snapshot: Snapshot | undefined,
  ageMs: number | null,
  connection: ConnectionState,
): PollView {
  if (connection === 'unauthorized') {
    return {
      ...pollDetails(snapshot, ageMs),
      level: 'unauthorized',
      summary: 'token needed',
      warning:
        'The agent refused the request (401): it runs with --auth-token. Open this page as /?token=TOKEN with the token the agent was started with.',
    };
  }
  const details = pollDetails(snapshot, ageMs);
  if (snapshot === undefined) {
    return {
      ...details,
      level: connection === 'retrying' ? 'offline' : 'waiting',
      summary: connection === 'retrying' ? 'agent unreachable, retrying' : 'connecting',
      warning: connection === 'retrying' ? 'Cannot reach the agent; retrying.' : null,
    };
  }
  const poll = snapshot.poll;
  if (connection === 'retrying' || connection === 'closed') {
    return {
      ...details,
      level: 'offline',
      summary: 'disconnected, retrying',
      warning: `Lost the connection to the agent; reconnecting. The figures below are from ${details.lastSampleAge} ago.`,
    };
  }
  if (poll.consecutiveFailures > 0) {
    const error = poll.lastError;
    return {
      ...details,
      level: 'failing',
      summary: `failing: ${poll.consecutiveFailures} in a row`,
      warning:
        `The agent's last ${poll.consecutiveFailures === 1 ? 'poll' : `${poll.consecutiveFailures} polls`} of the task metadata endpoint failed` +
        (error === null ? '.' : ` (${error.code}: ${error.message}).`) +
        ` Last sample ${details.lastSampleAge} ago.`,
    };
  }
  if (snapshot.id === null || ageMs === null) {
    return { ...details, level: 'waiting', summary: 'waiting for the first sample', warning: null };
  }
  // The newest sample ages with the endpoint's refresh, not with the polls: a fixed
  // `--interval 200ms` against a 1 s refresh sees samples up to a second old between refreshes.
  // So the period is the longer of the poll interval and the interval the rates cover.
  const refreshMs = snapshot.sample?.intervalSeconds == null ? null : snapshot.sample.intervalSeconds * 1000;
  const periods = [poll.interval.intervalMs, refreshMs].filter((ms): ms is number => ms !== null);
  const staleAfterMs = periods.length === 0 ? STALE_FALLBACK_MS : STALE_INTERVALS * Math.max(...periods);
  if (ageMs > staleAfterMs) {
    return {
      ...details,
      level: 'stale',
      summary: `stale: last sample ${details.lastSampleAge} ago`,
      warning: `No fresh sample for ${details.lastSampleAge} (expected one every ${details.interval}).`,
    };
  }
  return { ...details, level: 'live', summary: 'live', warning: null };
}

function pollDetails(
  snapshot: Snapshot | undefined,
  ageMs: number | null,
): Omit<PollView, 'level' | 'summary' | 'warning'> {
  if (snapshot === undefined) {
    return {
      lastSampleAge: NOT_REPORTED,
      interval: NOT_REPORTED,
      consecutiveFailures: NOT_REPORTED,
      failures: NOT_REPORTED,
      lastError: NOT_REPORTED,
      endpointVersion: NOT_REPORTED,
    };
  }
  const poll = snapshot.poll;
  const error = poll.lastError;
  const intervalText = formatDuration(poll.interval.intervalMs);
  return {
    lastSampleAge: formatDuration(ageMs),
    interval:
      poll.interval.mode === 'fixed'
        ? `${intervalText} (fixed)`
        : `${intervalText} (${poll.interval.learned ? 'learned' : 'learning'})`,
    consecutiveFailures: formatCount(poll.consecutiveFailures),
    failures: formatCount(poll.failures),
    lastError:
      error === null ? 'none' : `${error.code} on ${error.endpoint} at ${error.at}: ${error.message}`,
    endpointVersion: poll.endpoint.version,
  };
}

/** The newest sample's age at `nowMs`, given the document and when (same clock) it arrived. */
export function sampleAgeMs(snapshot: Snapshot, receivedAtMs: number, nowMs: number): number | null {
  const age = snapshot.poll.lastSampleAgeMs;
  return age === null ? null : age + Math.max(0, nowMs - receivedAtMs);
}

// ---------------------------------------------------------------- containers

export interface ContainerRowView {
  /** The key rows are matched by between renders (names are unique in a task). */
  readonly name: string;
  readonly image: string;
  readonly state: Figure;
  readonly health: Figure;
  readonly cpuCores: Figure;
  readonly cpuPercentOfTask: Figure;
  /** The container's own CPU reservation, "of 0.5 cores" (or `null` when it has none). */
  readonly cpuLimit: string | null;
  readonly memoryWorkingSet: Figure;
  readonly memoryLimit: Figure;
  readonly memoryPercentOfLimit: Figure;
  readonly networkRx: Figure;
  readonly networkTx: Figure;
  readonly diskRead: Figure;
  readonly diskWrite: Figure;
  readonly restarts: Figure;
  /** Sort keys that combine two figures (`null` when either is not reported). */
  readonly networkTotal: number | null;
  readonly diskTotal: number | null;
}

function stateLevel(state: string): Level {
  if (state === 'RUNNING') return 'ok';
  if (state === 'STOPPED') return 'bad';
  return 'warn';
}

function healthFigure(container: SnapshotContainer): Figure {
  const health = container.health;
  if (health === null) return { text: 'no check', value: null, level: 'none' };
  const level: Level = health.status === 'HEALTHY' ? 'ok' : health.status === 'UNHEALTHY' ? 'bad' : 'warn';
  return { text: health.status.toLowerCase(), value: null, level };
}

export function containerRow(container: SnapshotContainer): ContainerRowView {
  const { cpu, memory, network, blockIo } = container;
  const exit = container.exitCode;
  const stateText =
    container.state === 'STOPPED' && exit !== null ? `stopped (exit ${exit})` : container.state.toLowerCase();
  const rx = network?.rxBytesPerSecond ?? null;
  const tx = network?.txBytesPerSecond ?? null;
  return {
    name: container.name,
    image: container.image ?? NOT_REPORTED,
    state: { text: stateText, value: null, level: stateLevel(container.state) },
    health: healthFigure(container),
    cpuCores: figure(cpu.cores, formatCores),
    cpuPercentOfTask: figure(cpu.percentOfTask, formatPercent, levelOfPercent(cpu.percentOfTask)),
    cpuLimit: cpu.limitCores === null ? null : `of ${formatCores(cpu.limitCores)} reserved`,
    memoryWorkingSet: figure(memory.workingSetBytes, formatBytes),
    memoryLimit: figure(memory.limitBytes, formatBytes),
    memoryPercentOfLimit: figure(memory.percentOfLimit, formatPercent, levelOfPercent(memory.percentOfLimit)),
    networkRx: figure(rx, formatRate),
    networkTx: figure(tx, formatRate),
    diskRead: figure(blockIo.readBytesPerSecond, formatRate),
    diskWrite: figure(blockIo.writeBytesPerSecond, formatRate),
    restarts: figure(container.restarts, formatCount, (container.restarts ?? 0) > 0 ? 'warn' : 'none'),
    networkTotal: sum([rx, tx]),
    diskTotal: sum([blockIo.readBytesPerSecond, blockIo.writeBytesPerSecond]),
  };
}

/**
 * Whether the table has a network column: containers have their own network only on
 * `bridge`; on awsvpc they share the task's interfaces, shown with the task's totals.
 */
export function showsContainerNetwork(snapshot: Snapshot): boolean {
  return snapshot.containers.some((c) => c.network !== null);
}

// ---------------------------------------------------------------- sorting

export const SORT_KEYS = [
  'name',
  'state',
  'cpu',
  'memory',
  'memoryPercent',
  'network',
  'disk',
  'restarts',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

export interface SortOrder {
  readonly key: SortKey;
  readonly direction: SortDirection;
}

/** The first click on a column of figures sorts the biggest first; names sort A→Z. */
export function defaultDirection(key: SortKey): SortDirection {
  return key === 'name' || key === 'state' ? 'ascending' : 'descending';
}

/** Clicking the sorted column reverses it; another column starts in its default direction. */
export function nextSortOrder(current: SortOrder, clicked: SortKey): SortOrder {
  if (current.key === clicked) {
    return { key: clicked, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }
  return { key: clicked, direction: defaultDirection(clicked) };
}

function sortValue(row: ContainerRowView, key: SortKey): number | string | null {
  switch (key) {
    case 'name':
      return row.name;
    case 'state':
      return row.state.text;
    case 'cpu':
      return row.cpuCores.value;
    case 'memory':
      return row.memoryWorkingSet.value;
    case 'memoryPercent':
      return row.memoryPercentOfLimit.value;
    case 'network':
      return row.networkTotal;
    case 'disk':
      return row.diskTotal;
    case 'restarts':
      return row.restarts.value;
  }
}

/**
 * Rows in `order`; rows whose value is not reported go last in either direction (they are
 * not the smallest), and ties fall back to the name so equal rows keep a stable order.
 */
export function sortRows(rows: readonly ContainerRowView[], order: SortOrder): ContainerRowView[] {
  const sign = order.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, order.key);
    const y = sortValue(b, order.key);
    if (x === null && y !== null) return 1;
    if (y === null && x !== null) return -1;
    if (x !== null && y !== null && x !== y) {
      const compared =
        typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
      if (compared !== 0) return sign * compared;
    }
    return a.name.localeCompare(b.name);
  });
}
