import { loadFixture } from '@taskscope/fixtures';
import type { ApiVersion } from '@taskscope/wire';
import { expect, test } from 'vitest';
import { builtInScenario, createScenarioSource } from '../../src/scenario/index.js';
import { ask, jsonOf, minus, ORIGIN_MS, shapeOf, taskMetadataJson, taskStatsText } from './helpers.js';

/*
 * Generated payloads must have the key sets and JSON types of real payloads of the same
 * version and flavour. Each case lists, explicitly, the paths that differ and why; any
 * other difference fails.
 */

const AT = ORIGIN_MS + 35_000;
const PORTS = [
  '.Containers[].Ports: array',
  '.Containers[].Ports[]: object',
  '.Containers[].Ports[].ContainerPort: number',
  '.Containers[].Ports[].HostPort: number',
  '.Containers[].Ports[].Protocol: string',
];
const STOPPED_FIELDS = ['.Containers[].ExitCode: number', '.Containers[].FinishedAt: string'];
const VOLUMES = [
  '.Containers[].Volumes: array',
  '.Containers[].Volumes[]: object',
  '.Containers[].Volumes[].Destination: string',
  '.Containers[].Volumes[].DockerName: string',
  '.Containers[].Volumes[].Source: string',
];

interface ShapeCase {
  readonly scenario: string;
  readonly version: ApiVersion;
  readonly payload: 'task' | 'taskStats' | 'containerStats';
  readonly fixture: string;
  /** In ours, not in the fixture, and why. */
  readonly extra: readonly string[];
  /** In the fixture, not in ours, and why. */
  readonly missing: readonly string[];
}

