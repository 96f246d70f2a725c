import type { Document } from './document-schema.js';

/* Defaults that depend on other fields, shared by the rules and the conversion. */

export function onlineCpusOf(doc: Document): number {
  if (doc.host.onlineCpus !== undefined) return doc.host.onlineCpus;
  // A Fargate microVM shows at least 2 CPUs even for 0.25 vCPU (ecs_exporter fixture).
  if (doc.task.launchType === 'FARGATE') return Math.max(2, Math.ceil(doc.task.cpu ?? 1));
  return 2;
}

export function defaultInterface(doc: Document): string {
  if (doc.cgroup === 'windows') return 'Ethernet 3';
  // Fargate's task ENI is eth1 in every captured payload (ecs_exporter, Datadog v4).
  if (doc.task.launchType === 'FARGATE') return 'eth1';
  // EC2: the task ENI (awsvpc) or each container's veth (bridge) is eth0.
  return 'eth0';
}
