import type { TaskMetadata } from '@taskscope/wire';
import type { TaskIdentity } from './types.js';

/** The parts of an ECS task ARN. */
export interface TaskArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** Absent in the old ARN format `task/<id>` (before 2018-11). */
  readonly cluster?: string;
  readonly taskId: string;
}

/**
 * Parses `arn:<partition>:ecs:<region>:<account>:task/<cluster>/<id>` and the old
 * `…:task/<id>`; `undefined` for anything else (a mock's free-form ARN, say).
 */
export function parseTaskArn(arn: string): TaskArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'ecs') return undefined;
  const [, partition, , region, accountId, resource] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const path = resource.split('/');
  if (path[0] !== 'task' || partition === '' || region === '' || accountId === '') return undefined;
  if (path.length === 2 && path[1] !== '') return { partition, region, accountId, taskId: path[1]! };
  if (path.length === 3 && path[1] !== '' && path[2] !== '') {
    return { partition, region, accountId, cluster: path[1]!, taskId: path[2]! };
  }
  return undefined;
}

/** Task identity from the metadata: cluster name and ARN, task id, region, account, service. */
export function taskIdentityOf(metadata: TaskMetadata): TaskIdentity {
  const arn = parseTaskArn(metadata.TaskARN);
  const cluster = metadata.Cluster;
  // Fargate gives the cluster ARN, EC2 usually the short name (docs/endpoint.md §3).
  const clusterIsArn = cluster.startsWith('arn:');
  const clusterName = clusterIsArn ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
  const clusterArn = clusterIsArn
    ? cluster
    : arn && `arn:${arn.partition}:ecs:${arn.region}:${arn.accountId}:cluster/${cluster}`;
  const taskId = arn?.taskId ?? metadata.TaskARN.slice(metadata.TaskARN.lastIndexOf('/') + 1);
  return {
    cluster,
    clusterName,
    ...(clusterArn !== undefined && { clusterArn }),
    taskArn: metadata.TaskARN,
    taskId,
    family: metadata.Family,
    revision: metadata.Revision,
    ...(arn && { region: arn.region, accountId: arn.accountId }),
    ...optional('availabilityZone', metadata.AvailabilityZone),
    ...optional('launchType', metadata.LaunchType),
    ...optional('serviceName', serviceNameOf(metadata)),
    ...optional('desiredStatus', metadata.DesiredStatus),
    knownStatus: metadata.KnownStatus,
  };
}

/**
 * `ServiceName` (v4 on EC2, agent ≥ 1.63.1), else the `Group` a service sets to
 * `service:<name>` (docs/peers.md §6.2). Empty strings count as absent: Fargate
 * sends `"ServiceName": ""` for standalone tasks.
 */
function serviceNameOf(metadata: TaskMetadata): string | undefined {
  if (metadata.ServiceName) return metadata.ServiceName;
  const group = metadata['Group'];
  if (typeof group === 'string' && group.startsWith('service:') && group.length > 8) return group.slice(8);
  return undefined;
}

/** `{ [key]: value }` when value is a non-empty string, else `{}`: keeps absent keys absent. */
function optional<K extends string>(key: K, value: string | null | undefined): { [P in K]?: string } {
  return value ? ({ [key]: value } as { [P in K]: string }) : {};
}
