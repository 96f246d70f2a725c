/** Stable machine codes for the agent's own errors; branch on `code`, never on the text. */
export type AgentErrorCode = 'AGENT_CONFIG';

/**
 * The agent's configuration is invalid. `problems` lists every one (flag or environment
 * variable, the bad value, what is allowed); the message carries them all, one per line,
 * so the CLI can print it once and exit 2.
 */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
  readonly code: AgentErrorCode = 'AGENT_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `invalid agent configuration: ${problems[0]}`
        : `invalid agent configuration (${problems.length} problems):\n  ${problems.join('\n  ')}`,
    );
  }
}
