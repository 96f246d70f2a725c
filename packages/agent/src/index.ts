export { type RunningAgent, SHUTDOWN_BUDGET_MS, type StartAgentOptions, startAgent } from './agent.js';
export { type BackoffOptions, backoffDelayMs } from './backoff.js';
export {
  type CadenceEstimator,
  type CadenceOptions,
  type CadenceState,
  createCadenceEstimator,
  type ObservationKind,
  type PollObservation,
} from './cadence.js';
export { type Clock, sleep, systemClock, type TimerHandle } from './clock.js';
export {
  type Collector,
  type CollectorOptions,
  createCollector,
  METADATA_MAX_AGE_MS,
  newestRead,
} from './collect.js';
export {
  type AgentConfig,
  type AgentFlags,
  agentEnvNameOf,
  DEFAULT_HISTORY_MS,
  EXPORTER_NAMES,
  type ExporterName,
  LOG_LEVELS,
  type LogLevel,
  MAX_HISTORY_MS,
  MAX_INTERVAL_MS,
  MIN_HISTORY_MS,
  MIN_INTERVAL_MS,
  type PollInterval,
  type ReadAgentConfigOptions,
  readAgentConfig,
} from './config.js';
export {
  cspHash,
  type DashboardPage,
  dashboardCsp,
  loadDashboard,
  type MissingDashboard,
} from './dashboard.js';
export {
  AGENT_CONFIG_SOURCE,
  AGENT_ERROR_CODES,
  AgentConfigError,
  type AgentErrorCode,
  AgentListenError,
} from './errors.js';
export {
  createSnapshotFeed,
  type PublishedCycle,
  type SnapshotContext,
  type SnapshotFeed,
  type SnapshotFeedOptions,
} from './feed.js';
export {
  createSnapshotHistory,
  decodeSnapshot,
  encodeSnapshot,
  type HistoryEntry,
  historyCapacity,
  MIN_CYCLE_MS,
  type SnapshotHistory,
} from './history.js';
export { createAgentLogger } from './logger.js';
export {
  createPoller,
  type Poller,
  type PollerOptions,
  type PollerState,
  type PollResult,
} from './poller.js';
export { readPriceTableFile } from './prices-file.js';
export {
  HEADROOM_WORDS,
  MAX_HEADROOM_PERCENT,
  PERCENTILE_WORDS,
  parseHeadroom,
  parsePercentile,
  parsePlatform,
  parseRightsizeQuery,
  RIGHTSIZE_DEFAULTS,
  type RightsizeAnswer,
  type RightsizeQuery,
  rightsizeSnapshots,
  usageOfSnapshots,
} from './rightsize.js';
export {
  AGENT_PATHS,
  AGENT_REQUEST_LIMITS,
  type AgentRequestLimits,
  type AgentServer,
  type AgentServerOptions,
  acceptsGzip,
  createAgentServer,
  redactUrl,
  SSE_MAX_BUFFERED_BYTES,
} from './server.js';
export { buildSnapshot, SNAPSHOT_SCHEMA, type SnapshotInput } from './snapshot.js';
export {
  createSnapshotStore,
  type PollError,
  type PolledEndpoint,
  type PollStatus,
  type SampleListener,
  type SnapshotStore,
} from './store.js';
