import { type CoreState, computeTaskMetrics, type TaskMetrics } from '@taskscope/core';
import { loadFixture } from '@taskscope/fixtures';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';

/** The captured task payload pairs the golden files are made from (provenance: fixtures/payloads/README.md). */
export const FIXTURE_PAIRS = {
  fargate: [
    'prometheus-community-ecs_exporter/fargate_task_metadata.json',
    'prometheus-community-ecs_exporter/fargate_task_stats.json',
  ],
  ec2: [
    'prometheus-community-ecs_exporter/ec2_task_metadata.json',
    'prometheus-community-ecs_exporter/ec2_task_stats.json',
  ],
  'ec2-cgroupv2': ['influxdata-telegraf/cgroupv2/meta.json', 'influxdata-telegraf/cgroupv2/stats.json'],
} as const;

export type FixtureName = keyof typeof FIXTURE_PAIRS;

// biome-ignore lint/suspicious/noExplicitAny: raw payloads are edited generically before wire validates them.
type Raw = any;

/** An RFC 3339 time with nanoseconds moved by whole seconds, keeping its fraction digits. */
function shiftIso(iso: string, seconds: number): string {
  const match = /^(.*?)(\.\d+)?Z$/.exec(iso)!;
  return `${new Date(Date.parse(`${match[1]}Z`) + seconds * 1000).toISOString().slice(0, 19)}${match[2] ?? ''}Z`;
}

/**
 * The stats payload one refresh (10 s) later. `grow`: every counter grows (0.2 CPU-seconds,
 * 4 KiB per block I/O entry, 20 000 / 10 000 network bytes); `restart`: counters fall back near 0.
 */
export function advanceStats(stats: Raw, mode: 'grow' | 'restart'): Raw {
  const next: Raw = structuredClone(stats);
  for (const entry of Object.values<Raw>(next)) {
    if (entry === null || entry.read === undefined) continue;
    entry.preread = entry.read;
    entry.read = shiftIso(entry.read, 10);
    entry.precpu_stats = structuredClone(entry.cpu_stats);
    const usage = entry.cpu_stats.cpu_usage;
    usage.total_usage = mode === 'grow' ? usage.total_usage + 200_000_000 : 10_000_000;
    for (const io of entry.blkio_stats?.io_service_bytes_recursive ?? []) {
      if (/^(read|write)$/i.test(io.op)) io.value = mode === 'grow' ? io.value + 4096 : 0;
    }
    for (const net of Object.values<Raw>(entry.networks ?? {})) {
      net.rx_bytes = mode === 'grow' ? net.rx_bytes + 20_000 : 100;
      net.tx_bytes = mode === 'grow' ? net.tx_bytes + 10_000 : 50;
    }
  }
  return next;
}

/** Run a fixture through wire and core: the first poll, then one poll per stats payload given. */
export function runFixture(
  name: FixtureName,
  steps: ('grow' | 'restart' | 'duplicate')[] = [],
): TaskMetrics[] {
  const [metadataFile, statsFile] = FIXTURE_PAIRS[name];
  const metadata = parseTaskMetadata(loadFixture(metadataFile).json);
  let raw: Raw = loadFixture(statsFile).json;
  let previous: CoreState | undefined;
  const out: TaskMetrics[] = [];
  for (const step of [undefined, ...steps]) {
    if (step === 'grow' || step === 'restart') raw = advanceStats(raw, step);
    const result = computeTaskMetrics({ metadata, stats: parseTaskStats(raw), previous });
    previous = result.state;
    out.push(result.metrics);
  }
  return out;
}
