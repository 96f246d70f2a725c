/**
 * Stable machine codes for every error the wire layer raises. Branch on `code`, never on
 * the message text.
 */
export type WireErrorCode = 'TMDS_SCHEMA';

/**
 * A payload that does not have the shape taskscope depends on. The message names the
 * field, the value found and what is allowed, e.g.
 * `task stats: field "abc-1.cpu_stats.cpu_usage.total_usage" is "12" (string); expected a number`.
 */
export class WireSchemaError extends Error {
  override readonly name = 'WireSchemaError';
  readonly code: WireErrorCode = 'TMDS_SCHEMA';
  constructor(
    message: string,
    /** Dotted path of the first offending field, relative to the payload's root. */
    readonly path: string,
    /** The value found at `path` (`undefined` when the field is missing). */
    readonly value: unknown,
    /** What the field allows, in words. */
    readonly expected: string,
    /** Every problem found, first one first, as `path: expected`. */
    readonly problems: readonly string[],
  ) {
    super(message);
  }
}
