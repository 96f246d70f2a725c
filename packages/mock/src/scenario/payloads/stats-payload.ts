import type { ApiVersion } from '@taskscope/wire';
import {
  CGROUP_V1_NO_LIMIT,
  CGROUP_V2_NO_LIMIT,
  JsonInteger,
  type JsonValue,
} from '../../common/json-text.js';
import type { ContainerModel, TaskModel } from '../engine/model.js';
import type { Sample } from '../engine/timeline.js';
import { formatPayloadTime, GO_ZERO_TIME } from './time-text.js';

/*
 * One container's stats object as the agent re-marshals Docker's `StatsJSON` (vendored
 * docker api/types/stats.go): key order as in the captured payloads, cgroup v1, v2 and
 * Windows key sets, and `network_rate_stats` added by v4 (docs/endpoint.md §5).
 */

const MIB = 1024 * 1024;
const PAGE = 4096;
// cgroup v1 reports user/system CPU in USER_HZ ticks (10 ms), v2 in microseconds: the
// ecs_exporter Fargate (v1) and EC2 (v2) fixtures show exactly these granularities.
const V1_TICK_NS = 10_000_000;
const V2_TICK_NS = 1000;
const GO_ZERO_THROTTLING = { periods: 0, throttled_periods: 0, throttled_time: 0 };

const page = (bytes: number): number => Math.floor(bytes / PAGE) * PAGE;
const down = (value: number, unit: number): number => Math.floor(value / unit) * unit;

/** The stats object of one container for one sample (and the one before, if in the same run). */
export function statsPayload(
  model: TaskModel,
  container: ContainerModel,
  sample: Sample,
  previous: Sample | undefined,
  version: ApiVersion,
): JsonValue {
  const { scenario } = model;
  const flavour = scenario.cgroup;
  const fargate = scenario.task.launchType === 'FARGATE';
  const body: Record<string, JsonValue> = {
    read: formatPayloadTime(model.originMs, sample.readNs),
    preread: previous ? formatPayloadTime(model.originMs, previous.readNs) : GO_ZERO_TIME,
    pids_stats: pidsStats(model, container),
    blkio_stats: blkioStats(model, container, sample),
    num_procs: flavour === 'windows' ? scenario.host.onlineCpus : 0,
    storage_stats:
      flavour === 'windows'
        ? {
            read_count_normalized: Math.floor(sample.diskReadBytes / 65_536),
            read_size_bytes: sample.diskReadBytes,
            write_count_normalized: Math.floor(sample.diskWriteBytes / 65_536),
            write_size_bytes: sample.diskWriteBytes,
          }
        : {},
    cpu_stats: cpuStats(model, container, sample),
    precpu_stats: previous ? cpuStats(model, container, previous) : zeroCpuStats(),
    memory_stats: memoryStats(model, container, sample),
    // EC2 names carry Docker's leading slash; Fargate's are the plain container name.
    name: fargate ? container.dockerName : `/${container.dockerName}`,
    id: container.dockerId,
    networks: {
      [scenario.network.interfaceName]: interfaceStats(model, container, sample),
    },
  };
  if (version === 'v4') {
    const elapsedSeconds = previous ? (sample.readNs - previous.readNs) / 1e9 : 0;
    body.network_rate_stats = {
      rx_bytes_per_sec: previous ? (sample.rxBytes - previous.rxBytes) / elapsedSeconds : 0,
      tx_bytes_per_sec: previous ? (sample.txBytes - previous.txBytes) / elapsedSeconds : 0,
    };
  }
  return body;
}

function pidsStats(model: TaskModel, container: ContainerModel): JsonValue {
  const { cgroup, task } = model.scenario;
  // Fargate (v1) and Windows send `{}`; EC2 Docker reports the current count, and the
  // limit on cgroup v2 (ecs_exporter EC2 fixture).
  if (cgroup === 'windows' || (cgroup === 'v1' && task.launchType === 'FARGATE')) return {};
  if (cgroup === 'v1') return { current: container.shape.pids };
  return { current: container.shape.pids, limit: container.spec.pidsLimit };
}

