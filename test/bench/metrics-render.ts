import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { AGENT_NODE_OPTIONS, AGENT_V8_FLAGS } from '@taskscope/cli';
import { computeTaskMetrics } from '@taskscope/core';
import { createPrometheusEndpoint } from '@taskscope/exporters';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import { fixed, table } from './measure.js';
import { startChild } from './proc.js';
import { buildTaskPayload } from './task-payload.js';

/*
 * Issue #15's `/metrics` render time for 10 containers: one scrape's exposition of fargate-10
 * sized metrics, with the process metrics on as in the agent, against JSON.parse of the same
 * task's stats payload (the baseline every poll pays). Measured in a child started with the
 * image's node options that sets the agent's V8 flags on itself, as the agent does: a
 * scrape's cost depends on the compilers. Batches alternate, median of 15, CPU time.
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CONTAINERS = 10;
const BATCHES = 15;
const PER_BATCH = 20;

interface RenderFigures {
  readonly renderMicros: number;
  readonly parseMicros: number;
  readonly bodyBytes: number;
  readonly series: number;
}

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function measureInChild(): Promise<RenderFigures> {
  for (const flag of AGENT_V8_FLAGS) setFlagsFromString(flag);
  const first = buildTaskPayload(CONTAINERS, 0);
  const second = buildTaskPayload(CONTAINERS, 1);
  const metadata = parseTaskMetadata(JSON.parse(first.metadataText));
  const before = computeTaskMetrics({ metadata, stats: parseTaskStats(JSON.parse(first.statsText)) });
  const { metrics } = computeTaskMetrics({
    metadata,
    stats: parseTaskStats(JSON.parse(second.statsText)),
    previous: before.state,
  });
  const endpoint = createPrometheusEndpoint({
    getSnapshot: () => metrics,
    getCost: () => ({ dollarsPerHour: 0.1975, estimatedDollarsSoFar: 0.42 }),
    processMetrics: true,
  });
  let body = '';
  for (let i = 0; i < 3 * PER_BATCH; i++) body = (await endpoint.scrape()).body;
  let sink: unknown;
  for (let i = 0; i < 3 * PER_BATCH; i++) sink = JSON.parse(second.statsText);
  const render: number[] = [];
  const parse: number[] = [];
  for (let batch = 0; batch < BATCHES; batch++) {
    let started = cpuMicros();
    for (let i = 0; i < PER_BATCH; i++) body = (await endpoint.scrape()).body;
    render.push((cpuMicros() - started) / PER_BATCH);
    started = cpuMicros();
    for (let i = 0; i < PER_BATCH; i++) sink = JSON.parse(second.statsText);
    parse.push((cpuMicros() - started) / PER_BATCH);
  }
  void sink;
  return {
    renderMicros: median(render),
    parseMicros: median(parse),
    bodyBytes: Buffer.byteLength(body),
    series: body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
  };
}

/** Prints the render figure (about 10 s). */
export async function runMetricsRenderBench(log: (line: string) => void = console.log): Promise<void> {
  const child = startChild('metrics render', [...AGENT_NODE_OPTIONS, `${HERE}metrics-render.js`, 'child']);
  try {
    const figures = JSON.parse((await child.waitForLine(/^\{.*\}$/, 120_000))[0]) as RenderFigures;
    log(
      `\nIssue #15: one /metrics render of ${CONTAINERS} containers (text format, process metrics on), in a child with the agent's node options and V8 flags; CPU µs, median of ${BATCHES} alternating batches`,
    );
    log(
      table(
        ['figure', 'value'],
        [
          [
            `render (${figures.series} series, ${fixed(figures.bodyBytes / 1024, 1)} KiB)`,
            `${fixed(figures.renderMicros, 0)} µs`,
          ],
          ['JSON.parse of the same task stats payload', `${fixed(figures.parseMicros, 0)} µs`],
          ['render / JSON.parse', `${fixed(figures.renderMicros / figures.parseMicros, 2)}×`],
        ],
      ),
    );
  } finally {
    await child.stop();
  }
}

if (process.argv[2] === 'child') {
  process.stdout.write(`${JSON.stringify(await measureInChild())}\n`);
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 60_000);
}
