import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentConfigError, readAgentConfig } from '@taskscope/agent';
import { computeTaskMetrics } from '@taskscope/core';
import { createPrometheusEndpoint, translateEmf } from '@taskscope/exporters';
import { validateTaskDefinition } from '@taskscope/fargate';
import { loadFixture, loadTaskDefinition, TASK_DEFINITIONS_DIR } from '@taskscope/fixtures';
import { InputError, isTaskscopeError } from '@taskscope/input';
import {
  formatRecordingHeader,
  formatRecordingLine,
  parseRecording,
  parseScenarioText,
} from '@taskscope/mock';
import { emfProblems, promtoolCheckMetrics, REPO_ROOT } from '@taskscope/test-support';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/*
 * Issue #15, fuzz: fast-check mutations of the real inputs each parser meets (task definitions
 * AWS publishes, a scenario, a recording of a real payload, the agent's variables, real stats
 * payloads). One mutation each run: a value anywhere in the document replaced by any JSON
 * value, a key deleted or one added. What must hold: nothing throws out of a parser but its
 * InputError (origin input, exit 2), whose message is one line per problem, each in the one
 * shape `<field> is <value (kind)>; expected <allowed>`; and a payload that still parses gives
 * a Prometheus exposition promtool accepts and EMF lines that validate.
 */

// biome-ignore lint/suspicious/noExplicitAny: documents are walked as raw JSON.
type Json = any;

interface Mutation {
  readonly at: number;
  readonly action: 'replace' | 'delete' | 'add';
  readonly value: Json;
  readonly key: string;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  action: fc.constantFrom('replace', 'delete', 'add'),
  value: fc.jsonValue({ maxDepth: 2 }),
  key: fc.string({ maxLength: 12 }),
});

/** Every object and array in `document` with each key of it: the places a mutation can hit. */
function placesOf(document: Json): Array<{ parent: Json; key: string | number }> {
  const places: Array<{ parent: Json; key: string | number }> = [];
  const walk = (node: Json) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(node)) {
      places.push({ parent: node, key });
      walk(node[key]);
    }
  };
  walk(document);
  return places;
}

/** A deep copy of `document` with one mutation applied. */
function mutate(document: Json, mutation: Mutation): Json {
  const copy = structuredClone(document);
  const places = placesOf(copy);
  if (places.length === 0) return mutation.value;
  const { parent, key } = places[mutation.at % places.length]!;
  if (mutation.action === 'replace') parent[key] = mutation.value;
  else if (mutation.action === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (Array.isArray(parent)) parent.push(mutation.value);
  else parent[mutation.key] = mutation.value;
  return copy;
}

/** One problem as InputError words it: no line break inside, the one shape. */
const PROBLEM_LINE = /^(?:field "[^\n]*"|the document|[^\n]+) is [^\n]+; expected [^\n]+$/;

/** An error a parser may throw for bad input: an InputError whose every problem is one well-formed line. */
function expectInputError(error: unknown, source: string): void {
  expect(isTaskscopeError(error), String(error)).toBe(true);
  expect(error).toBeInstanceOf(InputError);
  const input = error as InputError;
  expect(input.origin).toBe('input');
  expect(input.exitCode).toBe(2);
  expect(input.problems.length).toBeGreaterThan(0);
  const lines = input.message.split('\n');
  if (input.problems.length === 1) {
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`${source}: `), lines[0]).toBe(true);
  } else {
    expect(lines).toHaveLength(input.problems.length + 1);
    for (const line of lines.slice(1)) expect(line.trim(), line).toMatch(PROBLEM_LINE);
  }
}

function taskDefinitionFiles(): string[] {
  const found: string[] = [];
  for (const dir of readdirSync(TASK_DEFINITIONS_DIR, { withFileTypes: true }))
    if (dir.isDirectory())
      for (const file of readdirSync(join(TASK_DEFINITIONS_DIR, dir.name)))
        if (file.endsWith('.json')) found.push(`${dir.name}/${file}`);
  return found;
}

describe('fuzzed task definitions (the real ones AWS publishes, and docker/examples)', () => {
  const documents: Json[] = [
    ...taskDefinitionFiles().map((name) => loadTaskDefinition(name).json),
    ...['fargate-task-definition.json', 'ec2-task-definition.json'].map((name) =>
      JSON.parse(readFileSync(join(REPO_ROOT, 'docker/examples', name), 'utf8')),
    ),
  ];

  it('validate never throws and words every problem on one line, naming field, value and rule', () => {
    expect(documents.length).toBeGreaterThanOrEqual(7);
    fc.assert(
      fc.property(fc.nat(), mutationArbitrary, (pick, mutation) => {
        const problems = validateTaskDefinition(mutate(documents[pick % documents.length], mutation));
        expect(Array.isArray(problems)).toBe(true);
        for (const problem of problems) {
          expect(typeof problem.field).toBe('string');
          expect(typeof problem.rule).toBe('string');
          expect(problem.allowed).toMatch(/\S/);
          expect(problem.allowed).not.toContain('\n');
        }
      }),
      { numRuns: 400 },
    );
  });
});

const SCENARIO: Json = {
  task: {
    cluster: 'prod',
    family: 'web',
    revision: 3,
    region: 'us-east-1',
    accountId: '123456789012',
    launchType: 'FARGATE',
    cpu: 0.5,
    memory: 1024,
  },
  containers: [
    { name: 'app', image: 'nginx:1.27', events: [{ at: '30s', action: 'restart' }] },
    { name: 'worker', image: 'worker:2', events: [{ at: '1m', action: 'stop', exitCode: 1 }] },
  ],
};