function blkioStats(model: TaskModel, container: ContainerModel, sample: Sample): JsonValue {
  const { cgroup, task } = model.scenario;
  // The seven lists after io_service_bytes_recursive: null on Windows and on cgroup v2.
  const laterListsNull = {
    io_serviced_recursive: null,
    io_queue_recursive: null,
    io_service_time_recursive: null,
    io_wait_time_recursive: null,
    io_merged_recursive: null,
    io_time_recursive: null,
    sectors_recursive: null,
  };
  if (cgroup === 'windows') return { io_service_bytes_recursive: null, ...laterListsNull };
  if (cgroup === 'v2') {
    // cgroup v2: lowercase ops, only the first list filled, the other seven null.
    return {
      io_service_bytes_recursive: [
        { major: 259, minor: 0, op: 'read', value: sample.diskReadBytes },
        { major: 259, minor: 0, op: 'write', value: sample.diskWriteBytes },
      ],
      ...laterListsNull,
    };
  }
  // cgroup v1: Read, Write, Sync, Async, Discard and Total per device. Fargate shows two
  // NVMe devices (259:1 before 259:0); consumers must sum read/write only, never Total.
  const devices: { minor: number; read: number; write: number }[] = [];
  if (task.launchType === 'FARGATE') {
    const firstRead = page(sample.diskReadBytes * container.shape.firstDeviceShare);
    const firstWrite = page(sample.diskWriteBytes * container.shape.firstDeviceShare);
    devices.push({ minor: 1, read: firstRead, write: firstWrite });
    devices.push({
      minor: 0,
      read: sample.diskReadBytes - firstRead,
      write: sample.diskWriteBytes - firstWrite,
    });
  } else {
    devices.push({ minor: 0, read: sample.diskReadBytes, write: sample.diskWriteBytes });
  }
  const entries = (
    read: (d: (typeof devices)[number]) => number,
    write: (d: (typeof devices)[number]) => number,
  ) =>
    devices.flatMap((d) => [
      { major: 259, minor: d.minor, op: 'Read', value: read(d) },
      { major: 259, minor: d.minor, op: 'Write', value: write(d) },
      { major: 259, minor: d.minor, op: 'Sync', value: read(d) },
      { major: 259, minor: d.minor, op: 'Async', value: write(d) },
      { major: 259, minor: d.minor, op: 'Discard', value: 0 },
      { major: 259, minor: d.minor, op: 'Total', value: read(d) + write(d) },
    ]);
  return {
    io_service_bytes_recursive: entries(
      (d) => d.read,
      (d) => d.write,
    ),
    // Operations: about 80 KiB per read (fixture: 23793664 B in 295 ops) and 4 KiB per write.
    io_serviced_recursive: entries(
      (d) => Math.ceil(d.read / 81_920),
      (d) => Math.ceil(d.write / PAGE),
    ),
    io_queue_recursive: [],
    io_service_time_recursive: [],
    io_wait_time_recursive: [],
    io_merged_recursive: [],
    io_time_recursive: [],
    sectors_recursive: [],
  };
}

function cpuStats(model: TaskModel, container: ContainerModel, sample: Sample): JsonValue {
  const { cgroup, host } = model.scenario;
  const { userFraction, percpuFractions } = container.shape;
  if (cgroup === 'windows') {
    // Windows reports CPU time in 100 ns units and no host-wide counters.
    const total = Math.floor(sample.cpuNs / 100);
    const user = Math.floor(total * userFraction);
    return {
      cpu_usage: { total_usage: total, usage_in_kernelmode: total - user, usage_in_usermode: user },
      throttling_data: GO_ZERO_THROTTLING,
    };
  }
  const total = cgroup === 'v2' ? down(sample.cpuNs, V2_TICK_NS) : sample.cpuNs;
  const tick = cgroup === 'v2' ? V2_TICK_NS : V1_TICK_NS;
  const usage: Record<string, JsonValue> = { total_usage: total };
  if (cgroup === 'v1') {
    // Per-CPU times sum exactly to the total, as the kernel's cpuacct does.
    const percpu: number[] = [];
    let rest = total;
    for (let i = 0; i < percpuFractions.length - 1; i++) {
      const share = Math.floor(total * percpuFractions[i]!);
      percpu.push(share);
      rest -= share;
    }
    percpu.push(rest);
    usage.percpu_usage = percpu;
  }
  usage.usage_in_kernelmode = down(total * (1 - userFraction), tick);
  usage.usage_in_usermode = down(total * userFraction, tick);
  return {
    cpu_usage: usage,
    // Host CPU time over all CPUs in 10 ms ticks: above 2^53 on big, long-running hosts,
    // so it is written digit for digit.
    system_cpu_usage: sample.systemTicks === 0 ? 0 : new JsonInteger(`${sample.systemTicks}0000000`),
    online_cpus: host.onlineCpus,
    throttling_data: GO_ZERO_THROTTLING,
  };
}

/** `precpu_stats` of a first sample: Go's zero struct, omitempty fields absent. */
function zeroCpuStats(): JsonValue {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: GO_ZERO_THROTTLING,
  };
}

