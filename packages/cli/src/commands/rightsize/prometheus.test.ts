import { BUILT_IN_PRICES, rightsize, type TaskUsage } from '@taskscope/fargate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RightsizeError } from '../../errors.js';
import {
  familyQueries,
  fromPrometheus,
  MAX_POINTS_PER_SERIES,
  queryShape,
  UNKNOWN_PLATFORM_WARNING,
} from './prometheus.js';

const URL_ = 'http://prometheus.test:9090';
const NOW_MS = Date.parse('2026-12-03T12:00:00.000Z');
const END = NOW_MS / 1000;
const MIB = 1024 * 1024;
const ARN_A = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/aaaa';
const ARN_B = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/bbbb';

/** A matrix series of a task's container: `values(t)` at the last `count` steps of 60 s. */
function series(
  arn: string,
  container: string | undefined,
  count: number,
  value: (i: number) => number | string,
) {
  return {
    metric: {
      job: 'taskscope',
      instance: arn.slice(-4),
      task_arn: arn,
      availability_zone: 'eu-west-1b',
      ...(container === undefined ? {} : { container_name: container }),
    },
    values: Array.from(
      { length: count },
      (_, i) => [END - (count - 1 - i) * 60, String(value(i))] as [number, string],
    ),
  };
}

const ANSWERS: Record<keyof ReturnType<typeof familyQueries>, unknown[]> = {
  cpu: [
    series(ARN_A, 'app', 100, (i) => (i === 50 ? 'NaN' : 0.2 + (i % 10) / 100)),
    series(ARN_A, 'sidecar', 100, () => 0.01),
    series(ARN_B, 'app', 50, (i) => 0.5 + (i % 5) / 100),
  ],
  memory: [
    series(ARN_A, 'app', 100, (i) => (300 + i) * MIB),
    series(ARN_A, 'sidecar', 100, () => 40 * MIB),
    series(ARN_B, 'app', 50, () => 900 * MIB),
  ],
  memoryLimit: [series(ARN_A, 'app', 100, () => 2048 * MIB), series(ARN_B, 'app', 50, () => 2048 * MIB)],
  startTime: [series(ARN_B, 'app', 50, (i) => (i < 30 ? 1_700_000_000 : 1_700_000_500))],
  taskCpu: [series(ARN_A, undefined, 100, () => 1), series(ARN_B, undefined, 50, () => 1)],
  taskMemory: [
    series(ARN_A, undefined, 100, () => 2048 * MIB),
    series(ARN_B, undefined, 50, () => 2048 * MIB),
  ],
};

/** A fetch answering each of the family's queries from `answers`, recording the forms it got. */
function fakePrometheus(answer: (key: keyof typeof ANSWERS) => unknown = (key) => matrix(ANSWERS[key])) {
  const forms: URLSearchParams[] = [];
  const queries = familyQueries('web', 60, 240);
  const fetchFn = (async (url: URL, init: RequestInit) => {
    expect(String(url)).toBe(`${URL_}/api/v1/query_range`);
    const form = new URLSearchParams(String(init.body));
    forms.push(form);
    const key = (Object.keys(queries) as (keyof typeof queries)[]).find(
      (k) => queries[k] === form.get('query'),
    )!;
    const body = answer(key);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200 });
  }) as typeof fetch;
  return { fetchFn, forms };
}

const matrix = (result: unknown[]) => ({ status: 'success', data: { resultType: 'matrix', result } });

const REQUEST = { windowMs: 6 * 3_600_000, scrapeIntervalMs: 60_000, percentile: 95, headroomPercent: 20 };