describe('fuzzed scenario files', () => {
  it('parse or fail with one InputError, one line per problem', () => {
    // The unmutated document is a valid scenario: the mutations start from something real.
    expect(parseScenarioText(JSON.stringify(SCENARIO), 'json', 'fuzz.json').containers).toHaveLength(2);
    fc.assert(
      fc.property(mutationArbitrary, (mutation) => {
        try {
          parseScenarioText(JSON.stringify(mutate(SCENARIO, mutation)), 'json', 'fuzz.json');
        } catch (error) {
          expectInputError(error, 'scenario fuzz.json');
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('fuzzed recordings', () => {
  const stats = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').text;
  const metadata = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json').text;
  const header = JSON.parse(formatRecordingHeader('v4', new Date(Date.UTC(2026, 11, 4))));
  const lines = [
    JSON.parse(formatRecordingLine({ offsetMs: 0, path: '/task', status: 200, text: metadata })),
    JSON.parse(formatRecordingLine({ offsetMs: 5, path: '/task/stats', status: 200, text: stats })),
  ];
  const text = (documents: Json[]) => documents.map((d) => JSON.stringify(d)).join('\n');

  it('parse or fail with one InputError naming the line, one line per problem', () => {
    expect(() => parseRecording(text([header, ...lines]), 'fuzz.jsonl')).not.toThrow();
    fc.assert(
      fc.property(fc.nat(2), mutationArbitrary, (which, mutation) => {
        const documents = [header, ...lines];
        documents[which] = mutate(documents[which], mutation);
        try {
          parseRecording(text(documents), 'fuzz.jsonl');
        } catch (error) {
          expect(isTaskscopeError(error), String(error)).toBe(true);
          expect((error as InputError).origin).toBe('input');
          // The recording's errors name the file and the line.
          expect((error as Error).message.split('\n')[0]).toMatch(/fuzz\.jsonl/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fuzzed agent variables', () => {
  const NAMES = [
    'TASKSCOPE_LISTEN',
    'TASKSCOPE_INTERVAL',
    'TASKSCOPE_EXPORTERS',
    'TASKSCOPE_HISTORY',
    'TASKSCOPE_REQUEST_TIMEOUT',
    'TASKSCOPE_LOG_LEVEL',
    'TASKSCOPE_EMF_NAMESPACE',
    'TASKSCOPE_TASK_LABELS',
    'OTEL_METRIC_EXPORT_INTERVAL',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
  ];

  it('read or fail with one AgentConfigError naming each variable', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...NAMES),
          fc.oneof(
            fc.string({ maxLength: 16 }),
            fc.constantFrom('1s', '0', 'auto', '127.0.0.1:0', 'prometheus,emf', '-5m', 'true', 'yes'),
          ),
        ),
        (env) => {
          try {
            readAgentConfig({ flags: { metadataUrl: 'http://127.0.0.1:1/v4/x' }, env: { ...env } });
          } catch (error) {
            expect(error).toBeInstanceOf(AgentConfigError);
            const problems = (error as InputError).problems;
            expect(problems.length).toBeGreaterThan(0);
            // Every problem names a variable that was set (the flags given are good).
            for (const problem of problems) expect(Object.keys(env)).toContain(problem.field);
            for (const line of (error as Error).message.split('\n')) expect(line).not.toBe('');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('fuzzed stats payloads through the exporters', () => {
  const metadata = parseTaskMetadata(
    loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json').json,
  );
  const first = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').json as Json;
  /** The second sample: every `read` 10 s later and each counter moved, so rates exist. */
  const second = JSON.parse(
    JSON.stringify(first).replace(/"read":"([^"]+)"/g, (_, read: string) => {
      const moved = new Date(Date.parse(read) + 10_000).toISOString();
      return `"read":"${moved}"`;
    }),
  );
  const previous = computeTaskMetrics({ metadata, stats: parseTaskStats(first) }).state;

  it('every exposition passes promtool, every EMF line validates, no value is NaN or infinite', async () => {
    await fc.assert(
      fc.asyncProperty(mutationArbitrary, async (mutation) => {
        let stats: ReturnType<typeof parseTaskStats>;
        try {
          stats = parseTaskStats(mutate(second, mutation));
        } catch (error) {
          // Only a document that is not a map of stats entries fails the parse.
          expect(isTaskscopeError(error), String(error)).toBe(true);
          return;
        }
        const { metrics } = computeTaskMetrics({ metadata, stats, previous });
        const endpoint = createPrometheusEndpoint({ getSnapshot: () => metrics, processMetrics: false });
        const exposition = (await endpoint.scrape()).body;
        for (const line of exposition.split('\n'))
          if (line !== '' && !line.startsWith('#')) expect(line, line).toMatch(/ -?\d[\d.e+-]*$/);
        const check = await promtoolCheckMetrics(exposition);
        expect(check.exitCode, check.output).toBe(0);
        for (const event of translateEmf(metrics, { namespace: 'ECS/Fuzz', containerMetrics: true })) {
          const line = JSON.stringify(event);
          expect(emfProblems(line), line).toEqual([]);
        }
      }),
      // Each run spawns promtool: enough runs to hit every part of the payload, not thousands.
      { numRuns: 40 },
    );
  }, 120_000);
});
