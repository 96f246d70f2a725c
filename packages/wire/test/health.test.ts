import { loadFixture } from '@taskscope/fixtures';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  parseContainerMetadata,
  parsePayloadTime,
  parseTaskMetadata,
  type WireFieldIssue,
  WireSchemaError,
} from '../src/index.js';

/*
 * Container `Health` (v2, v3 and v4 alike: agent/handlers/v2/response.go NewContainerResponse
 * fills it for every version when the task definition has a health check). No captured payload
 * in @taskscope/fixtures has a health check, so each case adds one, as the EC2 agent writes it
 * (ecs-agent/tmds/handlers/v2/response.go HealthStatus: lowercase keys, all omitempty), to a
 * real payload of each version. A bad key costs that key only, never the payload.
 */

// biome-ignore lint/suspicious/noExplicitAny: tests corrupt payloads at arbitrary depths on purpose.
type Json = any;

const V2_TASK = 'awsdocs-amazon-ecs-developer-guide/v2-task-metadata.json';
const V3_CONTAINER = 'awsdocs-amazon-ecs-developer-guide/v3-container-metadata.json';
const V4_CONTAINER = 'awsdocs-amazon-ecs-developer-guide/v4-container-metadata.json';
const V4_TASK = 'prometheus-community-ecs_exporter/fargate_task_metadata.json';

/** What the agent sends for an unhealthy container: every key set. */
const UNHEALTHY = {
  status: 'UNHEALTHY',
  statusSince: '2025-02-27T05:09:41.51467703Z',
  exitCode: 1,
  output: 'curl: (22) The requested URL returned error: 502',
};

function fixture(name: string): Json {
  return structuredClone(loadFixture(name).json);
}

/** The payload's parse and every field issue reported. */
function parsed<T>(parse: (payload: unknown, options: object) => T, payload: unknown) {
  const issues: WireFieldIssue[] = [];
  const output = parse(payload, { onFieldIssue: (issue: WireFieldIssue) => issues.push(issue) });
  return { output, issues };
}

test.each([
  ['v2 task', V2_TASK],
  ['v4 task', V4_TASK],
])('%s metadata: a container Health is parsed with every key', (_version, name) => {
  const task = fixture(name);
  task.Containers[1].Health = UNHEALTHY;
  const { output, issues } = parsed(parseTaskMetadata, task);
  expect(output.Containers?.[1]?.Health).toEqual(UNHEALTHY);
  expect(output.Containers?.[0]?.Health).toBeUndefined();
  expect(issues).toEqual([]);
});

test.each([
  ['v3', V3_CONTAINER],
  ['v4', V4_CONTAINER],
])('%s container metadata: Health is parsed with every key', (_version, name) => {
  const container = fixture(name);
  container.Health = UNHEALTHY;
  expect(parseContainerMetadata(container).Health).toEqual(UNHEALTHY);
});

test('the agent sends {} while the status is UNKNOWN, and a key AWS adds is kept', () => {
  const container = fixture(V4_CONTAINER);
  container.Health = {};
  expect(parseContainerMetadata(container).Health).toEqual({});
  container.Health = { status: 'HEALTHY', statusSince: '2025-02-27T05:06:29Z', failingStreak: 0 };
  expect(parseContainerMetadata(container).Health).toEqual(container.Health);
});

test('statusSince keeps its nanoseconds as text, with any offset RFC 3339 allows', () => {
  const container = fixture(V4_CONTAINER);
  for (const since of ['2025-02-27T05:09:41.51467703Z', '2025-02-27T06:09:41.123456789+01:00']) {
    container.Health = { status: 'HEALTHY', statusSince: since };
    const text = parseContainerMetadata(container).Health?.statusSince;
    expect(text).toBe(since);
    expect(parsePayloadTime(text!)).toEqual({
      epochSeconds: Date.UTC(2025, 1, 27, 5, 9, 41) / 1000,
      nanos: since.includes('+') ? 123_456_789 : 514_677_030,
    });
  }
});

