import { loadFixture } from '@taskscope/fixtures';
import {
  type PayloadTime,
  parsePayloadTime,
  parseTaskMetadata,
  parseTaskStats,
  type TaskMetadata,
  type TaskStats,
} from '@taskscope/wire';
import { type CoreState, computeTaskMetrics, type TaskMetrics } from '../src/index.js';

/**
 * Raw JSON as tests edit it: payload edits reach arbitrary depths of real fixtures, and
 * the wire layer validates the result before core sees it.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; every edited payload is re-validated.
export type Json = Record<string, any>;

/** A poll's raw payloads, as JSON, before the wire layer validates them. */
export interface RawPoll {
  readonly metadata: unknown;
  readonly stats: unknown;
}

/** A poll's validated payloads, as core receives them. */
export interface Poll {
  readonly metadata: TaskMetadata;
  readonly stats: TaskStats;
}

const ECS_EXPORTER = 'prometheus-community-ecs_exporter';
const TELEGRAF = 'influxdata-telegraf';
const DOCS = 'awsdocs-amazon-ecs-developer-guide/rev-2020-09';

export const FARGATE = rawPair(
  `${ECS_EXPORTER}/fargate_task_metadata.json`,
  `${ECS_EXPORTER}/fargate_task_stats.json`,
);
export const EC2 = rawPair(`${ECS_EXPORTER}/ec2_task_metadata.json`, `${ECS_EXPORTER}/ec2_task_stats.json`);
export const TELEGRAF_V2 = rawPair(`${TELEGRAF}/metadata.golden`, `${TELEGRAF}/stats.golden`);
export const TELEGRAF_CGROUPV2 = rawPair(`${TELEGRAF}/cgroupv2/meta.json`, `${TELEGRAF}/cgroupv2/stats.json`);
export const DOCS_2020 = rawPair(`${DOCS}/v4-task-metadata.json`, `${DOCS}/v4-task-stats.json`);

/** Fargate DockerIds of the two running containers and the stopped one. */
export const FARGATE_IDS = {
  nonessential: 'bae32def0ab64f06818e8862e58f8d6d-1585788040',
  prometheus: 'bae32def0ab64f06818e8862e58f8d6d-1819985369',
  ecsExporter: 'bae32def0ab64f06818e8862e58f8d6d-4159844948',
} as const;

export const EC2_IDS = {
  nonessential: '213e1203f4bb72af185724d937e698d2724acf35b57ec2dd5f3c963adbd2d38c',
  ecsExporter: '01cf1f3208005cda71d5ac936ded65d2ecc0a8cc8ff8a82d2e00410bf4fbbd6d',
  prometheus: '6b80adab0733f579594eccae31e5b0056b9544b805450ad6e278fed7f5e1c5ba',
} as const;

export function rawPair(metadataName: string, statsName: string): RawPoll {
  return { metadata: loadFixture(metadataName).json, stats: loadFixture(statsName).json };
}

/** Validates raw payloads exactly as the agent does before calling core. */
export function parsePoll(raw: RawPoll): Poll {
  return { metadata: parseTaskMetadata(raw.metadata), stats: parseTaskStats(raw.stats) };
}

/** One poll through wire's parsers and the core, from raw payloads. */
export function poll(
  metadata: unknown,
  stats: unknown,
  previous?: CoreState,
): { metrics: TaskMetrics; state: CoreState } {
  const parsed = parsePoll({ metadata, stats });
  return computeTaskMetrics({ metadata: parsed.metadata, stats: parsed.stats, previous });
}