const CASES: readonly ShapeCase[] = [
  {
    scenario: 'fargate-web',
    version: 'v4',
    payload: 'task',
    fixture: 'prometheus-community-ecs_exporter/fargate_task_metadata.json',
    // The app publishes a port, the sidecar has a hard memory limit, the worker an ECS
    // restart policy; the fixture's containers have none of these.
    extra: [...PORTS, '.Containers[].Limits.Memory: number', '.Containers[].RestartCount: number'],
    // No fargate-web container has exited (stopped-container covers ExitCode/FinishedAt).
    missing: STOPPED_FIELDS,
  },
  {
    scenario: 'fargate-web',
    version: 'v4',
    payload: 'taskStats',
    fixture: 'prometheus-community-ecs_exporter/fargate_task_stats.json',
    extra: [],
    // The fixture's exited container is `null`; every fargate-web container runs.
    missing: ['.*: null'],
  },
  {
    scenario: 'ec2-bridge',
    version: 'v4',
    payload: 'task',
    fixture: 'prometheus-community-ecs_exporter/ec2_task_metadata.json',
    // web has a health check (healthy by now); no container of the fixture has one.
    extra: [
      '.Containers[].Health: object',
      '.Containers[].Health.status: string',
      '.Containers[].Health.statusSince: string',
    ],
    // Scenarios model no volumes (ECS Exec mounts in the fixture); nothing has exited.
    missing: [...VOLUMES, ...STOPPED_FIELDS],
  },
  {
    // The EC2 fixture is cgroup v2; ec2-bridge is cgroup v1, so it is held against the
    // cgroup v1 (Fargate) stats. Docker on EC2 reports the pids count on v1 too.
    scenario: 'ec2-bridge',
    version: 'v4',
    payload: 'taskStats',
    fixture: 'prometheus-community-ecs_exporter/fargate_task_stats.json',
    extra: ['.*.pids_stats.current: number'],
    missing: ['.*: null'],
  },
  {
    scenario: 'stopped-container',
    version: 'v4',
    payload: 'task',
    fixture: 'prometheus-community-ecs_exporter/ec2_task_metadata.json',
    extra: [],
    missing: VOLUMES,
  },
  // Both EC2 cgroup v2 scenarios match the EC2 (cgroup v2) stats exactly.
  ...(['stopped-container', 'ec2-cgroup2'] as const).map(
    (scenario): ShapeCase => ({
      scenario,
      version: 'v4',
      payload: 'taskStats',
      fixture: 'prometheus-community-ecs_exporter/ec2_task_stats.json',
      extra: [],
      missing: [],
    }),
  ),
  {
    // EC2 awsvpc, against the AWS docs example (which also lists the pause container).
    scenario: 'ec2-cgroup2',
    version: 'v4',
    payload: 'task',
    fixture: 'awsdocs-amazon-ecs-developer-guide/v4-task-metadata.json',
    // The scenario sets task-level CPU/memory and publishes a port; the docs task does not.
    extra: [...PORTS, '.Limits: object', '.Limits.CPU: number', '.Limits.Memory: number'],
    missing: [],
  },
  {
    scenario: 'ec2-cgroup2',
    version: 'v2',
    payload: 'task',
    fixture: 'influxdata-telegraf/metadata.golden',
    // AvailabilityZone is in the v2 TaskResponse today; the 2018 capture predates it.
    extra: [...PORTS, '.AvailabilityZone: string'],
    missing: [],
  },
  {
    // v2 stats against telegraf's 2018 capture (Docker API < 1.21 era).
    scenario: 'fargate-web',
    version: 'v2',
    payload: 'taskStats',
    fixture: 'influxdata-telegraf/stats.golden',
    extra: [
      // Today's agent re-marshals Docker's StatsJSON: name, id, all eight blkio lists,
      // throttling data and the full cgroup v1 memory key set; the 2018 payload predates them.
      '.*.id: string',
      '.*.name: string',
      '.*.blkio_stats.io_merged_recursive: array',
      '.*.blkio_stats.io_queue_recursive: array',
      '.*.blkio_stats.io_service_time_recursive: array',
      '.*.blkio_stats.io_time_recursive: array',
      '.*.blkio_stats.io_wait_time_recursive: array',
      '.*.blkio_stats.sectors_recursive: array',
      '.*.cpu_stats.throttling_data.periods: number',
      '.*.cpu_stats.throttling_data.throttled_periods: number',
      '.*.cpu_stats.throttling_data.throttled_time: number',
      '.*.precpu_stats.throttling_data.periods: number',
      '.*.precpu_stats.throttling_data.throttled_periods: number',
      '.*.precpu_stats.throttling_data.throttled_time: number',
      '.*.memory_stats.stats.dirty: number',
      '.*.memory_stats.stats.rss_huge: number',
      '.*.memory_stats.stats.total_dirty: number',
      '.*.memory_stats.stats.total_pgmajfault: number',
      '.*.memory_stats.stats.total_rss_huge: number',
      '.*.memory_stats.stats.total_unevictable: number',
      '.*.memory_stats.stats.total_writeback: number',
      '.*.memory_stats.stats.unevictable: number',
      '.*.memory_stats.stats.writeback: number',
    ],
    // The legacy `"network": {}` of pre-1.21 Docker: today every container has `networks`.
    missing: ['.*.network: object'],
  },
  {
    // The ECS agent's Windows test input is Docker's stats as the agent receives them; TMDS
    // re-marshals them into StatsJSON, which adds preread, pids_stats, name, id, the
    // kernel/user CPU split and rx/tx_errors (0: Windows has none), and v4 adds the rates.
    scenario: 'fargate-windows',
    version: 'v4',
    payload: 'containerStats',
    fixture: 'aws-amazon-ecs-agent/windows_test_stats.json',
    extra: [
      '.cpu_stats.cpu_usage.usage_in_kernelmode: number',
      '.cpu_stats.cpu_usage.usage_in_usermode: number',
      '.id: string',
      '.name: string',
      '.network_rate_stats: object',
      '.network_rate_stats.rx_bytes_per_sec: number',
      '.network_rate_stats.tx_bytes_per_sec: number',
      '.networks.*.rx_errors: number',
      '.networks.*.tx_errors: number',
      '.pids_stats: object',
      '.preread: string',
    ],
    missing: [],
  },
];

test.each(CASES)('$scenario $version $payload has the key set and types of $fixture', (c) => {
  const source = createScenarioSource(builtInScenario(c.scenario), { startTimeMs: ORIGIN_MS });
  const ours =
    c.payload === 'task'
      ? taskMetadataJson(source, c.version, AT)
      : c.payload === 'taskStats'
        ? JSON.parse(taskStatsText(source, c.version, AT))
        : jsonOf(
            ask(source, c.version, { kind: 'containerStats', dockerId: source.endpoints()[0]!.dockerId }, AT),
          );
  const real = loadFixture(c.fixture).json;
  expect({
    extra: minus(shapeOf(ours), shapeOf(real)),
    missing: minus(shapeOf(real), shapeOf(ours)),
  }).toEqual({
    extra: [...c.extra].sort(),
    missing: [...c.missing].sort(),
  });
});

test('a first sample carries Go zero precpu_stats with the omitempty fields absent', () => {
  const source = createScenarioSource(builtInScenario('fargate-web'), { startTimeMs: ORIGIN_MS });
  const first = JSON.parse(taskStatsText(source, 'v4', ORIGIN_MS + 5_000)) as Record<
    string,
    Record<string, unknown>
  >;
  for (const entry of Object.values(first)) {
    expect(entry.preread).toBe('0001-01-01T00:00:00Z');
    expect(entry.precpu_stats).toEqual({
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    });
    expect(entry.network_rate_stats).toEqual({ rx_bytes_per_sec: 0, tx_bytes_per_sec: 0 });
  }
});
