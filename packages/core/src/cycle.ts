import type { ContainerMetrics, TaskMetrics } from './types.js';
import type { Mutable } from './util.js';

/*
 * Refresh cycles: the task-level interval. The ECS agent samples each container on its own, so
 * the containers of one task refresh at different moments (their `read`s of one refresh are
 * 0.2 s to 6 s apart in real payloads: docs/endpoint.md §2) and a poll can see some
 * containers' new sample beside the others' previous one. A task-level output (an EMF Task
 * event, an SSE event, the fresh-sample count, the cadence learner) that took every poll in
 * which anything advanced as a new task sample would report the first containers' intervals
 * again when the next container refreshes a moment later (issue #10: Task events summed to
 * 1.8 % to 77 % more bytes than were written).
 *
 * A cycle opens with the first container that advances after the previous cycle and closes
 * when every container with stats has advanced once, or, when one never does (a stalled or a
 * stopping container), as soon as a container in it advances a second time. Each container's
 * interval belongs to exactly one cycle, so the cycles' byte counts sum to the counters'
 * growth. Pure: the state is data, passed back in by the caller.
 *
 * Which refreshes make one cycle is a choice of phase: with reads 0.1 s apart at a 10 s
 * cadence, {a(k), b(k)} spans 0.1 s and {b(k), a(k+1)} 9.9 s, and both count each interval
 * once. An agent that starts between a's and b's refresh sees a(k) in its first poll and b(k)
 * next, and the rule above alone would pair b(k) with a(k+1) from then on, each cycle mixing
 * one refresh of a with the previous one of b. So a container whose previous read lay clearly
 * nearer the open cycle than its new one (`LEAVE_RATIO`) does not join it: its previous sample
 * was this cycle's partner, and the open cycle closes without it, once, after which the
 * cycles follow the tight phase.
 */

/**
 * A container leaves the open cycle to the next one when its previous read is at most this
 * fraction of its new read's distance from the cycle's first read. Hysteresis: a phase whose
 * reads span less than 2/3 of the cadence is kept (no flapping when the spread is near half the
 * cadence, as the mock's 60 % `readSpread` runs are); one spanning more moves to one spanning
 * less than 1/3.
 */
const LEAVE_RATIO = 0.5;

/** What one poll hands the next about the open cycle. JSON data, never mutated. */
export interface CycleState {
  readonly version: 1;
  /** The containers that advanced in the open cycle, by name: each one's `read` in ms. */
  readonly open: Readonly<Record<string, number>>;
  /** Bytes read from and written to block devices in the open cycle's intervals. */
  readonly storageReadBytes?: number;
  readonly storageWriteBytes?: number;
}

/** One refresh of the whole task, as the task-level outputs report it. */
export interface RefreshCycle {
  /** The newest `read` among the cycle's samples, ms since the epoch: its timestamp and SSE id. */
  readonly readAtMs: number;
  /** The containers whose sample the cycle carries, by name, in the order they advanced. */
  readonly containers: readonly string[];
  /** Σ of the cycle's block I/O intervals, bytes; absent when none of them has a delta. */
  readonly storageReadBytes?: number;
  readonly storageWriteBytes?: number;
}

/** What one poll did to the cycles. */
export interface CycleStep {
  /** The containers whose `read` advanced in this poll (first samples included), by name. */
  readonly advanced: readonly string[];
  /** The cycles this poll closed, oldest first: none, one, or (after a stall) two. */
  readonly closed: readonly RefreshCycle[];
  readonly state: CycleState;
}

const EMPTY: CycleState = { version: 1, open: {} };

/** A container's sample is new in this poll: its first, or a `read` that advanced. */
function hasAdvanced(container: ContainerMetrics): boolean {
  const kind = container.stats?.sample;
  return kind === 'first' || kind === 'fresh';
}

class OpenCycle {
  readonly reads = new Map<string, number>();
  storageReadBytes: number | undefined;
  storageWriteBytes: number | undefined;

  static from(state: CycleState): OpenCycle {
    const cycle = new OpenCycle();
    for (const name in state.open) cycle.reads.set(name, state.open[name]!);
    cycle.storageReadBytes = state.storageReadBytes;
    cycle.storageWriteBytes = state.storageWriteBytes;
    return cycle;
  }

