import { builtInScenario, builtInScenarioNames, startMock } from '@taskscope/mock';
import { createStopper } from '@taskscope/test-support';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readAgentConfig, startAgent } from '../src/index.js';
import { advance, advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';

/*
 * The containers of a task refresh at different moments: the ECS agent samples each on its own
 * (0.2 s apart in the Datadog and ecs_exporter Fargate fixtures, 2–3 s in the OpenTelemetry one,
 * 6 s in a datadog-agent one). Issue #10 found the agent treating every poll in which one
 * container had refreshed as a new task sample: EMF Task events that repeated the intervals of
 * the containers that had not refreshed (1.8 % to 77 % more bytes than were written), repeated
 * Container events, and `--interval auto` polling 2.6 to 14 times per refresh.
 *
 * Every built-in scenario, at its own cadence, with the mock's default spread and with reads
 * spread over seconds; the agent starts with the task (first samples, no `preread` yet), on one
 * fake clock with the mock, over real loopback HTTP, with the mock's throttling on.
 */

const silent = pino({ level: 'silent' });
const started = createStopper();
afterEach(() => started.stopAll());

interface EmfLine {
  readonly Type: 'Task' | 'Container';
  readonly ContainerName?: string;
  readonly _aws: { readonly Timestamp: number };
  readonly [metric: string]: unknown;
}

const sumOf = (lines: readonly EmfLine[], metric: string): number =>
  lines.reduce((sum, line) => sum + ((line[metric] as number | undefined) ?? 0), 0);

const CASES = builtInScenarioNames.flatMap((name) => {
  const { cadenceMs } = builtInScenario(name);
  // Seconds apart where the cadence allows it (6 s of a 10 s refresh, as in the datadog-agent
  // fixture; 0.6 s of EC2's 1 s).
  return [
    { name, spread: 'default', readSpreadMs: undefined, cadenceMs },
    { name, spread: 'seconds', readSpreadMs: 0.6 * cadenceMs, cadenceMs },
  ];
});

describe('refresh cycles: containers that refresh at different moments', () => {
  it.each(CASES)(
    '$name, $spread spread: each interval reported once, one poll per refresh',
    async ({ name, readSpreadMs, cadenceMs }) => {
      const clock = createManualClock();
      const scenario = { ...builtInScenario(name), ...(readSpreadMs === undefined ? {} : { readSpreadMs }) };
      const mock = started.track(await startMock({ scenario, now: clock.now }), (it) => it.close());
      await clock.advanceBy(100);
      const config = readAgentConfig({
        flags: {
          metadataUrl: Object.values(mock.v4Urls)[0]!,
          listen: '127.0.0.1:0',
          exporters: 'prometheus,emf',
          emfContainerMetrics: true,
        },
        env: {},
      });
      const text: string[] = [];
      const running = started.track(
        await startAgent(config, { logger: silent, stdout: (line) => text.push(line), clock }),
        (it) => it.stop(),
      );
      const lines = () => text.map((line) => JSON.parse(line) as EmfLine);

      // Learning included: the first minute.
      const minuteMs = 60_000;
      await advance(clock, minuteMs);
      const learning = running.snapshot().poll;
      expect(learning.requests.task_stats / (minuteMs / cadenceMs)).toBeLessThanOrEqual(1.5);

      // After learning: 30 refreshes at least (5 minutes at Fargate's 10 s, a minute at EC2's
      // 1 s), one request per refresh of the whole task (goal ≤ 1.2).
      // At every closed cycle, note how many EMF lines there are and each container's counters.
      const closes: { lineCount: number; counters: Map<string, { write: number; start?: number }> }[] = [];
      const unsubscribe = running.store.subscribe((metrics) => {
        const counters = new Map<string, { write: number; start?: number }>();
        for (const c of metrics.containers) {
          const write = c.stats?.blockIo?.writeBytes;
          if (write !== undefined)
            counters.set(c.name, { write, ...(c.counterStartMs ? { start: c.counterStartMs } : {}) });
        }
        closes.push({ lineCount: text.length, counters });
      });
      const measuredMs = Math.min(5 * minuteMs, 60 * cadenceMs);
      await advance(clock, measuredMs);
      // End right after a cycle closes, so no interval is left in an open one.
      const freshBefore = running.snapshot().poll.samples.fresh;
      await advanceUntil(
        clock,
        'the next refresh cycle to close',
        () => running.snapshot().poll.samples.fresh > freshBefore,
        2 * cadenceMs,
      );
      unsubscribe();
      const status = running.snapshot().poll;
      expect(status.failures).toBe(0);
      const refreshes = measuredMs / cadenceMs;
      const requests = status.requests.task_stats - learning.requests.task_stats;
      expect(requests / refreshes).toBeLessThanOrEqual(1.2);
      // One fresh sample per refresh of the whole task, not one per container that refreshed.
      const fresh = status.samples.fresh - learning.samples.fresh;
      expect(Math.abs(fresh - refreshes)).toBeLessThanOrEqual(2);

      // EMF: a container's interval is in one Container event, never repeated…
      const all = lines();
      const containerKeys = all
        .filter((line) => line.Type === 'Container')
        .map((line) => `${line.ContainerName}@${line._aws.Timestamp}`);
      expect(new Set(containerKeys).size).toBe(containerKeys.length);

      // …and in one Task event: between two closed cycles, the Task events' bytes are the
      // Container events' bytes, which are each container's counter growth.
      const first = closes[0]!;
      const last = closes.at(-1)!;
      const between = all.slice(first.lineCount, last.lineCount);
      const tasks = between.filter((line) => line.Type === 'Task');
      const containers = between.filter((line) => line.Type === 'Container');
      expect(tasks.length).toBe(closes.length - 1);
      expect(sumOf(tasks, 'StorageWriteBytes')).toBe(sumOf(containers, 'ContainerStorageWriteBytes'));
      expect(sumOf(tasks, 'StorageReadBytes')).toBe(sumOf(containers, 'ContainerStorageReadBytes'));
      let checked = 0;
      for (const [container, end] of last.counters) {
        const start = first.counters.get(container);
        // A restart starts the counters again: no interval spans it.
        if (start === undefined || start.start !== end.start) continue;
        const own = containers.filter((line) => line.ContainerName === container);
        expect(sumOf(own, 'ContainerStorageWriteBytes'), container).toBe(end.write - start.write);
        checked += 1;
      }
      expect(checked).toBeGreaterThan(0);
    },
  );
});
