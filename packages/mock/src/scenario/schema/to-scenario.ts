import { defaultInterface, onlineCpusOf } from './defaults.js';
import type { Document } from './document-schema.js';
import type { Scenario, ScenarioContainer, ScenarioEvent, ScenarioHealthResult } from './types.js';

/** The validated document as the engine's `Scenario`: file names to unit-carrying names, every default applied. */
export function toScenario(doc: Document, fallbackName: string): Scenario {
  const { task } = doc;
  const fargate = task.launchType === 'FARGATE';
  const networkMode = doc.networkMode ?? 'awsvpc';
  return {
    name: doc.name ?? fallbackName,
    ...(doc.description !== undefined && { description: doc.description }),
    task: {
      cluster: task.cluster,
      family: task.family,
      revision: task.revision,
      region: task.region,
      accountId: task.accountId,
      ...(task.taskId !== undefined && { taskId: task.taskId }),
      ...(task.taskArn !== undefined && { taskArn: task.taskArn }),
      ...(task.serviceName !== undefined && { serviceName: task.serviceName }),
      availabilityZone: task.availabilityZone ?? `${task.region}a`,
      launchType: task.launchType,
      ...(fargate && { platformVersion: task.platformVersion ?? '1.4.0' }),
      ...(task.cpu !== undefined && { cpuVcpus: task.cpu }),
      ...(task.memory !== undefined && { memoryMiB: task.memory }),
      ...(fargate && { ephemeralStorage: task.ephemeralStorage ?? { sizeGiB: 20, utilizedMiB: 200 } }),
      ...(task.vpcId !== undefined && { vpcId: task.vpcId }),
      tags: task.tags,
      containerInstanceTags: task.containerInstanceTags,
    },
    networkMode,
    cgroup: doc.cgroup,
    cadenceMs: doc.cadence ?? (fargate ? 10_000 : 1000),
    ...(doc.readSpread !== undefined && { readSpreadMs: doc.readSpread }),
    host: {
      onlineCpus: onlineCpusOf(doc),
      ...(doc.host.uptime !== undefined && { uptimeMs: doc.host.uptime }),
    },
    network: {
      interfaceName: doc.network.interface ?? defaultInterface(doc),
      ...(doc.network.ipv4Address !== undefined && { ipv4Address: doc.network.ipv4Address }),
      subnetCidrBlock: doc.network.subnet ?? '10.0.0.0/17',
      ipv6: doc.network.ipv6,
    },
    containers: doc.containers.map(
      (c): ScenarioContainer => ({
        name: c.name,
        image: c.image,
        cpuUnits: c.cpu,
        ...(c.memory !== undefined && { memoryLimitMiB: c.memory }),
        ...(c.memoryReservation !== undefined && { memoryReservationMiB: c.memoryReservation }),
        essential: c.essential,
        state: c.state,
        ...(c.state === 'STOPPED' && { exitCode: c.exitCode ?? 0 }),
        restartPolicy: c.restartPolicy,
        ...(c.health !== undefined && {
          health: c.health.map(
            (r): ScenarioHealthResult => ({
              afterMs: r.after,
              status: r.status,
              ...(r.status === 'UNHEALTHY' && { exitCode: r.exitCode ?? 1 }),
              ...(r.output !== undefined && { output: r.output }),
            }),
          ),
        }),
        ports: c.ports,
        logDriver: c.logDriver,
        labels: c.labels,
        pidsLimit: c.pidsLimit,
        load: c.load,
        events: c.events.map(
          (e): ScenarioEvent =>
            e.action === 'stop'
              ? { atMs: e.at, action: 'stop', exitCode: e.exitCode }
              : { atMs: e.at, action: 'restart' },
        ),
      }),
    ),
  };
}
