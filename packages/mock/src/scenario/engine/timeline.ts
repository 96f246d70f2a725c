import { unitHash } from '../../common/random.js';
import type { ContainerModel, TaskModel } from './model.js';

/*
 * When each container runs and which stats sample the endpoint serves at a given time.
 * Sample k of a container is read at k·cadence + the container's fixed offset + a seeded
 * jitter, becomes visible at its read time and stays until the next one: polling between
 * refreshes sees the same `read` (docs/endpoint.md §2, "Timing and cadence").
 */

const PAGE_BYTES = 4096;

/** One stats sample: counters since the run's start, gauges at the read. */
export interface Sample {
  readonly index: number;
  readonly readNs: number;
  readonly runStartNs: number;
  readonly restartCount: number;
  /** CPU time since the run started, ns (an integer). */
  readonly cpuNs: number;
  readonly workingSetBytes: number;
  readonly cacheBytes: number;
  readonly inactiveFileBytes: number;
  /** Upper bounds since the run started, for `max_usage` / `commitpeakbytes`. */
  readonly maxWorkingSetBytes: number;
  readonly maxCacheBytes: number;
  readonly diskReadBytes: number;
  readonly diskWriteBytes: number;
  /** The interface this container reports: the task's (awsvpc) or its own (bridge). */
  readonly rxBytes: number;
  readonly txBytes: number;
  /** Host CPU time in 10 ms ticks summed over CPUs (`system_cpu_usage` / 10^7). */
  readonly systemTicks: number;
}

/** What a container's stats entry is at a time. */
export type Served =
  | { readonly kind: 'sample'; readonly sample: Sample; readonly previous?: Sample }
  /** Running, but no sample since it (re)started: the agent has nothing yet. */
  | { readonly kind: 'pending' }
  /** Not running (PULLED, CREATED, STOPPED, or before its start). */
  | { readonly kind: 'none' };

export interface Timeline {
  /** Run starts, first run first (scheduled restarts and runtime ones). */
  runStarts(container: ContainerModel): readonly number[];
  isRunning(container: ContainerModel, tNs: number): boolean;
  /** The start of the run active at `tNs` and its restart count; `undefined` when not running. */
  runAt(
    container: ContainerModel,
    tNs: number,
  ): { readonly startNs: number; readonly restartCount: number } | undefined;
  served(container: ContainerModel, tNs: number): Served;
  /** Counters restart at `tNs`; `false` when the container is not running then. */
  restart(container: ContainerModel, tNs: number): boolean;
  /** Bumped on every runtime restart, so cached bodies can be dropped. */
  readonly version: number;
}

