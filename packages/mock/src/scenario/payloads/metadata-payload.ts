import type { ApiVersion } from '@taskscope/wire';
import type { JsonValue } from '../../common/json-text.js';
import { unitHash } from '../../common/random.js';
import { type HealthState, healthAt } from '../engine/health.js';
import { type ContainerModel, type TaskModel, taskStopNs } from '../engine/model.js';
import { NS_PER_MS } from '../engine/nanoseconds.js';
import type { Timeline } from '../engine/timeline.js';
import { formatPayloadTime, formatWholeSeconds } from './time-text.js';

/*
 * Task and container metadata objects per version, in the agent's key order:
 * v2/v3 `TaskResponse`/`ContainerResponse` (ecs-agent/tmds/handlers/v2/response.go) and
 * the v4 wrappers (v4/state/response.go) with LaunchType, ContainerARN, LogDriver, the
 * awsvpc network extras and the PULLED containers appended (docs/endpoint.md §3–§4).
 */

// The Fargate time-sync reference moves on about once a minute.
const CLOCK_SYNC_NS = 64_000 * NS_PER_MS;

/** What a container is at one time. */
interface ContainerStatus {
  readonly knownStatus: string;
  readonly desiredStatus: string;
  readonly createdNs?: number;
  readonly startedNs?: number;
  readonly finishedNs?: number;
  readonly exitCode?: number;
  readonly restartCount: number;
}

function statusOf(model: TaskModel, timeline: Timeline, c: ContainerModel, tNs: number): ContainerStatus {
  const stopping = taskStopNs(model);
  const desiredStatus = stopping !== undefined && tNs >= stopping ? 'STOPPED' : 'RUNNING';
  const { state } = c.spec;
  if (state === 'PULLED') return { knownStatus: 'PULLED', desiredStatus, restartCount: 0 };
  if (state === 'CREATED')
    return { knownStatus: 'CREATED', desiredStatus, createdNs: c.createdNs, restartCount: 0 };
  const starts = timeline.runStarts(c);
  if (tNs < starts[0]!)
    return { knownStatus: 'CREATED', desiredStatus, createdNs: c.createdNs, restartCount: 0 };
  if (c.stop !== undefined && tNs >= c.stop.atNs) {
    const last = starts.filter((s) => s < c.stop!.atNs);
    return {
      knownStatus: 'STOPPED',
      desiredStatus,
      createdNs: c.createdNs,
      startedNs: last[last.length - 1]!,
      finishedNs: c.stop.atNs,
      exitCode: c.stop.exitCode,
      restartCount: last.length - 1,
    };
  }
  const run = timeline.runAt(c, tNs)!;
  return {
    knownStatus: 'RUNNING',
    desiredStatus,
    createdNs: c.createdNs,
    startedNs: run.startNs,
    restartCount: run.restartCount,
  };
}

/** A key that changes whenever any metadata body would (statuses, restarts, clock sync, storage). */
export function metadataStateKey(model: TaskModel, timeline: Timeline, tNs: number): string {
  let key = `${timeline.version}|${Math.floor(tNs / CLOCK_SYNC_NS)}|${ephemeralUtilizedMiB(model, timeline, tNs)}`;
  for (const c of model.containers) {
    const status = statusOf(model, timeline, c, tNs);
    const health = healthAt(c, timeline, tNs);
    key += `|${status.knownStatus}${status.desiredStatus}${status.restartCount}${health?.status ?? ''}${health?.sinceNs ?? ''}`;
  }
  return key;
}

