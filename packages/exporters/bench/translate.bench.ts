import type { ContainerMetrics, TaskMetrics } from '@taskscope/core';
import { afterAll, bench, describe } from 'vitest';
import { translateEmf } from '../src/emf/translate.js';
import { translateOtlp } from '../src/otlp/translate.js';
import { translatePrometheus } from '../src/prometheus/translate.js';
import { runFixture } from '../test/helpers/core-fixtures.js';
import { referenceTranslateEmf } from '../test/helpers/emf-reference.js';
import { referenceTranslateOtlp } from '../test/helpers/otlp-reference.js';
import { referenceTranslatePrometheus } from '../test/helpers/prometheus-reference.js';

/*
 * Each translator against the implementation it replaced (issue #2; kept in test/helpers as
 * the equivalence tests' specification), on the Fargate fixture through core, its running
 * `prometheus` container cloned to 1, 10 and 50 containers. The poll measured is the second:
 * OTLP has state from the first, as in the agent. `npx vitest bench --run` prints the speed-ups.
 */

function clone(metrics: TaskMetrics, size: number): TaskMetrics {
  const template = metrics.containers.find((c) => c.stats !== undefined)!;
  const containers: ContainerMetrics[] = Array.from({ length: size }, (_, i) => ({
    ...template,
    name: `app-${i}`,
    dockerId: `${template.dockerId.slice(0, 33)}${1_000_000_000 + i}`,
  }));
  return { ...metrics, containers };
}

const [first, second] = runFixture('fargate', ['grow']) as [TaskMetrics, TaskMetrics];
const NAMESPACE = 'ECS/Taskscope';
const CASES = [
  ['OTLP', 'translateOtlp', 'reference translateOtlp'],
  ['Prometheus', 'translatePrometheus', 'reference translatePrometheus'],
  ['EMF', 'translateEmf', 'reference translateEmf'],
] as const;
let sink: unknown;

for (const size of [1, 10, 50]) {
  const before = clone(first, size);
  const metrics = clone(second, size);
  const options = { temporality: 'cumulative' as const, nowMs: 0 };
  const state = translateOtlp(before, undefined, options).state;
  const referenceState = referenceTranslateOtlp(before, undefined, options).state;
  const emfOptions = { namespace: NAMESPACE, containerMetrics: true };
  const cases: Record<string, () => unknown> = {
    translateOtlp: () => translateOtlp(metrics, state, options),
    'reference translateOtlp': () => referenceTranslateOtlp(metrics, referenceState, options),
    translatePrometheus: () => translatePrometheus(metrics, { taskLabels: false }),
    'reference translatePrometheus': () => referenceTranslatePrometheus(metrics, { taskLabels: false }),
    translateEmf: () => translateEmf(metrics, emfOptions),
    'reference translateEmf': () => referenceTranslateEmf(metrics, emfOptions),
  };
  describe(`${size} container${size === 1 ? '' : 's'}`, () => {
    for (const [name, run] of Object.entries(cases)) {
      bench(
        name,
        () => {
          sink = run();
        },
        { time: 300 },
      );
    }
  });
}

interface BenchNode {
  readonly name: string;
  readonly tasks?: readonly BenchNode[];
  readonly result?: { readonly benchmark?: { readonly mean: number } };
}

/** One line per task size: how many times faster each translator is than the one it replaced. */
// biome-ignore lint/correctness/noEmptyPattern: vitest hooks take a fixture object first; only the suite is used.
afterAll(({}, suite) => {
  void sink;
  for (const group of (suite as BenchNode).tasks ?? []) {
    const mean = (name: string) => group.tasks?.find((task) => task.name === name)?.result?.benchmark?.mean;
    const ratios = CASES.map(([label, current, reference]) => {
      const now = mean(current);
      const then = mean(reference);
      return now === undefined || then === undefined
        ? undefined
        : `${label} ${(then / now).toFixed(1)}× (${(now * 1000).toFixed(1)} µs, was ${(then * 1000).toFixed(1)} µs)`;
    });
    if (ratios.every((r) => r !== undefined)) console.log(`${group.name}: ${ratios.join('; ')}`);
  }
});
