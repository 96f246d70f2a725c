import { type ContainerHealthMetadata, parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { computeTaskMetrics, containerHealthOf, healthStatusOf } from '../src/index.js';
import { clone, FARGATE, FARGATE_IDS, type Json } from './helpers.js';

/*
 * Container health: the metadata's `Health` (lowercase keys, every key omitempty) mapped into
 * ContainerMetrics.health. No captured payload has a health check, so the cases add one to the
 * Fargate fixture the way the EC2 agent writes it (ecs-agent/tmds/handlers/v2/response.go).
 */

const SINCE = '2025-02-27T05:09:41.51467703Z';
const SINCE_MS = Date.UTC(2025, 1, 27, 5, 9, 41) + 514.67703;

describe('containerHealthOf: each rule', () => {
  test.each<[string, ContainerHealthMetadata | null | undefined, ReturnType<typeof containerHealthOf>]>([
    ['no Health: no health check', undefined, undefined],
    ['Health null: no health check', null, undefined],
    ['{}: the check has not reported yet', {}, { status: 'UNKNOWN' }],
    [
      'HEALTHY with its time',
      { status: 'HEALTHY', statusSince: SINCE },
      { status: 'HEALTHY', sinceMs: SINCE_MS },
    ],
    [
      'UNHEALTHY with the failing exit code',
      { status: 'UNHEALTHY', statusSince: SINCE, exitCode: 1, output: 'curl: (7) Failed to connect' },
      { status: 'UNHEALTHY', sinceMs: SINCE_MS, exitCode: 1 },
    ],
    [
      'a timed-out check exits -1',
      { status: 'UNHEALTHY', exitCode: -1 },
      { status: 'UNHEALTHY', exitCode: -1 },
    ],
    [
      'recovered: the exit code the agent keeps is a past failure, not the last check',
      { status: 'HEALTHY', statusSince: SINCE, exitCode: 1 },
      { status: 'HEALTHY', sinceMs: SINCE_MS },
    ],
    [
      "Docker's own lowercase words",
      { status: 'unhealthy', exitCode: 2 },
      { status: 'UNHEALTHY', exitCode: 2 },
    ],
    ['surrounding blanks', { status: ' healthy\n' }, { status: 'HEALTHY' }],
    ["Docker's starting is UNKNOWN", { status: 'starting', exitCode: 1 }, { status: 'UNKNOWN' }],
    ['a status the endpoint may add later is UNKNOWN', { status: 'DEGRADED' }, { status: 'UNKNOWN' }],
    [
      'UNKNOWN spelled out, with a time (a restarted check)',
      { status: 'UNKNOWN', statusSince: SINCE },
      { status: 'UNKNOWN', sinceMs: SINCE_MS },
    ],
    [
      "Go's zero time is no time",
      { status: 'HEALTHY', statusSince: '0001-01-01T00:00:00Z' },
      { status: 'HEALTHY' },
    ],
    [
      'null keys are absent keys',
      { status: null, statusSince: null, exitCode: null, output: null },
      { status: 'UNKNOWN' },
    ],
    [
      'an exit code that is no integer is dropped',
      { status: 'UNHEALTHY', exitCode: 1.5 },
      { status: 'UNHEALTHY' },
    ],
    [
      'an offset time is read in UTC',
      { status: 'HEALTHY', statusSince: '2025-02-27T06:09:41.51467703+01:00' },
      { status: 'HEALTHY', sinceMs: SINCE_MS },
    ],
  ])('%s', (_rule, health, expected) => {
    expect(containerHealthOf(health)).toEqual(expected);
  });
});

test('healthStatusOf gives one of the three statuses for any text', () => {
  fc.assert(
    fc.property(fc.option(fc.string(), { nil: undefined }), (text) => {
      const status = healthStatusOf(text);
      expect(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']).toContain(status);
      if (status !== 'UNKNOWN') expect(text?.toUpperCase()).toContain(status);
    }),
  );
});

test('property: statusSince keeps its nanoseconds, as sinceMs with the fraction', () => {
  const base = Date.UTC(2000, 0, 1);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 * 365 * 86_400 }),
      fc.integer({ min: 0, max: 999_999_999 }),
      (seconds, nanos) => {
        const whole = new Date(base + seconds * 1000).toISOString().slice(0, 19);
        // Go's RFC3339Nano: trailing zeros trimmed, no fraction on a whole second.
        const fraction = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
        const health = containerHealthOf({ status: 'HEALTHY', statusSince: `${whole}${fraction}Z` });
        const expectedMs = base + seconds * 1000 + nanos / 1e6;
        // Exact to well under a microsecond (a double holds ~15 digits of the epoch ms).
        expect(Math.abs(health!.sinceMs! - expectedMs)).toBeLessThan(1e-3);
        expect(Math.floor(health!.sinceMs!)).toBe(Math.floor(expectedMs));
      },
    ),
  );
});

