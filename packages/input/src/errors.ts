import { describeFound } from './found.js';
import { listenFailureText } from './text.js';

/**
 * Where a failure comes from. `input`: what the user gave (a flag, an environment variable, a
 * scenario file, a recording, a task definition): the CLI prints the message and exits 2.
 * `world`: what the user could not control (a refused connection, a timeout, a port taken by
 * another process): exit 1.
 */
export type ErrorOrigin = 'input' | 'world';

/** The exit code of each origin (the contract's "CLI": 2 for bad input, 1 for anything else). */
export const EXIT_CODE_OF_ORIGIN: Readonly<Record<ErrorOrigin, 1 | 2>> = { input: 2, world: 1 };

/**
 * The one base class of every error a taskscope package throws on purpose.
 *
 * - `code` is stable, `AREA_SUBJECT` in upper snake case: the area that raised it (`TMDS`,
 *   `AGENT`, `OTLP`, `MOCK`, `CLI`, …), then what is wrong, as a noun (`CONFIG`, `TIMEOUT`,
 *   `SCHEMA`). Branch on it, never on the message. Every code is listed in the README's error
 *   table, which a test keeps in step with the code.
 * - `origin` says whose it is, and so the exit code.
 * - `cause` is the ES2022 one, passed through.
 */
export class TaskscopeError extends Error {
  override readonly name: string = 'TaskscopeError';

  constructor(
    readonly code: string,
    readonly origin: ErrorOrigin,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }

  /** 2 for the user's input, 1 for the world. */
  get exitCode(): 1 | 2 {
    return EXIT_CODE_OF_ORIGIN[this.origin];
  }
}

