/*
 * The page's own history of the figures it charts: seeded from /api/v1/history, then one
 * point per streamed snapshot. Columnar (one array per series, aligned on the time column)
 * because that is the shape uPlot draws from, and bounded twice: by count and by the window
 * the agent keeps, so a page left open for days holds no more than the agent does.
 */
import type { Snapshot } from '@taskscope/sdk';

/** A series' values, aligned with `SeriesStore.times`; `null` is a gap (not reported). */
export type Column = (number | null)[];

export interface TaskColumns {
  readonly cpuCores: Column;
  readonly memoryBytes: Column;
  readonly networkRxBytesPerSecond: Column;
  readonly networkTxBytesPerSecond: Column;
}

export interface ContainerColumns {
  readonly cpuCores: Column;
  readonly memoryBytes: Column;
}

/** 15 minutes at the fastest cadence the agent learns (1 s), with room to spare. */
export const DEFAULT_CAPACITY = 1800;
/** The agent's default `--history`, until a history response says otherwise. */
export const DEFAULT_WINDOW_MS = 15 * 60_000;

export class SeriesStore {
  /** Seconds since the epoch (uPlot's time scale), ascending, one per snapshot id. */
  readonly times: number[] = [];
  readonly task: TaskColumns = {
    cpuCores: [],
    memoryBytes: [],
    networkRxBytesPerSecond: [],
    networkTxBytesPerSecond: [],
  };
  private readonly containerColumns = new Map<string, ContainerColumns>();
  private lastId: number | undefined;

  constructor(
    readonly capacity = DEFAULT_CAPACITY,
    /** Points older than this, measured from the newest, are dropped. */
    public windowMs = DEFAULT_WINDOW_MS,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity ${capacity}: at least 2`);
  }

  get length(): number {
    return this.times.length;
  }

  /** The id of the newest point, `undefined` while empty. */
  get newestId(): number | undefined {
    return this.lastId;
  }

  /** Columns of one container, all `null` before it appeared (or after it went). */
  container(name: string): ContainerColumns {
    return this.columnsFor(name, this.times.length);
  }

  private columnsFor(name: string, length: number): ContainerColumns {
    let columns = this.containerColumns.get(name);
    if (columns === undefined) {
      columns = { cpuCores: new Array(length).fill(null), memoryBytes: new Array(length).fill(null) };
      this.containerColumns.set(name, columns);
    }
    return columns;
  }

  /**
   * Adds the snapshot's figures as a point. Returns false (and changes nothing) for a
   * snapshot without a sample or one not newer than the newest point: history and the
   * stream overlap, and a reconnect may replay.
   */
  add(snapshot: Snapshot): boolean {
    const id = snapshot.id;
    if (id === null || (this.lastId !== undefined && id <= this.lastId)) return false;
    this.lastId = id;
    const index = this.times.length;
    const seen = new Set<string>();
    for (const container of snapshot.containers) {
      // A newcomer is backfilled with nulls for the points before this one.
      const columns = this.columnsFor(container.name, index);
      if (seen.has(container.name)) continue; // a name twice: keep the first
      seen.add(container.name);
      columns.cpuCores.push(container.cpu.cores);
      columns.memoryBytes.push(container.memory.workingSetBytes);
    }
    for (const [name, columns] of this.containerColumns) {
      if (seen.has(name)) continue;
      columns.cpuCores.push(null);
      columns.memoryBytes.push(null);
    }
    this.times.push(id / 1000);
    const totals = snapshot.totals;
    this.task.cpuCores.push(totals?.cpuCores ?? null);
    this.task.memoryBytes.push(totals?.memoryWorkingSetBytes ?? null);
    this.task.networkRxBytesPerSecond.push(totals?.networkRxBytesPerSecond ?? null);
    this.task.networkTxBytesPerSecond.push(totals?.networkTxBytesPerSecond ?? null);
    this.trim();
    return true;
  }

  private trim(): void {
    const newest = this.times[this.times.length - 1]!;
    const oldestAllowed = newest - this.windowMs / 1000;
    let drop = Math.max(0, this.times.length - this.capacity);
    while (drop < this.times.length - 1 && this.times[drop]! < oldestAllowed) drop += 1;
    if (drop === 0) return;
    this.times.splice(0, drop);
    for (const column of Object.values(this.task) as Column[]) column.splice(0, drop);
    for (const [name, columns] of this.containerColumns) {
      columns.cpuCores.splice(0, drop);
      columns.memoryBytes.splice(0, drop);
      // A container gone for the whole window has nothing left to draw.
      if (columns.cpuCores.every((v) => v === null) && columns.memoryBytes.every((v) => v === null)) {
        this.containerColumns.delete(name);
      }
    }
  }
}
