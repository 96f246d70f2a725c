import { loadFixture } from '@taskscope/fixtures';
import { parseTaskMetadata, parseTaskStats, type WireFieldIssue } from '@taskscope/wire';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { computeTaskMetrics, type TaskMetrics } from '../src/index.js';
import {
  DOCS_2020,
  EC2,
  FARGATE,
  FARGATE_IDS,
  type Json,
  type RawPoll,
  TELEGRAF_CGROUPV2,
  TELEGRAF_V2,
} from './helpers.js';

/*
 * A wrong-typed field costs the metric computed from it, for that container, and nothing else
 * (docs/endpoint.md §5, "A field of the wrong type"): wire leaves the smallest part out, and
 * core reads the part's absence as "not reported". Checked end to end, on every real stats
 * fixture with a task around it, by replacing any one value of a container's entry (a scalar,
 * an object or a list, at any depth) by a value of another JSON type.
 */

/** The ECS agent's Windows stats as the `prometheus` container of ecs_exporter's Fargate task. */
/**
 * FARGATE's metadata with the container of `dockerId` started no later than `entry` was read:
 * a sample read before its container's StartedAt belongs to an earlier run and is not used
 * (normalize.ts), and these tasks graft samples of other captures into this one.
 */
function startedBy(dockerId: string, entry: Json): Json {
  const metadata = structuredClone(FARGATE.metadata) as Json;
  const container = metadata['Containers'].find((c: Json) => c['DockerId'] === dockerId);
  if (container?.['StartedAt'] && Date.parse(container['StartedAt']) > Date.parse(entry['read'])) {
    container['StartedAt'] = entry['read'];
  }
  return metadata;
}

const WINDOWS_STATS = loadFixture('aws-amazon-ecs-agent/windows_test_stats.json').json as Json;
const WINDOWS: RawPoll = {
  metadata: startedBy(FARGATE_IDS.prometheus, WINDOWS_STATS),
  stats: { ...(FARGATE.stats as Json), [FARGATE_IDS.prometheus]: WINDOWS_STATS },
};
const TASKS: [string, RawPoll][] = [
  ['fargate', FARGATE],
  ['ec2', EC2],
  ['telegraf v2', TELEGRAF_V2],
  ['telegraf cgroupv2', TELEGRAF_CGROUPV2],
  ['docs 2020', DOCS_2020],
  ['windows', WINDOWS],
  ['unix test stats', unixTask()],
  ['datadog windows', datadogTask()],
];

/** DataDog's Windows Fargate stats (every blkio list "None") as the `prometheus` container. */
function datadogTask(): RawPoll {
  const stats = loadFixture('datadog-integrations-core/stats_windows.json').json as Json;
  const [dockerId, entry] = Object.entries(stats)[0]!;
  const metadata = startedBy(FARGATE_IDS.prometheus, entry);
  metadata['Containers'].find((c: Json) => c['Name'] === 'prometheus')['DockerId'] = dockerId;
  const task: Json = { ...(FARGATE.stats as Json), [dockerId]: entry };
  delete task[FARGATE_IDS.prometheus];
  return { metadata, stats: task };
}

/** The ECS agent's synthetic Linux stats (cache and rss only, no precpu) in the same task. */
function unixTask(): RawPoll {
  const stats = loadFixture('aws-amazon-ecs-agent/unix_test_stats.json').json as Json;
  return {
    metadata: startedBy(FARGATE_IDS.prometheus, stats),
    stats: { ...(FARGATE.stats as Json), [FARGATE_IDS.prometheus]: stats },
  };
}

