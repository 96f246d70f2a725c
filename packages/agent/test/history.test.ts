import type { TaskMetrics } from '@taskscope/core';
import { BUILT_IN_PRICES } from '@taskscope/fargate';
import type { Snapshot } from '@taskscope/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSnapshot,
  createSnapshotHistory,
  decodeSnapshot,
  encodeSnapshot,
  historyCapacity,
} from '../src/index.js';
import { pollStatusArbitrary, taskMetricsArbitrary } from './helpers/arbitraries.js';
import { FARGATE, STATUS, twoPolls } from './helpers/payloads.js';

/*
 * The history ring: a bounded count of entries, each a shared frame and a Float64Array of the
 * numbers, that rebuilds the very document the agent published for that cycle.
 */

function snapshotOf(
  metrics: TaskMetrics | undefined,
  id: number,
  nowMs = id + 250,
  status = STATUS,
): Snapshot {
  return buildSnapshot({
    metrics,
    id,
    status,
    endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
    interval: { mode: 'auto' },
    cadence: { learned: true, cadenceMs: 10_000 },
    exporters: ['prometheus'],
    pricing: { table: BUILT_IN_PRICES, platform: 'linux/x86_64' },
    nowMs,
  });
}

const { second } = twoPolls(FARGATE);

describe('the compact history entry', () => {
  it('rebuilds the document it was made from, byte for byte', () => {
    fc.assert(
      fc.property(taskMetricsArbitrary, pollStatusArbitrary, fc.nat(), (metrics, status, offsetMs) => {
        const snapshot = snapshotOf(metrics, Date.UTC(2025, 1, 27) + offsetMs, undefined, status);
        expect(JSON.stringify(decodeSnapshot(encodeSnapshot(snapshot)))).toBe(JSON.stringify(snapshot));
      }),
      { numRuns: 200 },
    );
  });

  it('rebuilds the cost of a Fargate task, its two figures from the numbers and its region from the frame', () => {
    const snapshot = snapshotOf(second, Date.UTC(2025, 1, 27, 6));
    expect(snapshot.cost).toMatchObject({ pricedRegion: 'us-east-1', regionFallback: false });
    expect(decodeSnapshot(encodeSnapshot(snapshot)).cost).toEqual(snapshot.cost);
  });

  it('shares the frame (identity, names, images) with the entry before while it is the same', () => {
    const first = encodeSnapshot(snapshotOf(second, 1_000));
    const next = encodeSnapshot(snapshotOf(second, 11_000, 11_300), first.frame);
    expect(next.frame).toBe(first.frame);
    expect(Object.isFrozen(next.frame)).toBe(true);
    // A restart changes a container's start time: a new frame from that cycle on.
    const restarted = {
      ...second,
      containers: second.containers.map((c) => (c.name === 'prometheus' ? { ...c, startedAtMs: 21_000 } : c)),
    };
    expect(encodeSnapshot(snapshotOf(restarted, 21_000), next.frame).frame).not.toBe(first.frame);
  });

  it('keeps only numbers per cycle: 8 bytes each, not the JSON document', () => {
    const snapshot = snapshotOf(second, 1_000);
    const { values } = encodeSnapshot(snapshot);
    // 16 for the document (the cost's two figures among them), 8 totals, 8 per container (3),
    // 4 per interface (1).
    expect(values.length).toBe(16 + 8 + 3 * 8 + 4);
    // 400 bytes against the document's 2.9 KB, most of it text that every entry shares.
    expect(values.byteLength).toBeLessThan(JSON.stringify(snapshot).length / 5);
  });
});

describe('the history ring', () => {
  it('sizes itself by count: one entry per second of --history, the fastest a real endpoint refreshes', () => {
    expect(historyCapacity(15 * 60_000)).toBe(900);
    expect(historyCapacity(0)).toBe(0);
  });

  it('holds the newest `capacity` cycles, oldest first, whatever it is pushed', () => {
    const history = createSnapshotHistory(5);
    for (let k = 1; k <= 12; k++) history.push(snapshotOf(second, k * 10_000));
    expect(history.size()).toBe(5);
    expect([...history.since(Number.NEGATIVE_INFINITY)].map((s) => s.id)).toEqual([
      80_000, 90_000, 100_000, 110_000, 120_000,
    ]);
    expect(history.newestId()).toBe(120_000);
  });

  it('finds the first cycle after an id (SSE catch-up), and none after the newest', () => {
    const history = createSnapshotHistory(10);
    for (let k = 1; k <= 14; k++) history.push(snapshotOf(second, k * 10_000));
    expect(history.firstAfter(0)?.id).toBe(50_000);
    expect(history.firstAfter(70_000)?.id).toBe(80_000);
    expect(history.firstAfter(75_500)?.id).toBe(80_000);
    expect(history.firstAfter(140_000)).toBeUndefined();
  });

  it('answers a window by when the documents were made, and its entries stay as picked', () => {
    const history = createSnapshotHistory(100);
    for (let k = 1; k <= 10; k++) history.push(snapshotOf(second, k * 10_000, k * 10_000 + 500));
    const window = history.since(70_500);
    // Cycles pushed while a window is streamed do not enter it.
    history.push(snapshotOf(second, 110_000, 110_500));
    expect([...window].map((s) => s.id)).toEqual([70_000, 80_000, 90_000, 100_000]);
  });

  it('refuses an id that does not increase (catch-up counts on it), and keeps nothing at capacity 0', () => {
    const history = createSnapshotHistory(3);
    history.push(snapshotOf(second, 20_000));
    expect(() => history.push(snapshotOf(second, 20_000))).toThrow(RangeError);
    const off = createSnapshotHistory(0);
    off.push(snapshotOf(second, 20_000));
    expect(off.size()).toBe(0);
    expect([...off.since(0)]).toEqual([]);
  });
});
