/**
 * @taskscope/mock: a mock ECS task metadata endpoint (v2, v3, v4) with scenarios, faults,
 * replay, the ground truth, and msw handlers (`@taskscope/mock/msw`).
 */

export { statsWithoutSample } from './answers.js';
export type { MockControls } from './controls.js';
export { FaultSpecError, type MockErrorCode, MockInputError, RecordingError } from './errors.js';
export { type Fault, type FaultKind, parseFault, parseFaults } from './faults.js';
export {
  CONTROL_PREFIX,
  createRequestHandler,
  type HandlerRequest,
  type HandlerResult,
  MAX_CONTROL_BODY_BYTES,
  type RequestHandler,
  type RequestHandlerOptions,
} from './handler.js';
export { parseJsonLossless, stringifyJson } from './json-text.js';
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
} from './recording.js';
export { createReplaySource, type ReplayMode, type ReplaySourceOptions } from './replay-source.js';
export {
  builtInScenario,
  builtInScenarioNames,
  createScenarioSource,
  loadScenario,
  parseScenarioText,
  type Scenario,
  ScenarioError,
} from './scenario/index.js';
export { SCHEMA_DRIFTS, type SchemaDrift } from './schema-drift.js';
export { type ListenAddress, type MockServer, type MockServerOptions, startMockServer } from './server.js';
export type {
  ContainerTruth,
  InterfaceTruth,
  MockAnswer,
  MockEndpoint,
  MockRequest,
  MockRoute,
  PayloadSource,
  Truth,
} from './source.js';
export { DEFAULT_SCENARIO, type MockSourceOptions, resolveSource } from './sources.js';
export { type StartMockOptions, startMock } from './start-mock.js';
export { createStaticSource, type StaticSourceOptions } from './static-source.js';
export { createRateLimiter, DEFAULT_BURST, DEFAULT_STEADY_PER_SECOND, type RateLimiter } from './throttle.js';
