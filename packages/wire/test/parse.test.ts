import { loadFixture } from '@taskscope/fixtures';
import { TaskscopeError } from '@taskscope/input';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import {
  isEmptyStats,
  parseContainerMetadata,
  parseContainerStats,
  parseTaskMetadata,
  parseTaskStats,
  WIRE_ERROR_CODES,
  WireSchemaError,
} from '../src/index.js';

const FARGATE_STATS = 'prometheus-community-ecs_exporter/fargate_task_stats.json';
const FARGATE_TASK = 'prometheus-community-ecs_exporter/fargate_task_metadata.json';
const RUNNING_ID = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';

// biome-ignore lint/suspicious/noExplicitAny: tests corrupt payloads at arbitrary depths on purpose.
type Json = any;

/** A fresh, mutable copy of a fixture. */
function fixture<T = Record<string, Json>>(name: string): T {
  return structuredClone(loadFixture(name).json) as T;
}

function schemaErrorOf(run: () => unknown): WireSchemaError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WireSchemaError);
    return error as WireSchemaError;
  }
  throw new Error('expected a WireSchemaError, nothing was thrown');
}

test('null, {} and a bare network_rate_stats entry all become null in the task stats map', () => {
  const payload = fixture(FARGATE_STATS);
  payload['empty-object'] = {};
  payload['rate-only'] = { network_rate_stats: { rx_bytes_per_sec: 1.5, tx_bytes_per_sec: 0 } };
  const stats = parseTaskStats(payload);
  expect(stats['bae32def0ab64f06818e8862e58f8d6d-1585788040']).toBeNull();
  expect(stats['empty-object']).toBeNull();
  expect(stats['rate-only']).toBeNull();
  expect(stats[RUNNING_ID]).not.toBeNull();
});

test('single-container stats: null, {} and a bare network_rate_stats are "no sample"', () => {
  expect(parseContainerStats(null)).toBeNull();
  expect(parseContainerStats({})).toBeNull();
  expect(
    parseContainerStats({ network_rate_stats: { rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 } }),
  ).toBeNull();
  expect(isEmptyStats([])).toBe(false);
  expect(isEmptyStats('x')).toBe(false);
  expect(() => parseContainerStats([])).toThrow(WireSchemaError);
});

test('unknown fields survive at every level, including new AWS fields', () => {
  const payload = fixture(FARGATE_STATS);
  const entry = payload[RUNNING_ID];
  entry.some_future_field = { nested: [1, 2] };
  entry.cpu_stats.cpu_usage.future_counter = 7;
  entry.memory_stats.stats.future_key = 9;
  entry.networks.eth1.endpoint_id = 'abc';
  const parsed = parseTaskStats(payload)[RUNNING_ID] as Record<string, Json>;
  expect(parsed['some_future_field']).toEqual({ nested: [1, 2] });
  expect(parsed['cpu_stats'].cpu_usage.future_counter).toBe(7);
  expect(parsed['memory_stats'].stats.future_key).toBe(9);
  expect(parsed['networks'].eth1.endpoint_id).toBe('abc');

  const task = fixture(FARGATE_TASK);
  task.AvailabilityZoneID = 'use1-az1';
  task.Containers[0].FutureField = true;
  const parsedTask = parseTaskMetadata(task) as Record<string, Json>;
  expect(parsedTask['AvailabilityZoneID']).toBe('use1-az1');
  expect(parsedTask['Containers'][0].FutureField).toBe(true);
  expect(parsedTask['ClockDrift']).toEqual(task.ClockDrift);
});

test('stats are checked, not copied: each entry is the payload object itself, byte for byte', () => {
  const payload = fixture(FARGATE_STATS);
  const text = JSON.stringify(payload);
  const parsed = parseTaskStats(payload);
  for (const [dockerId, entry] of Object.entries(payload)) {
    if (entry === null) expect(parsed[dockerId]).toBeNull();
    else expect(parsed[dockerId]).toBe(entry);
  }
  expect(JSON.stringify(parsed)).toBe(text);
  const one = payload[RUNNING_ID];
  expect(parseContainerStats(one)).toBe(one);
  // A failing payload is still reported through valibot's issues.
  one.memory_stats.stats.cache = 'lots';
  expect(() => parseContainerStats(one)).toThrow('memory_stats.stats.cache');
});

