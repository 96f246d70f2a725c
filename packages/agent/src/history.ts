import { deepFreeze } from '@taskscope/input';
import type {
  ContainerHealth,
  Snapshot,
  SnapshotContainer,
  SnapshotInterface,
  SnapshotPoll,
  SnapshotTask,
  SnapshotTotals,
} from '@taskscope/sdk';
import { SNAPSHOT_SCHEMA } from './snapshot.js';

/*
 * The agent's history: one entry per closed refresh cycle, in a ring buffer of a fixed count.
 * A `taskscope.snapshot/v1` document is mostly text that does not change from one cycle to the
 * next (the task's identity and ARNs, container names, Docker ids, images, the endpoint URL);
 * what changes is about a hundred numbers. So an entry is a `Frame` (everything but those
 * numbers, shared by reference with the entries before it for as long as it stays the same)
 * and one Float64Array of the numbers, `null` as NaN. Documents are rebuilt on request,
 * byte for byte the JSON the agent sent when the cycle closed.
 */

/** What does not change from cycle to cycle (usually): shared by every entry it describes. */
interface Frame {
  /** The frame as JSON, to see whether the next cycle's is the same. */
  readonly key: string;
  readonly sampleKind: NonNullable<Snapshot['sample']>['kind'] | null;
  readonly task: SnapshotTask | null;
  readonly containers: readonly ContainerFrame[];
  readonly networks: readonly { readonly interface: string; readonly containerName: string | null }[];
  readonly hasTotals: boolean;
  /** The cost's words; its two figures are numbers of the entry. */
  readonly cost: { readonly pricedRegion: string; readonly regionFallback: boolean } | null;
  readonly poll: {
    readonly ready: boolean;
    readonly endpoint: SnapshotPoll['endpoint'];
    readonly intervalMode: SnapshotPoll['interval']['mode'];
    readonly learned: boolean;
    readonly exporters: SnapshotPoll['exporters'];
    readonly lastError: SnapshotPoll['lastError'];
  };
}

interface ContainerFrame {
  readonly name: string;
  readonly dockerId: string;
  readonly image: string | null;
  readonly state: string;
  readonly desiredState: string | null;
  readonly health: ContainerHealth | null;
  readonly restarts: number | null;
  readonly exitCode: number | null;
  readonly startedAtMs: number | null;
  readonly limitCores: number | null;
  readonly limitBytes: number | null;
  /** Bridge mode: the container has its own `network`; otherwise it is `null`. */
  readonly hasNetwork: boolean;
}

/** One closed cycle: a shared frame and its numbers. */
export interface HistoryEntry {
  readonly frame: Frame;
  /** See the `*_SLOT` layout below; `null` is NaN. */
  readonly values: Float64Array;
}

// The numbers of an entry, in order: the head, the totals, 8 per container, 4 per interface.
const HEAD_SLOTS = 16;
/** The totals' numbers, in the document's key order: encode and decode walk the same list. */
const TOTALS_KEYS = [
  'cpuCores',
  'cpuPercentOfTask',
  'memoryWorkingSetBytes',
  'memoryPercentOfTask',
  'networkRxBytesPerSecond',
  'networkTxBytesPerSecond',
  'diskReadBytesPerSecond',
  'diskWriteBytesPerSecond',
] as const satisfies readonly (keyof SnapshotTotals)[];
const TOTALS_SLOTS = TOTALS_KEYS.length;
const CONTAINER_SLOTS = 8;
/** An interface's numbers, in the document's key order. */
const INTERFACE_KEYS = [
  'rxBytesPerSecond',
  'txBytesPerSecond',
  'rxPacketsPerSecond',
  'txPacketsPerSecond',
] as const;
const INTERFACE_SLOTS = INTERFACE_KEYS.length;

const fromNumber = (value: number | null): number => (value === null ? Number.NaN : value);
const toNumber = (value: number): number | null => (Number.isNaN(value) ? null : value);
const fromTime = (iso: string | null): number => (iso === null ? Number.NaN : Date.parse(iso));
const toTime = (ms: number): string | null => (Number.isNaN(ms) ? null : new Date(ms).toISOString());

function frameOf(snapshot: Snapshot): Omit<Frame, 'key'> {
  const { poll } = snapshot;
  return {
    sampleKind: snapshot.sample?.kind ?? null,
    task: snapshot.task,
    // The container's words, in the document's key order (decode spreads them back in place).
    containers: snapshot.containers.map(({ cpu, memory, network, blockIo, ...words }) => ({
      ...words,
      limitCores: cpu.limitCores,
      limitBytes: memory.limitBytes,
      hasNetwork: network !== null,
    })),
    networks: snapshot.networks.map((n) => ({ interface: n.interface, containerName: n.containerName })),
    hasTotals: snapshot.totals !== null,
    cost:
      snapshot.cost === null
        ? null
        : { pricedRegion: snapshot.cost.pricedRegion, regionFallback: snapshot.cost.regionFallback },
    poll: {
      ready: poll.ready,
      endpoint: poll.endpoint,
      intervalMode: poll.interval.mode,
      learned: poll.interval.learned,
      exporters: poll.exporters,
      lastError: poll.lastError,
    },
  };
}

