import { diffSnapshot, normalizeSnapshot } from '@taskscope/core';
import { translateEmf, translateOtlp, translatePrometheus } from '@taskscope/exporters';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { compare, fixed, table } from './measure.js';
import { buildTaskPayload } from './task-payload.js';

/*
 * Issue #2: what one poll costs the agent in computation (normalize + diff + the three
 * translators), against what it costs just to JSON.parse the same two response bodies.
 * Goal: compute ≤ 0.5× the parse for a 10-container task. The core package benches
 * normalize + diff alone; translation lives in @taskscope/exporters, which core may not
 * depend on, so the whole pipeline is measured here.
 */

const SIZES = [1, 10, 50] as const;
const GOAL_CONTAINERS = 10;
const GOAL_RATIO = 0.5;

export interface ComputeBenchResult {
  readonly containers: number;
  readonly payloadBytes: number;
  readonly parseMicros: number;
  readonly computeMicros: number;
  readonly stages: Record<string, number>;
  readonly ratio: number;
}

/** Runs the compute benchmark and prints its table; resolves to the figures. */
export function runComputeBench(log: (line: string) => void = console.log): ComputeBenchResult[] {
  const results: ComputeBenchResult[] = [];
  for (const size of SIZES) {
    const before = buildTaskPayload(size, 0);
    const now = buildTaskPayload(size, 1);
    // The previous poll's state, as the agent would hold it when the fresh sample arrives.
    const previous = diffSnapshot(
      normalizeSnapshot(
        parseTaskMetadata(JSON.parse(before.metadataText)),
        parseTaskStats(JSON.parse(before.statsText)),
      ),
      undefined,
    );
    const metadata = parseTaskMetadata(JSON.parse(now.metadataText));
    const stats = parseTaskStats(JSON.parse(now.statsText));
    const snapshot = normalizeSnapshot(metadata, stats);
    const metrics = diffSnapshot(snapshot, previous.state).metrics;
    if (metrics.sample.kind !== 'fresh' || metrics.containers.length !== size) {
      throw new Error(`bench payload is not a fresh ${size}-container sample (got ${metrics.sample.kind})`);
    }
    const otlpBefore = translateOtlp(previous.metrics, undefined, {
      temporality: 'cumulative',
      nowMs: 0,
    }).state;
    const emfOptions = { namespace: 'ECS/Taskscope', containerMetrics: false };

    const timed = compare([
      { name: 'JSON.parse', run: () => [JSON.parse(now.metadataText), JSON.parse(now.statsText)] },
      {
        name: 'compute',
        run: () => {
          const next = diffSnapshot(normalizeSnapshot(metadata, stats), previous.state);
          return [
            translatePrometheus(next.metrics, { taskLabels: false }),
            translateOtlp(next.metrics, otlpBefore, { temporality: 'cumulative', nowMs: 1 }),
            translateEmf(next.metrics, emfOptions),
          ];
        },
      },
      { name: 'normalize', run: () => normalizeSnapshot(metadata, stats) },
      { name: 'diff', run: () => diffSnapshot(snapshot, previous.state) },
      { name: 'prometheus', run: () => translatePrometheus(metrics, { taskLabels: false }) },
      {
        name: 'otlp',
        run: () => translateOtlp(metrics, otlpBefore, { temporality: 'cumulative', nowMs: 1 }),
      },
      { name: 'emf', run: () => translateEmf(metrics, emfOptions) },
      {
        name: 'wire',
        run: () => [
          parseTaskMetadata(JSON.parse(now.metadataText)),
          parseTaskStats(JSON.parse(now.statsText)),
        ],
      },
    ]);
    const us = Object.fromEntries(timed.map((t) => [t.name, t.microsPerOp]));
    results.push({
      containers: size,
      payloadBytes: Buffer.byteLength(now.metadataText) + Buffer.byteLength(now.statsText),
      parseMicros: us['JSON.parse']!,
      computeMicros: us['compute']!,
      stages: {
        normalize: us['normalize']!,
        diff: us['diff']!,
        prometheus: us['prometheus']!,
        otlp: us['otlp']!,
        emf: us['emf']!,
        'parse+validate': us['wire']!,
      },
      ratio: us['compute']! / us['JSON.parse']!,
    });
  }

  log('\nIssue #2: normalize + diff + translate (Prometheus, OTLP, EMF) vs JSON.parse of the same payload');
  log(`Node ${process.version}; CPU µs per poll, median of 15 interleaved batches\n`);
  log(
    table(
      [
        'containers',
        'payload KB',
        'JSON.parse',
        'compute',
        'ratio',
        'normalize',
        'diff',
        'prom',
        'otlp',
        'emf',
        'parse+validate',
      ],
      results.map((r) => [
        String(r.containers),
        fixed(r.payloadBytes / 1024),
        fixed(r.parseMicros),
        fixed(r.computeMicros),
        `${fixed(r.ratio, 2)}×`,
        ...['normalize', 'diff', 'prometheus', 'otlp', 'emf', 'parse+validate'].map((k) =>
          fixed(r.stages[k]!),
        ),
      ]),
    ),
  );
  const goal = results.find((r) => r.containers === GOAL_CONTAINERS)!;
  log(
    `\nGoal (${GOAL_CONTAINERS} containers): compute ≤ ${GOAL_RATIO}× JSON.parse → ${fixed(goal.ratio, 2)}× ` +
      (goal.ratio <= GOAL_RATIO ? 'MET' : 'NOT MET'),
  );
  return results;
}
