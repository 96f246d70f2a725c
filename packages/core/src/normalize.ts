import {
  type ContainerMetadata,
  type ContainerStats,
  effectiveLimit,
  isSampleTime,
  MIB,
  type PayloadTime,
  payloadTimeToMs,
  secondsBetween,
  type TaskMetadata,
  type TaskStats,
} from '@taskscope/wire';
import { detectCgroup, detectNetworkMode, isPauseContainer } from './detect.js';
import { containerHealthOf } from './health.js';
import { taskIdentityOf } from './identity.js';
import { memoryMetrics } from './memory.js';
import type {
  ContainerIdentity,
  ContainerSnapshot,
  CpuSample,
  InterfaceSample,
  StatsSample,
  TaskSnapshot,
} from './snapshot.js';
import { payloadTime } from './time.js';
import type { NetworkCounters, NetworkMode, TaskLimits, TaskMetrics } from './types.js';
import { finite, isLater, type Mutable } from './util.js';

/**
 * Reads one poll's validated payloads into the compact numbers the computation needs:
 * identity, limits (from metadata, never from stats), network mode and per-container
 * counters. Pure and cheap: no copies of the payloads, no clock.
 */
export function normalizeSnapshot(metadata: TaskMetadata, stats: TaskStats): TaskSnapshot {
  const limits = taskLimitsOf(metadata);
  const networkMode = detectNetworkMode(metadata);
  const containers: ContainerSnapshot[] = [];
  const interfaces = new Map<string, InterfaceSample>();
  let newestRead: PayloadTime | undefined;
  let unitsSum = 0;
  let unitsKnown = false;

  for (const container of metadata.Containers ?? []) {
    // The metadata is the list of containers; a stats key without a metadata entry is
    // ignored. hasOwn: a DockerId like "constructor" must not reach Object.prototype.
    const entry = Object.hasOwn(stats, container.DockerId) ? stats[container.DockerId] : undefined;
    const sample = entry ? normalizeStats(entry) : undefined;
    if (sample && isSampleTime(sample.read) && (!newestRead || isLater(sample.read, newestRead))) {
      newestRead = sample.read;
    }
    if (sample && entry?.networks) {
      collectInterfaces(interfaces, networkMode, container.Name, sample.read, entry);
    }
    // The pause container feeds the task's interfaces (above) but is not a user container.
    if (isPauseContainer(container)) continue;
    const snapshot = containerSnapshot(container, sample, limits);
    if (snapshot.identity.cpuShares !== undefined) {
      unitsSum += snapshot.identity.cpuShares;
      unitsKnown = true;
    }
    containers.push(snapshot);
  }

  const out: Mutable<TaskSnapshot> = {
    identity: taskIdentityOf(metadata),
    limits,
    networkMode,
    containers,
    interfaces: [...interfaces.values()],
  };
  // Container Insights' CpuReserved: the task's vCPU in units, else the containers' units.
  if (limits.cpuVcpus !== undefined) out.cpuReservedUnits = limits.cpuVcpus * 1024;
  else if (unitsKnown) out.cpuReservedUnits = unitsSum;
  const ephemeral = ephemeralStorageOf(metadata);
  if (ephemeral) out.ephemeralStorage = ephemeral;
  const pullStart = timeMs(metadata.PullStartedAt);
  const pullStop = timeMs(metadata.PullStoppedAt);
  if (pullStart !== undefined || pullStop !== undefined) {
    out.imagePull = {
      ...(pullStart !== undefined && { startedAtMs: pullStart }),
      ...(pullStop !== undefined && { stoppedAtMs: pullStop }),
    };
  }
  if (newestRead) out.newestRead = newestRead;
  return out;
}

/** Task `Limits`: CPU in vCPU, Memory MiB → bytes. Zero and "no limit" sentinels are absent. */
export function taskLimitsOf(metadata: TaskMetadata): TaskLimits {
  const cpuVcpus = effectiveLimit(metadata.Limits?.CPU);
  const memoryMiB = effectiveLimit(metadata.Limits?.Memory);
  return {
    ...(cpuVcpus !== undefined && { cpuVcpus }),
    ...(memoryMiB !== undefined && { memoryBytes: memoryMiB * MIB }),
  };
}

function ephemeralStorageOf(metadata: TaskMetadata): TaskMetrics['ephemeralStorage'] {
  const storage = metadata.EphemeralStorageMetrics;
  if (!storage) return undefined;
  // Fargate reports both in MiB; Utilized 0 is a real reading, Reserved 0 is no allocation.
  const used = finite(storage.Utilized);
  const allocated = effectiveLimit(storage.Reserved);
  if (used === undefined && allocated === undefined) return undefined;
  return {
    ...(used !== undefined && { usedBytes: used * MIB }),
    ...(allocated !== undefined && { allocatedBytes: allocated * MIB }),
  };
}