test.each(['SNAPSHOTTER_SELECTED', 'NONE', 'MANIFEST_PULLED', 'SOME_STATE_AWS_ADDS_NEXT_YEAR'])(
  'task and container state %s is accepted as is',
  (state) => {
    const task = fixture(FARGATE_TASK);
    task.KnownStatus = state;
    task.Containers[1].KnownStatus = state;
    const parsed = parseTaskMetadata(task);
    expect(parsed.KnownStatus).toBe(state);
    expect(parsed.Containers?.[1]?.KnownStatus).toBe(state);
  },
);

test('null blkio lists, null blkio_stats and a missing precpu_stats parse', () => {
  const payload = fixture(FARGATE_STATS);
  const entry = payload[RUNNING_ID];
  for (const key of Object.keys(entry.blkio_stats)) entry.blkio_stats[key] = null;
  expect(parseTaskStats(payload)[RUNNING_ID]?.blkio_stats?.io_service_bytes_recursive).toBeNull();
  entry.blkio_stats = null;
  delete entry.precpu_stats;
  const parsed = parseTaskStats(payload)[RUNNING_ID]!;
  expect(parsed.blkio_stats).toBeNull();
  expect(parsed.precpu_stats).toBeUndefined();
});

test('limits of 2^63 − 4096, 2^64 − 1 and the float-mangled 2^63 parse as plain numbers', () => {
  const text = loadFixture(FARGATE_STATS).text;
  for (const literal of ['9223372036854771712', '18446744073709551615', '9223372036854772000']) {
    const payload = JSON.parse(text.replaceAll('9223372036854771712', literal));
    const limit = parseTaskStats(payload)[RUNNING_ID]?.memory_stats?.limit;
    expect(limit).toBe(Number(literal));
    expect(limit).toBeGreaterThan(2 ** 53);
  }
});

