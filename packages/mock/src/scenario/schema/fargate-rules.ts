import type { Document, Problem } from './document-schema.js';

/*
 * What the launch type allows. Fargate fixes the network mode, the task CPU/memory pairs
 * and the platform versions; a few task fields exist on one launch type only, and a file
 * that sets them on the other would describe a task the service never runs.
 */

/** Fargate's task CPU/memory pairs (AWS docs, "Task CPU and memory"). */
const FARGATE_MEMORY_MIB: ReadonlyMap<number, { min: number; max: number; step: number }> = new Map([
  [0.25, { min: 512, max: 2048, step: 512 }],
  [0.5, { min: 1024, max: 4096, step: 1024 }],
  [1, { min: 2048, max: 8192, step: 1024 }],
  [2, { min: 4096, max: 16_384, step: 1024 }],
  [4, { min: 8192, max: 30_720, step: 1024 }],
  [8, { min: 16_384, max: 61_440, step: 4096 }],
  [16, { min: 32_768, max: 122_880, step: 8192 }],
]);

/** The first launch-type rule the document breaks (Fargate pairs and fields, EC2-only and Fargate-only fields). */
export function launchTypeProblem(doc: Document): Problem | undefined {
  const { task } = doc;
  const fargate = task.launchType === 'FARGATE';
  if (fargate) {
    if (doc.networkMode !== undefined && doc.networkMode !== 'awsvpc')
      return { path: ['networkMode'], allowed: 'awsvpc (the only network mode on Fargate)' };
    if (task.cpu === undefined)
      return {
        path: ['task', 'cpu'],
        allowed: 'a task CPU in vCPU (Fargate requires one): 0.25, 0.5, 1, 2, 4, 8 or 16',
      };
    const memory = FARGATE_MEMORY_MIB.get(task.cpu);
    if (!memory) return { path: ['task', 'cpu'], allowed: '0.25, 0.5, 1, 2, 4, 8 or 16 vCPU on Fargate' };
    if (task.memory === undefined || task.memory < memory.min || task.memory > memory.max) {
      const allowed = `with ${task.cpu} vCPU on Fargate, ${memory.min} to ${memory.max} MiB in steps of ${memory.step}`;
      return { path: ['task', 'memory'], allowed };
    }
    if ((task.memory - memory.min) % memory.step !== 0)
      return { path: ['task', 'memory'], allowed: `a multiple of ${memory.step} MiB from ${memory.min}` };
    if (doc.cgroup === 'windows' && task.cpu < 1)
      return { path: ['task', 'cpu'], allowed: 'at least 1 vCPU for Windows on Fargate' };
    if (task.vpcId !== undefined)
      return { path: ['task', 'vpcId'], allowed: 'nothing on Fargate (EC2 only)' };
    if (Object.keys(task.containerInstanceTags).length > 0)
      return { path: ['task', 'containerInstanceTags'], allowed: 'nothing on Fargate (EC2 only)' };
    const version = task.platformVersion;
    if (version !== undefined && version !== 'LATEST' && compareVersions(version, '1.4.0') < 0)
      return {
        path: ['task', 'platformVersion'],
        allowed: '1.4.0 or later (the first with the v4 endpoint)',
      };
  } else {
    if (task.platformVersion !== undefined)
      return { path: ['task', 'platformVersion'], allowed: 'nothing on EC2 (Fargate only)' };
    if (task.ephemeralStorage !== undefined)
      return { path: ['task', 'ephemeralStorage'], allowed: 'nothing on EC2 (Fargate only)' };
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
