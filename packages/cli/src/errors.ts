import { TaskscopeError } from '@taskscope/input';

/**
 * Every code the CLI raises itself. Stable: branch on `code`, never on the message. The
 * repository README's error table is checked against it by a test. The libraries' errors
 * (`AGENT_CONFIG`, `TMDS_*`, `MOCK_*`, …) pass through the CLI with their own codes.
 */
export const CLI_ERROR_CODES = [
  'CLI_USAGE',
  'CLI_RECORD',
  'CLI_TOP',
  'CLI_VALIDATE',
  'CLI_INJECT',
  'CLI_RIGHTSIZE',
] as const;

/** A stable machine code of the CLI. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];

/**
 * A problem with what the user gave that no library reports itself: flags that cannot be
 * combined, a file that cannot be read or is no captured payload, an address that cannot be
 * listened on. Origin `input`: printed as one line, exit code 2.
 */
export class UsageError extends TaskscopeError {
  override readonly name = 'UsageError';
  declare readonly code: 'CLI_USAGE';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('CLI_USAGE', 'input', message, options);
  }
}

/**
 * `taskscope record` could not capture the endpoint (timeout, refused, an error status).
 * Origin `world`: printed as one line, exit code 1.
 */
export class RecordError extends TaskscopeError {
  override readonly name = 'RecordError';
  declare readonly code: 'CLI_RECORD';
  constructor(
    message: string,
    /** The URL that failed. */
    readonly url: string,
    options?: { readonly cause?: unknown },
  ) {
    super('CLI_RECORD', 'world', message, options);
  }
}

/**
 * `taskscope top` could not read its source: the agent cannot be reached, or the metadata
 * endpoint it reads itself keeps failing before a first success. Origin `world`: printed as
 * one line after the terminal is restored, exit code 1.
 */
export class TopError extends TaskscopeError {
  override readonly name = 'TopError';
  declare readonly code: 'CLI_TOP';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('CLI_TOP', 'world', message, options);
  }
}

/**
 * `taskscope validate` found rules the task definition breaks (listed on stdout). Origin
 * `world`: exit code 1, as the contract asks of a readable task definition with problems (exit 2
 * is for a file that cannot be read or is not JSON).
 */
export class ValidateError extends TaskscopeError {
  override readonly name = 'ValidateError';
  declare readonly code: 'CLI_VALIDATE';
  constructor(
    message: string,
    /** How many problems were listed. */
    readonly problemCount: number,
  ) {
    super('CLI_VALIDATE', 'world', message);
  }
}

/**
 * `taskscope inject` cannot add the sidecar to this task definition without breaking it: a
 * container already has the name or maps the port, the task has no room left. Origin `world`:
 * exit code 1 with the reason, as the contract asks; the flags themselves were fine.
 */
export class InjectError extends TaskscopeError {
  override readonly name = 'InjectError';
  declare readonly code: 'CLI_INJECT';
  constructor(message: string) {
    super('CLI_INJECT', 'world', message);
  }
}

/**
 * `taskscope rightsize` has nothing to size on (no sample in the window), or cannot read its
 * source (the agent or Prometheus unreachable, an error answer, an answer of the wrong shape).
 * Origin `world`: one line saying why, exit code 1.
 */
export class RightsizeError extends TaskscopeError {
  override readonly name = 'RightsizeError';
  declare readonly code: 'CLI_RIGHTSIZE';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('CLI_RIGHTSIZE', 'world', message, options);
  }
}
