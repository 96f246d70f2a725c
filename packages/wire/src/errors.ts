import { TaskscopeError } from '@taskscope/input';

/**
 * Every code the wire layer raises. Stable: branch on `code`, never on the message. The
 * repository README's error table is checked against it by a test.
 */
export const WIRE_ERROR_CODES = ['TMDS_SCHEMA'] as const;

/** A stable machine code of the wire layer. */
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[number];

/** What was parsed: the payload kinds of parse.ts, so a caller can tell them apart without the message. */
export type WirePayloadKind = 'task metadata' | 'container metadata' | 'container stats' | 'task stats';

/**
 * A payload that does not have the shape taskscope depends on. Origin `world`: the endpoint
 * sent it (the CLI, which also parses files the user gave, rewraps those as input errors).
 * The message names the field, the value found and what is allowed, e.g.
 * `task stats: field "abc-1.cpu_stats.cpu_usage.total_usage" is "12" (string); expected a number`.
 */
export class WireSchemaError extends TaskscopeError {
  override readonly name = 'WireSchemaError';
  declare readonly code: WireErrorCode;
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
    /** Which payload was parsed. */
    readonly payload: WirePayloadKind,
  ) {
    super('TMDS_SCHEMA', 'world', message);
  }
}
