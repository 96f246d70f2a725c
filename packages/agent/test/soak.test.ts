import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startMock } from '@taskscope/mock';
import { createSseParser } from '@taskscope/sdk';
import { createStopper } from '@taskscope/test-support';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { readAgentConfig, startAgent } from '../src/index.js';
import { advance, advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';

/*
 * Issue #15, the soak: many polls with containers restarting, the history ring filling and
 * wrapping, an SSE client reading every cycle, scrapes and history downloads, and the heap
 * after a full GC stays flat once warm. The agent and the mock run in this process on one
 * manual clock (agent.test.ts's set-up), over real loopback HTTP, so a poll costs real
 * milliseconds but no waiting: 3,200 polls take about 40 s here. TASKSCOPE_SOAK_POLLS runs the
 * nightly length (100000); the bound on the growth is the same.
 *
 * Measured in-process, the heap holds the mock, the SSE reader and vitest too: a leak of any of
 * them fails the test as well, which is the stronger claim.
 */

const POLLS = Number(process.env['TASKSCOPE_SOAK_POLLS'] ?? 3200);
/** The history ring holds 900 cycles (15 min at 1 s): warm means full and wrapped once. */
const WARM_POLLS = Math.min(1280, Math.floor(POLLS / 2));
/**
 * Heap checkpoints, after a full GC, every this many polls from warm-up on. A multiple of 64:
 * the mock's encoded-body cache (64 entries, cleared when full; mock/src/http/server.ts) is then
 * at the same fill at every checkpoint.
 */
const CHECKPOINT_EVERY_POLLS = 320;
const CADENCE_MS = 1000;
const RESTART_EVERY_POLLS = 97;
const SCRAPE_EVERY_POLLS = 10;
const HISTORY_EVERY_POLLS = 400;
/** The bound for heap growth after warm-up. */
const MAX_GROWTH_BYTES = 5 * 2 ** 20;

const silent = pino({ level: 'silent' });
const started = createStopper();
afterEach(() => started.stopAll());

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after two full collections (the second frees what the first's finalizers released). */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * How many cycles `/api/v1/history` holds, downloaded and parsed as the dashboard does, in a
 * frame of its own: the 900 parsed documents (about 6 MiB) are garbage once it returns.
 */
async function historyLength(agentUrl: string): Promise<number> {
  const history = (await (await fetch(`${agentUrl}api/v1/history`)).json()) as { snapshots: unknown[] };
  return history.snapshots.length;
}

it(
  `soak: ${POLLS} polls of fargate-10 with restarts, SSE, scrapes and a full history keep the heap flat`,
  async () => {
    const clock = createManualClock();
    const mock = started.track(
      await startMock({ scenario: 'fargate-10', cadenceMs: CADENCE_MS, throttle: false, now: clock.now }),
      (it) => it.close(),
    );
    const names = Object.keys(mock.v4Urls);
    expect(names).toHaveLength(10);
    await clock.advanceBy(2 * CADENCE_MS + 100);
    const config = readAgentConfig({
      flags: {
        metadataUrl: mock.v4Urls[names[0]!],
        listen: '127.0.0.1:0',
        exporters: 'prometheus,emf',
        interval: `${CADENCE_MS}ms`,
        history: '15m',
      },
      env: {},
    });
    let emfLines = 0;
    const agent = started.track(
      await startAgent(config, {
        logger: silent,
        stdout: () => {
          emfLines += 1;
        },
        clock,
      }),
      (it) => it.stop(),
    );

    // A dashboard-like SSE client that parses every event and keeps only a count.
    let events = 0;
    const aborter = new AbortController();
    started.track(aborter, (it) => it.abort());
    const stream = await fetch(`${agent.url}api/v1/stream`, { signal: aborter.signal });
    const parser = createSseParser({
      onEvent: ({ data }) => {
        JSON.parse(data);
        events += 1;
      },
    });
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream.body!) parser.push(decoder.decode(chunk, { stream: true }));
      } catch {
        // aborted at the end
      }
    })();

    await advanceUntil(clock, 'the first sample', () => agent.snapshot().poll.ready, 5 * CADENCE_MS);
    const heapBytes: number[] = [];
    let restarts = 0;
    let lastScrape = '';
    for (let poll = 1; poll <= POLLS; poll++) {
      await advance(clock, CADENCE_MS);
      // Before this poll's own downloads, whose documents this frame may still hold.
      if (poll >= WARM_POLLS && poll % CHECKPOINT_EVERY_POLLS === 0) heapBytes.push(heapAfterGc());
      if (poll % RESTART_EVERY_POLLS === 0) {
        mock.restart(names[restarts % names.length]!);
        restarts += 1;
      }
      if (poll % SCRAPE_EVERY_POLLS === 0) lastScrape = await (await fetch(agent.metricsUrl)).text();
      if (poll % HISTORY_EVERY_POLLS === 0) expect(await historyLength(agent.url)).toBeLessThanOrEqual(900);
    }
    const status = agent.snapshot().poll;
    aborter.abort();

    // Every poll found a fresh refresh and nothing failed; EMF and SSE saw each cycle once.
    expect(status.failures).toBe(0);
    expect(status.samples.fresh).toBeGreaterThanOrEqual(POLLS);
    expect(emfLines).toBe(status.samples.fresh);
    expect(events).toBeGreaterThanOrEqual(POLLS - 1);
    expect(restarts).toBe(Math.floor(POLLS / RESTART_EVERY_POLLS));
    expect(agent.feed.history.size()).toBe(Math.min(900, status.samples.fresh));
    // One series per container and family: a restart moves the start time of its series, it
    // never leaves a second one behind (the exposition mirrors the latest sample only).
    const cpuSeries = lastScrape.match(/^ecs_container_cpu_usage_seconds_total\{[^}]*\}/gm) ?? [];
    expect(cpuSeries).toHaveLength(names.length);
    expect(new Set(cpuSeries).size).toBe(names.length);

    // The heap after a full GC moves by a few MiB from checkpoint to checkpoint (caches filling
    // and clearing, V8's code and feedback), so one point against another says little. Growth is
    // the median of the last third of the checkpoints against the median of the first: a leak
    // moves it by its rate times the run's length, the fluctuation does not.
    expect(heapBytes.length).toBeGreaterThanOrEqual(3);
    const third = Math.max(1, Math.floor(heapBytes.length / 3));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const firstBytes = median(heapBytes.slice(0, third));
    const lastBytes = median(heapBytes.slice(-third));
    const growthBytes = lastBytes - firstBytes;
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
    console.log(
      `soak: ${POLLS} polls, ${restarts} restarts, ${events} SSE events; heap after GC every ${CHECKPOINT_EVERY_POLLS} polls from poll ${WARM_POLLS}: ${heapBytes.map(mib).join(', ')} MiB; growth ${(growthBytes / 1024).toFixed(0)} KiB (median of the last third against the first)`,
    );
    expect(growthBytes).toBeLessThan(MAX_GROWTH_BYTES);
  },
  // Real milliseconds per poll over loopback, thousands of them: the nightly length needs more.
  Math.max(240_000, POLLS * 60),
);
