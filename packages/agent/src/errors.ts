import { type InputError, inputErrorClass, listenErrorClass } from '@taskscope/input';

/**
 * Every code the agent raises itself (the client's `TMDS_*` codes reach it as poll errors, the
 * exporters' as configuration problems). Stable: branch on `code`, never on the message. The
 * repository README's error table is checked against it by a test.
 */
export const AGENT_ERROR_CODES = ['AGENT_CONFIG', 'AGENT_LISTEN'] as const;

/** A stable machine code of the agent. */
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

/** What an {@link AgentConfigError}'s message says was read. */
export const AGENT_CONFIG_SOURCE = 'invalid agent configuration';

/**
 * The agent's configuration is invalid: an {@link InputError} whose `problems` list every
 * one, each with `field` the flag or environment variable that supplied the value
 * (`--interval`, `TASKSCOPE_INTERVAL`, `OTEL_METRIC_EXPORT_INTERVAL`), the value and what is
 * allowed. The message carries them all, one per line, so the CLI prints it once and exits 2.
 */
export class AgentConfigError extends inputErrorClass(
  'AgentConfigError',
  'AGENT_CONFIG',
  AGENT_CONFIG_SOURCE,
) {}

/**
 * The agent's HTTP server cannot listen on the configured address (taken by another process,
 * not an address of this host, a name that does not resolve, a privileged port). Origin
 * `input`: the user picks the address. One line: `--listen 127.0.0.1:9780: address in use
 * (…); expected a free port on an address of this host (port 0 picks one)`.
 */
export class AgentListenError extends listenErrorClass('AgentListenError', 'AGENT_LISTEN', '--listen') {}
