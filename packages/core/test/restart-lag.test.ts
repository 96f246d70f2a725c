import { expect, test } from 'vitest';
import { advanceStats, byName, clone, FARGATE, FARGATE_IDS, type Json, poll, shiftTime } from './helpers.js';

/*
 * After a restart the task metadata shows the container's new StartedAt at once, while the
 * endpoint serves its cached stats, still the old run's, until the next refresh. A sample read
 * before its container's StartedAt is the previous run's: core leaves it out, so the old run's
 * cumulative counters never go out under the new run's start time (where they would then go
 * down within that run). Found by the agent's fault suite (packages/agent/test/faults.test.ts).
 */

const ID = FARGATE_IDS.prometheus;

function restartedMetadata(atRead: string): Json {
  const metadata = clone(FARGATE.metadata) as Json;
  const container = metadata['Containers'].find((c: Json) => c['DockerId'] === ID);
  container['StartedAt'] = shiftTime(atRead, 1);
  return metadata;
}

test('a sample read before the container started is left out until the new run has one', () => {
  const first = poll(FARGATE.metadata, FARGATE.stats);
  const before = byName(first.metrics, 'prometheus');
  expect(before.stats?.cpu.totalSeconds).toBeGreaterThan(0);

  // The restart: metadata moved, the stats are the same refresh as before, plus one refresh of
  // the other containers so the poll is fresh.
  const stale = advanceStats(FARGATE.stats, 10) as Record<string, Json>;
  stale[ID] = clone((FARGATE.stats as Record<string, Json>)[ID]!);
  const metadata = restartedMetadata((FARGATE.stats as Record<string, Json>)[ID]!['read']);
  const second = poll(metadata, stale, first.state);
  const lagging = byName(second.metrics, 'prometheus');
  // Identity only, as a container that has just started: no counters of either run.
  expect(lagging.stats).toBeUndefined();
  const startedAt = metadata['Containers'].find((c: Json) => c['DockerId'] === ID)['StartedAt'] as string;
  expect(Math.floor(lagging.startedAtMs!)).toBe(Date.parse(startedAt));

  // The new run's first sample: read after StartedAt, counters from zero.
  const fresh = advanceStats(stale, 10) as Record<string, Json>;
  const entry = fresh[ID]!;
  entry['read'] = shiftTime(startedAt, 5);
  entry['cpu_stats']['cpu_usage']['total_usage'] = 500_000_000;
  const third = poll(metadata, fresh, second.state);
  const after = byName(third.metrics, 'prometheus');
  expect(after.stats?.cpu.totalSeconds).toBe(0.5);
  // Below the old run's counter, under the new start time only.
  expect(after.stats!.cpu.totalSeconds).toBeLessThan(before.stats!.cpu.totalSeconds);
  expect(after.startedAtMs).not.toBe(before.startedAtMs);
});
