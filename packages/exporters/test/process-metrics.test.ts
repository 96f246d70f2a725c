import { createRequire } from 'node:module';
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