function memoryStats(model: TaskModel, container: ContainerModel, sample: Sample): JsonValue {
  const { cgroup, task } = model.scenario;
  const ws = sample.workingSetBytes;
  const cache = sample.cacheBytes;
  if (cgroup === 'windows') {
    return {
      commitbytes: ws + cache,
      commitpeakbytes: sample.maxWorkingSetBytes + sample.maxCacheBytes,
      privateworkingset: ws,
    };
  }
  const inactiveFile = sample.inactiveFileBytes;
  const activeFile = cache - inactiveFile;
  // Working set = usage − inactive file (total_inactive_file on v1, inactive_file on v2),
  // exactly: that is what /__taskscope/truth reports.
  const usage = ws + inactiveFile;
  const kernel = container.shape.kernelBytes;
  const anon = Math.max(0, page(ws - activeFile - kernel));
  const limitMiB = container.spec.memoryLimitMiB;
  const limit: JsonValue =
    limitMiB !== undefined ? limitMiB * MIB : cgroup === 'v1' ? CGROUP_V1_NO_LIMIT : CGROUP_V2_NO_LIMIT;
  const pgfault = Math.floor(sample.cpuNs / 50_000) + 1500;
  const pgmajfault = Math.floor(sample.diskReadBytes / 98_304) + 40;
  const pgpgin =
    Math.floor(sample.cpuNs / 200_000) + (sample.maxWorkingSetBytes + sample.maxCacheBytes) / PAGE;
  const pgpgout = Math.max(0, pgpgin - usage / PAGE);
  if (cgroup === 'v2') {
    const kernelStack = page(kernel * 0.4);
    const slab = kernel - kernelStack;
    const slabReclaimable = Math.floor(slab * 0.42);
    const inactiveAnon = page(anon * 0.75);
    return {
      usage,
      stats: {
        active_anon: anon - inactiveAnon,
        active_file: activeFile,
        anon,
        anon_thp: 0,
        file: cache,
        file_dirty: cache > 0 ? PAGE : 0,
        file_mapped: page(cache * 0.4),
        file_writeback: 0,
        inactive_anon: inactiveAnon,
        inactive_file: inactiveFile,
        kernel_stack: kernelStack,
        pgactivate: Math.floor(pgfault * 0.4),
        pgdeactivate: Math.floor(pgfault * 0.26),
        pgfault,
        pglazyfree: 0,
        pglazyfreed: 0,
        pgmajfault,
        pgrefill: Math.floor(pgfault * 0.35),
        pgscan: Math.floor(pgfault * 1.4),
        pgsteal: Math.floor(pgfault * 0.57),
        shmem: 0,
        slab,
        slab_reclaimable: slabReclaimable,
        slab_unreclaimable: slab - slabReclaimable,
        sock: 0,
        thp_collapse_alloc: 0,
        thp_fault_alloc: 0,
        unevictable: 0,
        workingset_activate: 0,
        workingset_nodereclaim: 0,
        workingset_refault: 0,
      },
      limit,
    };
  }
  const hierarchicalLimit: JsonValue =
    limitMiB !== undefined
      ? limitMiB * MIB
      : task.memoryMiB !== undefined
        ? task.memoryMiB * MIB
        : CGROUP_V1_NO_LIMIT;
  const mapped = page(cache * 0.4);
  // Go marshals map keys sorted; the total_* twins equal the container's own values
  // because a task container has no child cgroups.
  const own = {
    active_anon: 0,
    active_file: activeFile,
    cache,
    dirty: 0,
    inactive_anon: anon,
    inactive_file: inactiveFile,
    mapped_file: mapped,
    pgfault,
    pgmajfault,
    pgpgin,
    pgpgout,
    rss: anon,
    rss_huge: 0,
    unevictable: 0,
    writeback: 0,
  };
  return {
    usage,
    max_usage: page(sample.maxWorkingSetBytes) + page(sample.maxCacheBytes),
    stats: {
      active_anon: own.active_anon,
      active_file: own.active_file,
      cache: own.cache,
      dirty: own.dirty,
      hierarchical_memory_limit: hierarchicalLimit,
      hierarchical_memsw_limit: CGROUP_V1_NO_LIMIT,
      inactive_anon: own.inactive_anon,
      inactive_file: own.inactive_file,
      mapped_file: own.mapped_file,
      pgfault: own.pgfault,
      pgmajfault: own.pgmajfault,
      pgpgin: own.pgpgin,
      pgpgout: own.pgpgout,
      rss: own.rss,
      rss_huge: own.rss_huge,
      total_active_anon: own.active_anon,
      total_active_file: own.active_file,
      total_cache: own.cache,
      total_dirty: own.dirty,
      total_inactive_anon: own.inactive_anon,
      total_inactive_file: own.inactive_file,
      total_mapped_file: own.mapped_file,
      total_pgfault: own.pgfault,
      total_pgmajfault: own.pgmajfault,
      total_pgpgin: own.pgpgin,
      total_pgpgout: own.pgpgout,
      total_rss: own.rss,
      total_rss_huge: own.rss_huge,
      total_unevictable: own.unevictable,
      total_writeback: own.writeback,
      unevictable: own.unevictable,
      writeback: own.writeback,
    },
    limit,
  };
}

function interfaceStats(model: TaskModel, container: ContainerModel, sample: Sample): JsonValue {
  // awsvpc: one interface for the task, so the packet sizes are the task's (first container's).
  const shape = model.scenario.networkMode === 'awsvpc' ? model.containers[0]!.shape : container.shape;
  return {
    rx_bytes: sample.rxBytes,
    rx_packets: Math.floor(sample.rxBytes / shape.rxPacketBytes),
    rx_errors: 0,
    rx_dropped: 0,
    tx_bytes: sample.txBytes,
    tx_packets: Math.floor(sample.txBytes / shape.txPacketBytes),
    tx_errors: 0,
    tx_dropped: 0,
  };
}
