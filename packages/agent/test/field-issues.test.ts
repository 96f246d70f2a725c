import { Writable } from 'node:stream';
import { loadFixture } from '@taskscope/fixtures';
import { createStaticSource, startMock } from '@taskscope/mock';
import { createStopper } from '@taskscope/test-support';
import { afterEach, expect, it } from 'vitest';
import { readAgentConfig, startAgent } from '../src/index.js';
import { createAgentLogger } from '../src/logger.js';
import { advanceUntil } from './helpers/fake-time.js';
import { createManualClock } from './helpers/manual-clock.js';

/*
 * A wrong-typed field in /task/stats costs that field, for that container, not the poll
 * (docs/endpoint.md §5, "A field of the wrong type"). The task is ecs_exporter's Fargate capture
 * with its `prometheus` container's stats replaced by the ECS agent's Windows stats given
 * `"io_service_bytes_recursive": "None"`, as Datadog's Windows Fargate fixture has it
 * (fixtures payloads/README.md, variants). The agent and the mock share a manual clock, so the
 * polls are counted exactly.
 */

const ECS_EXPORTER = 'prometheus-community-ecs_exporter';
const WINDOWS_ID = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';
const LINUX_ID = 'bae32def0ab64f06818e8862e58f8d6d-4159844948';
const MESSAGE = 'payload field left out; the rest of the answer is used';

// biome-ignore lint/suspicious/noExplicitAny: raw payload JSON, edited before it is served.
type Json = any;

const started = createStopper();
afterEach(() => started.stopAll());

function captureLogs() {
  const lines: Json[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  });
  return { lines, stream };
}