  add(container: ContainerMetrics): void {
    const stats = container.stats!;
    this.reads.set(container.name, stats.readAtMs);
    const blockIo = stats.blockIo;
    if (blockIo?.readBytesDelta !== undefined)
      this.storageReadBytes = (this.storageReadBytes ?? 0) + blockIo.readBytesDelta;
    if (blockIo?.writeBytesDelta !== undefined)
      this.storageWriteBytes = (this.storageWriteBytes ?? 0) + blockIo.writeBytesDelta;
  }

  /** The earliest read in the cycle; `undefined` while it is empty. */
  firstReadMs(): number | undefined {
    return this.reads.size === 0 ? undefined : Math.min(...this.reads.values());
  }

  close(): RefreshCycle {
    let readAtMs = Number.NEGATIVE_INFINITY;
    for (const read of this.reads.values()) if (read > readAtMs) readAtMs = read;
    const cycle: Mutable<RefreshCycle> = {
      readAtMs,
      containers: [...this.reads.keys()],
    };
    if (this.storageReadBytes !== undefined) cycle.storageReadBytes = this.storageReadBytes;
    if (this.storageWriteBytes !== undefined) cycle.storageWriteBytes = this.storageWriteBytes;
    return cycle;
  }

  state(): CycleState {
    const open: Record<string, number> = {};
    for (const [name, read] of this.reads) open[name] = read;
    const state: Mutable<CycleState> = { version: 1, open };
    if (this.storageReadBytes !== undefined) state.storageReadBytes = this.storageReadBytes;
    if (this.storageWriteBytes !== undefined) state.storageWriteBytes = this.storageWriteBytes;
    return state;
  }
}

/**
 * The container's previous read (the start of its interval) lay at most {@link LEAVE_RATIO}
 * of its new read's distance from the open cycle's first read: its previous sample already
 * went with that cycle's phase. A first sample joins: no earlier sample of it was in a cycle.
 */
function belongsToNextCycle(container: ContainerMetrics, anchorMs: number): boolean {
  const stats = container.stats!;
  // A first sample's rates may rest on its `preread`, but nothing of it was in a cycle yet.
  if (stats.sample === 'first' || stats.intervalSeconds === undefined) return false;
  const previousReadMs = stats.readAtMs - stats.intervalSeconds * 1000;
  return Math.abs(previousReadMs - anchorMs) <= LEAVE_RATIO * Math.abs(stats.readAtMs - anchorMs);
}

/**
 * Folds one poll's metrics into the refresh cycles: which containers advanced, which cycles
 * closed, and the state for the next poll. The first poll closes a cycle at once with every
 * container that has stats (there is nothing earlier to wait for).
 */
export function advanceCycle(metrics: TaskMetrics, previous: CycleState | undefined): CycleStep {
  const advanced = metrics.containers.filter(hasAdvanced);
  const advancedNames = advanced.map((container) => container.name);
  const closed: RefreshCycle[] = [];
  let open = OpenCycle.from(previous ?? EMPTY);

  // A container advancing again while the cycle is open: another container has not refreshed
  // for a whole cadence. The open cycle closes first, so that no interval is counted twice or
  // lost; this poll's other newcomers join it when they were read before the repeated
  // container's new sample, else the next cycle (so cycles follow each other in `read` order).
  // A container whose previous sample was the open cycle's partner (see LEAVE_RATIO) belongs
  // to the next cycle just as surely, and splits it the same way.
  // An empty open cycle has no phase yet: everything that advanced joins it.
  const anchorMs = open.firstReadMs();
  const leaves = (container: ContainerMetrics): boolean =>
    open.reads.has(container.name) || (anchorMs !== undefined && belongsToNextCycle(container, anchorMs));
  const leaving = advanced.filter(leaves);
  const newcomers = advanced.filter((container) => !leaves(container));
  if (leaving.length === 0) {
    for (const container of newcomers) open.add(container);
  } else {
    const splitMs = Math.min(...leaving.map((container) => container.stats!.readAtMs));
    const next = new OpenCycle();
    for (const container of newcomers) (container.stats!.readAtMs < splitMs ? open : next).add(container);
    closed.push(open.close());
    for (const container of leaving) next.add(container);
    open = next;
  }

  const sampled = metrics.containers.filter((container) => container.stats !== undefined);
  const complete =
    open.reads.size > 0 &&
    (previous === undefined || sampled.every((container) => open.reads.has(container.name)));
  if (complete) {
    closed.push(open.close());
    open = new OpenCycle();
  }
  return { advanced: advancedNames, closed, state: open.state() };
}
