import type { TaskMetrics } from '@taskscope/core';
import { describeFound, InputError, safeParseInput, summarizeIssues } from '@taskscope/input';
import * as v from 'valibot';
import type { TaskCostSample } from '../cost.js';
import type { EmfDropCounts } from './limits.js';
import { type EmfPollScope, translateEmf } from './translate.js';

/**
 * CloudWatch namespace rules: PutMetricData's 255-character limit (stricter than the EMF
 * schema's 1024), aws-embedded-metrics-node's character set, and no `AWS/` prefix (reserved).
 * A failed parse's issue message says what is allowed.
 */
export const EMF_NAMESPACE = v.pipe(
  v.string(),
  v.regex(
    /^(?!AWS\/)(?=.*\S)[A-Za-z0-9 ._#:/-]{1,255}$/,
    '1-255 characters of letters, digits, spaces and . _ # : / -, not starting with "AWS/"',
  ),
);

/**
 * A namespace CloudWatch would drop the lines of: an {@link InputError} (code `EMF_CONFIG`),
 * field `namespace`. It comes from a flag or a variable (`--emf-namespace`), which the agent's
 * configuration checks first and names itself; this one is for library callers.
 */
export class EmfConfigError extends InputError {
  override readonly name = 'EmfConfigError';
  declare readonly code: 'EMF_CONFIG';
  constructor(namespace: string, allowed: string) {
    super('EMF_CONFIG', 'invalid EMF configuration', [{ field: 'namespace', value: namespace, allowed }]);
  }
}

/** Options of {@link createEmfEmitter}. */
export interface EmfEmitterOptions {
  readonly namespace: string;
  readonly containerMetrics: boolean;
  /** Where a line goes: the agent writes to stdout (logs go to stderr, so they never mix). */
  readonly write: (line: string) => void;
}

/** Writes EMF lines for the samples it is given. */
export interface EmfEmitter {
  /**
   * Write the EMF lines of one poll: with a scope, its closed refresh cycles and advanced
   * containers (nothing when both are empty); without one, the sample as a whole, which must
   * then be fresh (a duplicate carries no new interval). With `cost` (the agent's cost meter
   * now), the Task events also carry the task's price and cost so far.
   */
  emit(metrics: TaskMetrics, scope?: EmfPollScope, cost?: TaskCostSample): void;
  /** What CloudWatch's dimension rules made it leave out since it was created (docs/security.md). */
  dropped(): Readonly<EmfDropCounts>;
}

/** Thin adapter over {@link translateEmf}: one JSON document per line. */
export function createEmfEmitter(options: EmfEmitterOptions): EmfEmitter {
  const parsed = safeParseInput(EMF_NAMESPACE, options.namespace);
  if (!parsed.success) {
    // A namespace that is no string at all is a bug in the caller's code (the option is typed
    // string), not something a user typed: a TypeError, as for any wrong argument type.
    if (typeof options.namespace !== 'string') {
      throw new TypeError(`EMF namespace must be a string (got ${describeFound(options.namespace)})`);
    }
    throw new EmfConfigError(options.namespace, summarizeIssues(parsed.issues, options.namespace).expected);
  }
  const dropped: EmfDropCounts = { droppedDimensionSets: 0, droppedEvents: 0 };
  const translateOptions = { namespace: parsed.output, containerMetrics: options.containerMetrics, dropped };
  return {
    emit(metrics, scope, cost) {
      for (const event of translateEmf(metrics, { ...translateOptions, cost }, scope))
        options.write(`${JSON.stringify(event)}\n`);
    },
    dropped: () => ({ ...dropped }),
  };
}