/** The Fargate fixture with `health` on the running prometheus container (and, when given, the stopped one). */
function pollWithHealth(health: unknown, stoppedHealth?: unknown) {
  const metadata = clone(FARGATE.metadata) as Json;
  for (const container of metadata.Containers) {
    if (container.DockerId === FARGATE_IDS.prometheus) container.Health = health;
    if (container.DockerId === FARGATE_IDS.nonessential && stoppedHealth !== undefined)
      container.Health = stoppedHealth;
  }
  return { metadata: parseTaskMetadata(metadata), stats: parseTaskStats(clone(FARGATE.stats)) };
}

test('computeTaskMetrics fills health on the containers that have a check, stats or not', () => {
  const { metrics, state } = computeTaskMetrics(
    pollWithHealth({ status: 'UNHEALTHY', statusSince: SINCE, exitCode: 137 }, {}),
  );
  const byId = new Map(metrics.containers.map((c) => [c.dockerId, c]));
  expect(byId.get(FARGATE_IDS.prometheus)?.health).toEqual({
    status: 'UNHEALTHY',
    sinceMs: SINCE_MS,
    exitCode: 137,
  });
  expect(byId.get(FARGATE_IDS.prometheus)?.stats).toBeDefined();
  // The stopped container: no stats, identity only, and its check has not reported.
  expect(byId.get(FARGATE_IDS.nonessential)?.health).toEqual({ status: 'UNKNOWN' });
  expect(byId.get(FARGATE_IDS.nonessential)?.stats).toBeUndefined();
  expect(byId.get(FARGATE_IDS.ecsExporter)).not.toHaveProperty('health');

  // The next poll reports the recovery; a health change is no counter reset.
  const next = computeTaskMetrics({
    ...pollWithHealth({ status: 'HEALTHY', statusSince: SINCE, exitCode: 137 }),
    previous: state,
  });
  const prometheus = next.metrics.containers.find((c) => c.dockerId === FARGATE_IDS.prometheus)!;
  expect(prometheus.health).toEqual({ status: 'HEALTHY', sinceMs: SINCE_MS });
  expect(prometheus.reset).toBe(false);
});

test('a Health key wire left out does not stop the others reaching the metrics', () => {
  const { metrics } = computeTaskMetrics(
    pollWithHealth({ status: 'UNHEALTHY', statusSince: 12, exitCode: 1 }),
  );
  const prometheus = metrics.containers.find((c) => c.dockerId === FARGATE_IDS.prometheus)!;
  expect(prometheus.health).toEqual({ status: 'UNHEALTHY', exitCode: 1 });
});

test('property: any Health that wire accepts maps to a status, a real time and an exit code only when unhealthy', () => {
  const valueArb = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom('HEALTHY', 'UNHEALTHY', 'healthy', 'starting', SINCE, '0001-01-01T00:00:00Z', 0, 1, -1),
  );
  const healthArb = fc.record(
    { status: valueArb, statusSince: valueArb, exitCode: valueArb, output: valueArb },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(healthArb, (health) => {
      const { metrics } = computeTaskMetrics(pollWithHealth(health));
      const mapped = metrics.containers.find((c) => c.dockerId === FARGATE_IDS.prometheus)!.health!;
      expect(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']).toContain(mapped.status);
      expect(Object.keys(mapped).every((key) => ['status', 'sinceMs', 'exitCode'].includes(key))).toBe(true);
      if (mapped.exitCode !== undefined) {
        expect(mapped.status).toBe('UNHEALTHY');
        expect(mapped.exitCode).toBe(health.exitCode);
      }
      if (mapped.sinceMs !== undefined) {
        expect(typeof health.statusSince).toBe('string');
        expect(Math.floor(mapped.sinceMs)).toBe(Date.parse(health.statusSince as string));
      }
    }),
  );
});
