import {
  FARGATE_PLATFORMS,
  type FargatePlatform,
  type Recommendation,
  regionOf,
  rightsize,
  type TaskUsage,
} from '@taskscope/fargate';
import { formatDurationMs, oneOf, type Problem, parseDurationMs } from '@taskscope/input';
import type { Snapshot } from '@taskscope/sdk';
import type { Pricing } from './cost.js';

/*
 * `GET /api/v1/rightsize` (docs/contract.md, "taskscope rightsize"): @taskscope/fargate's
 * recommendation from the agent's history, computed on request, never on the poll path.
 */

/** The route's defaults: the contract's `rightsize` flags. */
export const RIGHTSIZE_DEFAULTS = { windowMs: 15 * 60_000, percentile: 95, headroomPercent: 20 } as const;
/** The largest headroom taken: 10 × what was used is far past any sizing question. */
export const MAX_HEADROOM_PERCENT = 1000;

export interface RightsizeQuery {
  readonly windowMs: number;
  readonly percentile: number;
  readonly headroomPercent: number;
  /** Absent: the task's own (the agent's platform, Windows when the stats are). */
  readonly platform?: FargatePlatform;
}

const MIB = 1024 * 1024;
const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

/** `percentile`'s words, shared with the CLI's `--percentile`. */
export const PERCENTILE_WORDS = 'a number above 0 and at most 100, such as 50, 95 or 99.9';
/** `headroom`'s words, shared with the CLI's `--headroom`. */
export const HEADROOM_WORDS = `a percentage from 0 to ${MAX_HEADROOM_PERCENT}, such as 0, 20 or 50`;

/** `95`, `99.9` → the number; undefined for anything outside (0, 100]. */
export function parsePercentile(text: string): number | undefined {
  const value = NUMBER.test(text) ? Number(text) : Number.NaN;
  return value > 0 && value <= 100 ? value : undefined;
}

/** `20`, `20%` → 20; undefined for anything outside [0, MAX_HEADROOM_PERCENT]. */
export function parseHeadroom(text: string): number | undefined {
  const bare = text.trim().replace(/%$/, '');
  const value = NUMBER.test(bare) ? Number(bare) : Number.NaN;
  return value >= 0 && value <= MAX_HEADROOM_PERCENT ? value : undefined;
}

/** A platform name as `--platform` and `?platform=` take it. */
export function parsePlatform(text: string): FargatePlatform | undefined {
  const name = text.trim().toLowerCase();
  return (FARGATE_PLATFORMS as readonly string[]).includes(name) ? (name as FargatePlatform) : undefined;
}

/**
 * The route's query (`window`, `percentile`, `headroom`, `platform`), or the first parameter at
 * fault (as `{field, value, allowed}`). `retentionMs` is the agent's `--history`: the window's
 * default (at most 15m) and maximum.
 */
export function parseRightsizeQuery(params: URLSearchParams, retentionMs: number): RightsizeQuery | Problem {
  const windowText = params.get('window');
  let windowMs = Math.min(RIGHTSIZE_DEFAULTS.windowMs, retentionMs);
  if (windowText !== null) {
    const ms = parseDurationMs(windowText);
    if (ms === undefined || ms < 1_000 || ms > retentionMs)
      return {
        field: 'window',
        value: windowText,
        allowed:
          retentionMs > 0
            ? `a duration from 1s to ${formatDurationMs(retentionMs)} (the agent's --history)`
            : 'nothing: history is off (--history 0), so the agent has no data to size on',
      };
    windowMs = ms;
  }
  const problems: Problem[] = [];
  const read = <T>(name: string, parse: (text: string) => T | undefined, fallback: T, allowed: string): T => {
    const text = params.get(name);
    if (text === null) return fallback;
    const value = parse(text);
    if (value === undefined) problems.push({ field: name, value: text, allowed });
    return value ?? fallback;
  };
  const percentile = read('percentile', parsePercentile, RIGHTSIZE_DEFAULTS.percentile, PERCENTILE_WORDS);
  const headroomPercent = read('headroom', parseHeadroom, RIGHTSIZE_DEFAULTS.headroomPercent, HEADROOM_WORDS);
  const platform = read<FargatePlatform | undefined>(
    'platform',
    parsePlatform,
    undefined,
    oneOf(FARGATE_PLATFORMS),
  );
  if (problems.length > 0) return problems[0]!;
  return {
    windowMs,
    percentile,
    headroomPercent,
    ...(platform === undefined ? {} : { platform }),
  };
}

/** The agent's history as @taskscope/fargate's usage: one task per ARN, one sample per closed cycle. */
export function usageOfSnapshots(snapshots: Iterable<Snapshot>): TaskUsage[] {
  const byTask = new Map<string, { size: TaskUsage['size']; samples: TaskUsage['samples'][number][] }>();
  for (const snapshot of snapshots) {
    if (snapshot.task === null || snapshot.id === null) continue;
    const { identity, size } = snapshot.task;
    const usage = byTask.get(identity.taskArn) ?? { size: null, samples: [] };
    byTask.set(identity.taskArn, usage);
    // The metadata's limits are the task definition's size: 1024 CPU units a vCPU, MiB of memory.
    if (size.cpuVcpus !== null && size.memoryBytes !== null)
      usage.size = {
        cpuUnits: Math.round(size.cpuVcpus * 1024),
        memoryMiB: Math.round(size.memoryBytes / MIB),
      };
    usage.samples.push({
      atMs: snapshot.id,
      containers: snapshot.containers.map((container) => ({
        name: container.name,
        cpuVcpu: container.cpu.cores,
        memoryMiB: container.memory.workingSetBytes === null ? null : container.memory.workingSetBytes / MIB,
        memoryLimitMiB: container.memory.limitBytes === null ? null : container.memory.limitBytes / MIB,
        startedAtMs: container.startedAtMs,
        restarts: container.restarts,
      })),
    });
  }
  return [...byTask].map(([task, usage]) => ({ task, ...usage }));
}

/** The recommendation, or why there is none (no sample with CPU and memory in the window). */
export type RightsizeAnswer = { readonly recommendation: Recommendation } | { readonly noData: string };

/**
 * The recommendation from `snapshots` (the window's history, oldest first), priced with the
 * agent's table in the task's region (its ARN's or zone's; the table's fallback when neither says).
 */
export function rightsizeSnapshots(
  snapshots: readonly Snapshot[],
  query: RightsizeQuery,
  pricing: Pricing,
): RightsizeAnswer {
  const latest = snapshots.findLast((snapshot) => snapshot.task !== null);
  const identity = latest?.task?.identity;
  const region =
    identity?.region ??
    (identity?.availabilityZone == null ? undefined : regionOf(identity.availabilityZone)) ??
    pricing.table.fallbackRegion;
  const platform = query.platform ?? (latest?.task?.cgroup === 'windows' ? 'windows' : pricing.platform);
  const recommendation = rightsize(usageOfSnapshots(snapshots), {
    percentile: query.percentile,
    headroomPercent: query.headroomPercent,
    platform,
    prices: pricing.table,
    region,
  });
  if (recommendation !== undefined) return { recommendation };
  return {
    noData: `no refresh cycle with CPU and memory in the last ${formatDurationMs(query.windowMs)} (${snapshots.length} in the history's window); the agent sizes from what it has seen, so wait for samples or ask for a longer window`,
  };
}
