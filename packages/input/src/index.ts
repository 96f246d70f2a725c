/**
 * @taskscope/input: untrusted input, read one way. The error model every taskscope package
 * throws (`TaskscopeError`, `InputError`), the one message shape (field, value, what is
 * allowed), valibot issues in words, and the grammars of durations, HOST:PORT and switches.
 */

export {
  type ErrorOrigin,
  EXIT_CODE_OF_ORIGIN,
  exitCodeOf,
  fieldWords,
  formatProblem,
  formatProblems,
  InputError,
  type InputErrorClass,
  inputErrorClass,
  isTaskscopeError,
  type ListenError,
  type ListenErrorClass,
  listenErrorClass,
  type Problem,
  TaskscopeError,
} from './errors.js';
export { describeFound, oneOf, preview } from './found.js';
export { deepFreeze } from './freeze.js';
export {
  INPUT_PARSE_CONFIG,
  type IssueSummary,
  problemsOf,
  safeParseInput,
  summarizeIssues,
  VALIBOT_OWN_MESSAGE,
} from './issues.js';
export { booleanWord, durationText, hostPortText } from './schemas.js';
// Every export of text.ts is public: the parsers, the formatter and the words of each grammar.
export * from './text.js';
