import { describeFound, summarizeIssues, VALIBOT_OWN_MESSAGE } from '@taskscope/input';
import type { BaseIssue, GenericSchema } from 'valibot';

/** Stable machine codes of the mock's own input errors. Branch on `code`, not the text. */
export type MockErrorCode = 'FAULT_INVALID' | 'RECORDING_INVALID' | 'MOCK_OPTIONS_INVALID';

/**
 * Bad input to the mock (a fault SPEC, a recording, conflicting options). The message is
 * one line naming the input, the bad value and what is allowed; the CLI prints it and
 * exits 2.
 */
export class MockInputError extends Error {
  override readonly name: string = 'MockInputError';
  constructor(
    readonly code: MockErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A `--fault` SPEC or a `POST /__taskscope/faults` entry that does not parse. */
export class FaultSpecError extends MockInputError {
  override readonly name = 'FaultSpecError';
  constructor(message: string) {
    super('FAULT_INVALID', message);
  }
}

/** A recording file line that breaks the format in contract.md ("Recording file"). */
export class RecordingError extends MockInputError {
  override readonly name = 'RecordingError';
  constructor(
    message: string,
    /** 1-based line number in the file. */
    readonly line: number,
  ) {
    super('RECORDING_INVALID', message);
  }
}

/**
 * `field "a.b" is 12 (number); expected a string` for the first issue of a failed valibot
 * parse of `root`; `schema` lets a missing field say what it should hold.
 */
export function describeIssues(
  issues: readonly BaseIssue<unknown>[],
  root: unknown,
  schema?: GenericSchema,
): string {
  const { path, value, expected } = summarizeIssues(issues, root, [], schema);
  return `${path === '' ? 'the value' : `field "${path}"`} is ${describeFound(value)}; expected ${expected}`;
}

/** `one of "v2", "v3", "v4"`: the words for a literal or a picklist, as messages say them. */
export function oneOf(values: readonly (string | number)[]): string {
  return `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
}

/** A strict object's message: its unknown key by name; valibot's own text (which `summarizeIssues` words) otherwise. */
export function unknownKeyMessage(issue: BaseIssue<unknown>): string {
  const item = issue.path?.[0];
  return issue.expected === 'never' && item !== undefined
    ? `no other keys (unknown: ${String(item.key)})`
    : VALIBOT_OWN_MESSAGE;
}

/** At most 60 characters of the value, as JSON. */
export function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
