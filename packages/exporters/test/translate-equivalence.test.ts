import type { TaskMetrics } from '@taskscope/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EmfUnit, emfEvents, translateEmf } from '../src/emf/translate.js';
import { type OtlpState, type OtlpTemporality, translateOtlp } from '../src/otlp/translate.js';
import { translatePrometheus } from '../src/prometheus/translate.js';
import { arbitraryPolls, arbitraryTaskMetrics } from './helpers/arbitrary-task-metrics.js';
import { referenceEmfEvents, referenceTranslateEmf } from './helpers/emf-reference.js';
import { referenceTranslateOtlp } from './helpers/otlp-reference.js';
import { referenceTranslatePrometheus } from './helpers/prometheus-reference.js';
import { appContainer, fargateTask, READ_AT_MS } from './helpers/task-metrics.js';

/*
 * The translators were rewritten for speed (issue #2); their output must not change by a
 * byte. The straightforward implementations they replaced are the specification here.
 */

/** Equal as values and as JSON (which also pins the order of every object's members). */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe('translateOtlp', () => {
  it.each(['cumulative', 'delta'] as const)(
    'matches the reference over arbitrary poll sequences (%s)',
    (temporality: OtlpTemporality) => {
      fc.assert(
        fc.property(arbitraryPolls, fc.integer({ min: 0, max: 2 ** 41 }), (polls: TaskMetrics[], nowMs) => {
          let state: OtlpState | undefined;
          let referenceState: Parameters<typeof referenceTranslateOtlp>[1];
          for (const poll of polls) {
            const actual = translateOtlp(poll, state, { temporality, nowMs });
            const expected = referenceTranslateOtlp(poll, referenceState, { temporality, nowMs });
            expectSame(actual.resourceAttributes, expected.resourceAttributes);
            expectSame(actual.scopeMetrics, expected.scopeMetrics);
            state = actual.state;
            referenceState = expected.state;
          }
        }),
        { numRuns: 200 },
      );
    },
  );

  it('keeps containers apart whose name and id spell the same string (`app` + `1`, `ap` + `p1`)', () => {
    const [first, second] = [
      appContainer({ name: 'app', dockerId: '1' }),
      appContainer({ name: 'ap', dockerId: 'p1' }),
    ];
    const polls = [fargateTask({ containers: [first] }), fargateTask({ containers: [second] })];
    let state: OtlpState | undefined;
    let referenceState: Parameters<typeof referenceTranslateOtlp>[1];
    for (const poll of polls) {
      const options = { temporality: 'cumulative' as const, nowMs: READ_AT_MS };
      const actual = translateOtlp(poll, state, options);
      const expected = referenceTranslateOtlp(poll, referenceState, options);
      expectSame(actual.scopeMetrics, expected.scopeMetrics);
      state = actual.state;
      referenceState = expected.state;
    }
    const last = translateOtlp(
      polls[1]!,
      translateOtlp(polls[0]!, undefined, { temporality: 'delta', nowMs: 0 }).state,
      {
        temporality: 'delta',
        nowMs: 0,
      },
    );
    const cpu = last.scopeMetrics.metrics.find((m) => m.descriptor.name === 'container.cpu.time');
    // A new series: no delta point yet, and the memory points name the new container.
    expect(cpu).toBeUndefined();
    const memory = last.scopeMetrics.metrics.find((m) => m.descriptor.name === 'container.memory.usage')!;
    expect(memory.dataPoints.map((p) => p.attributes)).toEqual([
      { 'container.name': 'ap', 'container.id': 'p1', 'container.image.name': 'prom/prometheus' },
    ]);
  });
});

describe('translatePrometheus', () => {
  it('matches the reference on arbitrary snapshots, with and without task labels', () => {
    fc.assert(
      fc.property(
        fc.option(arbitraryTaskMetrics, { nil: undefined }),
        fc.boolean(),
        (metrics, taskLabels) => {
          expectSame(
            translatePrometheus(metrics, { taskLabels }),
            referenceTranslatePrometheus(metrics, { taskLabels }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('translateEmf', () => {
  it('matches the reference on arbitrary snapshots, with and without container events', () => {
    fc.assert(
      fc.property(arbitraryTaskMetrics, fc.boolean(), (metrics, containerMetrics) => {
        const options = { namespace: 'ECS/Taskscope', containerMetrics };
        expectSame(translateEmf(metrics, options), referenceTranslateEmf(metrics, options));
      }),
      { numRuns: 300 },
    );
  });

  // Long names and values of the characters JSON escapes or UTF-8 widens, so events land on
  // both sides of the 16 KiB line limit and the splitting is exercised, not just the bound.
  // One run's strings may be all 6-byte escapes (`\u0001`, a lone surrogate), where the
  // bound is tight: an optimistic bound would let an oversized line through.
  const charPool = fc.constantFrom(
    ['a', '"', '\\', '\u0001', 'é', '✓', '\u{1F600}', '\ud800'],
    ['\u0001', '\ud800'],
    ['a'],
  );
  const wide = (chars: readonly string[], maxLength: number) =>
    fc.array(fc.constantFrom(...chars), { maxLength, size: 'max' }).map((c) => c.join(''));
  const limitCase = charPool.chain((chars) =>
    fc.record({
      timestampMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
      namespace: wide(chars, 50),
      dimensions: fc.array(fc.array(wide(chars, 50), { maxLength: 3 }), { maxLength: 3 }),
      members: fc.dictionary(
        fc.oneof(fc.constantFrom('Type', 'TaskId'), wide(chars, 20)),
        fc.oneof(wide(chars, 1000), fc.double({ noNaN: true, noDefaultInfinity: true })),
        { maxKeys: 4 },
      ),
      values: fc.array(
        fc.tuple(
          fc.oneof(fc.constant('Metric'), wide(chars, 300)),
          fc.constantFrom<EmfUnit>('None', 'Bytes', 'Percent'),
          fc.oneof(fc.double(), fc.constant(undefined)),
        ),
        { maxLength: 120, size: 'max' },
      ),
    }),
  );

  it('splits events at the same metrics as the reference, near and over the line limit', () => {
    fc.assert(
      fc.property(limitCase, ({ timestampMs, namespace, dimensions, members, values }) => {
        expectSame(
          emfEvents(timestampMs, namespace, dimensions, members, values),
          referenceEmfEvents(timestampMs, namespace, dimensions, members, values),
        );
      }),
      // Shrinking events this size takes minutes: report the first counterexample as found.
      { numRuns: 100, endOnFailure: true },
    );
  });
});