test('a missing stats counter names the DockerId and the exact path', () => {
  const payload = fixture(FARGATE_STATS);
  delete payload[RUNNING_ID].cpu_stats.cpu_usage.total_usage;
  const error = schemaErrorOf(() => parseTaskStats(payload));
  expect(error.message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is missing; expected a number`,
  );
  expect(error.code).toBe('TMDS_SCHEMA');
  expect(error.path).toBe(`${RUNNING_ID}.cpu_stats.cpu_usage.total_usage`);
  expect(error.value).toBeUndefined();
  expect(error.expected).toBe('a number');
  expect(error.problems).toEqual([`${RUNNING_ID}.cpu_stats.cpu_usage.total_usage: a number`]);
  expect(error.payload).toBe('task stats');
});

test('a missing TaskARN and a container without DockerId are named by path', () => {
  const task = fixture(FARGATE_TASK);
  delete task.TaskARN;
  expect(schemaErrorOf(() => parseTaskMetadata(task)).message).toBe(
    'task metadata: field "TaskARN" is missing; expected a string',
  );
  const other = fixture(FARGATE_TASK);
  delete other.Containers[2].DockerId;
  const error = schemaErrorOf(() => parseTaskMetadata(other));
  expect(error.message).toBe('task metadata: field "Containers.2.DockerId" is missing; expected a string');
  expect(error.path).toBe('Containers.2.DockerId');
});

test('a wrong type names the value, its kind and the expected kind; every problem is listed', () => {
  const payload = fixture(FARGATE_STATS);
  payload[RUNNING_ID].cpu_stats.cpu_usage.total_usage = '932439492';
  payload[RUNNING_ID].read = 17;
  const error = schemaErrorOf(() => parseTaskStats(payload));
  expect(error.message).toBe(`task stats: field "${RUNNING_ID}.read" is 17 (number); expected a string`);
  expect(error.problems).toEqual([
    `${RUNNING_ID}.read: a string`,
    `${RUNNING_ID}.cpu_stats.cpu_usage.total_usage: a number`,
  ]);

  const task = fixture(FARGATE_TASK);
  task.Revision = true;
  expect(schemaErrorOf(() => parseTaskMetadata(task)).message).toBe(
    'task metadata: field "Revision" is true (boolean); expected a string or a number',
  );
  task.Revision = 9;
  expect(parseTaskMetadata(task).Revision).toBe('9');

  const container = fixture('awsdocs-amazon-ecs-developer-guide/v4-container-metadata.json');
  container.Networks = { NetworkMode: 'awsvpc' };
  expect(schemaErrorOf(() => parseContainerMetadata(container)).message).toBe(
    'container metadata: field "Networks" is {"NetworkMode":"awsvpc"} (object); expected an array',
  );
});

test('long values are shortened in the message, and Infinity (from 1e999) is named as not finite', () => {
  const payload = fixture(FARGATE_STATS);
  payload[RUNNING_ID].cpu_stats.cpu_usage.total_usage = 'x'.repeat(100);
  expect(schemaErrorOf(() => parseTaskStats(payload)).message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is "${'x'.repeat(56)}... (string); expected a number`,
  );
  const overflowed = JSON.parse(loadFixture(FARGATE_STATS).text.replace('932439492', '1e999'));
  expect(schemaErrorOf(() => parseTaskStats(overflowed)).message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is Infinity (number); expected a finite number`,
  );
});

test('a root of the wrong kind is named as "the payload"', () => {
  expect(schemaErrorOf(() => parseTaskStats([])).message).toBe(
    'task stats: the payload is [] (array); expected an object mapping DockerId to stats',
  );
  expect(schemaErrorOf(() => parseTaskStats(null)).message).toBe(
    'task stats: the payload is null (null); expected an object mapping DockerId to stats',
  );
  expect(schemaErrorOf(() => parseTaskMetadata('Unable to get task arn')).message).toBe(
    'task metadata: the payload is "Unable to get task arn" (string); expected an object',
  );
  expect(schemaErrorOf(() => parseContainerMetadata(null)).path).toBe('');
});

test('a DockerId key named __proto__ stays an entry of the map', () => {
  const payload = JSON.parse(
    `{"__proto__": null, "abc": ${JSON.stringify(fixture(FARGATE_STATS)[RUNNING_ID])}}`,
  );
  const stats = parseTaskStats(payload);
  expect(Object.keys(stats)).toEqual(['__proto__', 'abc']);
  expect(Object.getPrototypeOf(stats)).toBe(Object.prototype);
  expect(stats['abc']?.cpu_stats.cpu_usage.total_usage).toBe(932439492);
});

const PARSERS = [parseTaskMetadata, parseContainerMetadata, parseTaskStats, parseContainerStats];

function onlySchemaErrors(payload: unknown): void {
  for (const parse of PARSERS) {
    try {
      parse(payload);
    } catch (error) {
      if (!(error instanceof WireSchemaError)) throw error;
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.problems.length).toBeGreaterThan(0);
    }
  }
}

test('property: on arbitrary JSON, the parsers return or throw a WireSchemaError, nothing else', () => {
  fc.assert(fc.property(fc.jsonValue(), onlySchemaErrors), { numRuns: 500 });
});

test('property: arbitrary corruption of a real payload gives a WireSchemaError whose path exists', () => {
  const base = fixture(FARGATE_STATS);
  const leafPaths: string[][] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
    } else leafPaths.push(path);
  };
  walk(base, []);
  fc.assert(
    fc.property(fc.constantFrom(...leafPaths), fc.jsonValue(), (path, value) => {
      const payload = structuredClone(base);
      let node = payload as Record<string, Json>;
      for (const key of path.slice(0, -1)) node = node[key];
      node[path.at(-1)!] = value;
      try {
        parseTaskStats(payload);
      } catch (error) {
        expect(error).toBeInstanceOf(WireSchemaError);
        // The reported path is the corrupted leaf or an ancestor of it.
        expect(path.join('.').startsWith((error as WireSchemaError).path)).toBe(true);
      }
    }),
    { numRuns: 500 },
  );
});

test('an array where an object belongs is named once, at the array', () => {
  const empty = schemaErrorOf(() => parseTaskMetadata([]));
  expect(empty.message).toBe('task metadata: the payload is [] (array); expected an object');
  expect(empty.problems).toEqual([': an object']);
  const payload = fixture(FARGATE_STATS);
  payload[RUNNING_ID].cpu_stats = [];
  expect(schemaErrorOf(() => parseTaskStats(payload)).message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats" is [] (array); expected an object`,
  );
});