/** The container of that name in a poll's metrics. */
export function byName(metrics: TaskMetrics, name: string) {
  return metrics.containers.find((each) => each.name === name)!;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * SYNTHETIC metadata around a stats payload that has no metadata partner in the fixture
 * set (the docs' single-container stats, the ECS agent's unix/windows test inputs): one
 * container named `name` whose DockerId keys the payload, in a task with the given
 * limits and network mode. Everything in it is made up for the test; only the stats are real.
 */
export function syntheticPoll(
  statsFixture: string,
  options: {
    readonly dockerId: string;
    readonly name: string;
    readonly networkMode: string;
    readonly taskLimits?: { CPU?: number; Memory?: number };
    readonly containerLimits?: { CPU?: number; Memory?: number };
    readonly launchType?: string;
  },
): RawPoll {
  const metadata = {
    Cluster: 'synthetic',
    TaskARN: 'arn:aws:ecs:us-west-2:111122223333:task/synthetic/0123456789abcdef0123456789abcdef',
    Family: 'synthetic',
    Revision: '1',
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    ...(options.taskLimits && { Limits: options.taskLimits }),
    ...(options.launchType && { LaunchType: options.launchType }),
    Containers: [
      {
        DockerId: options.dockerId,
        Name: options.name,
        DockerName: options.name,
        Image: 'synthetic:latest',
        DesiredStatus: 'RUNNING',
        KnownStatus: 'RUNNING',
        ...(options.containerLimits && { Limits: options.containerLimits }),
        Type: 'NORMAL',
        Networks: [{ NetworkMode: options.networkMode, IPv4Addresses: ['10.0.0.1'] }],
      },
    ],
  };
  return { metadata, stats: { [options.dockerId]: loadFixture(statsFixture).json } };
}

/** Formats a PayloadTime as RFC 3339 with all nine fraction digits. */
export function formatPayloadTime(time: PayloadTime): string {
  const whole = new Date(time.epochSeconds * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(time.nanos).padStart(9, '0')}Z`;
}

/** `text` moved by `seconds` (may be fractional or negative), nanosecond exact. */
export function shiftTime(text: string, seconds: number): string {
  const time = parsePayloadTime(text)!;
  const totalNanos =
    BigInt(time.epochSeconds) * 1_000_000_000n + BigInt(time.nanos) + BigInt(Math.round(seconds * 1e9));
  // Floor division, so times before the epoch (the agent's 1969 test read) stay valid.
  let epochSeconds = totalNanos / 1_000_000_000n;
  let nanos = totalNanos % 1_000_000_000n;
  if (nanos < 0n) {
    epochSeconds -= 1n;
    nanos += 1_000_000_000n;
  }
  return formatPayloadTime({ epochSeconds: Number(epochSeconds), nanos: Number(nanos) });
}

/** What one container's counters do between two polls. */
export interface Step {
  readonly cpuNs?: number;
  readonly userNs?: number;
  readonly systemNs?: number;
  readonly readBytes?: number;
  readonly writeBytes?: number;
  readonly usageBytes?: number;
  /** Added to every interface this container reports. */
  readonly rxBytes?: number;
  readonly txBytes?: number;
  readonly rxPackets?: number;
  readonly txPackets?: number;
}

/**
 * The next refresh of a real stats payload, as the endpoint would serve it `seconds`
 * later: `preread`/`precpu_stats` become the old `read`/`cpu_stats`, `read` moves, and
 * each container's counters move by its step (containers without one only move in time).
 * Block I/O steps land on the first device's Read/Write entries and its Total, so a sum
 * that wrongly included Total would show.
 */
export function advanceStats(
  stats: unknown,
  seconds: number,
  steps: Readonly<Record<string, Step>> = {},
): Record<string, unknown> {
  const next = clone(stats) as Record<string, Json | null>;
  for (const [id, entry] of Object.entries(next)) {
    if (!entry || !('read' in entry)) continue;
    const step = steps[id] ?? {};
    entry.preread = entry.read;
    entry.read = shiftTime(entry.read, seconds);
    entry.precpu_stats = clone(entry.cpu_stats);
    const usage = entry.cpu_stats.cpu_usage;
    usage.total_usage += step.cpuNs ?? 0;
    if (step.userNs !== undefined) usage.usage_in_usermode += step.userNs;
    if (step.systemNs !== undefined) usage.usage_in_kernelmode += step.systemNs;
    if (step.usageBytes !== undefined) entry.memory_stats.usage += step.usageBytes;
    const list = entry.blkio_stats?.io_service_bytes_recursive as { op: string; value?: number }[] | null;
    if (list && list.length > 0) {
      const bump = (op: string, by: number): void => {
        const item = list.find((candidate) => candidate.op.toLowerCase() === op);
        if (item) item.value = (item.value ?? 0) + by;
      };
      bump('read', step.readBytes ?? 0);
      bump('write', step.writeBytes ?? 0);
      bump('total', (step.readBytes ?? 0) + (step.writeBytes ?? 0));
    }
    for (const iface of Object.values((entry.networks ?? {}) as Record<string, Record<string, number>>)) {
      iface.rx_bytes = (iface.rx_bytes ?? 0) + (step.rxBytes ?? 0);
      iface.tx_bytes = (iface.tx_bytes ?? 0) + (step.txBytes ?? 0);
      iface.rx_packets = (iface.rx_packets ?? 0) + (step.rxPackets ?? 0);
      iface.tx_packets = (iface.tx_packets ?? 0) + (step.txPackets ?? 0);
    }
  }
  return next;
}

/** Every number anywhere in a JSON-like value, with its path. */
export function numbersIn(value: unknown, path = '$'): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => numbersIn(child, `${path}.${key}`));
}
