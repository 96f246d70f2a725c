import type { ContainerModel } from './model.js';
import { NS_PER_MS } from './nanoseconds.js';
import type { Timeline } from './timeline.js';

/*
 * A container's health check as the ECS agent keeps it (agent/api/container/container.go
 * `SetHealthStatus`, fed by agent/dockerclient/dockerapi/docker_client.go
 * `getMetadataHealthCheck`): the status starts UNKNOWN; a change of status sets the status,
 * `statusSince` (the moment of the change) and `output`, and a change to UNHEALTHY also sets
 * `exitCode`, which nothing clears afterwards. A restarted container's check starts again
 * (Docker's `starting`, UNKNOWN to the agent) from the restart, and after a stop nothing
 * changes any more.
 */

/** What the agent holds for a container's health check at one time. */
export interface HealthState {
  readonly status: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  /** Scenario ns of the last change of status; absent before the first. */
  readonly sinceNs?: number;
  /** The exit code of the check that last turned the container UNHEALTHY (kept after it recovers). */
  readonly exitCode?: number;
  readonly output?: string;
}

const NO_CHANGE_YET: HealthState = Object.freeze({ status: 'UNKNOWN' });

/** The container's health check at `tNs`; `undefined` when it has none. */
export function healthAt(c: ContainerModel, timeline: Timeline, tNs: number): HealthState | undefined {
  const results = c.spec.health;
  if (results === undefined) return undefined;
  const starts = timeline.runStarts(c);
  const endNs = c.stop === undefined ? tNs : Math.min(tNs, c.stop.atNs);
  let state = NO_CHANGE_YET;
  for (let run = 0; run < starts.length && starts[run]! <= endNs; run++) {
    const startNs = starts[run]!;
    const nextStartNs = starts[run + 1] ?? Number.POSITIVE_INFINITY;
    if (run > 0 && state.status !== 'UNKNOWN') {
      state = {
        status: 'UNKNOWN',
        sinceNs: startNs,
        ...(state.exitCode !== undefined && { exitCode: state.exitCode }),
      };
    }
    for (const result of results) {
      const atNs = startNs + Math.round(result.afterMs * NS_PER_MS);
      if (atNs > endNs || atNs >= nextStartNs) break;
      const exitCode = result.status === 'UNHEALTHY' ? result.exitCode : state.exitCode;
      state = {
        status: result.status,
        sinceNs: atNs,
        ...(exitCode !== undefined && { exitCode }),
        ...(result.output !== undefined && { output: result.output }),
      };
    }
  }
  return state;
}
