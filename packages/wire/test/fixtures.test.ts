import { listFixtures, loadFixture } from '@taskscope/fixtures';
import { describe, expect, test } from 'vitest';
import {
  effectiveLimit,
  parseContainerMetadata,
  parseContainerStats,
  parsePayloadTime,
  parseTaskMetadata,
  parseTaskStats,
  secondsBetween,
  type WireSchemaError,
} from '../src/index.js';

type Kind = 'task' | 'container' | 'taskStats' | 'containerStats' | 'fragment';

/**
 * Which endpoint each captured payload came from (payloads/README.md). A new fixture must be
 * classified here, so no payload goes untested.
 */
const KIND_BY_FIXTURE: Record<string, Kind> = {
  'async-profiler-rust-agent/v4-fargate-task-metadata-known-status-none-container-pulled.json': 'task',
  'aws-amazon-ecs-agent/unix_test_stats.json': 'containerStats',
  'aws-amazon-ecs-agent/windows_test_stats.json': 'containerStats',
  'awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-container-metadata.json': 'container',
  'awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-container-stats.json': 'containerStats',
  'awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-task-metadata.json': 'task',
  'awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-task-stats.json': 'taskStats',
  'awsdocs-amazon-ecs-developer-guide/v2-task-metadata.json': 'task',
  'awsdocs-amazon-ecs-developer-guide/v3-container-metadata.json': 'container',
  'awsdocs-amazon-ecs-developer-guide/v4-container-metadata.json': 'container',
  'awsdocs-amazon-ecs-developer-guide/v4-task-metadata.json': 'task',
  'awsdocs-amazon-ecs-developer-guide/v4-task-with-tags-error.json': 'task',
  'awsdocs-amazon-ecs-developer-guide/v4-task-with-tags.json': 'task',
  // The local mock's override input: task-level fields only, which is still a valid task.
  'awslabs-amazon-ecs-local-container-endpoints/examples-generic-task-metadata.json': 'task',
  // An override fragment holding only `Networks`: not a payload, and must be rejected as one.
  'awslabs-amazon-ecs-local-container-endpoints/examples-v4-container-metadata.json': 'fragment',
  // Windows Fargate with "None" for every blkio list: the lists are left out, the keys stay.
  'datadog-integrations-core/stats_windows.json': 'taskStats',
  'influxdata-telegraf/cgroupv2/meta.json': 'task',
  'influxdata-telegraf/cgroupv2/stats.json': 'taskStats',
  'influxdata-telegraf/metadata.golden': 'task',
  'influxdata-telegraf/stats.golden': 'taskStats',
  'prometheus-community-ecs_exporter/ec2_task_metadata.json': 'task',
  'prometheus-community-ecs_exporter/ec2_task_stats.json': 'taskStats',
  'prometheus-community-ecs_exporter/fargate_task_metadata.json': 'task',
  'prometheus-community-ecs_exporter/fargate_task_stats.json': 'taskStats',
  // Windows stats with "None" where the first blkio list belongs (Datadog's Windows Fargate fixture).
  'variants/windows_test_stats-io-service-bytes-none.json': 'containerStats',
};

const json = (name: string): unknown => loadFixture(name).json;

test('every fixture is classified', () => {
  expect(Object.keys(KIND_BY_FIXTURE).sort()).toEqual(listFixtures());
});

