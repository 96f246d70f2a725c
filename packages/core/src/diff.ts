import { isSampleTime, MIB, payloadTimeToMs, samePayloadTime, secondsBetween } from '@taskscope/wire';
import type {
  ContainerSnapshot,
  InterfaceReading,
  InterfaceSample,
  StatsSample,
  TaskSnapshot,
} from './snapshot.js';
import type {
  ContainerBaseline,
  ContainerRates,
  ContainerState,
  CoreState,
  InterfaceState,
} from './state.js';
import type {
  BlockIoMetrics,
  ContainerMetrics,
  ContainerStatsMetrics,
  InterfaceMetrics,
  InterfaceRates,
  NetworkCounters,
  SampleKind,
  TaskMetrics,
  TaskTotals,
} from './types.js';
import { isLater, type Mutable } from './util.js';

const EMPTY_STATE: CoreState = { version: 1, containers: {}, interfaces: {} };

/**
 * Turns one normalised poll plus the previous state into metrics and the next state.
 * Every interval is measured between the payload's own `read` timestamps; a repeated
 * `read` repeats the previous rates; a reset yields no rate for that interval.
 */
export function diffSnapshot(
  snapshot: TaskSnapshot,
  previous: CoreState | undefined,
): { metrics: TaskMetrics; state: CoreState } {
  const prior = previous ?? EMPTY_STATE;

  // Pass 1: resets a container's own fields show (identity or a CPU/block I/O decrease).
  const judged = snapshot.containers.map((container) =>
    judgeContainer(container, ownState(prior, container.identity.name)),
  );
  const resetNames = new Set<string>();
  for (const verdict of judged) if (verdict.reset) resetNames.add(verdict.container.identity.name);

  // Pass 2: interfaces. On bridge a container's interfaces restart with it, and a
  // decrease of its interface counters is a reset of that container too.
  const networks: InterfaceMetrics[] = [];
  const interfaceStates: Record<string, InterfaceState> = {};
  const decreasedNames = new Set<string>();
  let interfacesFresh = false;
  for (const sample of snapshot.interfaces) {
    const before = ownInterface(prior, sample.key);
    const reading = pickReading(sample.readings, before);
    // A new source is a new baseline: its read and counters pair differently (pickReading).
    const switched = before !== undefined && before.source !== reading.source;
    const ownerReset = sample.containerName !== undefined && resetNames.has(sample.containerName);
    const decreased =
      before !== undefined && !switched && countersDecreased(reading.counters, before.counters);
    if (decreased && sample.containerName !== undefined) decreasedNames.add(sample.containerName);
    const restart = ownerReset || decreased || switched;
    const { metrics, state, fresh } = diffInterface(sample, reading, restart ? undefined : before);
    if (fresh || before === undefined || restart) interfacesFresh = true;
    networks.push(metrics);
    interfaceStates[sample.key] = state;
  }
  // Interfaces not reported this poll keep their baseline while their owner exists, so
  // a container that briefly reports `null` stats resumes its rates.
  const names = new Set(snapshot.containers.map((container) => container.identity.name));
  for (const key in prior.interfaces) {
    if (key in interfaceStates) continue;
    const owner = key.startsWith('container/') ? key.slice(10, key.indexOf('/', 10)) : undefined;
    if (owner === undefined || (names.has(owner) && !resetNames.has(owner))) {
      interfaceStates[key] = prior.interfaces[key]!;
    }
  }

  // Pass 3: containers, now that bridge interface decreases are known (only bridge
  // interfaces have an owner: awsvpc counters are the task's and reset no container).
  const containers: ContainerMetrics[] = [];
  const containerStates: Record<string, ContainerState> = {};
  let containersFresh = false;
  for (const verdict of judged) {
    const reset = verdict.reset || decreasedNames.has(verdict.container.identity.name);
    const { metrics, state } = diffContainer(verdict.container, verdict.before, reset);
    if (reset || metrics.stats?.sample === 'fresh' || (previous && metrics.stats?.sample === 'first')) {
      containersFresh = true;
    }
    if (verdict.before?.sampled !== (metrics.stats !== undefined)) containersFresh = true;
    containers.push(metrics);
    containerStates[verdict.container.identity.name] = state;
  }
  const setChanged = Object.keys(prior.containers).length !== snapshot.containers.length;

  const kind: SampleKind =
    previous === undefined
      ? 'first'
      : containersFresh || interfacesFresh || setChanged
        ? 'fresh'
        : 'duplicate';
  const cgroup = containers.find((container) => container.stats)?.stats?.cgroup;
  const metrics = {
    identity: snapshot.identity,
    limits: snapshot.limits,
    networkMode: snapshot.networkMode,
  } as Mutable<TaskMetrics>;
  if (cgroup) metrics.cgroup = cgroup;
  if (snapshot.ephemeralStorage) metrics.ephemeralStorage = snapshot.ephemeralStorage;
  if (snapshot.imagePull) metrics.imagePull = snapshot.imagePull;
  metrics.containers = containers;
  metrics.networks = networks;
  metrics.totals = totalsOf(snapshot, containers, networks);
  metrics.sample = snapshot.newestRead ? { kind, readAtMs: payloadTimeToMs(snapshot.newestRead) } : { kind };
  return { metrics, state: { version: 1, containers: containerStates, interfaces: interfaceStates } };
}

