import { Counter, Histogram, type Registry, type RegistryContentType } from 'prom-client';

/** The poller's own health, as `taskscope_*` series on `/metrics`. */
export interface SelfTelemetry {
  /** One poll of `endpoint` (e.g. `task`, `task_stats`) that took `durationSeconds`, successful or not. */
  observePoll(endpoint: string, durationSeconds: number): void;
  /** A failed poll; `reason` is a short stable code (`timeout`, `http_503`, `schema`…), never a message. */
  countPollError(endpoint: string, reason: string): void;
  /** One stats sample: `fresh` when a `read` advanced, `duplicate` when polled between two refreshes. */
  countSample(result: 'fresh' | 'duplicate'): void;
  /**
   * One part of an answer from `endpoint` that its parse left out because a field had the wrong
   * type (wire's WireFieldIssue): `field` when it cost only the metric computed from it,
   * `sample` when it cost that container's sample. Never a DockerId or a path: those are logged.
   */
  countFieldDropped(endpoint: string, cost: 'field' | 'sample'): void;
}

/** Poll latencies to the metadata endpoint: single-digit ms on a healthy task, seconds when it struggles. */
const POLL_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Register the self-telemetry metrics in every registry given and update them all together
 * (one registry per exposition format: prom-client mutates metric names when rendering
 * OpenMetrics, so the formats must not share metric objects).
 */
export function createSelfTelemetry(registries: readonly Registry<RegistryContentType>[]): SelfTelemetry {
  const sets = registries.map((registry) => ({
    duration: new Histogram({
      name: 'taskscope_poll_duration_seconds',
      help: 'Duration of requests to the task metadata endpoint, in seconds.',
      labelNames: ['endpoint'],
      buckets: POLL_BUCKETS_SECONDS,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'taskscope_poll_errors_total',
      help: 'Failed requests to the task metadata endpoint, by endpoint and reason.',
      labelNames: ['endpoint', 'reason'],
      registers: [registry],
    }),
    samples: new Counter({
      name: 'taskscope_samples_total',
      help: 'Stats samples taken, by result: fresh (a read advanced) or duplicate (no refresh since the last poll).',
      labelNames: ['result'],
      registers: [registry],
    }),
    dropped: new Counter({
      name: 'taskscope_payload_fields_dropped_total',
      help: 'Parts of task metadata endpoint answers left out for a wrong-typed field, by endpoint and cost: field (only what is computed from it) or sample (that container sample).',
      labelNames: ['endpoint', 'cost'],
      registers: [registry],
    }),
  }));
  // Both results exist from the first scrape on, so rate() and ratios work before the first
  // duplicate is ever seen (Prometheus instrumentation practice: initialise known label values).
  for (const s of sets) for (const result of ['fresh', 'duplicate']) s.samples.inc({ result }, 0);
  // taskscope_payload_fields_dropped_total is not initialised: it shows from the first part left
  // out, so a healthy task's scrape carries no series for it.
  return {
    observePoll(endpoint, durationSeconds) {
      for (const s of sets) s.duration.observe({ endpoint }, durationSeconds);
    },
    countPollError(endpoint, reason) {
      for (const s of sets) s.errors.inc({ endpoint, reason });
    },
    countSample(result) {
      for (const s of sets) s.samples.inc({ result });
    },
    countFieldDropped(endpoint, cost) {
      for (const s of sets) s.dropped.inc({ endpoint, cost });
    },
  };
}
