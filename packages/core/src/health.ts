import { type ContainerHealthMetadata, isSampleTime, payloadTimeToMs } from '@taskscope/wire';
import { payloadTime } from './time.js';
import type { ContainerHealth } from './types.js';
import type { Mutable } from './util.js';

/**
 * A container's `Health` (v2, v3 and v4 alike) as {@link ContainerHealth}; `undefined` when the
 * metadata has none, which is when the task definition gives the container no health check.
 *
 * - `status`: `HEALTHY` or `UNHEALTHY` in any letter case (Docker itself says `healthy`);
 *   anything else is `UNKNOWN`: a missing status (the EC2 agent omits it until the first check
 *   result, so `{}` is a check that has not reported yet), Docker's `starting`, a status the
 *   endpoint may add later.
 * - `sinceMs`: `statusSince` in ms since the epoch, fraction kept (wire checked it is RFC 3339);
 *   absent when missing or not a real time (Go's zero time).
 * - `exitCode`: only while `UNHEALTHY`. The agent sets it when a failing check turns the
 *   container unhealthy and never clears it (agent/api/container/container.go
 *   `SetHealthStatus`), so on a recovered container it is a past failure's, not the last
 *   check's. A check that passes exits 0, which the endpoint omits (omitempty) anyway.
 */
export function containerHealthOf(
  health: ContainerHealthMetadata | null | undefined,
): ContainerHealth | undefined {
  if (health === null || health === undefined) return undefined;
  const status = healthStatusOf(health.status);
  const out: Mutable<ContainerHealth> = { status };
  const since = typeof health.statusSince === 'string' ? payloadTime(health.statusSince) : undefined;
  if (isSampleTime(since)) out.sinceMs = payloadTimeToMs(since);
  if (status === 'UNHEALTHY' && typeof health.exitCode === 'number' && Number.isInteger(health.exitCode)) {
    out.exitCode = health.exitCode;
  }
  return out;
}

/** The payload's status text normalised: `HEALTHY`, `UNHEALTHY`, else `UNKNOWN`. */
export function healthStatusOf(status: string | null | undefined): ContainerHealth['status'] {
  if (typeof status !== 'string') return 'UNKNOWN';
  const upper = status.trim().toUpperCase();
  return upper === 'HEALTHY' || upper === 'UNHEALTHY' ? upper : 'UNKNOWN';
}
