import type { TaskMetadata, TaskStats } from '@taskscope/wire';
import { diffSnapshot } from './diff.js';
import { normalizeSnapshot } from './normalize.js';
import type { CoreState } from './state.js';
import type { TaskMetrics } from './types.js';

/** Everything one poll needs: the validated payloads and the state the previous poll returned. */
export interface ComputeInput {
  readonly metadata: TaskMetadata;
  readonly stats: TaskStats;
  readonly previous?: CoreState | undefined;
}

/** normalizeSnapshot then diffSnapshot: one poll's metrics and the state for the next one. */
export function computeTaskMetrics(input: ComputeInput): { metrics: TaskMetrics; state: CoreState } {
  return diffSnapshot(normalizeSnapshot(input.metadata, input.stats), input.previous);
}
