import type { TaskMetrics } from '@taskscope/core';
import pino, { type Logger } from 'pino';
import type { CadenceState } from './cadence.js';
import type { AgentConfig, LogLevel } from './config.js';

/**
 * The agent's pino logger: JSON lines on stderr, because EMF owns stdout (CloudWatch Logs
 * parses every stdout line of the container as a possible EMF document). Synchronous writes,
 * so the last lines before exit are never lost.
 */
export function createAgentLogger(
  level: LogLevel,
  destination: pino.DestinationStream = pino.destination({ dest: 2, sync: true }),
): Logger {
  return pino(
    {
      level,
      base: { name: 'taskscope-agent', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // pino's default `err` serializer appends every cause's message to the error's own,
      // which repeats it when the message already quotes its cause ("connect ECONNREFUSED
      // …: connect ECONNREFUSED …"); this one keeps the cause as a nested object.
      serializers: { err: pino.stdSerializers.errWithCause },
    },
    destination,
  );
}

/**
 * How a failure goes into a log line: `error`, one line of text that says each thing once
 * (a cause's message only when the error's own does not already quote it), and `err`, the
 * error with its stack and causes, only when the logger is at `debug` or below.
 */
export function errorFields(logger: Logger, error: unknown): { error: string; err?: unknown } {
  const text = oneLine(error);
  return logger.isLevelEnabled('debug') ? { error: text, err: error } : { error: text };
}

function oneLine(error: unknown): string {
  let text = messageOf(error);
  const seen = new Set<unknown>([error]);
  let cause = (error as { cause?: unknown } | null)?.cause;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    seen.add(cause);
    const message = messageOf(cause);
    if (message !== '' && !text.includes(message)) text = text === '' ? message : `${text}: ${message}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return text.replace(/\s*\n\s*/g, ' ');
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  return typeof value === 'string' ? value : String(value);
}

/**
 * The start-up notices after "agent started": when no flag or variable named the endpoint,
 * the agent polls the v2 default, which answers only inside an ECS task; outside one it
 * would fail quietly, so say which URL, why, and what to do instead.
 */
export function logStartNotices(logger: Logger, config: AgentConfig): void {
  if (config.metadata.source !== 'default') return;
  logger.warn(
    {
      metadataUrl: config.metadata.baseUrl,
      why: 'neither ECS_CONTAINER_METADATA_URI_V4 nor ECS_CONTAINER_METADATA_URI is set, and no --metadata-url',
      hint: 'outside ECS, pass --metadata-url URL (or TASKSCOPE_METADATA_URL), or run `taskscope demo`',
    },
    'no metadata URL given: polling the v2 default, which only answers inside an ECS task',
  );
}

/**
 * Logs "ready" once, at the first good sample, with what the endpoint showed: the API
 * version, the task's family and revision, the container names and the poll interval
 * (fixed, or the learned cadence). With `--interval auto` the cadence is usually learned a
 * few refreshes later: then one "cadence learned" line follows.
 */
export function createReadyLog(
  logger: Logger,
  config: Pick<AgentConfig, 'metadata' | 'interval'>,
): (metrics: TaskMetrics, cadence: CadenceState | undefined) => void {
  let ready = false;
  let cadenceLogged = false;
  return (metrics, cadence) => {
    const learnedMs =
      cadence?.learned && cadence.cadenceMs !== undefined ? Math.round(cadence.cadenceMs) : undefined;
    if (!ready) {
      ready = true;
      cadenceLogged = learnedMs !== undefined;
      logger.info(
        {
          apiVersion: config.metadata.version,
          metadataUrl: config.metadata.baseUrl,
          family: metrics.identity.family,
          revision: metrics.identity.revision,
          containers: metrics.containers.map((c) => c.name),
          ...(config.interval.mode === 'fixed'
            ? { intervalMs: config.interval.intervalMs }
            : { interval: 'auto', ...(learnedMs !== undefined ? { cadenceMs: learnedMs } : {}) }),
        },
        'ready',
      );
      return;
    }
    if (!cadenceLogged && config.interval.mode === 'auto' && learnedMs !== undefined) {
      cadenceLogged = true;
      logger.info({ cadenceMs: learnedMs }, 'cadence learned');
    }
  };
}
