/** Stable code for every scenario problem: branch on it, never on the message. */
export type ScenarioErrorCode = 'SCENARIO_INVALID';

/**
 * A scenario file or value that cannot be used. The message names the field, the value
 * found and what is allowed, e.g.
 * `scenario fargate.yaml: field "containers.0.load.cpuCores.sine.period" is "0s"; allowed: a duration above 0`.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly code: ScenarioErrorCode = 'SCENARIO_INVALID';
  constructor(
    message: string,
    /** Dotted path of the offending field (`""` for the whole document). */
    readonly path: string,
    /** The value found there (`undefined` when missing). */
    readonly value: unknown,
    /** What the field allows, in words. */
    readonly allowed: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
