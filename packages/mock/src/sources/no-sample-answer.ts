import type { ApiVersion } from '@taskscope/wire';
import type { MockAnswer } from './payload-source.js';

/*
 * Answers every source shares, so static, replay and scenario sources agree on what the
 * real agent does for a container without a sample (docs/endpoint.md
 * §5, "Which version returns what for a container with no sample").
 */

/**
 * Single-container stats (`/v2/stats/<id>`, `/vN/<id>/stats`) of a container whose stats
 * entry is `null`/`{}`. A RUNNING container has no sample yet: v2/v3 200 `null`, v4 200
 * `{}`. Any other container is not in the stats engine: v2/v3 400 and v4 500, both
 * `"Unable to get container stats for: <id>"` (agent/handlers/v2/task_container_stats_handler.go;
 * ecs-agent/tmds/handlers/v4/handlers.go getStatsErrorResponse).
 */
export function statsWithoutSample(
  version: ApiVersion,
  dockerId: string,
  knownStatus: string | undefined,
): MockAnswer {
  if (knownStatus === 'RUNNING') return { status: 200, body: version === 'v4' ? {} : null };
  return { status: version === 'v4' ? 500 : 400, body: `Unable to get container stats for: ${dockerId}` };
}
