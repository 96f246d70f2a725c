import { InputError, listenErrorClass, type Problem, VALIBOT_OWN_MESSAGE } from '@taskscope/input';
import type { BaseIssue } from 'valibot';

/*
 * The mock's input errors, on the one error model of @taskscope/input: each is an
 * `InputError` (origin `input`, so the CLI exits 2) whose message is the one shape,
 * `<source>: <field> is <value (kind)>; expected <allowed>`, and which carries every
 * problem found. Codes follow its README's `AREA_SUBJECT` rule.
 */

/**
 * Stable machine codes of the mock's input errors, for a repository-wide test that keeps
 * the README error table in step. Branch on `code`, not the text.
 */
export const MOCK_ERROR_CODES = [
  'MOCK_CONFIG',
  'MOCK_FAULT',
  'MOCK_LISTEN',
  'MOCK_RECORDING',
  'MOCK_SCENARIO',
] as const;

/**
 * `MOCK_CONFIG`: options of the mock's API (conflicting sources, a bad `listen` or
 * `startTime`); `MOCK_FAULT`: a fault SPEC; `MOCK_LISTEN`: an address it cannot listen on; `MOCK_RECORDING`: a recording file;
 * `MOCK_SCENARIO`: a scenario name, file or value.
 */
export type MockErrorCode = (typeof MOCK_ERROR_CODES)[number];

/** What {@link MockInputError}s about the mock's API options name as their source. */
export const MOCK_OPTIONS_SOURCE = 'mock options';

/**
 * Bad input to the mock (a fault SPEC, a recording, a scenario, conflicting options), read from
 * a `source` such as `mock options`, `fault "500@2"`, `recording line 3`. The CLI prints the
 * message and exits 2.
 */
export class MockInputError extends InputError<MockErrorCode> {
  override readonly name: string = 'MockInputError';
}

/** A `--fault` SPEC or a `POST /__taskscope/faults` entry that does not parse. */
export class FaultSpecError extends MockInputError {
  override readonly name: string = 'FaultSpecError';

  constructor(
    /** The SPEC as written. */
    readonly spec: string,
    /** The part of the SPEC that is wrong (`kind`, `probability`, …), its text and what is allowed. */
    problem: Problem,
  ) {
    super('MOCK_FAULT', `fault ${JSON.stringify(spec)}`, [problem]);
  }
}

/** A recording file line that breaks the format in docs/contract.md ("Recording file"). */
export class RecordingError extends MockInputError {
  override readonly name: string = 'RecordingError';

  constructor(
    /** The file, for the message: `recording`, `--replay capture.jsonl`. */
    origin: string,
    /** 1-based line number in the file. */
    readonly line: number,
    problems: readonly Problem[],
    /** `header`: the line is the header, whose fields are not a frame's. */
    options?: { readonly cause?: unknown; readonly header?: boolean },
  ) {
    const source = `${origin} line ${line}${options?.header ? ' (the header)' : ''}`;
    super('MOCK_RECORDING', source, problems, options);
  }
}

/**
 * The mock cannot listen on the address it was given (in use, not an address of this host, a
 * name that does not resolve): a `ListenError` of @taskscope/input. Origin `input`: the user
 * picks it; the CLI prints one line naming the setting (`listen` unless the caller says
 * `--listen` or `TASKSCOPE_MOCK_LISTEN`), the value and why, exit 2.
 */
export class MockListenError extends listenErrorClass('MockListenError', 'MOCK_LISTEN', 'listen') {}

/** A strict object's message: its unknown key by name; valibot's own (which the shared summaries word) otherwise. */
export function unknownKeyMessage(issue: BaseIssue<unknown>): string {
  const item = issue.path?.[0];
  return issue.expected === 'never' && item !== undefined
    ? `no other keys (unknown: ${String(item.key)})`
    : VALIBOT_OWN_MESSAGE;
}