/**
 * Splits a snapshot into its frame and its numbers. `previous` is the frame of the entry
 * before: when this one's is the same, that object is reused, so a steady task's history
 * holds one frame for all its entries.
 */
export function encodeSnapshot(snapshot: Snapshot, previous?: Frame): HistoryEntry {
  const parts = frameOf(snapshot);
  const key = JSON.stringify(parts);
  // Deep-frozen: one frame is shared by many entries and by every document rebuilt from them.
  const frame: Frame = previous?.key === key ? previous : deepFreeze({ key, ...structuredClone(parts) });
  const values = new Float64Array(
    HEAD_SLOTS +
      TOTALS_SLOTS +
      CONTAINER_SLOTS * snapshot.containers.length +
      INTERFACE_SLOTS * snapshot.networks.length,
  );
  const { poll, totals } = snapshot;
  let i = 0;
  const put = (...numbers: (number | null)[]) => {
    for (const value of numbers) values[i++] = fromNumber(value);
  };
  put(snapshot.id);
  values[i++] = Date.parse(snapshot.generatedAt);
  put(snapshot.sample?.intervalSeconds ?? null);
  values[i++] = fromTime(poll.lastPollAt);
  values[i++] = fromTime(poll.lastSuccessAt);
  values[i++] = fromTime(poll.lastFreshAt);
  put(poll.lastSampleAgeMs, poll.consecutiveFailures, poll.failures);
  put(poll.requests.task, poll.requests.task_stats, poll.samples.fresh, poll.samples.duplicate);
  put(poll.interval.intervalMs);
  put(snapshot.cost?.dollarsPerHour ?? null, snapshot.cost?.estimatedDollarsSoFar ?? null);
  for (const key of TOTALS_KEYS) put(totals?.[key] ?? null);
  for (const c of snapshot.containers) {
    put(c.cpu.cores, c.cpu.percentOfTask, c.memory.workingSetBytes, c.memory.percentOfLimit);
    put(c.network?.rxBytesPerSecond ?? null, c.network?.txBytesPerSecond ?? null);
    put(c.blockIo.readBytesPerSecond, c.blockIo.writeBytesPerSecond);
  }
  for (const n of snapshot.networks) for (const key of INTERFACE_KEYS) put(n[key]);
  return { frame, values };
}

/** The document an entry was made from, with the keys in buildSnapshot's order. */
export function decodeSnapshot(entry: HistoryEntry): Snapshot {
  const { frame, values } = entry;
  let i = 0;
  const take = () => toNumber(values[i++]!);
  const id = take();
  const generatedAt = new Date(values[i++]!).toISOString();
  const intervalSeconds = take();
  const lastPollAt = toTime(values[i++]!);
  const lastSuccessAt = toTime(values[i++]!);
  const lastFreshAt = toTime(values[i++]!);
  const lastSampleAgeMs = take();
  const consecutiveFailures = take()!;
  const failures = take()!;
  const requestsTask = take()!;
  const requestsTaskStats = take()!;
  const fresh = take()!;
  const duplicate = take()!;
  const pollIntervalMs = take();
  const dollarsPerHour = take();
  const estimatedDollarsSoFar = take();
  const totals = Object.fromEntries(TOTALS_KEYS.map((key) => [key, take()])) as Record<
    (typeof TOTALS_KEYS)[number],
    number | null
  >;
  const containers = frame.containers.map((c): SnapshotContainer => {
    const cores = take();
    const percentOfTask = take();
    const workingSetBytes = take();
    const percentOfLimit = take();
    const rx = take();
    const tx = take();
    const read = take();
    const write = take();
    const { limitCores, limitBytes, hasNetwork, ...words } = c;
    return {
      ...words,
      cpu: { cores, percentOfTask, limitCores },
      memory: { workingSetBytes, limitBytes, percentOfLimit },
      network: hasNetwork ? { rxBytesPerSecond: rx, txBytesPerSecond: tx } : null,
      blockIo: { readBytesPerSecond: read, writeBytesPerSecond: write },
    };
  });
  const networks = frame.networks.map(
    (n): SnapshotInterface => ({
      ...n,
      ...(Object.fromEntries(INTERFACE_KEYS.map((key) => [key, take()])) as Record<
        (typeof INTERFACE_KEYS)[number],
        number | null
      >),
    }),
  );
  const { poll } = frame;
  return {
    schema: SNAPSHOT_SCHEMA,
    generatedAt,
    id,
    sample: frame.sampleKind === null ? null : { kind: frame.sampleKind, intervalSeconds },
    task: frame.task,
    containers,
    networks,
    totals: frame.hasTotals ? totals : null,
    cost:
      frame.cost === null
        ? null
        : {
            currency: 'USD',
            dollarsPerHour: dollarsPerHour!,
            estimatedDollarsSoFar: estimatedDollarsSoFar!,
            ...frame.cost,
          },
    poll: {
      ready: poll.ready,
      endpoint: poll.endpoint,
      interval: { mode: poll.intervalMode, intervalMs: pollIntervalMs, learned: poll.learned },
      exporters: poll.exporters,
      lastPollAt,
      lastSuccessAt,
      lastFreshAt,
      lastSampleAgeMs,
      consecutiveFailures,
      failures,
      lastError: poll.lastError,
      requests: { task: requestsTask, task_stats: requestsTaskStats },
      samples: { fresh, duplicate },
    },
  };
}