describe.each(Object.entries(KIND_BY_FIXTURE))('%s', (name, kind) => {
  test(`parses as ${kind} and keeps every field it was given`, () => {
    const payload = json(name);
    switch (kind) {
      case 'task': {
        const task = parseTaskMetadata(payload);
        // Loose objects: nothing the schema does not model is dropped.
        expect(Object.keys(task).sort()).toEqual(Object.keys(payload as object).sort());
        for (const [i, container] of (task.Containers ?? []).entries()) {
          const raw = (payload as { Containers: object[] }).Containers[i]!;
          expect(Object.keys(container).sort()).toEqual(Object.keys(raw).sort());
        }
        break;
      }
      case 'container':
        expect(Object.keys(parseContainerMetadata(payload)).sort()).toEqual(
          Object.keys(payload as object).sort(),
        );
        break;
      case 'taskStats': {
        const stats = parseTaskStats(payload);
        expect(Object.keys(stats)).toEqual(Object.keys(payload as object));
        for (const [dockerId, entry] of Object.entries(stats)) {
          if (entry === null) continue;
          const raw = (payload as Record<string, object>)[dockerId]!;
          expect(Object.keys(entry).sort()).toEqual(Object.keys(raw).sort());
        }
        break;
      }
      case 'containerStats': {
        const stats = parseContainerStats(payload);
        expect(stats).not.toBeNull();
        expect(Object.keys(stats!).sort()).toEqual(Object.keys(payload as object).sort());
        break;
      }
      case 'fragment':
        expect(() => parseContainerMetadata(payload)).toThrow(
          'container metadata: field "DockerId" is missing; expected a string',
        );
        break;
    }
  });

  test('parses to the same value twice (no hidden state)', () => {
    const parse = {
      task: parseTaskMetadata,
      container: parseContainerMetadata,
      taskStats: parseTaskStats,
      containerStats: parseContainerStats,
      fragment: (p: unknown) => {
        try {
          return parseContainerMetadata(p);
        } catch (error) {
          return (error as WireSchemaError).message;
        }
      },
    }[kind];
    expect(parse(json(name))).toEqual(parse(json(name)));
  });
});

test('Fargate task stats: the stopped container is null, the others keep their exact counters', () => {
  const stats = parseTaskStats(json('prometheus-community-ecs_exporter/fargate_task_stats.json'));
  expect(stats['bae32def0ab64f06818e8862e58f8d6d-1585788040']).toBeNull();
  const exporter = stats['bae32def0ab64f06818e8862e58f8d6d-1819985369']!;
  expect(exporter.cpu_stats.cpu_usage.total_usage).toBe(932439492);
  expect(exporter.networks?.['eth1']?.rx_bytes).toBeGreaterThan(0);
  // 2^63 − 4096: above 2^53, exact as a double, and "no limit".
  expect(exporter.memory_stats?.limit).toBe(2 ** 63 - 4096);
  expect(effectiveLimit(exporter.memory_stats?.limit)).toBeUndefined();
  const read = parsePayloadTime(exporter.read)!;
  const preread = parsePayloadTime(exporter.preread!)!;
  expect(secondsBetween(preread, read)).toBe(10.000941384);
  // The ops include Discard on this kernel (docs/endpoint.md §7).
  expect(exporter.blkio_stats?.io_service_bytes_recursive?.map((e) => e.op)).toContain('Discard');
});

test('EC2 task stats: the stopped container is {} and becomes null; cgroup v2 keys and null blkio lists', () => {
  const stats = parseTaskStats(json('prometheus-community-ecs_exporter/ec2_task_stats.json'));
  expect(stats['213e1203f4bb72af185724d937e698d2724acf35b57ec2dd5f3c963adbd2d38c']).toBeNull();
  const exporter = stats['01cf1f3208005cda71d5ac936ded65d2ecc0a8cc8ff8a82d2e00410bf4fbbd6d']!;
  expect(exporter.cpu_stats.cpu_usage.total_usage).toBe(331125000);
  expect(exporter.cpu_stats.cpu_usage.percpu_usage).toBeUndefined();
  expect(exporter.memory_stats?.stats?.['cache']).toBeUndefined();
  expect(exporter.memory_stats?.stats?.['inactive_file']).toBeTypeOf('number');
  expect(exporter.blkio_stats?.io_service_bytes_recursive?.map((e) => e.op)).toEqual(['read', 'write']);
  expect(exporter.blkio_stats?.io_serviced_recursive).toBeNull();
  expect(exporter.network_rate_stats).toBeDefined();
});

test('telegraf cgroup v2: all eight blkio lists are null and parse', () => {
  const stats = parseTaskStats(json('influxdata-telegraf/cgroupv2/stats.json'));
  const pause = stats['c69461b2c836cc3f0e3e5deb07b1f16e25f6009da2a48bb0adc7dd580befaf55']!;
  expect(Object.values(pause.blkio_stats ?? {})).toEqual(Array(8).fill(null));
  expect(pause.memory_stats?.limit).toBe(4051226624);
  expect(effectiveLimit(pause.memory_stats?.limit)).toBe(4051226624);
});

