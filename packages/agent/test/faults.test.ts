import { startMock } from '@taskscope/mock';
import { createStopper } from '@taskscope/test-support';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { readAgentConfig, startAgent } from '../src/index.js';
import { advance, advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';

/*
 * Issue #15, faults: every fault kind of the contract at once, each at 20 % of the requests
 * it can hit, with a container restart every 50 polls, for ten compressed minutes (600 polls at
 * a 1 s cadence on a manual clock, over real loopback HTTP; docs/contract.md, "Fault SPEC").
 * A `timeout` never answers and `slow` answers after 300 ms: the agent's request timeout is
 * 250 ms here, so those cost real time, about 20 s in all. Every tenth poll the exposition is
 * scraped and checked: it parses, holds no NaN, infinite or negative value, and no counter
 * goes down within a series unless its container restarted. At the end every fault is counted
 * under its reason and the agent is still serving fresh samples.
 */

const CADENCE_MS = 1000;
const POLLS = 600;
const RESTART_EVERY_POLLS = 50;
const SCRAPE_EVERY_POLLS = 10;
const FAULTS = [
  '500:/v4/*/task/stats@0.2',
  '503:/v4/*/task/stats@0.2',
  '429:/v4/*/task/stats@0.2',
  'reset:/v4/*/task/stats@0.2',
  'malformed:/v4/*/task/stats@0.2',
  'schema-drift:/v4/*/task/stats@0.2',
  'timeout:/v4/*/task/stats@0.2',
  'slow=300ms:/v4/*/task/stats@0.2',
  // The task metadata too, which the agent re-reads after every restart.
  '500:/v4/*/task@0.2',
  'reset:/v4/*/task@0.2',
];

const silent = pino({ level: 'silent' });
const started = createStopper();
afterEach(() => started.stopAll());

interface Sample {
  readonly family: string;
  readonly series: string;
  readonly value: number;
  readonly container?: string | undefined;
}

/** The exposition's samples; throws on a line that is not `name{labels} value`. */
function samplesOf(exposition: string): { samples: Sample[]; counters: Set<string> } {
  const samples: Sample[] = [];
  const counters = new Set<string>();
  for (const line of exposition.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|histogram|gauge|summary|untyped)$/.exec(line);
    if (type) {
      if (type[2] === 'counter' || type[2] === 'histogram') counters.add(type[1]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${JSON.stringify(line)}`);
    const [, name, labels = '', text] = match;
    const family = name!.replace(/_(bucket|sum|count)$/, '');
    samples.push({
      family: counters.has(name!) ? name! : family,
      series: `${name}${labels}`,
      value: Number(text),
      container: /container_name="([^"]*)"/.exec(labels)?.[1],
    });
  }
  return { samples, counters };
}

it(`survives every fault kind at 20 % with restarts for ${POLLS} polls: /metrics always sane, each fault counted`, async () => {
  const clock = createManualClock();
  const mock = started.track(
    await startMock({ scenario: 'fargate-web', cadenceMs: CADENCE_MS, throttle: false, now: clock.now }),
    (it) => it.close(),
  );
  await clock.advanceBy(2 * CADENCE_MS + 100);
  const names = Object.keys(mock.v4Urls);
  const config = readAgentConfig({
    flags: {
      metadataUrl: mock.v4Urls['taskscope'],
      listen: '127.0.0.1:0',
      exporters: 'prometheus,emf',
      interval: `${CADENCE_MS}ms`,
      requestTimeout: '250ms',
    },
    env: {},
  });
  const agent = started.track(await startAgent(config, { logger: silent, stdout: () => {}, clock }), (it) =>
    it.stop(),
  );
  mock.setFaults(FAULTS);

  // Each counter series' last value, with its container's start time in the same scrape.
  const previous = new Map<string, { value: number; startTime: number | undefined }>();
  let scrapes = 0;
  let restarts = 0;
  for (let poll = 1; poll <= POLLS; poll++) {
    await advance(clock, CADENCE_MS);
    if (poll % RESTART_EVERY_POLLS === 0) {
      mock.restart(names[restarts % names.length]!);
      restarts += 1;
    }
    if (poll % SCRAPE_EVERY_POLLS !== 0) continue;
    const response = await fetch(agent.metricsUrl);
    expect(response.status).toBe(200);
    const { samples, counters } = samplesOf(await response.text());
    scrapes += 1;
    const startTimes = new Map<string, number>();
    for (const s of samples)
      if (s.family === 'ecs_container_start_time_seconds' && s.container !== undefined)
        startTimes.set(s.container, s.value);
    for (const s of samples) {
      expect(Number.isFinite(s.value), `${s.series} ${s.value}`).toBe(true);
      expect(s.value, s.series).toBeGreaterThanOrEqual(0);
      if (!counters.has(s.family)) continue;
      const startTime = s.container === undefined ? undefined : startTimes.get(s.container);
      const before = previous.get(s.series);
      // A counter goes down only with a new run of its container (ECS counters restart at
      // zero), which the start time of the container shows.
      if (before !== undefined && s.value < before.value)
        expect(
          startTime !== undefined && startTime !== before.startTime,
          `poll ${poll}: ${s.series}: ${before.value} → ${s.value}, its container's start time still ${startTime}`,
        ).toBe(true);
      previous.set(s.series, { value: s.value, startTime });
    }
  }

  const exposition = await (await fetch(agent.metricsUrl)).text();
  const counted = (reason: string) =>
    new RegExp(`^taskscope_poll_errors_total\\{endpoint="task_stats",reason="${reason}"\\} [1-9]`, 'm').test(
      exposition,
    );
  for (const reason of ['http_500', 'http_503', 'throttled', 'connection', 'malformed_json', 'timeout'])
    expect(counted(reason), `taskscope_poll_errors_total reason="${reason}"`).toBe(true);

  // Still polling, still serving: the last minute (fake) brought fresh samples.
  const status = agent.snapshot().poll;
  expect(scrapes).toBe(POLLS / SCRAPE_EVERY_POLLS);
  expect(restarts).toBe(POLLS / RESTART_EVERY_POLLS);
  expect(status.ready).toBe(true);
  expect(status.failures).toBeGreaterThan(POLLS / 10);
  const freshBefore = status.samples.fresh;
  mock.setFaults([]);
  // The poller backs off after failures (at most 30 s): within a minute of fake time it is back.
  await advanceUntil(
    clock,
    'a fresh sample once the faults are lifted',
    () => agent.snapshot().poll.samples.fresh > freshBefore,
    60_000,
  );
}, 240_000);