/** What each part of an entry feeds, as keys of the container's flattened stats metrics. */
const SAMPLE = '*';
const DERIVED: [readonly string[], readonly string[]][] = [
  // The sample itself: without its time or CPU counter the container has no stats.
  [['read'], [SAMPLE]],
  [['cpu_stats', 'cpu_usage', 'total_usage'], [SAMPLE]],
  [['cpu_stats', 'cpu_usage', 'usage_in_usermode'], ['cpu.userSeconds']],
  [['cpu_stats', 'cpu_usage', 'usage_in_kernelmode'], ['cpu.systemSeconds']],
  [['cpu_stats', 'cpu_usage', 'percpu_usage'], []],
  [['cpu_stats', 'cpu_usage'], [SAMPLE]],
  [['cpu_stats', 'system_cpu_usage'], []],
  [['cpu_stats', 'online_cpus'], []],
  [['cpu_stats', 'throttling_data'], []],
  [['cpu_stats'], [SAMPLE]],
  // The first sample's rate rests on the previous sample.
  [['preread'], ['cpu.cores', 'intervalSeconds', 'sample']],
  [['precpu_stats'], ['cpu.cores', 'intervalSeconds', 'sample']],
  [['memory_stats', 'limit'], []],
  [['memory_stats', 'failcnt'], []],
  [['memory_stats', 'commitbytes'], []],
  [['memory_stats', 'commitpeakbytes'], []],
  [['memory_stats', 'max_usage'], ['memory.maxUsageBytes']],
  [['memory_stats'], ['memory.']],
  [['blkio_stats'], ['blockIo.']],
  [['storage_stats'], ['blockIo.']],
  [['num_procs'], ['pids']],
  [['pids_stats'], ['pids']],
  [['networks'], ['@networks']],
  [['network_rate_stats'], []],
  [['name'], []],
  [['id'], []],
];

function derivedFrom(path: readonly string[]): readonly string[] {
  for (const [prefix, outputs] of DERIVED) {
    if (prefix.every((key, i) => path[i] === key)) return outputs;
  }
  // A key no schema names (`network` of old payloads, a field AWS adds): nothing reads it.
  return [];
}

/** Every path inside an entry, objects and lists alike, down to the scalars. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const out: string[][] = [];
  for (const [key, child] of Object.entries(value)) {
    out.push([...prefix, key], ...pathsOf(child, [...prefix, key]));
  }
  return out;
}

/** Values of a JSON type other than the one found. */
function wrongTypesFor(value: unknown): unknown[] {
  const all: [string, unknown][] = [
    ['string', 'None'],
    ['number', 7],
    ['boolean', true],
    ['object', { op: 'None' }],
    ['array', ['None']],
    ['null', null],
  ];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return all.filter(([other]) => other !== kind).map(([, replacement]) => replacement);
}

function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, `${prefix}${key}.`, out);
  } else out[prefix.slice(0, -1)] = value;
  return out;
}

function compute(raw: RawPoll, issues: WireFieldIssue[] = []): TaskMetrics {
  return computeTaskMetrics({
    metadata: parseTaskMetadata(raw.metadata),
    stats: parseTaskStats(raw.stats, { onFieldIssue: (issue) => issues.push(issue) }),
  }).metrics;
}

/** Every (task, DockerId, path in its entry) a mutation can hit, over the containers with a sample. */
const TARGETS = TASKS.flatMap(([label, raw]) =>
  Object.entries(raw.stats as Json).flatMap(([dockerId, entry]) =>
    entry !== null && typeof entry === 'object' && 'cpu_stats' in entry
      ? pathsOf(entry).map((path) => ({ label, dockerId, path }))
      : [],
  ),
);
const RAW = new Map(TASKS);

