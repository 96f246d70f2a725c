import { createRequire } from 'node:module';
import { promtoolCheckMetrics } from '@taskscope/test-support';
import { expect, it, vi } from 'vitest';
import { createPrometheusEndpoint, EVENT_LOOP_MONITORING_PRECISION_MS } from '../src/prometheus/endpoint.js';

// prom-client is CommonJS and calls perf_hooks through the shared module object, so a spy on
// that object sees its calls.
const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as typeof import('node:perf_hooks');

it('samples event-loop delay once a second, not every 10 ms (0.55 % of a core measured at 10 ms)', () => {
  const monitor = vi.spyOn(perfHooks, 'monitorEventLoopDelay');
  createPrometheusEndpoint({ getSnapshot: () => undefined });
  expect(monitor).toHaveBeenCalled();
  for (const [options] of monitor.mock.calls)
    expect(options).toEqual({ resolution: EVENT_LOOP_MONITORING_PRECISION_MS });
  expect(EVENT_LOOP_MONITORING_PRECISION_MS).toBe(1000);
});

/** A stand-in for Node's event-loop delay histogram, holding `sampled` or no sample. */
function fakeHistogram(sampled: boolean) {
  return {
    enable: () => true,
    disable: () => true,
    reset: () => undefined,
    // What Node reports for an empty histogram: 2^63 ns, NaN mean and stddev, zeros.
    min: sampled ? 1_000_000 : 2 ** 63,
    max: sampled ? 4_000_000 : 0,
    mean: sampled ? 2_000_000 : Number.NaN,
    stddev: sampled ? 500_000 : Number.NaN,
    percentile: (p: number) => (sampled ? p * 40_000 : 0),
  } as unknown as ReturnType<typeof perfHooks.monitorEventLoopDelay>;
}

const DELAY_GAUGES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map(
  (stat) => `nodejs_eventloop_lag_${stat}_seconds`,
);

/** Every sample line's name and value; comments and `# EOF` skipped. */
function samples(body: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    found.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return found;
}

const ACCEPT = { text: undefined, openmetrics: 'application/openmetrics-text; version=1.0.0' };

for (const [format, accept] of Object.entries(ACCEPT)) {
  it(`leaves the event-loop delay gauges out while the histogram is empty, never NaN (${format})`, async () => {
    vi.spyOn(perfHooks, 'monitorEventLoopDelay').mockReturnValue(fakeHistogram(false));
    const { body } = await createPrometheusEndpoint({ getSnapshot: () => undefined }).scrape(accept);
    vi.restoreAllMocks();
    const found = samples(body);
    for (const name of DELAY_GAUGES) expect(found.has(name)).toBe(false);
    expect(body).not.toMatch(/ (NaN|[+-]?Inf)$/m);
    expect(found.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it(`serves the event-loop delay gauges once the histogram has a sample (${format})`, async () => {
    vi.spyOn(perfHooks, 'monitorEventLoopDelay').mockReturnValue(fakeHistogram(true));
    const { body } = await createPrometheusEndpoint({ getSnapshot: () => undefined }).scrape(accept);
    vi.restoreAllMocks();
    const found = samples(body);
    expect(DELAY_GAUGES.map((name) => found.get(name))).toEqual([
      0.001, 0.004, 0.002, 0.0005, 0.002, 0.0036, 0.00396,
    ]);
  });
}

it('a scrape right after start has no NaN or infinite sample and passes promtool check metrics', async () => {
  const endpoint = createPrometheusEndpoint({ getSnapshot: () => undefined });
  for (const accept of Object.values(ACCEPT)) {
    // Twice: the second scrape follows a histogram reset by the first.
    for (let i = 0; i < 2; i++) {
      const { body } = await endpoint.scrape(accept);
      for (const [name, value] of samples(body)) expect([name, Number.isFinite(value)]).toEqual([name, true]);
      if (accept === undefined) expect(await promtoolCheckMetrics(body)).toEqual({ exitCode: 0, output: '' });
    }
  }
});
