import { advanceCycle, type CoreState, type CycleState } from '@taskscope/core';
import { SnapshotSchema } from '@taskscope/sdk';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Clock, createSnapshotFeed, createSnapshotStore, systemClock } from '../src/index.js';
import { advance, type CapturedTask, computeTask, FARGATE } from './helpers/payloads.js';

/*
 * The feed between the store and the API, polled the way the collector does it: core's
 * metrics, core's refresh cycles, one published document per closed cycle.
 */

const PROMETHEUS = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';
const EXPORTER = 'bae32def0ab64f06818e8862e58f8d6d-4159844948';

function poller() {
  let nowMs = Date.parse('2025-02-27T05:23:00Z');
  const clock: Clock = { ...systemClock, now: () => nowMs };
  const store = createSnapshotStore();
  const feed = createSnapshotFeed({
    store,
    clock,
    historyMs: 15 * 60_000,
    context: () => ({
      endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
      interval: { mode: 'fixed', intervalMs: 1000 },
      exporters: ['prometheus'],
    }),
  });
  let core: CoreState | undefined;
  let cycles: CycleState | undefined;
  /** One poll of `task`, 1 s after the last, through core and its cycles into the store. */
  const poll = (task: CapturedTask) => {
    nowMs += 1000;
    const { metrics, state } = computeTask(task, core);
    core = state;
    const step = advanceCycle(metrics, cycles);
    cycles = step.state;
    const closed = step.closed.at(-1);
    const kind = metrics.sample.kind === 'first' ? 'first' : closed === undefined ? 'duplicate' : 'fresh';
    store.recordSample(metrics, kind, nowMs, closed?.readAtMs);
    return metrics;
  };
  return { feed, poll };
}

describe('the snapshot feed', () => {
  it('publishes a cycle once every container has refreshed, while the snapshot shows each one’s latest', () => {
    const { feed, poll } = poller();
    const published: number[] = [];
    feed.subscribe((cycle) => published.push(cycle.id));
    const t0 = FARGATE;
    poll(t0);
    const t1 = advance(t0);
    const first = poll(t1);
    expect(published).toHaveLength(2);
    // prometheus refreshes, ecs-exporter not yet: no cycle closes.
    const t2 = advance(t1, [PROMETHEUS]);
    const partial = poll(t2);
    expect(published).toHaveLength(2);
    const current = v.parse(SnapshotSchema, feed.current());
    expect(current.id).toBe(Math.floor(partial.sample.readAtMs!));
    expect(feed.latest()!.id).toBe(Math.floor(first.sample.readAtMs!));
    expect(feed.history.size()).toBe(2);
    // The snapshot already has prometheus's new interval: 0.05 cores over 10 s.
    expect(current.containers.find((c) => c.name === 'prometheus')!.cpu.cores).toBe(0.05);
    // ecs-exporter refreshes: the cycle closes, carrying both.
    const t3 = advance(t2, [EXPORTER]);
    const complete = poll(t3);
    expect(published).toHaveLength(3);
    const cycle = feed.latest()!.snapshot;
    expect(cycle.id).toBe(Math.floor(complete.sample.readAtMs!));
    expect(v.parse(SnapshotSchema, cycle).containers.map((c) => c.cpu.cores)).toEqual([null, 0.05, 0.05]);
    expect([...feed.history.since(0)].map((s) => s.id)).toEqual(published);
  });

  it('gives each cycle an id above the last, even two cycles in one ms', () => {
    const store = createSnapshotStore();
    const feed = createSnapshotFeed({
      store,
      clock: systemClock,
      historyMs: 60_000,
      context: () => ({
        endpoint: { url: 'http://x/v4/y', version: 'v4' },
        interval: { mode: 'auto' },
        exporters: [],
      }),
    });
    const { metrics } = computeTask(FARGATE);
    store.recordSample(metrics, 'first', Date.now(), 1_000.2);
    store.recordSample(metrics, 'fresh', Date.now(), 1_000.7);
    store.recordSample(metrics, 'fresh', Date.now(), 1_900);
    expect([...feed.history.since(0)].map((s) => s.id)).toEqual([1_000, 1_001, 1_900]);
  });
});
