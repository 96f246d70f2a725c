import type { Problem } from '@taskscope/input';
import { MockInputError } from '../common/errors.js';

/** Stable code for every scenario problem: branch on it, never on the message. */
export type ScenarioErrorCode = 'MOCK_SCENARIO';

/**
 * A scenario name, file or value that cannot be used. The message names the field, the
 * value found and what is allowed, e.g.
 * `scenario fargate.yaml: field "containers.0.load.cpuCores.sine.period" is "0s" (string); expected a duration …, above 0`.
 */
export class ScenarioError extends MockInputError {
  override readonly name: string = 'ScenarioError';
  declare readonly code: ScenarioErrorCode;

  constructor(
    /** What was read: `scenario fargate.yaml`, `mock options`. */
    source: string,
    problems: readonly Problem[],
    options?: { readonly cause?: unknown },
  ) {
    super('MOCK_SCENARIO', source, problems, options);
  }

  /** Dotted path of the first offending field (`""` for the whole document). */
  get path(): string {
    return this.field;
  }
}
