/**
 * @taskscope/mock: a mock ECS task metadata endpoint (v2, v3, v4) with scenarios, faults,
 * replay, the ground truth, and msw handlers (`@taskscope/mock/msw`).
 */

export {
  FaultSpecError,
  MOCK_ERROR_CODES,
  type MockErrorCode,
  MockInputError,
  MockListenError,
  RecordingError,
} from './common/errors.js';
export { parseJsonLossless, stringifyJson } from './common/json-text.js';
export { type Fault, type FaultKind, parseFault, parseFaults } from './faults/fault-spec.js';
export { SCHEMA_DRIFTS, type SchemaDrift } from './faults/schema-drift.js';
export type { MockControls } from './http/controls.js';
export {
  CONTROL_PREFIX,
  createRequestHandler,
  type HandlerRequest,
  type HandlerResult,
  MAX_CONTROL_BODY_BYTES,
  type RequestHandler,
  type RequestHandlerOptions,
} from './http/handler.js';
export {
  type ListenAddress,
  MOCK_REQUEST_LIMITS,
  type MockRequestLimits,
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from './http/server.js';
export { type StartMockOptions, startMock } from './http/start-mock.js';
export {
  createRateLimiter,
  DEFAULT_BURST,
  DEFAULT_STEADY_PER_SECOND,
  type RateLimiter,
} from './http/throttle.js';
export {
  builtInScenario,
  builtInScenarioNames,
  createScenarioSource,
  loadScenario,
  parseScenarioText,
  type Scenario,
  ScenarioError,
} from './scenario/index.js';
export { statsWithoutSample } from './sources/no-sample-answer.js';
// Every type of the payload source contract: what a source answers and the truth it holds.
export type * from './sources/payload-source.js';
export {
  createAccountScrubber,
  formatRecordingHeader,
  formatRecordingLine,
  parseRecording,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type Recording,
  type RecordingFrame,
  type RecordingHeader,
  recordedPaths,
} from './sources/recording.js';
export {
  assertReplayable,
  createReplaySource,
  type ReplayMode,
  type ReplaySourceOptions,
} from './sources/replay-source.js';
export {
  DEFAULT_SCENARIO,
  MAX_CADENCE_MS,
  MIN_CADENCE_MS,
  type MockSourceOptions,
  resolveSource,
} from './sources/resolve-source.js';
export { createStaticSource, type StaticSourceOptions } from './sources/static-source.js';