const sampleOf = (scrape: string, series: string): number | undefined => {
  const line = scrape.split('\n').find((text) => text.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('a poll whose stats have "None" for a blkio list keeps that container’s CPU and memory, counts it each poll, warns once', async () => {
  const windows = loadFixture('variants/windows_test_stats-io-service-bytes-none.json').json as Json;
  const stats = loadFixture(`${ECS_EXPORTER}/fargate_task_stats.json`).json as Json;
  stats[WINDOWS_ID] = windows;
  // The grafted sample comes from another capture, read before this task's container started:
  // core would take it for a previous run's (normalize.ts). The container starts by its read.
  const metadata = loadFixture(`${ECS_EXPORTER}/fargate_task_metadata.json`).json as Json;
  const grafted = metadata['Containers'].find((c: Json) => c['DockerId'] === WINDOWS_ID);
  if (Date.parse(grafted['StartedAt']) > Date.parse(windows['read'])) grafted['StartedAt'] = windows['read'];
  const clock = createManualClock();
  const mock = started.track(
    await startMock({
      source: createStaticSource({
        taskMetadata: JSON.stringify(metadata),
        taskStats: JSON.stringify(stats),
      }),
      throttle: false,
      now: clock.now,
    }),
    (it) => it.close(),
  );
  const { lines, stream } = captureLogs();
  const config = readAgentConfig({
    flags: {
      metadataUrl: mock.v4Urls['prometheus']!,
      listen: '127.0.0.1:0',
      interval: '1s',
      logLevel: 'info',
    },
    env: {},
  });
  const agent = started.track(
    await startAgent(config, { logger: createAgentLogger(config.logLevel, stream), stdout: () => {}, clock }),
    (it) => it.stop(),
  );
  await advanceUntil(clock, 'three polls', () => agent.snapshot().poll.requests.task_stats >= 3, 10_000);

  // Every poll succeeded: the field is no schema error.
  const status = agent.store.status();
  expect(status.lastError).toBeUndefined();
  expect(status.failures).toBe(0);
  expect(status.ready).toBe(true);
  const polls = status.requests.task_stats;

  // The Windows container has its CPU (100 ns units, scaled) and its memory (private working set).
  const metrics = agent.store.latest()!;
  const byId = (id: string) => metrics.containers.find((container) => container.dockerId === id);
  const container = byId(WINDOWS_ID)!;
  expect(container.stats?.cgroup).toBe('windows');
  expect(container.stats?.cpu.totalSeconds).toBe((windows.cpu_stats.cpu_usage.total_usage * 100) / 1e9);
  expect(container.stats?.memory.workingSetBytes).toBe(windows.memory_stats.privateworkingset);
  // Windows block I/O comes from storage_stats, which the bad list does not touch.
  expect(container.stats?.blockIo).toMatchObject({
    readBytes: windows.storage_stats.read_size_bytes,
    writeBytes: windows.storage_stats.write_size_bytes,
  });
  // The other container is untouched, its blkio list included.
  const linux = stats[LINUX_ID];
  expect(byId(LINUX_ID)?.stats?.cpu.totalSeconds).toBe(linux.cpu_stats.cpu_usage.total_usage / 1e9);
  expect(byId(LINUX_ID)?.stats?.blockIo?.readBytes).toBeTypeOf('number');

  // Counted once per poll (one bad field in each answer), never as a poll error.
  const scrape = await (await fetch(agent.metricsUrl)).text();
  expect(sampleOf(scrape, 'taskscope_payload_fields_dropped_total{endpoint="task_stats",cost="field"}')).toBe(
    polls,
  );
  expect(
    sampleOf(scrape, 'taskscope_payload_fields_dropped_total{endpoint="task_stats",cost="sample"}'),
  ).toBe(undefined);
  expect(scrape).not.toContain('taskscope_poll_errors_total{');

  // Said once at warn, naming the field, the value and what is allowed; then at debug (not shown at info).
  const warnings = lines.filter((line) => line.msg === MESSAGE);
  expect(warnings).toEqual([
    expect.objectContaining({
      level: 'warn',
      url: `${mock.v4Urls['prometheus']}/task/stats`,
      field: `${WINDOWS_ID}.blkio_stats.io_service_bytes_recursive`,
      value: 'None',
      expected: 'an array',
      leftOut: `${WINDOWS_ID}.blkio_stats.io_service_bytes_recursive`,
      cost: 'field',
    }),
  ]);
});

it('a stats entry without its CPU counter costs that container’s sample only, counted as cost="sample"', async () => {
  const stats = loadFixture(`${ECS_EXPORTER}/fargate_task_stats.json`).json as Json;
  stats[WINDOWS_ID].cpu_stats.cpu_usage.total_usage = 'None';
  const clock = createManualClock();
  const mock = started.track(
    await startMock({
      source: createStaticSource({
        taskMetadata: loadFixture(`${ECS_EXPORTER}/fargate_task_metadata.json`).text,
        taskStats: JSON.stringify(stats),
      }),
      throttle: false,
      now: clock.now,
    }),
    (it) => it.close(),
  );
  const config = readAgentConfig({
    flags: { metadataUrl: mock.v4Urls['prometheus']!, listen: '127.0.0.1:0', interval: '1s' },
    env: {},
  });
  const { stream } = captureLogs();
  const agent = started.track(
    await startAgent(config, { logger: createAgentLogger('info', stream), stdout: () => {}, clock }),
    (it) => it.stop(),
  );
  await advanceUntil(clock, 'two polls', () => agent.snapshot().poll.requests.task_stats >= 2, 10_000);
  const status = agent.store.status();
  expect(status.failures).toBe(0);
  const metrics = agent.store.latest()!;
  const byId = (id: string) => metrics.containers.find((container) => container.dockerId === id);
  expect(byId(WINDOWS_ID)?.stats).toBeUndefined();
  expect(byId(LINUX_ID)?.stats?.cpu.totalSeconds).toBe(stats[LINUX_ID].cpu_stats.cpu_usage.total_usage / 1e9);
  const scrape = await (await fetch(agent.metricsUrl)).text();
  expect(
    sampleOf(scrape, 'taskscope_payload_fields_dropped_total{endpoint="task_stats",cost="sample"}'),
  ).toBe(status.requests.task_stats);
});