function containerSnapshot(
  container: ContainerMetadata,
  stats: StatsSample | undefined,
  limits: TaskLimits,
): ContainerSnapshot {
  const identity: Mutable<ContainerIdentity> = { name: container.Name, dockerId: container.DockerId };
  if (container.DockerName) identity.dockerName = container.DockerName;
  if (container.Image) identity.image = container.Image;
  if (container.ImageID) identity.imageId = container.ImageID;
  if (container.KnownStatus) identity.knownStatus = container.KnownStatus;
  if (container.DesiredStatus) identity.desiredStatus = container.DesiredStatus;
  if (container.Type) identity.type = container.Type;
  const createdAtMs = timeMs(container.CreatedAt);
  if (createdAtMs !== undefined) identity.createdAtMs = createdAtMs;
  const startedAtMs = timeMs(container.StartedAt);
  if (startedAtMs !== undefined) identity.startedAtMs = startedAtMs;
  const finishedAtMs = timeMs(container.FinishedAt);
  if (finishedAtMs !== undefined) identity.finishedAtMs = finishedAtMs;
  if (typeof container.ExitCode === 'number' && Number.isFinite(container.ExitCode)) {
    identity.exitCode = container.ExitCode;
  }
  const restartCount = finite(container.RestartCount);
  if (restartCount !== undefined) identity.restartCount = restartCount;
  const health = containerHealthOf(container.Health);
  if (health) identity.health = health;
  // Container CPU is a weight (shares), not a cap: Fargate turns 0 into 2 and nothing
  // divides by it (aws-observability/aws-otel-collector#1368).
  const cpuShares = effectiveLimit(container.Limits?.CPU);
  if (cpuShares !== undefined) identity.cpuShares = cpuShares;
  const memoryMiB = effectiveLimit(container.Limits?.Memory);
  const memoryLimitBytes = memoryMiB !== undefined ? memoryMiB * MIB : limits.memoryBytes;
  if (memoryLimitBytes !== undefined) identity.memoryLimitBytes = memoryLimitBytes;
  const out: Mutable<ContainerSnapshot> = { identity };
  if (startedAtMs !== undefined) out.startedAt = container.StartedAt!;
  // A sample read before the container's StartedAt belongs to its previous run. After a
  // restart the metadata shows the new StartedAt at once, the stats only from the endpoint's
  // next refresh; taken as the new run's, the old run's counters went out under the new start
  // time and then went down within it (found by the agent's fault suite). Until a sample of
  // the new run arrives the container has none, as a container that has just started.
  const predatesRun =
    stats !== undefined && startedAtMs !== undefined && payloadTimeToMs(stats.read) < startedAtMs;
  if (stats && !predatesRun) out.stats = stats;
  return out;
}

/**
 * One stats entry, normalised; `undefined` when it has no usable sample (a `read` that
 * is not a timestamp, or a `total_usage` that no cgroup can produce).
 */
export function normalizeStats(entry: ContainerStats): StatsSample | undefined {
  const read = payloadTime(entry.read);
  if (!read) return undefined;
  const cgroup = detectCgroup(entry);
  // Windows reports CPU in 100 ns units (docker/cli calculateCPUPercentWindows; the ECS
  // agent multiplies by 100 in agent/stats/utils_windows.go).
  const scale = cgroup === 'windows' ? 100 : 1;
  const usage = entry.cpu_stats.cpu_usage;
  const total = finite(usage.total_usage);
  if (total === undefined) return undefined;
  const cpu: Mutable<CpuSample> = { totalNs: total * scale };
  const user = finite(usage.usage_in_usermode);
  if (user !== undefined) cpu.userNs = user * scale;
  const system = finite(usage.usage_in_kernelmode);
  if (system !== undefined) cpu.systemNs = system * scale;

  const out: Mutable<StatsSample> = { read, cgroup, cpu, memory: memoryMetrics(entry.memory_stats, cgroup) };
  const preread = entry.preread ? payloadTime(entry.preread) : undefined;
  const preTotal = finite(entry.precpu_stats?.cpu_usage?.total_usage);
  // precpu_stats is a baseline only when it was really sampled: Docker sends Go's zero
  // time and zeroed counters before its second sample, Fargate PV 1.4 has sent zeroed
  // precpu with a real preread (aws/containers-roadmap#1062), and a total above the
  // current one is not a baseline of it.
  if (
    preread &&
    isSampleTime(preread) &&
    isSampleTime(read) &&
    secondsBetween(preread, read) > 0 &&
    preTotal !== undefined &&
    preTotal > 0 &&
    preTotal * scale <= cpu.totalNs
  ) {
    out.preread = preread;
    cpu.preTotalNs = preTotal * scale;
  }
  const blockIo = cgroup === 'windows' ? windowsBlockIo(entry) : linuxBlockIo(entry);
  if (blockIo) out.blockIo = blockIo;
  const pids = pidsOf(entry, cgroup);
  if (pids !== undefined) out.pids = pids;
  return out;
}