export function containerMetadata(
  model: TaskModel,
  timeline: Timeline,
  c: ContainerModel,
  version: ApiVersion,
  tNs: number,
): JsonValue {
  const { scenario, originMs } = model;
  const { task } = scenario;
  const fargate = task.launchType === 'FARGATE';
  const v4 = version === 'v4';
  const status = statusOf(model, timeline, c, tNs);
  const time = (ns: number | undefined) => (ns === undefined ? undefined : formatPayloadTime(originMs, ns));
  const labels: Record<string, string> = {
    ...c.spec.labels,
    'com.amazonaws.ecs.cluster': model.clusterField,
    'com.amazonaws.ecs.container-name': c.spec.name,
    'com.amazonaws.ecs.task-arn': model.taskArn,
    'com.amazonaws.ecs.task-definition-family': task.family,
    'com.amazonaws.ecs.task-definition-version': task.revision,
  };
  const limits: Record<string, JsonValue> = {
    // The EC2 agent raises container CPU below 2 units to 2 (minimumCPUUnit).
    CPU: fargate ? c.spec.cpuUnits : Math.max(2, c.spec.cpuUnits),
  };
  // Fargate omits Memory when the container sets none; the EC2 agent always sends it, 0 if unset.
  if (c.spec.memoryLimitMiB !== undefined || !fargate) limits.Memory = c.spec.memoryLimitMiB ?? 0;
  const networks = networksOf(model, c, version, status.knownStatus);
  const health = healthOf(model, healthAt(c, timeline, tNs));
  return {
    DockerId: c.dockerId,
    Name: c.spec.name,
    DockerName: c.dockerName,
    Image: c.spec.image,
    ImageID: c.imageId,
    Ports: portsOf(model, c, version),
    Labels: Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    DesiredStatus: status.desiredStatus,
    KnownStatus: status.knownStatus,
    ExitCode: status.exitCode,
    Limits: limits,
    CreatedAt: time(status.createdNs),
    StartedAt: time(status.startedNs),
    FinishedAt: time(status.finishedNs),
    Type: 'NORMAL',
    // v2/v3 write Networks then Health; v4's own Networks field comes after the embedded v2
    // response, whose Health stays in place (a key written again keeps its first position).
    ...(v4 ? { Health: health } : { Networks: networks, Health: health }),
    LogDriver: v4 && c.spec.logDriver === 'awslogs' ? 'awslogs' : undefined,
    LogOptions:
      v4 && c.spec.logDriver === 'awslogs'
        ? {
            'awslogs-group': `/ecs/${task.family}`,
            'awslogs-region': task.region,
            'awslogs-stream': `ecs/${c.spec.name}/${model.taskId}`,
          }
        : undefined,
    ContainerARN: v4 ? c.containerArn : undefined,
    Networks: networks,
    Snapshotter: v4 && fargate ? 'overlayfs' : undefined,
    RestartCount: v4 && c.spec.restartPolicy ? status.restartCount : undefined,
  };
}

/**
 * `Health` as the agent writes it (ecs-agent/tmds/handlers/v2/response.go `HealthStatus`, the
 * same on v2, v3 and v4): lowercase keys, each omitted when empty, and `status` omitted while
 * UNKNOWN (agent/handlers/v2/response.go `dockerContainerHealthToV2Health`), so a check that
 * has not reported yet is `{}`.
 */
function healthOf(model: TaskModel, health: HealthState | undefined): JsonValue | undefined {
  if (health === undefined) return undefined;
  return {
    status: health.status === 'UNKNOWN' ? undefined : health.status,
    statusSince: health.sinceNs === undefined ? undefined : formatPayloadTime(model.originMs, health.sinceNs),
    exitCode: health.exitCode || undefined,
    output: health.output || undefined,
  };
}

function portsOf(model: TaskModel, c: ContainerModel, version: ApiVersion): JsonValue | undefined {
  if (c.spec.ports.length === 0) return undefined;
  if (model.scenario.networkMode === 'awsvpc') {
    // awsvpc: the container port is the host port.
    return c.spec.ports.map((port) => ({ ContainerPort: port, Protocol: 'tcp', HostPort: port }));
  }
  // Bridge: dynamic host ports from 32768; v4 lists the IPv4 and the IPv6 binding.
  return c.spec.ports.flatMap((port, i) => {
    const hostPort = 32_768 + c.index * 10 + i;
    if (version !== 'v4') return [{ ContainerPort: port, Protocol: 'tcp', HostPort: hostPort }];
    return [
      { ContainerPort: port, Protocol: 'tcp', HostPort: hostPort, HostIp: '0.0.0.0' },
      { ContainerPort: port, Protocol: 'tcp', HostPort: hostPort, HostIp: '::' },
    ];
  });
}

function networksOf(
  model: TaskModel,
  c: ContainerModel,
  version: ApiVersion,
  knownStatus: string,
): JsonValue | undefined {
  const { network, scenario } = model;
  if (scenario.networkMode === 'bridge') {
    // v2 fills Networks for awsvpc only; a stopped bridge container keeps an empty address.
    if (version === 'v2') return undefined;
    const address = knownStatus === 'RUNNING' ? c.shape.bridgeIpv4 : '';
    return [{ NetworkMode: 'bridge', IPv4Addresses: [address] }];
  }
  const basic: Record<string, JsonValue | undefined> = {
    NetworkMode: 'awsvpc',
    IPv4Addresses: [network.ipv4Address],
    IPv6Addresses: network.ipv6Address !== undefined ? [network.ipv6Address] : undefined,
  };
  if (version !== 'v4') return [{ NetworkMode: 'awsvpc', IPv4Addresses: [network.ipv4Address] }];
  const fargate = scenario.task.launchType === 'FARGATE';
  return [
    {
      ...basic,
      AttachmentIndex: 0,
      MACAddress: network.macAddress,
      IPv4SubnetCIDRBlock: network.subnetCidrBlock,
      IPv6SubnetCIDRBlock: network.ipv6SubnetCidrBlock,
      // Fargate adds the resolver settings; the EC2 docs payload has none.
      DomainNameServers: fargate ? [network.dnsServer] : undefined,
      DomainNameSearchList: fargate ? [network.searchDomain] : undefined,
      PrivateDNSName: network.privateDnsName,
      SubnetGatewayIpv4Address: network.gatewayWithPrefix,
    },
  ];
}

