import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

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
    },
    destination,
  );
}
