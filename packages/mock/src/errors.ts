import type { z } from 'zod';

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

/** `field "a.b" is 12 (number); expected a string` for the first zod issue. */
export function describeZodIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const field = issue.path.map(String).join('.');
  const value = valueAt(root, issue.path);
  const found = value === undefined ? 'missing' : `${preview(value)} (${kindOf(value)})`;
  return `${field === '' ? 'the value' : `field "${field}"`} is ${found}; expected ${expectation(issue)}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'object' || issue.expected === 'array'
        ? `an ${issue.expected}`
        : `a ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `a value ≥ ${String(issue.minimum)}`;
    case 'too_big':
      return `a value ≤ ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `no other keys (unknown: ${issue.keys.join(', ')})`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** At most 60 characters of the value, as JSON. */
export function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
