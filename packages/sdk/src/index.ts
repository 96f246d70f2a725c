export {
  API_PATHS,
  createTaskscopeClient,
  DEFAULT_MAX_RETRY_MS,
  DEFAULT_RETRY_MS,
  DEFAULT_TIMEOUT_MS,
  describeIssues,
  SNAPSHOT_EVENT,
  type StreamState,
  type SubscribeOptions,
  type TaskscopeClient,
  TaskscopeClientError,
  type TaskscopeClientErrorCode,
  type TaskscopeClientOptions,
} from './client.js';
export * from './schema.js';
export { createSseParser, type ServerSentEvent, type SseParser, type SseParserHandlers } from './sse.js';