/** The newest `read` of a real endpoint's refresh is never closer than EC2's 1 s to the last. */
export const MIN_CYCLE_MS = 1_000;

/** How many entries `historyMs` of cycles can take at most: one per {@link MIN_CYCLE_MS}. */
export function historyCapacity(historyMs: number): number {
  return Math.ceil(historyMs / MIN_CYCLE_MS);
}

/** The last `capacity` refresh cycles, oldest first. */
export interface SnapshotHistory {
  readonly capacity: number;
  /** Entries held now (≤ capacity). */
  size(): number;
  /** Adds a cycle's document (its `id` set, above every id before it); drops the oldest when full. */
  push(snapshot: Snapshot): void;
  /** The newest entry's id; `undefined` when empty. */
  newestId(): number | undefined;
  /** The first entry whose id is above `id`, rebuilt; `undefined` when there is none. */
  firstAfter(id: number): Snapshot | undefined;
  /**
   * The documents made at or after `fromMs` (their `generatedAt`, local clock), oldest first.
   * The entries are picked now and rebuilt one by one as the iterator is read, so a caller
   * that streams them holds one document at a time, and cycles pushed meanwhile change nothing.
   */
  since(fromMs: number): IterableIterator<Snapshot>;
}

/**
 * A ring of `capacity` entries: the array grows to `capacity` and is then overwritten in
 * place, oldest first, so the history never holds more than `capacity` cycles however long
 * the agent runs. `capacity` 0 keeps nothing (`--history 0`).
 */
export function createSnapshotHistory(capacity: number): SnapshotHistory {
  const ring: HistoryEntry[] = [];
  // Index of the oldest entry once the ring is full.
  let start = 0;
  const at = (logical: number): HistoryEntry => ring[(start + logical) % ring.length]!;
  const idOf = (entry: HistoryEntry): number => entry.values[0]!;
  const generatedAtOf = (entry: HistoryEntry): number => entry.values[1]!;

  return {
    capacity,
    size: () => ring.length,
    push(snapshot) {
      if (capacity === 0) return;
      if (snapshot.id === null) throw new TypeError('a history entry needs the cycle id');
      const newest = ring.length === 0 ? undefined : at(ring.length - 1);
      if (newest !== undefined && !(snapshot.id > idOf(newest))) {
        throw new RangeError(`history ids must increase: ${snapshot.id} after ${idOf(newest)}`);
      }
      const entry = encodeSnapshot(snapshot, newest?.frame);
      if (ring.length < capacity) ring.push(entry);
      else {
        ring[start] = entry;
        start = (start + 1) % capacity;
      }
    },
    newestId: () => (ring.length === 0 ? undefined : idOf(at(ring.length - 1))),
    firstAfter(id) {
      // Ids increase along the ring: binary search for the first above `id`.
      let low = 0;
      let high = ring.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (idOf(at(middle)) > id) high = middle;
        else low = middle + 1;
      }
      return low < ring.length ? decodeSnapshot(at(low)) : undefined;
    },
    since(fromMs) {
      // From the newest back: the local clock may step, so stop at the first older entry.
      let first = ring.length;
      while (first > 0 && generatedAtOf(at(first - 1)) >= fromMs) first -= 1;
      const picked: HistoryEntry[] = [];
      for (let i = first; i < ring.length; i++) picked.push(at(i));
      return (function* () {
        for (const entry of picked) yield decodeSnapshot(entry);
      })();
    },
  };
}
