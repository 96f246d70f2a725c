export { type CliIo, createProgram, main, processIo } from './main.js';
export {
  envNameOf,
  type HostPort,
  parseDurationMs,
  parseHostPort,
  USAGE_EXIT_CODE,
  UsageError,
} from './options.js';