describe('rightsize --prometheus', () => {
  it('asks query_range for the family’s series with a bounded step, and sizes every task', async () => {
    const { fetchFn, forms } = fakePrometheus();
    const answer = await fromPrometheus(URL_, 'web', REQUEST, BUILT_IN_PRICES, {
      fetch: fetchFn,
      nowMs: NOW_MS,
    });
    expect(forms.map((form) => [form.get('start'), form.get('end'), form.get('step')])).toEqual(
      Array(6).fill([String(END - 6 * 3600), String(END), '60s']),
    );
    expect(answer.prometheus).toEqual({
      url: URL_,
      family: 'web',
      start: END - 6 * 3600,
      end: END,
      stepSeconds: 60,
      rateRangeSeconds: 240,
    });
    // The same numbers, as a task usage written out by hand.
    const atMs = (count: number, i: number) => (END - (count - 1 - i) * 60) * 1000;
    const sample = (
      name: string,
      cpu: number | null,
      memory: number,
      limit: number | null,
      started: number | null,
    ) => ({
      name,
      cpuVcpu: cpu,
      memoryMiB: memory,
      memoryLimitMiB: limit,
      startedAtMs: started,
      restarts: null,
    });
    const expected: TaskUsage[] = [
      {
        task: ARN_A,
        size: { cpuUnits: 1024, memoryMiB: 2048 },
        samples: Array.from({ length: 100 }, (_, i) => ({
          atMs: atMs(100, i),
          containers: [
            sample('app', i === 50 ? null : 0.2 + (i % 10) / 100, 300 + i, 2048, null),
            sample('sidecar', 0.01, 40, null, null),
          ],
        })),
      },
      {
        task: ARN_B,
        size: { cpuUnits: 1024, memoryMiB: 2048 },
        samples: Array.from({ length: 50 }, (_, i) => ({
          atMs: atMs(50, i),
          containers: [
            sample('app', 0.5 + (i % 5) / 100, 900, 2048, (i < 30 ? 1_700_000_000 : 1_700_000_500) * 1000),
          ],
        })),
      },
    ];
    const { prometheus, ...recommendation } = answer;
    const unit = rightsize(expected, {
      ...REQUEST,
      platform: 'linux/x86_64',
      prices: BUILT_IN_PRICES,
      region: 'eu-west-1',
    })!;
    // The CLI adds one warning: Prometheus's series do not say the platform.
    expect({ ...recommendation, warnings: recommendation.warnings.slice(0, -1) }).toEqual(unit);
    expect(recommendation.warnings.at(-1)).toBe(UNKNOWN_PLATFORM_WARNING);
    expect(recommendation).toMatchObject({
      observed: { samples: 150, tasks: 2, memoryPeakMiB: 900 },
      region: 'eu-west-1',
      pricedRegion: 'us-east-1',
    });
    expect(recommendation.warnings).toContain(
      'A restart in the window (app): usage around a restart may not be typical.',
    );
    const arm = await fromPrometheus(URL_, 'web', { ...REQUEST, platform: 'linux/arm64' }, BUILT_IN_PRICES, {
      fetch: fakePrometheus().fetchFn,
      nowMs: NOW_MS,
    });
    expect(arm.warnings.some((w) => w.startsWith('The platform'))).toBe(false);
  });

  it('no data is exit 1 saying why', async () => {
    const none = fakePrometheus(() => matrix([]));
    const error = await fromPrometheus(URL_, 'web', REQUEST, BUILT_IN_PRICES, {
      fetch: none.fetchFn,
      nowMs: NOW_MS,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RightsizeError);
    expect((error as RightsizeError).message).toBe(
      `no data to size on: Prometheus at ${URL_} has no ecs_container_cpu_usage_seconds_total of a task of family web in the last 6h (is the family's agent scraped, and its ecs_task_metadata_info labelled family="web"?)`,
    );
    const memoryOnly = fakePrometheus((key) => matrix(key === 'memory' ? ANSWERS.memory : []));
    const partial = await fromPrometheus(URL_, 'web', REQUEST, BUILT_IN_PRICES, {
      fetch: memoryOnly.fetchFn,
      nowMs: NOW_MS,
    }).catch((e: unknown) => e);
    expect((partial as RightsizeError).message).toBe(
      'no data to size on: the 2 task(s) of family web have no step with both CPU and memory in the last 6h',
    );
  });

  it.each([
    [{ status: 'error', errorType: 'bad_data', error: 'exceeded maximum resolution' }, 'refused rate('],
    ['<html>', "answered 200 with no JSON; is it Prometheus's HTTP API?"],
    [
      { status: 'success', data: { resultType: 'vector', result: [] } },
      'answered something other than a range query\'s matrix (data.resultType: expected "matrix")',
    ],
  ])('an answer that is not a matrix is exit 1 naming it: %j', async (body, words) => {
    const { fetchFn } = fakePrometheus(() => body);
    const error = await fromPrometheus(URL_, 'web', REQUEST, BUILT_IN_PRICES, {
      fetch: fetchFn,
      nowMs: NOW_MS,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RightsizeError);
    expect((error as Error).message).toContain(words);
  });

  it('an unreachable Prometheus is exit 1 with the reason', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9090') });
    }) as typeof fetch;
    const error = await fromPrometheus(URL_, 'web', REQUEST, BUILT_IN_PRICES, {
      fetch: refused,
      nowMs: NOW_MS,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `Prometheus at ${URL_} cannot be reached (connect ECONNREFUSED 127.0.0.1:9090)`,
    );
  });
});

describe('the query shape', () => {
  it('a step per scrape, never more than 11,000 points a series, rate() over 4 scrapes', () => {
    expect(queryShape(7 * 86_400_000, 60_000)).toEqual({ stepSeconds: 60, rateRangeSeconds: 240 });
    expect(queryShape(7 * 86_400_000, 15_000)).toEqual({ stepSeconds: 55, rateRangeSeconds: 60 });
    expect(queryShape(15 * 60_000, 1_000)).toEqual({ stepSeconds: 1, rateRangeSeconds: 4 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 365 * 86_400_000 }),
        fc.integer({ min: 1_000, max: 3_600_000 }),
        (windowMs, scrapeMs) => {
          const { stepSeconds, rateRangeSeconds } = queryShape(windowMs, scrapeMs);
          expect(Math.floor(Math.ceil(windowMs / 1000) / stepSeconds) + 1).toBeLessThanOrEqual(
            MAX_POINTS_PER_SERIES,
          );
          expect(stepSeconds).toBeGreaterThanOrEqual(Math.ceil(scrapeMs / 1000));
          expect(rateRangeSeconds).toBeGreaterThanOrEqual(stepSeconds);
        },
      ),
    );
  });

  it('joins each series to the family by its scrape target', () => {
    expect(familyQueries('web', 60, 240).cpu).toBe(
      'rate(ecs_container_cpu_usage_seconds_total[240s]) * on (job, instance) group_left (task_arn, availability_zone) max by (job, instance, task_arn, availability_zone) (ecs_task_metadata_info{family="web"})',
    );
  });
});