/**
 * Σ `io_service_bytes_recursive` over all devices for the read and write ops, matched
 * case-insensitively (cgroup v1 `Read`, v2 `read`: opencontainers/runc#2964). `Total`,
 * `Sync`, `Async` and `Discard` re-count the same bytes and are skipped. A `null` list is
 * "no data"; an entry without `value` is Go's omitted zero.
 */
function linuxBlockIo(entry: ContainerStats): StatsSample['blockIo'] {
  const list = entry.blkio_stats?.io_service_bytes_recursive;
  if (!list) return undefined;
  let readBytes = 0;
  let writeBytes = 0;
  for (const item of list) {
    const value = finite(item.value);
    if (value === undefined) continue;
    const op = item.op.toLowerCase();
    if (op === 'read') readBytes += value;
    else if (op === 'write') writeBytes += value;
  }
  return { readBytes, writeBytes };
}

/** Windows has no blkio: Docker reports `storage_stats` (docker/cli calculateBlockIO). */
function windowsBlockIo(entry: ContainerStats): StatsSample['blockIo'] {
  const readBytes = finite(entry.storage_stats?.read_size_bytes);
  const writeBytes = finite(entry.storage_stats?.write_size_bytes);
  if (readBytes === undefined && writeBytes === undefined) return undefined;
  return { readBytes: readBytes ?? 0, writeBytes: writeBytes ?? 0 };
}

function pidsOf(entry: ContainerStats, cgroup: StatsSample['cgroup']): number | undefined {
  const pidsStats = entry['pids_stats'];
  if (pidsStats !== null && typeof pidsStats === 'object') {
    const current = finite((pidsStats as { current?: number }).current);
    if (current !== undefined) return current;
  }
  // Windows has no pids cgroup; Docker reports the process count as num_procs. Linux
  // always sends num_procs 0, and no running container has 0 processes: 0 is "unknown".
  const procs = finite(entry.num_procs);
  return cgroup === 'windows' && procs ? procs : undefined;
}

/**
 * Adds one container's interfaces. awsvpc: the namespace is the task's and the agent
 * copies its counters into every container (aws/amazon-ecs-agent#2482), so readings of
 * an interface are grouped under one task-level key for diffSnapshot to pick from.
 * Bridge (and unknown): one namespace per container. Host: the host's interfaces are
 * not the task's; none are kept.
 */
function collectInterfaces(
  into: Map<string, InterfaceSample>,
  mode: NetworkMode,
  containerName: string,
  read: PayloadTime,
  entry: ContainerStats,
): void {
  if (mode === 'host') return;
  const taskLevel = mode === 'awsvpc';
  for (const name in entry.networks) {
    const stats = entry.networks[name]!;
    const counters: NetworkCounters = {
      // Docker on Windows omits rx_errors/tx_errors and TMDS re-marshals them as 0
      // (docs/endpoint.md §5), so an absent counter is the agent's own 0.
      rxBytes: finite(stats.rx_bytes) ?? 0,
      rxPackets: finite(stats.rx_packets) ?? 0,
      rxErrors: finite(stats.rx_errors) ?? 0,
      rxDropped: finite(stats.rx_dropped) ?? 0,
      txBytes: finite(stats.tx_bytes) ?? 0,
      txPackets: finite(stats.tx_packets) ?? 0,
      txErrors: finite(stats.tx_errors) ?? 0,
      txDropped: finite(stats.tx_dropped) ?? 0,
    };
    const reading = { source: containerName, read, counters };
    const key = taskLevel ? `task/${name}` : `container/${containerName}/${name}`;
    const seen = into.get(key);
    if (seen) (seen.readings as (typeof reading)[]).push(reading);
    else if (taskLevel) into.set(key, { key, interface: name, readings: [reading] });
    else into.set(key, { key, interface: name, containerName, readings: [reading] });
  }
}

/** A metadata timestamp in ms since the epoch; absent for a missing or zero (Go) time. */
function timeMs(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const time = payloadTime(text);
  return isSampleTime(time) ? payloadTimeToMs(time) : undefined;
}