test('property: one wrong-typed field of a real payload never fails the poll and costs only what is computed from it', () => {
  const baselines = new Map(TASKS.map(([label, raw]) => [label, compute(raw)]));
  // DataDog's payload has its own wrong-typed lists before any mutation.
  const knownIssues = new Map(
    TASKS.map(([label, raw]) => {
      const issues: WireFieldIssue[] = [];
      compute(raw, issues);
      return [label, new Set(issues.map((issue) => issue.path))];
    }),
  );
  const cases = fc.constantFrom(...TARGETS).chain((target) => {
    let node: Json = (RAW.get(target.label)!.stats as Json)[target.dockerId];
    for (const key of target.path) node = node[key];
    return fc.tuple(fc.constant(target), fc.constantFrom(...wrongTypesFor(node)));
  });
  fc.assert(
    fc.property(cases, ([{ label, dockerId, path }, replacement]) => {
      const raw = RAW.get(label)!;
      const stats = structuredClone(raw.stats) as Json;
      let node: Json = stats[dockerId];
      for (const key of path.slice(0, -1)) node = node[key];
      node[path.at(-1)!] = replacement;
      const issues: WireFieldIssue[] = [];
      // Never throws: a field inside an entry is never the document's structure.
      const after = compute({ metadata: raw.metadata, stats }, issues);
      const before = baselines.get(label)!;
      // Whatever was left out is the mutated field, a part containing it, or (an array where
      // an object belongs, which valibot's objects take) a part inside it.
      const mutated = [dockerId, ...path].join('.');
      for (const issue of issues) {
        if (knownIssues.get(label)!.has(issue.path)) continue;
        expect(`${mutated}.`.startsWith(`${issue.path}.`) || issue.path.startsWith(`${mutated}.`)).toBe(true);
      }

      const allowed = derivedFrom(path);
      const name = before.containers.find((container) => container.dockerId === dockerId)?.name;
      for (const [i, container] of before.containers.entries()) {
        const changed = after.containers[i]!;
        if (container.name !== name) {
          // Every other container is exactly as it was.
          expect(changed).toEqual(container);
          continue;
        }
        expect({ ...changed, stats: undefined }).toEqual({ ...container, stats: undefined });
        if (allowed.includes(SAMPLE)) continue;
        const was = flatten(container.stats);
        const is = flatten(changed.stats);
        // The cgroup flavour is read from the shape of memory_stats, num_procs, the blkio ops
        // and percpu_usage: when a mutation changed it, every figure of that container is
        // derived from the mutated field, and there is nothing more to compare.
        if (was['cgroup'] !== is['cgroup']) {
          expect(['memory_stats', 'num_procs', 'blkio_stats', 'cpu_stats']).toContain(path[0]);
          continue;
        }
        for (const key of new Set([...Object.keys(was), ...Object.keys(is)])) {
          if (allowed.some((prefix) => key === prefix || (prefix.endsWith('.') && key.startsWith(prefix))))
            continue;
          expect([key, is[key]]).toEqual([key, was[key]]);
        }
      }
      if (!allowed.includes('@networks') && !allowed.includes(SAMPLE)) {
        expect(after.networks).toEqual(before.networks);
      }
    }),
    { numRuns: 400 },
  );
});

test('the Windows payload with "None" for io_service_bytes_recursive computes as the same payload with the list null', () => {
  const variant = loadFixture('variants/windows_test_stats-io-service-bytes-none.json').json;
  const issues: WireFieldIssue[] = [];
  const withNone = compute(
    {
      metadata: startedBy(FARGATE_IDS.prometheus, variant as Json),
      stats: { ...(FARGATE.stats as Json), [FARGATE_IDS.prometheus]: variant },
    },
    issues,
  );
  expect(issues.map((issue) => issue.path)).toEqual([
    `${FARGATE_IDS.prometheus}.blkio_stats.io_service_bytes_recursive`,
  ]);
  expect(withNone).toEqual(compute(WINDOWS));
  const windows = withNone.containers.find((container) => container.dockerId === FARGATE_IDS.prometheus)!;
  expect(windows.stats?.cgroup).toBe('windows');
  // 100 ns units, scaled; the private working set; storage_stats' bytes.
  expect(windows.stats?.cpu.totalSeconds).toBe((100 * 100) / 1e9);
  expect(windows.stats?.memory.workingSetBytes).toBe(85532672);
  expect(windows.stats?.blockIo).toMatchObject({ readBytes: 3, writeBytes: 15 });
});

test('DataDog Windows Fargate stats: Windows by privateworkingset next to usage; CPU, memory and disk despite the "None" lists', () => {
  const issues: WireFieldIssue[] = [];
  const metrics = compute(datadogTask(), issues);
  expect(issues).toHaveLength(8);
  const container = metrics.containers.find((each) => each.name === 'prometheus')!;
  expect(container.stats?.cgroup).toBe('windows');
  // total_usage 17031250000 in 100 ns units is 1703.125 s; 10 s after a total of 1582.8125 s.
  expect(container.stats?.cpu.totalSeconds).toBe(1703.125);
  expect(container.stats?.cpu.userSeconds).toBe(926.5625);
  expect(container.stats?.cpu.systemSeconds).toBe(776.5625);
  expect(container.stats?.cpu.cores).toBeCloseTo((1703.125 - 1582.8125) / 9.9530531, 6);
  // The private working set, not usage (210485248).
  expect(container.stats?.memory).toEqual({
    usageBytes: 140673024,
    workingSetBytes: 140673024,
    utilizedBytes: 140673024,
  });
  expect(container.stats?.blockIo).toMatchObject({ readBytes: 248714240, writeBytes: 5464064 });
});
