export { REPO_ROOT, type SourceProcess, spawnSource, TSX_LOADER } from './source-process.js';
export { tail, type WaitOptions, WaitTimeoutError, waitFor } from './wait.js';
