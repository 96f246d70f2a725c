import {
  buildSnapshot,
  createSnapshotHistory,
  historyCapacity,
  type SnapshotHistory,
} from '@taskscope/agent';
import { advanceCycle, type CoreState, type CycleState, computeTaskMetrics } from '@taskscope/core';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { buildTaskPayload } from './task-payload.js';

/*
 * What the agent's history costs in memory: a child process (`node --expose-gc`, started by
 * agent.ts) runs 900 refresh cycles of a 10-container task through the agent's own pure code
 * (core on the bench's real-shaped payloads, then buildSnapshot) into a 15-minute history
 * ring, and measures heap and ArrayBuffers before and after, each after a full GC. RSS does
 * not shrink after a GC (the payloads' garbage stays mapped), so it is compared across two
 * children doing the same work: `keep` (the ring of 900) and `drop` (a ring of 0, which keeps
 * nothing). Prints one JSON line, then waits to be stopped.
 */

const MODE = process.argv[2] === 'drop' ? 'drop' : 'keep';
const CONTAINERS = 10;
const HISTORY_MS = 15 * 60_000;
const CYCLES = historyCapacity(HISTORY_MS);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function collect(): NodeJS.MemoryUsage {
  // Twice: the first pass may only schedule finalizers of what it frees.
  gc!();
  gc!();
  return process.memoryUsage();
}

const STATUS = {
  ready: true,
  consecutiveFailures: 0,
  requests: { task: 1, task_stats: 0 },
  samples: { fresh: 0, duplicate: 0 },
  failures: 0,
};

/** Pushes cycles `from` … `to - 1` of the task into `history`; returns one document's JSON size. */
function fill(
  history: SnapshotHistory,
  from: number,
  to: number,
  carry: { state?: CoreState; cycle?: CycleState },
) {
  let jsonBytes = 0;
  for (let k = from; k < to; k++) {
    const payload = buildTaskPayload(CONTAINERS, k);
    const { metrics, state } = computeTaskMetrics({
      metadata: parseTaskMetadata(JSON.parse(payload.metadataText)),
      stats: parseTaskStats(JSON.parse(payload.statsText)),
      previous: carry.state,
    });
    carry.state = state;
    const step = advanceCycle(metrics, carry.cycle);
    carry.cycle = step.state;
    const closed = step.closed.at(-1);
    if (closed === undefined) throw new Error(`refresh ${k} closed no cycle`);
    const nowMs = closed.readAtMs + 300;
    const snapshot = buildSnapshot({
      metrics,
      cycleReadMs: closed.readAtMs,
      status: {
        ...STATUS,
        requests: { task: 1, task_stats: k + 1 },
        samples: { fresh: k + 1, duplicate: 0 },
        lastPollAt: new Date(nowMs).toISOString(),
        lastSuccessAt: new Date(nowMs).toISOString(),
        lastFreshAt: new Date(nowMs).toISOString(),
      },
      endpoint: { url: 'http://169.254.170.2/v4/0123456789abcdef-1000000000', version: 'v4' },
      interval: { mode: 'auto' },
      cadence: { learned: true, cadenceMs: 1000 },
      exporters: ['prometheus', 'otlp', 'emf'],
      nowMs,
    });
    jsonBytes = JSON.stringify(snapshot).length;
    history.push(snapshot);
  }
  return jsonBytes;
}

const carry: { state?: CoreState; cycle?: CycleState } = {};
// Warm-up: every module loaded and every code path run once, in a ring that is then dropped.
fill(createSnapshotHistory(CYCLES), 0, 20, carry);
const before = collect();
const history = createSnapshotHistory(MODE === 'keep' ? CYCLES : 0);
const jsonBytes = fill(history, 20, 20 + CYCLES, carry);
const after = collect();
if (history.size() !== (MODE === 'keep' ? CYCLES : 0)) throw new Error(`the ring holds ${history.size()}`);

process.stdout.write(
  `${JSON.stringify({
    mode: MODE,
    containers: CONTAINERS,
    cycles: history.size(),
    historyMs: HISTORY_MS,
    snapshotJsonBytes: jsonBytes,
    heapBytes: after.heapUsed - before.heapUsed,
    arrayBufferBytes: after.arrayBuffers - before.arrayBuffers,
    rssBytes: after.rss,
  })}\n`,
);

// The parent reads the line, then stops this process: exiting first could lose the line.
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);
