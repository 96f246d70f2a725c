import { type CoreState, computeTaskMetrics, type TaskMetrics } from '@taskscope/core';
import { loadFixture } from '@taskscope/fixtures';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import type { PollStatus } from '../../src/store.js';

/*
 * The real captures the agent's tests compute from (ecs_exporter's Fargate task, awsvpc and
 * cgroup v1, and its EC2 task, bridge networks and no task size), and a second poll made from
 * each: every `read` 10 s later and every counter moved by a known step, so each rate the
 * agent serves is a step over 10 s, exactly.
 */

const ECS_EXPORTER = 'prometheus-community-ecs_exporter';

// biome-ignore lint/suspicious/noExplicitAny: raw payload JSON, edited and then validated by wire.
type Json = any;

export interface CapturedTask {
  readonly metadata: Json;
  readonly stats: Json;
}

export const FARGATE: CapturedTask = {
  metadata: loadFixture(`${ECS_EXPORTER}/fargate_task_metadata.json`).json,
  stats: loadFixture(`${ECS_EXPORTER}/fargate_task_stats.json`).json,
};
export const EC2: CapturedTask = {
  metadata: loadFixture(`${ECS_EXPORTER}/ec2_task_metadata.json`).json,
  stats: loadFixture(`${ECS_EXPORTER}/ec2_task_stats.json`).json,
};

/** The step of every counter in {@link advance}, per 10 s. */
export const STEP = {
  seconds: 10,
  cpuNs: 500_000_000,
  readBytes: 40_960,
  writeBytes: 81_920,
  rxBytes: 100_000,
  txBytes: 50_000,
  rxPackets: 100,
  txPackets: 50,
} as const;

/** RFC 3339 with nanoseconds, moved by whole seconds, the fraction kept to the digit. */
function shiftSeconds(text: string, seconds: number): string {
  const match = /^(.*?)(\.\d+)?Z$/.exec(text)!;
  const whole = new Date(Date.parse(`${match[1]}Z`) + seconds * 1000).toISOString().slice(0, 19);
  return `${whole}${match[2] ?? ''}Z`;
}

/**
 * The payload one refresh later: `read` +10 s (`preread` the old `read`), CPU +0.5 s (0.05
 * cores), block I/O +40 KiB read and +80 KiB written on the first device, and each interface's
 * bytes and packets by {@link STEP}. Containers without stats (`{}`) stay as they are, and
 * so do those not in `only` (Docker ids), when it is given.
 */
export function advance(task: CapturedTask, only?: readonly string[]): CapturedTask {
  const stats: Json = structuredClone(task.stats);
  for (const [dockerId, entry] of Object.entries<Json>(stats)) {
    if (entry === null || entry.read === undefined) continue;
    // The containers of a task refresh at their own moments: `only` these have, so far.
    if (only !== undefined && !only.includes(dockerId)) continue;
    entry.precpu_stats = structuredClone(entry.cpu_stats);
    entry.preread = entry.read;
    entry.read = shiftSeconds(entry.read, STEP.seconds);
    entry.cpu_stats.cpu_usage.total_usage += STEP.cpuNs;
    const devices = entry.blkio_stats?.io_service_bytes_recursive ?? [];
    const first = devices[0];
    for (const device of devices) {
      if (device.major !== first.major || device.minor !== first.minor) continue;
      const op = String(device.op).toLowerCase();
      if (op === 'read') device.value += STEP.readBytes;
      if (op === 'write') device.value += STEP.writeBytes;
      if (op === 'total') device.value += STEP.readBytes + STEP.writeBytes;
    }
    for (const network of Object.values<Json>(entry.networks ?? {})) {
      network.rx_bytes += STEP.rxBytes;
      network.tx_bytes += STEP.txBytes;
      network.rx_packets += STEP.rxPackets;
      network.tx_packets += STEP.txPackets;
    }
    // The endpoint's own rates would be stale after the edit; the agent never reads them.
    delete entry.network_rate_stats;
  }
  return { metadata: task.metadata, stats };
}

/** One poll of the captured task through wire's parsers and core, as the agent computes it. */
export function computeTask(
  task: CapturedTask,
  previous?: CoreState,
): { metrics: TaskMetrics; state: CoreState } {
  return computeTaskMetrics({
    metadata: parseTaskMetadata(task.metadata),
    stats: parseTaskStats(task.stats),
    previous,
  });
}

/** The first poll of a captured task and the one a refresh later. */
export function twoPolls(task: CapturedTask): { first: TaskMetrics; second: TaskMetrics } {
  const first = computeTask(task);
  const second = computeTask(advance(task), first.state);
  return { first: first.metrics, second: second.metrics };
}

/** The poller's status once {@link twoPolls} were both read, fresh, the second at 05:22:59.500. */
export const STATUS: PollStatus = {
  ready: true,
  lastPollAt: '2025-02-27T05:22:59.500Z',
  lastSuccessAt: '2025-02-27T05:22:59.500Z',
  lastFreshAt: '2025-02-27T05:22:59.500Z',
  consecutiveFailures: 0,
  requests: { task: 1, task_stats: 2 },
  samples: { fresh: 2, duplicate: 0 },
  failures: 0,
};
