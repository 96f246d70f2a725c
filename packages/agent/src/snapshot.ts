import type { TaskMetrics } from '@taskscope/core';
import type { ApiVersion } from '@taskscope/wire';
import type { CadenceState } from './cadence.js';
import type { ExporterName, PollInterval } from './config.js';
import type { PollStatus } from './store.js';

/** Version tag of the `/api/v1/snapshot` document; bumped only on a breaking change. */
export const SNAPSHOT_SCHEMA = 'taskscope.snapshot/v1';

/**
 * The document `/api/v1/snapshot` answers and `/api/v1/stream` sends: the poll status and the
 * latest good metrics (`null` until the first successful poll). `metrics` is core's
 * TaskMetrics as is: identity, limits, per-container CPU, memory, block I/O, task networks
 * and totals for the latest interval.
 */
export interface AgentSnapshot {
  readonly schema: typeof SNAPSHOT_SCHEMA;
  /** When this document was made, ISO 8601. */
  readonly generatedAt: string;
  readonly status: PollStatus & {
    readonly endpoint: { readonly url: string; readonly version: ApiVersion };
    readonly interval: PollInterval & { readonly cadence?: CadenceState };
    readonly exporters: readonly ExporterName[];
  };
  readonly metrics: TaskMetrics | null;
}