export function createTimeline(model: TaskModel): Timeline {
  const starts = new Map<ContainerModel, number[]>(
    model.containers.map((c) => [c, c.runs.map((run) => run.startNs)]),
  );
  const cache = new Map<ContainerModel, Map<number, Sample | null>>(
    model.containers.map((c) => [c, new Map()]),
  );
  const awsvpc = model.scenario.networkMode === 'awsvpc';
  let version = 0;

  const runStarts = (c: ContainerModel): readonly number[] => starts.get(c)!;

  const isRunning = (c: ContainerModel, t: number): boolean => {
    const list = runStarts(c);
    if (list.length === 0 || t < list[0]!) return false;
    return c.stop === undefined || t < c.stop.atNs;
  };

  const runAt = (c: ContainerModel, t: number) => {
    if (!isRunning(c, t)) return undefined;
    const list = runStarts(c);
    let index = 0;
    while (index + 1 < list.length && list[index + 1]! <= t) index++;
    return { startNs: list[index]!, restartCount: index };
  };

  const readNs = (c: ContainerModel, k: number): number =>
    k * model.cadenceNs +
    c.sampleOffsetNs +
    Math.floor(unitHash(model.seed, 'jitter', c.spec.name, k) * model.jitterNs);

  /** The newest sample index read at or before t (any run), or -1. */
  const latestIndex = (c: ContainerModel, t: number): number => {
    let k = Math.floor((t - c.sampleOffsetNs) / model.cadenceNs);
    if (k < 0) return -1;
    if (readNs(c, k) > t) k--;
    return k;
  };

  const seconds = (ns: number): number => ns / 1e9;
  const floorPage = (bytes: number): number => Math.floor(bytes / PAGE_BYTES) * PAGE_BYTES;

  /** The task interface's counters at t: every container's traffic while it ran (awsvpc). */
  const taskInterfaceBytes = (t: number): { rx: number; tx: number } => {
    let rx = 0;
    let tx = 0;
    for (const c of model.containers) {
      const list = runStarts(c);
      if (list.length === 0 || t <= list[0]!) continue;
      const end = seconds(c.stop === undefined ? t : Math.min(t, c.stop.atNs));
      const begin = seconds(list[0]!);
      rx += c.load.networkRxBytesPerSecond.integral(end) - c.load.networkRxBytesPerSecond.integral(begin);
      tx += c.load.networkTxBytesPerSecond.integral(end) - c.load.networkTxBytesPerSecond.integral(begin);
    }
    return { rx: Math.floor(rx), tx: Math.floor(tx) };
  };

  const computeSample = (c: ContainerModel, k: number): Sample | null => {
    const read = readNs(c, k);
    const run = runAt(c, read);
    if (!run) return null;
    const { load, shape } = c;
    const from = seconds(run.startNs);
    const at = seconds(read);
    const grown = (profile: typeof load.cpuCores): number =>
      Math.max(0, profile.integral(at) - profile.integral(from));
    const cacheBytes = floorPage(load.memoryCacheBytes.valueAt(at));
    const network = awsvpc
      ? taskInterfaceBytes(read)
      : {
          rx: Math.floor(grown(load.networkRxBytesPerSecond)),
          tx: Math.floor(grown(load.networkTxBytesPerSecond)),
        };
    return {
      index: k,
      readNs: read,
      runStartNs: run.startNs,
      restartCount: run.restartCount,
      cpuNs: Math.floor(grown(load.cpuCores) * 1e9),
      workingSetBytes: floorPage(load.memoryWorkingSetBytes.valueAt(at)),
      cacheBytes,
      inactiveFileBytes: floorPage(cacheBytes * shape.inactiveFileRatio),
      maxWorkingSetBytes: floorPage(load.memoryWorkingSetBytes.maxBetween(from, at)),
      maxCacheBytes: floorPage(load.memoryCacheBytes.maxBetween(from, at)),
      diskReadBytes: floorPage(grown(load.diskReadBytesPerSecond)),
      diskWriteBytes: floorPage(grown(load.diskWriteBytesPerSecond)),
      rxBytes: network.rx,
      txBytes: network.tx,
      systemTicks: Math.floor((model.hostUptimeAtOriginNs + read) / 1e7) * model.scenario.host.onlineCpus,
    };
  };

  const sampleAt = (c: ContainerModel, k: number): Sample | null => {
    const samples = cache.get(c)!;
    let sample = samples.get(k);
    if (sample === undefined) {
      sample = computeSample(c, k);
      // Keep the few newest: a server asks for the latest two over and over.
      if (samples.size > 8) samples.delete(samples.keys().next().value!);
      samples.set(k, sample);
    }
    return sample;
  };

  const served = (c: ContainerModel, t: number): Served => {
    const run = runAt(c, t);
    if (!run) return { kind: 'none' };
    const k = latestIndex(c, t);
    // After a restart the agent keeps serving the last sample until the next refresh.
    const sample = k >= 0 ? sampleAt(c, k) : null;
    if (!sample) return { kind: 'pending' };
    const before = k > 0 ? sampleAt(c, k - 1) : null;
    if (before && before.runStartNs === sample.runStartNs)
      return { kind: 'sample', sample, previous: before };
    return { kind: 'sample', sample };
  };

  return {
    runStarts,
    isRunning,
    runAt,
    served,
    restart: (c, t) => {
      if (!isRunning(c, t)) return false;
      const list = starts.get(c)!;
      list.push(t);
      list.sort((a, b) => a - b);
      for (const samples of cache.values()) samples.clear();
      version++;
      return true;
    },
    get version() {
      return version;
    },
  };
}