test('telegraf 2018: the app container has the legacy `network: {}` and no `networks`', () => {
  const stats = parseTaskStats(json('influxdata-telegraf/stats.golden'));
  const nginx = stats['fffe894e232d46c76475cfeabf4907f712e8b92618a37fca3ef0805bbbfb0299']!;
  expect(nginx.networks).toBeUndefined();
  expect((nginx as Record<string, unknown>)['network']).toEqual({});
  const pause = stats['e6af031b91deb3136a2b7c42f262ed2ab554e2fe2736998c7d8edf4afe708dba']!;
  expect(Object.keys(pause.networks ?? {})).toEqual(['eth0', 'eth5']);
});

test('docs 2020 task stats: the float-mangled 9223372036854772000 limit is no limit; no system_cpu_usage', () => {
  const stats = parseTaskStats(json('awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-task-stats.json'));
  const entry = Object.values(stats)[0]!;
  expect(entry.memory_stats?.limit).toBe(9223372036854772000);
  expect(effectiveLimit(entry.memory_stats?.limit)).toBeUndefined();
  expect(entry.cpu_stats.system_cpu_usage).toBeUndefined();
  expect(entry.cpu_stats.online_cpus).toBeUndefined();
});

test('Windows stats: null blkio lists, no rx_errors, memory only as private working set', () => {
  const stats = parseContainerStats(json('aws-amazon-ecs-agent/windows_test_stats.json'))!;
  expect(Object.values(stats.blkio_stats ?? {})).toEqual(Array(8).fill(null));
  expect(stats.networks?.['eth0']?.rx_errors).toBeUndefined();
  expect(stats.memory_stats?.privateworkingset).toBeTypeOf('number');
  expect(stats.memory_stats?.usage).toBeUndefined();
  expect(stats.num_procs).toBe(8);
  expect(stats.storage_stats?.read_size_bytes).toBeTypeOf('number');
});

test('task start on Fargate: task NONE, container PULLED with no StartedAt and CPU 0', () => {
  const task = parseTaskMetadata(
    json('async-profiler-rust-agent/v4-fargate-task-metadata-known-status-none-container-pulled.json'),
  );
  expect(task.KnownStatus).toBe('NONE');
  expect(task.Containers?.map((c) => [c.KnownStatus, c.StartedAt, c.Limits?.CPU])).toEqual([
    ['PULLED', undefined, 0],
  ]);
  expect(effectiveLimit(task.Containers?.[0]?.Limits?.CPU)).toBeUndefined();
  expect(task.Limits).toEqual({ CPU: 0.25, Memory: 2048 });
});

test('v4 taskWithTags: tags are typed, and the Errors list of a failed tag lookup is kept', () => {
  const tagged = parseTaskMetadata(json('awsdocs-amazon-ecs-developer-guide/v4-task-with-tags.json'));
  expect(Object.keys(tagged.TaskTags ?? {}).length).toBeGreaterThan(0);
  expect(Object.keys(tagged.ContainerInstanceTags ?? {}).length).toBeGreaterThan(0);
  const failed = parseTaskMetadata(json('awsdocs-amazon-ecs-developer-guide/v4-task-with-tags-error.json'));
  expect(failed.Errors?.length).toBeGreaterThan(0);
  for (const error of failed.Errors ?? []) {
    expect(error.ErrorCode).toBeTypeOf('string');
    expect(error.StatusCode).toBeTypeOf('number');
  }
});

test('EC2 task metadata: the stopped container keeps ExitCode and FinishedAt', () => {
  const task = parseTaskMetadata(json('prometheus-community-ecs_exporter/ec2_task_metadata.json'));
  expect(task.Revision).toBe('13');
  const stopped = task.Containers?.find((c) => c.KnownStatus === 'STOPPED');
  expect(stopped?.Name).toBe('nonessential');
  expect(stopped?.ExitCode).toBe(0);
  expect(parsePayloadTime(stopped?.FinishedAt ?? '')).toBeDefined();
});