test('a numeric Revision that overflowed to Infinity is named as not finite', () => {
  const task = fixture(FARGATE_TASK);
  task.Revision = Number.POSITIVE_INFINITY;
  expect(schemaErrorOf(() => parseTaskMetadata(task)).message).toBe(
    'task metadata: field "Revision" is Infinity (number); expected a finite number',
  );
});

test('lists core never reads are checked to be lists; their entries pass through untouched', () => {
  const payload = fixture(FARGATE_STATS);
  const entry = payload[RUNNING_ID];
  entry.cpu_stats.cpu_usage.percpu_usage = [1, 'odd', null];
  entry.blkio_stats.io_serviced_recursive = [{ op: 7 }];
  entry.memory_stats.stats.pgfault = 'not read by anyone';
  const parsed = parseTaskStats(payload)[RUNNING_ID]!;
  expect(parsed.cpu_stats.cpu_usage.percpu_usage).toEqual([1, 'odd', null]);
  expect(parsed.blkio_stats?.io_serviced_recursive).toEqual([{ op: 7 }]);
  expect(parsed.memory_stats?.stats?.['pgfault']).toBe('not read by anyone');

  entry.blkio_stats.io_serviced_recursive = { op: 7 };
  expect(schemaErrorOf(() => parseTaskStats(payload)).message).toBe(
    `task stats: field "${RUNNING_ID}.blkio_stats.io_serviced_recursive" is {"op":7} (object); expected an array`,
  );
});

test('the fields core reads stay strict: memory keys, blkio ops and interface counters', () => {
  const cases: [(entry: Json) => void, string, string][] = [
    [
      (entry) => (entry.memory_stats.stats.total_inactive_file = '1'),
      'memory_stats.stats.total_inactive_file',
      '"1" (string); expected a number',
    ],
    [
      (entry) => (entry.blkio_stats.io_service_bytes_recursive[3].op = 3),
      'blkio_stats.io_service_bytes_recursive.3.op',
      '3 (number); expected a string',
    ],
    [
      (entry) => delete entry.blkio_stats.io_service_bytes_recursive[0].op,
      'blkio_stats.io_service_bytes_recursive.0.op',
      'missing; expected a string',
    ],
    [
      (entry) => (entry.networks.eth1.rx_bytes = true),
      'networks.eth1.rx_bytes',
      'true (boolean); expected a number',
    ],
    [
      (entry) => (entry.precpu_stats.cpu_usage.total_usage = 'x'),
      'precpu_stats.cpu_usage.total_usage',
      '"x" (string); expected a number',
    ],
  ];
  for (const [corrupt, path, found] of cases) {
    const payload = fixture(FARGATE_STATS);
    corrupt(payload[RUNNING_ID]);
    expect(schemaErrorOf(() => parseTaskStats(payload)).message).toBe(
      `task stats: field "${RUNNING_ID}.${path}" is ${found}`,
    );
  }
});

test('a WireSchemaError is a TaskscopeError from the world (exit 1), naming the payload it parsed', () => {
  const error = schemaErrorOf(() => parseTaskMetadata([]));
  expect(error).toBeInstanceOf(TaskscopeError);
  expect(error.origin).toBe('world');
  expect(error.exitCode).toBe(1);
  expect(error.payload).toBe('task metadata');
  expect(schemaErrorOf(() => parseContainerStats([])).payload).toBe('container stats');
  expect(schemaErrorOf(() => parseContainerMetadata(null)).payload).toBe('container metadata');
  expect(WIRE_ERROR_CODES).toEqual(['TMDS_SCHEMA']);
});
