export { CLI_ERROR_CODES, type CliErrorCode, RecordError, TopError, UsageError } from './errors.js';
export { type CliIo, processIo } from './io.js';
export { createProgram, main, reportFailure } from './main.js';
export { durationArg, envNameOf, hostPortArg, USAGE_EXIT_CODE } from './options.js';