export function taskMetadata(
  model: TaskModel,
  timeline: Timeline,
  version: ApiVersion,
  withTags: boolean,
  tNs: number,
): JsonValue {
  const { scenario, originMs } = model;
  const { task } = scenario;
  const fargate = task.launchType === 'FARGATE';
  const statuses = model.containers.map((c) => statusOf(model, timeline, c, tNs));
  const listed = model.containers.filter((c) => c.spec.state !== 'PULLED');
  // v4 appends the PULLED containers (PulledContainerMapByArn); v2/v3 do not list them.
  const containers =
    version === 'v4' ? [...listed, ...model.containers.filter((c) => c.spec.state === 'PULLED')] : listed;
  const stopping = taskStopNs(model);
  const running = statuses.some((s) => s.knownStatus === 'RUNNING');
  const started = statuses.some((s) => s.startedNs !== undefined);
  const knownStatus = running ? 'RUNNING' : started ? 'STOPPED' : 'NONE';
  const executionStoppedNs =
    knownStatus === 'STOPPED'
      ? Math.max(...statuses.map((s) => s.finishedNs ?? Number.NEGATIVE_INFINITY))
      : undefined;
  const limits =
    task.cpuVcpus !== undefined || task.memoryMiB !== undefined
      ? { CPU: task.cpuVcpus, Memory: task.memoryMiB }
      : undefined;
  const taskTags = withTags && Object.keys(task.tags).length > 0 ? task.tags : undefined;
  const instanceTags =
    withTags && !fargate && Object.keys(task.containerInstanceTags).length > 0
      ? task.containerInstanceTags
      : undefined;
  const common = {
    Cluster: model.clusterField,
    TaskARN: model.taskArn,
    Family: task.family,
    Revision: task.revision,
    DesiredStatus: stopping !== undefined && tNs >= stopping ? 'STOPPED' : 'RUNNING',
    KnownStatus: knownStatus,
  };
  const pull = {
    PullStartedAt: formatPayloadTime(originMs, model.pullStartedNs),
    PullStoppedAt: formatPayloadTime(originMs, model.pullStoppedNs),
    ExecutionStoppedAt:
      executionStoppedNs !== undefined ? formatPayloadTime(originMs, executionStoppedNs) : undefined,
  };
  const containerObjects = containers.map((c) => containerMetadata(model, timeline, c, version, tNs));
  if (version !== 'v4') {
    return {
      ...common,
      Containers: containerObjects,
      Limits: limits,
      ...pull,
      AvailabilityZone: task.availabilityZone,
      TaskTags: taskTags,
      ContainerInstanceTags: instanceTags,
    };
  }
  const syncIndex = Math.floor(tNs / CLOCK_SYNC_NS);
  return {
    ...common,
    Limits: limits,
    ...pull,
    AvailabilityZone: task.availabilityZone,
    TaskTags: taskTags,
    ContainerInstanceTags: instanceTags,
    LaunchType: task.launchType,
    Containers: containerObjects,
    ClockDrift: fargate
      ? {
          ClockErrorBound: model.clockErrorBoundBaseMs + 0.05 * unitHash(model.seed, 'clock', syncIndex),
          ReferenceTimestamp: formatWholeSeconds(originMs + (syncIndex * CLOCK_SYNC_NS) / NS_PER_MS),
          ClockSynchronizationStatus: 'SYNCHRONIZED',
        }
      : undefined,
    EphemeralStorageMetrics: task.ephemeralStorage
      ? {
          Utilized: ephemeralUtilizedMiB(model, timeline, tNs),
          Reserved: reservedMiB(task.ephemeralStorage.sizeGiB),
        }
      : undefined,
    VPCID: model.vpcId,
    // Only the EC2 agent (≥ 1.63.1) reports ServiceName; no Fargate payload has it.
    ServiceName: fargate ? undefined : task.serviceName,
  };
}

// Both captured Fargate payloads report 20496 MiB for the default 20 GiB.
function reservedMiB(sizeGiB: number): number {
  return sizeGiB * 1024 + 16;
}

/** Fargate ephemeral storage in use: the scenario's base plus everything the containers wrote. */
function ephemeralUtilizedMiB(model: TaskModel, timeline: Timeline, tNs: number): number {
  const storage = model.scenario.task.ephemeralStorage;
  if (!storage) return 0;
  let written = 0;
  for (const c of model.containers) {
    const starts = timeline.runStarts(c);
    if (starts.length === 0 || tNs <= starts[0]!) continue;
    const end = (c.stop === undefined ? tNs : Math.min(tNs, c.stop.atNs)) / 1e9;
    const profile = c.load.diskWriteBytesPerSecond;
    written += profile.integral(end) - profile.integral(starts[0]! / 1e9);
  }
  return Math.min(reservedMiB(storage.sizeGiB), storage.utilizedMiB + Math.floor(written / (1024 * 1024)));
}
