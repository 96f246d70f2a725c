export { AGENT_NODE_OPTIONS, AGENT_V8_FLAGS } from './commands/v8-flags.js';
export {
  CLI_ERROR_CODES,
  type CliErrorCode,
  InjectError,
  RecordError,
  TopError,
  UsageError,
  ValidateError,
} from './errors.js';
export { type CliIo, processIo } from './io.js';
export { createProgram, main, reportFailure } from './main.js';
export { durationArg, envNameOf, hostPortArg, USAGE_EXIT_CODE } from './options.js';