interface Verdict {
  readonly container: ContainerSnapshot;
  readonly before: ContainerState | undefined;
  readonly reset: boolean;
}

/**
 * A reset is a new DockerId, StartedAt or RestartCount under the same name, or a
 * cumulative counter below its previous value (docs/peers.md §6.1-7). StartedAt and
 * RestartCount count only when both polls carry them: a PULLED container gains a
 * StartedAt when it starts, which is not a restart.
 */
function judgeContainer(container: ContainerSnapshot, before: ContainerState | undefined): Verdict {
  if (!before) return { container, before, reset: false };
  const identityChanged =
    before.dockerId !== container.identity.dockerId ||
    (before.startedAt !== undefined &&
      container.startedAt !== undefined &&
      before.startedAt !== container.startedAt) ||
    (before.restartCount !== undefined &&
      container.identity.restartCount !== undefined &&
      before.restartCount !== container.identity.restartCount);
  const baseline = before.baseline;
  const stats = container.stats;
  const decreased =
    baseline !== undefined &&
    stats !== undefined &&
    (stats.cpu.totalNs < baseline.cpuTotalNs ||
      (stats.blockIo !== undefined &&
        baseline.blockIo !== undefined &&
        (stats.blockIo.readBytes < baseline.blockIo.readBytes ||
          stats.blockIo.writeBytes < baseline.blockIo.writeBytes)));
  return { container, before, reset: identityChanged || decreased };
}

function diffContainer(
  container: ContainerSnapshot,
  before: ContainerState | undefined,
  reset: boolean,
): { metrics: ContainerMetrics; state: ContainerState } {
  const stats = container.stats;
  // Across a reset the old counters belong to another run: never diff against them.
  const baseline = reset ? undefined : before?.baseline;
  let sample: SampleKind | undefined;
  let rates: ContainerRates = {};
  if (stats) {
    if (!before?.baseline) {
      sample = 'first';
      if (!reset) rates = firstSampleRates(stats);
    } else if (!baseline) {
      sample = 'fresh';
    } else if (samePayloadTime(stats.read, baseline.read)) {
      sample = 'duplicate';
      rates = baseline.rates;
    } else {
      sample = 'fresh';
      rates = intervalRates(stats, baseline);
    }
  }

  const counterStartMs = counterStart(container, before, reset);
  const state: Mutable<ContainerState> = {
    dockerId: container.identity.dockerId,
    sampled: stats !== undefined,
  };
  if (container.startedAt !== undefined) state.startedAt = container.startedAt;
  if (container.identity.restartCount !== undefined) state.restartCount = container.identity.restartCount;
  if (counterStartMs !== undefined) state.counterStartMs = counterStartMs;
  const nextBaseline: ContainerBaseline | undefined = stats
    ? stats.blockIo
      ? { read: stats.read, cpuTotalNs: stats.cpu.totalNs, blockIo: stats.blockIo, rates }
      : { read: stats.read, cpuTotalNs: stats.cpu.totalNs, rates }
    : baseline;
  if (nextBaseline) state.baseline = nextBaseline;

  // One copy of the ready-made identity: Object.assign, because an object spread here
  // made the whole diff 7× slower on Node 20 (bench/compute.bench.ts).
  const metrics = Object.assign({}, container.identity) as Mutable<ContainerMetrics>;
  if (counterStartMs !== undefined) metrics.counterStartMs = counterStartMs;
  metrics.reset = reset;
  if (stats && sample) metrics.stats = statsMetrics(stats, sample, rates);
  return { metrics, state };
}

/**
 * When the current run of counters began: `StartedAt`, else the first `read` seen. A
 * reset moves it to the new `StartedAt` when that changed, else to the previous sample's
 * `read` (the counters restarted after it), so OTLP start times stay after the old run.
 */
