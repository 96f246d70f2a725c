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
  type WireFieldIssue,
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

/** The task stats map parsed, with every part it left out. */
function leniently(payload: unknown) {
  const issues: WireFieldIssue[] = [];
  const stats = parseTaskStats(payload, { onFieldIssue: (issue) => issues.push(issue) });
  return { stats, issues };
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
  // A failing payload is still described through valibot's issues, and only then copied.
  one.memory_stats.stats.cache = 'lots';
  const issues: WireFieldIssue[] = [];
  const degraded = parseContainerStats(one, { onFieldIssue: (issue) => issues.push(issue) });
  expect(issues.map((issue) => issue.message)).toEqual([
    'container stats: field "memory_stats.stats.cache" is "lots" (string); expected a number; left out',
  ]);
  expect(degraded).not.toBe(one);
  expect(degraded?.memory_stats?.stats).not.toHaveProperty('cache');
  expect(one.memory_stats.stats.cache).toBe('lots');
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

test("a missing total_usage costs that container's sample, named by DockerId and exact path", () => {
  const payload = fixture(FARGATE_STATS);
  const other = Object.keys(payload).find((id) => id !== RUNNING_ID && payload[id] !== null)!;
  delete payload[RUNNING_ID].cpu_stats.cpu_usage.total_usage;
  const { stats, issues } = leniently(payload);
  expect(stats[RUNNING_ID]).toBeNull();
  // The other running container keeps its sample, untouched.
  expect(stats[other]).toBe(payload[other]);
  const path = `${RUNNING_ID}.cpu_stats.cpu_usage.total_usage`;
  expect(issues).toEqual([
    {
      payload: 'task stats',
      path,
      field: path,
      value: undefined,
      expected: 'a number',
      cost: 'sample',
      message: `task stats: field "${path}" is missing; expected a number; the container's sample left out`,
    },
  ]);
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
  const { stats, issues } = leniently(payload);
  expect(stats[RUNNING_ID]).toBeNull();
  expect(issues.map((issue) => issue.message)).toEqual([
    `task stats: field "${RUNNING_ID}.read" is 17 (number); expected a string; the container's sample left out`,
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is "932439492" (string); expected a number; the container's sample left out`,
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
  expect(leniently(payload).issues[0]?.message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is "${'x'.repeat(56)}... (string); expected a number; the container's sample left out`,
  );
  const overflowed = JSON.parse(loadFixture(FARGATE_STATS).text.replace('932439492', '1e999'));
  expect(leniently(overflowed).issues[0]?.message).toBe(
    `task stats: field "${RUNNING_ID}.cpu_stats.cpu_usage.total_usage" is Infinity (number); expected a finite number; the container's sample left out`,
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

test('property: corrupting any value inside a real entry never fails the payload, and costs at most that value', () => {
  const base = fixture(FARGATE_STATS);
  const paths: string[][] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (path.length > 1) paths.push(path);
    if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, [...path, key]);
    }
  };
  walk(base, []);
  fc.assert(
    fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
      const payload = structuredClone(base);
      let node = payload as Record<string, Json>;
      for (const key of path.slice(0, -1)) node = node[key];
      node[path.at(-1)!] = value;
      const { stats, issues } = leniently(payload);
      const corrupted = path.join('.');
      for (const issue of issues) {
        // The bad field is the corrupted value or inside it, or (an array or object where a
        // value was) the corrupted one's parent object seen whole.
        expect(`${corrupted}.`.startsWith(`${issue.path}.`) || issue.path.startsWith(`${corrupted}.`)).toBe(
          true,
        );
      }
      // Every other container is kept as it was, the same object.
      for (const id of Object.keys(base)) {
        if (id !== path[0]) expect(stats[id]).toBe(payload[id]);
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
  expect(leniently(payload).issues.map((issue) => issue.message)).toEqual([
    `task stats: field "${RUNNING_ID}.cpu_stats" is [] (array); expected an object; the container's sample left out`,
  ]);
  // An entry that is an array is no stats entry at all: that is the payload's error.
  const arrayEntry = fixture(FARGATE_STATS);
  arrayEntry[RUNNING_ID] = [];
  expect(schemaErrorOf(() => parseTaskStats(arrayEntry)).message).toBe(
    `task stats: field "${RUNNING_ID}" is [] (array); expected an object (a container's stats) or null`,
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
  const { stats, issues } = leniently(payload);
  expect(issues.map((issue) => issue.message)).toEqual([
    `task stats: field "${RUNNING_ID}.blkio_stats.io_serviced_recursive" is {"op":7} (object); expected an array; left out`,
  ]);
  expect(stats[RUNNING_ID]?.blkio_stats).not.toHaveProperty('io_serviced_recursive');
  expect(stats[RUNNING_ID]?.blkio_stats?.io_service_bytes_recursive).toEqual(
    entry.blkio_stats.io_service_bytes_recursive,
  );
});

test('a bad field core reads costs the smallest part whose absence core handles, nothing else', () => {
  // [corruption, the bad field, what it was, what it allows, the part left out]
  const cases: [(entry: Json) => void, string, string, string, string][] = [
    [
      (entry) => (entry.memory_stats.stats.total_inactive_file = '1'),
      'memory_stats.stats.total_inactive_file',
      '"1" (string)',
      'a number',
      'memory_stats.stats.total_inactive_file',
    ],
    // One bad blkio entry costs its list: a sum without it would be wrong, not absent.
    [
      (entry) => (entry.blkio_stats.io_service_bytes_recursive[3].op = 3),
      'blkio_stats.io_service_bytes_recursive.3.op',
      '3 (number)',
      'a string',
      'blkio_stats.io_service_bytes_recursive',
    ],
    [
      (entry) => delete entry.blkio_stats.io_service_bytes_recursive[0].op,
      'blkio_stats.io_service_bytes_recursive.0.op',
      'missing',
      'a string',
      'blkio_stats.io_service_bytes_recursive',
    ],
    // Datadog's Windows Fargate payload: "None" where the list belongs.
    [
      (entry) => (entry.blkio_stats.io_service_bytes_recursive = 'None'),
      'blkio_stats.io_service_bytes_recursive',
      '"None" (string)',
      'an array',
      'blkio_stats.io_service_bytes_recursive',
    ],
    [(entry) => (entry.blkio_stats = 'None'), 'blkio_stats', '"None" (string)', 'an object', 'blkio_stats'],
    // One bad counter costs its interface: core reads an absent counter as 0.
    [
      (entry) => (entry.networks.eth1.rx_bytes = true),
      'networks.eth1.rx_bytes',
      'true (boolean)',
      'a number',
      'networks.eth1',
    ],
    [(entry) => (entry.networks = 'None'), 'networks', '"None" (string)', 'an object', 'networks'],
    [
      (entry) => (entry.precpu_stats.cpu_usage.total_usage = 'x'),
      'precpu_stats.cpu_usage.total_usage',
      '"x" (string)',
      'a number',
      'precpu_stats.cpu_usage.total_usage',
    ],
    [(entry) => (entry.precpu_stats = 0), 'precpu_stats', '0 (number)', 'an object', 'precpu_stats'],
    [
      (entry) => (entry.cpu_stats.cpu_usage.usage_in_usermode = 'x'),
      'cpu_stats.cpu_usage.usage_in_usermode',
      '"x" (string)',
      'a number',
      'cpu_stats.cpu_usage.usage_in_usermode',
    ],
    [
      (entry) => (entry.cpu_stats.cpu_usage.percpu_usage = 'None'),
      'cpu_stats.cpu_usage.percpu_usage',
      '"None" (string)',
      'an array',
      'cpu_stats.cpu_usage.percpu_usage',
    ],
    [
      (entry) => (entry.cpu_stats.throttling_data = 'None'),
      'cpu_stats.throttling_data',
      '"None" (string)',
      'an object',
      'cpu_stats.throttling_data',
    ],
    [
      (entry) => (entry.memory_stats.usage = '1'),
      'memory_stats.usage',
      '"1" (string)',
      'a number',
      'memory_stats.usage',
    ],
    [
      (entry) => (entry.memory_stats.stats = 'None'),
      'memory_stats.stats',
      '"None" (string)',
      'an object',
      'memory_stats.stats',
    ],
    [
      (entry) => (entry.memory_stats = 'None'),
      'memory_stats',
      '"None" (string)',
      'an object',
      'memory_stats',
    ],
    // storage_stats goes whole: an absent read_size_bytes next to write_size_bytes reads as 0.
    [
      (entry) => (entry.storage_stats = { read_size_bytes: '1', write_size_bytes: 2 }),
      'storage_stats.read_size_bytes',
      '"1" (string)',
      'a number',
      'storage_stats',
    ],
    [
      (entry) => (entry.network_rate_stats.rx_bytes_per_sec = 'fast'),
      'network_rate_stats.rx_bytes_per_sec',
      '"fast" (string)',
      'a number',
      'network_rate_stats.rx_bytes_per_sec',
    ],
    [(entry) => (entry.preread = 0), 'preread', '0 (number)', 'a string', 'preread'],
    [(entry) => (entry.num_procs = '8'), 'num_procs', '"8" (string)', 'a number', 'num_procs'],
    [(entry) => (entry.name = 7), 'name', '7 (number)', 'a string', 'name'],
  ];
  for (const [corrupt, field, found, expected, part] of cases) {
    const payload = fixture(FARGATE_STATS);
    const original = fixture(FARGATE_STATS)[RUNNING_ID];
    corrupt(payload[RUNNING_ID]);
    const { stats, issues } = leniently(payload);
    const costs = field === part ? 'left out' : `"${RUNNING_ID}.${part}" left out`;
    expect(issues).toEqual([
      {
        payload: 'task stats',
        path: `${RUNNING_ID}.${part}`,
        field: `${RUNNING_ID}.${field}`,
        value: field.split('.').reduce((node, key) => node?.[key], payload[RUNNING_ID]),
        expected,
        cost: 'field',
        message: `task stats: field "${RUNNING_ID}.${field}" is ${found}; expected ${expected}; ${costs}`,
      },
    ]);
    // The result is the original entry without that part: everything else is kept as it was.
    const keys = part.split('.');
    let node = original;
    for (const key of keys.slice(0, -1)) node = node[key];
    delete node[keys.at(-1)!];
    expect(stats[RUNNING_ID]).toEqual(original);
    // The payload given is not changed.
    expect(payload[RUNNING_ID]).not.toEqual(original);
  }
});

test("read and the CPU counter are the sample: a problem there costs that container's sample", () => {
  const cases: [(entry: Json) => void, string, string][] = [
    [(entry) => (entry.read = null), 'read', 'read'],
    [(entry) => delete entry.read, 'read', 'read'],
    [(entry) => (entry.cpu_stats = 'None'), 'cpu_stats', 'cpu_stats'],
    [(entry) => delete entry.cpu_stats, 'cpu_stats', 'cpu_stats'],
    [(entry) => (entry.cpu_stats.cpu_usage = 'None'), 'cpu_stats.cpu_usage', 'cpu_stats.cpu_usage'],
    [
      // An array where the object belongs is named at the array (input's summary).
      (entry) => (entry.cpu_stats.cpu_usage = []),
      'cpu_stats.cpu_usage',
      'cpu_stats.cpu_usage.total_usage',
    ],
    [
      (entry) => (entry.cpu_stats.cpu_usage.total_usage = null),
      'cpu_stats.cpu_usage.total_usage',
      'cpu_stats.cpu_usage.total_usage',
    ],
  ];
  for (const [corrupt, field, part] of cases) {
    const payload = fixture(FARGATE_STATS);
    corrupt(payload[RUNNING_ID]);
    const { stats, issues } = leniently(payload);
    expect(stats[RUNNING_ID]).toBeNull();
    expect(issues.map(({ path, field, cost }) => ({ path, field, cost }))).toEqual([
      { path: `${RUNNING_ID}.${part}`, field: `${RUNNING_ID}.${field}`, cost: 'sample' },
    ]);
    const one: WireFieldIssue[] = [];
    expect(parseContainerStats(payload[RUNNING_ID], { onFieldIssue: (issue) => one.push(issue) })).toBeNull();
    expect(one.map((issue) => [issue.path, issue.cost])).toEqual([[part, 'sample']]);
  }
});

test('a bad field is told once per part, however many problems it holds; without onFieldIssue, silently', () => {
  const payload = fixture(FARGATE_STATS);
  const entry = payload[RUNNING_ID];
  for (const item of entry.blkio_stats.io_service_bytes_recursive) item.op = 1;
  entry.networks.eth1.rx_bytes = 'x';
  entry.networks.eth1.tx_bytes = 'y';
  const { stats, issues } = leniently(payload);
  expect(issues.map((issue) => issue.path)).toEqual([
    `${RUNNING_ID}.blkio_stats.io_service_bytes_recursive`,
    `${RUNNING_ID}.networks.eth1`,
  ]);
  expect(parseTaskStats(payload)).toEqual(stats);
});

test('Windows stats with "None" for io_service_bytes_recursive: that list is left out, told once', () => {
  const variant = fixture('variants/windows_test_stats-io-service-bytes-none.json');
  const original = fixture('aws-amazon-ecs-agent/windows_test_stats.json');
  const issues: WireFieldIssue[] = [];
  const parsed = parseContainerStats(variant, { onFieldIssue: (issue) => issues.push(issue) });
  expect(issues.map((issue) => issue.message)).toEqual([
    'container stats: field "blkio_stats.io_service_bytes_recursive" is "None" (string); expected an array; left out',
  ]);
  delete original.blkio_stats.io_service_bytes_recursive;
  expect(parsed).toEqual(original);
  // In a task stats map, the same, under its DockerId; another container is untouched.
  const map = { windows: variant, other: fixture('aws-amazon-ecs-agent/windows_test_stats.json') };
  const { stats, issues: mapIssues } = leniently(map);
  expect(mapIssues.map((issue) => issue.path)).toEqual(['windows.blkio_stats.io_service_bytes_recursive']);
  expect(stats['windows']).toEqual(original);
  expect(stats['other']).toBe(map.other);
});

test('DataDog Windows Fargate stats: each of the eight "None" lists is left out and told, the rest kept', () => {
  const payload = fixture('datadog-integrations-core/stats_windows.json');
  const [dockerId] = Object.keys(payload);
  const { stats, issues } = leniently(payload);
  const lists = Object.keys(payload[dockerId!].blkio_stats);
  expect(lists).toHaveLength(8);
  expect(issues.map((issue) => [issue.path, issue.value, issue.cost])).toEqual(
    lists.map((list) => [`${dockerId}.blkio_stats.${list}`, 'None', 'field']),
  );
  expect(stats[dockerId!]?.blkio_stats).toEqual({});
  const { blkio_stats: _lists, ...rest } = payload[dockerId!];
  const { blkio_stats: _left, ...kept } = stats[dockerId!]!;
  expect(kept).toEqual(rest);
});

test('only a payload that is not the document fails: not a map, or an entry that is not an object', () => {
  const cases: [unknown, string][] = [
    ['None', 'task stats: the payload is "None" (string); expected an object mapping DockerId to stats'],
    [[], 'task stats: the payload is [] (array); expected an object mapping DockerId to stats'],
    [
      { abc: 'None' },
      'task stats: field "abc" is "None" (string); expected an object (a container\'s stats) or null',
    ],
    [{ abc: 7 }, 'task stats: field "abc" is 7 (number); expected an object (a container\'s stats) or null'],
    [
      { abc: [{ read: 'x' }] },
      'task stats: field "abc" is [{"read":"x"}] (array); expected an object (a container\'s stats) or null',
    ],
  ];
  for (const [payload, message] of cases) {
    const error = schemaErrorOf(() => parseTaskStats(payload));
    expect(error.message).toBe(message);
    expect(error.code).toBe('TMDS_SCHEMA');
  }
  const single = schemaErrorOf(() => parseContainerStats('None'));
  expect(single.message).toBe(
    'container stats: the payload is "None" (string); expected an object (a container\'s stats) or null',
  );
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