/** Whether `error` is a {@link TaskscopeError}, with its code among `codes` when given. */
export function isTaskscopeError(error: unknown, ...codes: readonly string[]): error is TaskscopeError {
  return error instanceof TaskscopeError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * One thing wrong with an input: which field, the value found, what is allowed.
 *
 * `field` is what the user wrote or can find: a flag (`--interval`), an environment variable
 * (`TASKSCOPE_INTERVAL`), or the dotted path of a field in a document (`containers.0.cpu`; `""`
 * for the document itself).
 */
export interface Problem {
  readonly field: string;
  /** The value found; `undefined` when the field is missing. */
  readonly value: unknown;
  /** What the field allows, in words: `a duration from 100ms to 60s`, `one of "v2", "v3"`. */
  readonly allowed: string;
}

const SETTING = /^(?:--?[a-z]|[A-Z][A-Z0-9]*_[A-Z0-9_]*$)/;

/** `--interval`, `TASKSCOPE_INTERVAL` as they are; a document path as `field "a.b"`; `""` as `the value`. */
export function fieldWords(field: string): string {
  if (field === '') return 'the value';
  return SETTING.test(field) ? field : `field "${field}"`;
}

/**
 * The one message shape: `--interval is "5ms" (string); expected a duration from 100ms to 1h`,
 * `field "containers.0.cpu" is -1 (number); expected a value ≥ 0`.
 */
export function formatProblem(problem: Problem): string {
  return `${fieldWords(problem.field)} is ${describeFound(problem.value)}; expected ${problem.allowed}`;
}

/**
 * Input that cannot be used. Carries every problem found, first one first, so a user fixes
 * them all in one go. The message: `<source>: <problem>` for one problem, and
 * `<source> (N problems):` followed by one indented line each for several.
 */
export class InputError<Code extends string = string> extends TaskscopeError {
  override readonly name: string = 'InputError';
  /** A package narrows it to its own codes: `class MockInputError extends InputError<MockErrorCode>`. */
  declare readonly code: Code;
  /** Every problem found, at least one. */
  readonly problems: readonly Problem[];

  constructor(
    code: Code,
    /** What was being read, for the message: `agent configuration`, `scenario web.yaml`, `task stats`. */
    readonly source: string,
    problems: readonly Problem[],
    options?: { readonly cause?: unknown },
  ) {
    if (problems.length === 0) throw new RangeError('an InputError needs at least one problem');
    super(code, 'input', formatProblems(source, problems), options);
    this.problems = problems;
  }

  /** The first problem's field. */
  get field(): string {
    return this.problems[0]!.field;
  }

  /** The first problem's value. */
  get value(): unknown {
    return this.problems[0]!.value;
  }

  /** What the first problem's field allows. */
  get allowed(): string {
    return this.problems[0]!.allowed;
  }
}

/** What {@link inputErrorClass} makes: an {@link InputError} of one code, built from its problems. */
export interface InputErrorClass<Code extends string> {
  new (problems: readonly Problem[]): InputError<Code>;
}

/**
 * The base of a package's configuration error: an {@link InputError} with one fixed code and
 * source, built from its problems alone, e.g.
 * `class OtlpConfigError extends inputErrorClass('OtlpConfigError', 'OTLP_CONFIG', OTLP_CONFIG_SOURCE) {}`.
 */
export function inputErrorClass<const Code extends string>(
  name: string,
  code: Code,
  source: string,
): InputErrorClass<Code> {
  return class extends InputError<Code> {
    override readonly name: string = name;
    constructor(problems: readonly Problem[]) {
      super(code, source, problems);
    }
  };
}

/**
 * A server that cannot listen on the address it was given (taken by another process, not an
 * address of this host, a name that does not resolve, a privileged port). Origin `input`: the
 * user picks the address. A system error of its own kind rather than an {@link InputError}: what
 * is wrong is the world's answer to a well-formed address. One line, {@link listenFailureText}:
 * `--listen 127.0.0.1:9780: address in use (…); expected a free port on an address of this host
 * (port 0 picks one)`.
 */
export interface ListenError<Code extends string = string> extends TaskscopeError {
  readonly code: Code;
  readonly host: string;
  readonly port: number;
  /** The system's code (`EADDRINUSE`, `EADDRNOTAVAIL`, `ENOTFOUND`, `EACCES`), when it gave one. */
  readonly systemCode: string | undefined;
  /** The setting that gave the address, for the message: `--listen`, `TASKSCOPE_LISTEN`, `listen`. */
  readonly field: string;
}

/** What {@link listenErrorClass} makes: a {@link ListenError} of one code. */
export interface ListenErrorClass<Code extends string> {
  new (
    host: string,
    port: number,
    systemCode: string | undefined,
    cause: unknown,
    /** Default: the setting given to {@link listenErrorClass}. */
    field?: string,
  ): ListenError<Code>;
}

/**
 * The base of a package's listen error, one code and the setting its address usually comes
 * from, e.g. `class MockListenError extends listenErrorClass('MockListenError', 'MOCK_LISTEN', 'listen') {}`.
 */
export function listenErrorClass<const Code extends string>(
  name: string,
  code: Code,
  defaultField: string,
): ListenErrorClass<Code> {
  return class extends TaskscopeError implements ListenError<Code> {
    override readonly name: string = name;
    declare readonly code: Code;
    constructor(
      readonly host: string,
      readonly port: number,
      readonly systemCode: string | undefined,
      cause: unknown,
      readonly field = defaultField,
    ) {
      super(code, 'input', listenFailureText(field, { host, port }, systemCode, cause), { cause });
    }
  };
}

/** The message of an {@link InputError}: one line for one problem, an indented list for several. */
export function formatProblems(source: string, problems: readonly Problem[]): string {
  const lines = problems.map(formatProblem);
  const prefix = source === '' ? '' : `${source}: `;
  if (lines.length === 1) return `${prefix}${lines[0]}`;
  return `${source === '' ? '' : `${source} `}(${lines.length} problems):\n  ${lines.join('\n  ')}`;
}

/** The exit code for any thrown value: the error's own for a {@link TaskscopeError}, 1 otherwise. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof TaskscopeError ? error.exitCode : 1;
}