function counterStart(
  container: ContainerSnapshot,
  before: ContainerState | undefined,
  reset: boolean,
): number | undefined {
  // A read that is no real time (Go's zero, the agent's 1969 test input) starts nothing.
  const read = container.stats?.read;
  const readMs = read && isSampleTime(read) ? payloadTimeToMs(read) : undefined;
  if (reset) {
    if (container.identity.startedAtMs !== undefined && container.startedAt !== before?.startedAt) {
      return container.identity.startedAtMs;
    }
    const previousRead = before?.baseline?.read;
    if (previousRead && isSampleTime(previousRead)) return payloadTimeToMs(previousRead);
  }
  // No counters seen before the reset: the new run starts like a first sample.
  return (reset ? undefined : before?.counterStartMs) ?? container.identity.startedAtMs ?? readMs;
}

/** The first sample's CPU rate, from `precpu_stats` when normalize found it usable. */
function firstSampleRates(stats: StatsSample): ContainerRates {
  const { preread } = stats;
  const preTotal = stats.cpu.preTotalNs;
  if (!preread || preTotal === undefined) return {};
  const intervalSeconds = secondsBetween(preread, stats.read);
  return { intervalSeconds, cores: (stats.cpu.totalNs - preTotal) / 1e9 / intervalSeconds };
}

function intervalRates(stats: StatsSample, baseline: ContainerBaseline): ContainerRates {
  if (!isSampleTime(baseline.read) || !isSampleTime(stats.read) || !isLater(stats.read, baseline.read)) {
    // A `read` that went back (a host clock step) or is no real time: no interval.
    return {};
  }
  const intervalSeconds = secondsBetween(baseline.read, stats.read);
  const rates: Mutable<ContainerRates> = {
    intervalSeconds,
    cores: (stats.cpu.totalNs - baseline.cpuTotalNs) / 1e9 / intervalSeconds,
  };
  if (stats.blockIo && baseline.blockIo) {
    rates.readBytesDelta = stats.blockIo.readBytes - baseline.blockIo.readBytes;
    rates.writeBytesDelta = stats.blockIo.writeBytes - baseline.blockIo.writeBytes;
    rates.readBytesPerSecond = rates.readBytesDelta / intervalSeconds;
    rates.writeBytesPerSecond = rates.writeBytesDelta / intervalSeconds;
  }
  return rates;
}

function statsMetrics(stats: StatsSample, sample: SampleKind, rates: ContainerRates): ContainerStatsMetrics {
  const cpu: Mutable<ContainerStatsMetrics['cpu']> = { totalSeconds: stats.cpu.totalNs / 1e9 };
  if (stats.cpu.userNs !== undefined) cpu.userSeconds = stats.cpu.userNs / 1e9;
  if (stats.cpu.systemNs !== undefined) cpu.systemSeconds = stats.cpu.systemNs / 1e9;
  if (rates.cores !== undefined) cpu.cores = rates.cores;
  // Built field by field in output order: conditional spreads in object literals cost
  // more than the rest of the diff together (bench/compute.bench.ts).
  const out = {
    readAtMs: payloadTimeToMs(stats.read),
    cgroup: stats.cgroup,
    sample,
  } as Mutable<ContainerStatsMetrics>;
  if (rates.intervalSeconds !== undefined) out.intervalSeconds = rates.intervalSeconds;
  out.cpu = cpu;
  out.memory = stats.memory;
  if (stats.blockIo) {
    const blockIo: Mutable<BlockIoMetrics> = {
      readBytes: stats.blockIo.readBytes,
      writeBytes: stats.blockIo.writeBytes,
    };
    if (rates.readBytesDelta !== undefined) {
      blockIo.readBytesDelta = rates.readBytesDelta;
      blockIo.writeBytesDelta = rates.writeBytesDelta!;
      blockIo.readBytesPerSecond = rates.readBytesPerSecond!;
      blockIo.writeBytesPerSecond = rates.writeBytesPerSecond!;
    }
    out.blockIo = blockIo;
  }
  if (stats.pids !== undefined) out.pids = stats.pids;
  return out;
}

/**
 * The reading an interface's rates follow: the previous source's while that container
 * still reports the interface, else the newest `read`. On awsvpc the agent copies the
 * task's counters into each container at that container's own sample time; pairing one
 * container's counters with another's read could make an interval of a few nanoseconds
 * out of two nearly simultaneous samples, and a rate of gigabytes per second from it.
 */
function pickReading(
  readings: readonly InterfaceReading[],
  before: InterfaceState | undefined,
): InterfaceReading {
  const same = before && readings.find((reading) => reading.source === before.source);
  if (same) return same;
  let newest = readings[0]!;
  for (const reading of readings) if (isLater(reading.read, newest.read)) newest = reading;
  return newest;
}

/**
 * One interface against its previous reading (undefined on first sight or after a
 * reset: no rate). `fresh` when its `read` changed.
 */