describe('a wrong key costs that key only, named in the issues', () => {
  test.each([
    ['status', 7, 'a string'],
    ['status', { text: 'HEALTHY' }, 'a string'],
    ['statusSince', 'yesterday', 'an RFC 3339 timestamp'],
    ['statusSince', '2025-02-30T05:09:41Z', 'an RFC 3339 timestamp'],
    ['statusSince', 1_740_632_981_514, 'a string'],
    ['exitCode', '1', 'a number'],
    ['exitCode', 1.5, 'an integer'],
    ['exitCode', true, 'a number'],
    ['output', ['curl', 'failed'], 'a string'],
  ])('%s = %j: expected %s', (key, value, expected) => {
    const task = fixture(V4_TASK);
    task.Containers[1].Health = { ...UNHEALTHY, [key]: value };
    const { output, issues } = parsed(parseTaskMetadata, task);

    const { [key]: _left, ...rest } = UNHEALTHY as Record<string, unknown>;
    expect(output.Containers?.[1]?.Health).toEqual(rest);
    // The rest of the payload is what it would be without the bad key.
    const clean = fixture(V4_TASK);
    clean.Containers[1].Health = rest;
    expect(output).toEqual(parseTaskMetadata(clean));
    const path = `Containers.1.Health.${key}`;
    expect(issues).toEqual([
      {
        payload: 'task metadata',
        path,
        field: path,
        value,
        expected,
        cost: 'field',
        message: `task metadata: field "${path}" is ${found(value)}; expected ${expected}; left out`,
      },
    ]);
  });

  test.each([['UNHEALTHY'], [[UNHEALTHY]], [3]])('Health = %j is left out whole', (health) => {
    const container = fixture(V3_CONTAINER);
    container.Health = health;
    const { output, issues } = parsed(parseContainerMetadata, container);
    expect(output).not.toHaveProperty('Health');
    expect(output.DockerId).toBe(container.DockerId);
    expect(issues.map((issue) => [issue.path, issue.expected])).toEqual([['Health', 'an object']]);
  });

  test('bad keys in two containers are each reported once, in payload order', () => {
    const task = fixture(V2_TASK);
    task.Containers[0].Health = { status: 'HEALTHY', exitCode: 'zero', output: 5 };
    task.Containers[1].Health = 'sick';
    const { output, issues } = parsed(parseTaskMetadata, task);
    expect(output.Containers?.[0]?.Health).toEqual({ status: 'HEALTHY' });
    expect(output.Containers?.[1]).not.toHaveProperty('Health');
    expect(issues.map((issue) => issue.path)).toEqual([
      'Containers.0.Health.exitCode',
      'Containers.0.Health.output',
      'Containers.1.Health',
    ]);
  });

  test('without onFieldIssue the key is left out silently', () => {
    const container = fixture(V4_CONTAINER);
    container.Health = { status: 'HEALTHY', statusSince: 'soon' };
    expect(parseContainerMetadata(container).Health).toEqual({ status: 'HEALTHY' });
  });

  test('a problem outside Health still fails the payload, and the error names only it', () => {
    const task = fixture(V4_TASK);
    task.Containers[1].Health = { status: 1 };
    delete task.Containers[2].DockerId;
    let error: unknown;
    try {
      parseTaskMetadata(task, { onFieldIssue: () => expect.unreachable('no issue for a failed payload') });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WireSchemaError);
    expect((error as WireSchemaError).message).toBe(
      'task metadata: field "Containers.2.DockerId" is missing; expected a string',
    );
    expect((error as WireSchemaError).problems).toEqual(['Containers.2.DockerId: a string']);
  });

  test('the payload given is not changed', () => {
    const task = fixture(V4_TASK);
    task.Containers[1].Health = { ...UNHEALTHY, exitCode: '1' };
    const before = structuredClone(task);
    parseTaskMetadata(task);
    expect(task).toEqual(before);
  });
});

/** What a JSON value of Health's key may be for the key to be kept (the schema's rules, restated). */
function keeps(key: string, value: unknown): boolean {
  if (value === null) return true;
  switch (key) {
    case 'status':
    case 'output':
      return typeof value === 'string';
    case 'statusSince':
      return typeof value === 'string' && parsePayloadTime(value) !== undefined;
    default:
      return typeof value === 'number' && Number.isInteger(value);
  }
}

test('property: any JSON in any Health key never costs the payload, and costs that key exactly when it is wrong', () => {
  const keyArb = fc.constantFrom('status', 'statusSince', 'exitCode', 'output');
  const valueArb = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('2025-02-27T05:09:41.5Z', '2025-02-27T05:09:41Z', 'HEALTHY', 0, -1, 137),
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  );
  const base = fixture(V4_TASK);
  fc.assert(
    fc.property(fc.dictionary(keyArb, valueArb), (health) => {
      const task = structuredClone(base);
      task.Containers[0].Health = health;
      const { output, issues } = parsed(parseTaskMetadata, task);
      const kept = Object.fromEntries(Object.entries(health).filter(([key, value]) => keeps(key, value)));
      expect(output.Containers?.[0]?.Health).toEqual(kept);
      expect(issues.map((issue) => issue.path).sort()).toEqual(
        Object.keys(health)
          .filter((key) => !(key in kept))
          .map((key) => `Containers.0.Health.${key}`)
          .sort(),
      );
      expect(output.Containers?.[1]).toEqual(parseTaskMetadata(base).Containers?.[1]);
    }),
  );
});

function found(value: unknown): string {
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return `${typeof value === 'number' ? String(value) : JSON.stringify(value)} (${kind})`;
}
