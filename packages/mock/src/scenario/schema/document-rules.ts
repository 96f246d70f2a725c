import { profileMaximum } from '../engine/profile.js';
import { onlineCpusOf } from './defaults.js';
import type { Document, Problem } from './document-schema.js';
import { launchTypeProblem } from './fargate-rules.js';

/**
 * Rules across fields (the launch type's first, then cadence, containers and their loads
 * against the task's limits); the first problem found is reported, so a bad file fails
 * with one message at load time.
 */
export function documentProblem(doc: Document): Problem | undefined {
  const launchType = launchTypeProblem(doc);
  if (launchType) return launchType;
  const { task } = doc;
  if (doc.cadence !== undefined && (doc.cadence < 100 || doc.cadence > 60_000))
    return { path: ['cadence'], allowed: 'from 100ms to 60s' };
  const cadenceMs = doc.cadence ?? (doc.task.launchType === 'FARGATE' ? 10_000 : 1000);
  if (doc.readSpread !== undefined && doc.readSpread >= cadenceMs)
    return { path: ['readSpread'], allowed: `from 0ms to below the cadence (${cadenceMs} ms)` };
  const onlineCpus = onlineCpusOf(doc);
  const names = new Set<string>();
  let totalUnits = 0;
  let essentials = 0;
  for (const [i, c] of doc.containers.entries()) {
    const at = (...rest: (string | number)[]) => ['containers', i, ...rest];
    if (names.has(c.name)) return { path: at('name'), allowed: 'a name no other container of the task has' };
    names.add(c.name);
    totalUnits += c.cpu;
    if (c.essential) essentials++;
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory)
      return { path: at('memoryReservation'), allowed: `at most the hard limit memory (${c.memory} MiB)` };
    if (task.memory !== undefined && c.memory !== undefined && c.memory > task.memory)
      return { path: at('memory'), allowed: `at most the task memory (${task.memory} MiB)` };
    if (task.memory === undefined && c.memory === undefined && c.memoryReservation === undefined)
      return {
        path: at('memory'),
        allowed: 'a limit in MiB (memory or memoryReservation) when the task sets no memory',
      };
    if (c.exitCode !== undefined && c.state !== 'STOPPED')
      return { path: at('exitCode'), allowed: 'nothing unless state is STOPPED' };
    if (c.events.length > 0 && c.state !== 'RUNNING')
      return { path: at('events'), allowed: 'no events unless state is RUNNING' };
    for (let e = 0; e < c.events.length; e++) {
      const event = c.events[e]!;
      if (e > 0 && event.at <= c.events[e - 1]!.at)
        return {
          path: at('events', e, 'at'),
          allowed: `a time after the previous event's ${c.events[e - 1]!.at}ms`,
        };
      if (e > 0 && c.events[e - 1]!.action === 'stop')
        return { path: at('events', e), allowed: 'no event after a stop' };
    }
    const healthProblem = healthResultsProblem(c, at);
    if (healthProblem) return healthProblem;
    const cpuCap = task.cpu ?? onlineCpus;
    const cpuMax = profileMaximum(c.load.cpuCores);
    if (cpuMax > cpuCap + 1e-9)
      return {
        path: at('load', 'cpuCores'),
        allowed: `a load whose peak (${round(cpuMax)}) is at most the task's ${cpuCap} vCPU`,
      };
    const memoryCapMiB = c.memory ?? task.memory;
    if (memoryCapMiB !== undefined) {
      const peak = profileMaximum(c.load.memoryWorkingSetBytes) + profileMaximum(c.load.memoryCacheBytes);
      if (peak > memoryCapMiB * 1024 ** 2)
        return {
          path: at('load', 'memoryWorkingSetBytes'),
          allowed: `peaks that fit the ${memoryCapMiB} MiB limit with the cache (together ${round(peak / 1024 ** 2)} MiB)`,
        };
    }
  }
  if (task.cpu !== undefined && totalUnits > task.cpu * 1024)
    return { path: ['containers'], allowed: `container cpu units summing to at most ${task.cpu * 1024}` };
  if (essentials === 0) return { path: ['containers'], allowed: 'at least one essential container' };
  return undefined;
}

/**
 * A health check's results are changes of its status during a run, as the endpoint reports
 * them: in time order, each a different status from the one before, an exit code only for a
 * failing check. Only a container that runs has results (any container may have a check that
 * never reports: `health: []`).
 */
function healthResultsProblem(
  c: Document['containers'][number],
  at: (...rest: (string | number)[]) => (string | number)[],
): Problem | undefined {
  const results = c.health ?? [];
  if (results.length > 0 && c.state !== 'RUNNING')
    return { path: at('health'), allowed: 'no health check results unless state is RUNNING' };
  for (const [r, result] of results.entries()) {
    const before = r > 0 ? results[r - 1]! : undefined;
    if (before && result.after <= before.after)
      return {
        path: at('health', r, 'after'),
        allowed: `a time after the previous result's ${before.after}ms`,
      };
    if (before && result.status === before.status)
      return {
        path: at('health', r, 'status'),
        allowed: `a status other than the previous result's ${before.status} (results are changes of status)`,
      };
    if (result.exitCode !== undefined && result.status !== 'UNHEALTHY')
      return { path: at('health', r, 'exitCode'), allowed: 'nothing unless status is UNHEALTHY' };
  }
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