function diffInterface(
  sample: InterfaceSample,
  reading: InterfaceReading,
  before: InterfaceState | undefined,
): { metrics: InterfaceMetrics; state: InterfaceState; fresh: boolean } {
  let rates: InterfaceRates = {};
  let fresh = false;
  const { read, counters } = reading;
  if (before) {
    if (samePayloadTime(read, before.read)) {
      rates = before.rates;
    } else if (isSampleTime(before.read) && isSampleTime(read) && isLater(read, before.read)) {
      fresh = true;
      const seconds = secondsBetween(before.read, read);
      const rxBytesDelta = counters.rxBytes - before.counters.rxBytes;
      const txBytesDelta = counters.txBytes - before.counters.txBytes;
      rates = {
        rxBytesPerSecond: rxBytesDelta / seconds,
        txBytesPerSecond: txBytesDelta / seconds,
        rxPacketsPerSecond: (counters.rxPackets - before.counters.rxPackets) / seconds,
        txPacketsPerSecond: (counters.txPackets - before.counters.txPackets) / seconds,
        rxBytesDelta,
        txBytesDelta,
      };
    } else {
      fresh = true;
    }
  }
  const metrics: InterfaceMetrics =
    sample.containerName === undefined
      ? { interface: sample.interface, counters, ...rates }
      : { interface: sample.interface, containerName: sample.containerName, counters, ...rates };
  return { metrics, state: { source: reading.source, read, counters, rates }, fresh };
}

function countersDecreased(now: NetworkCounters, before: NetworkCounters): boolean {
  return (
    now.rxBytes < before.rxBytes ||
    now.rxPackets < before.rxPackets ||
    now.rxErrors < before.rxErrors ||
    now.rxDropped < before.rxDropped ||
    now.txBytes < before.txBytes ||
    now.txPackets < before.txPackets ||
    now.txErrors < before.txErrors ||
    now.txDropped < before.txDropped
  );
}

function totalsOf(
  snapshot: TaskSnapshot,
  containers: readonly ContainerMetrics[],
  networks: readonly InterfaceMetrics[],
): TaskTotals {
  const cores = new Sum();
  const usage = new Sum();
  const workingSet = new Sum();
  const utilizedMiB = new Sum();
  const storageRead = new Sum();
  const storageWrite = new Sum();
  for (const container of containers) {
    const stats = container.stats;
    if (!stats) continue;
    cores.add(stats.cpu.cores);
    usage.add(stats.memory.usageBytes);
    workingSet.add(stats.memory.workingSetBytes);
    // The ECS agent floors each container to whole MiB before summing (MemoryUsageInMegs).
    const utilized = stats.memory.utilizedBytes;
    utilizedMiB.add(utilized === undefined ? undefined : Math.floor(utilized / MIB));
    storageRead.add(stats.blockIo?.readBytesDelta);
    storageWrite.add(stats.blockIo?.writeBytesDelta);
  }
  const rx = new Sum();
  const tx = new Sum();
  for (const network of networks) {
    rx.add(network.rxBytesPerSecond);
    tx.add(network.txBytesPerSecond);
  }
  const { cpuVcpus, memoryBytes } = snapshot.limits;
  const out: Mutable<TaskTotals> = {};
  if (cores.value !== undefined) {
    out.cpuCores = cores.value;
    if (cpuVcpus !== undefined) out.cpuUtilization = cores.value / cpuVcpus;
  }
  if (snapshot.cpuReservedUnits !== undefined) out.cpuReservedUnits = snapshot.cpuReservedUnits;
  if (usage.value !== undefined) out.memoryUsageBytes = usage.value;
  if (workingSet.value !== undefined) {
    out.memoryWorkingSetBytes = workingSet.value;
    if (memoryBytes !== undefined) out.memoryWorkingSetUtilization = workingSet.value / memoryBytes;
  }
  if (utilizedMiB.value !== undefined) {
    out.memoryUtilizedMiB = utilizedMiB.value;
    if (memoryBytes !== undefined) out.memoryUtilization = utilizedMiB.value / (memoryBytes / MIB);
  }
  if (rx.value !== undefined) out.networkRxBytesPerSecond = rx.value;
  if (tx.value !== undefined) out.networkTxBytesPerSecond = tx.value;
  if (storageRead.value !== undefined) out.storageReadBytes = storageRead.value;
  if (storageWrite.value !== undefined) out.storageWriteBytes = storageWrite.value;
  return out;
}

/** A sum that stays `undefined` until something is added: no invented zero totals. */
class Sum {
  value: number | undefined;
  add(term: number | undefined): void {
    if (term !== undefined) this.value = (this.value ?? 0) + term;
  }
}

function ownState(state: CoreState, name: string): ContainerState | undefined {
  return Object.hasOwn(state.containers, name) ? state.containers[name] : undefined;
}

function ownInterface(state: CoreState, key: string): InterfaceState | undefined {
  return Object.hasOwn(state.interfaces, key) ? state.interfaces[key] : undefined;
}
