import { createAgentLogger, readAgentConfig, startAgent } from '@taskscope/agent';
import { resolveMetadataEndpoint } from '@taskscope/client';
import { createTaskscopeClient } from '@taskscope/sdk';
import type { TopSource } from './session.js';

/*
 * top's two sources behind one client. `--agent` reads a running agent. Otherwise top starts
 * the agent in this process on a loopback port, with no exporter and no history, and reads it
 * through the same client: the numbers come from the same core, and top has one code path.
 */

/** A request to the agent that takes longer than this counts as unreachable. */
export const AGENT_TIMEOUT_MS = 5_000;

/** An agent's API at `url` (with the bearer token it requires, if any). */
export function agentSource(url: string, token: string | undefined): TopSource {
  const client = createTaskscopeClient({
    baseUrl: url,
    timeoutMs: AGENT_TIMEOUT_MS,
    ...(token !== undefined ? { token } : {}),
  });
  return {
    client,
    description: `the agent at ${url}`,
    endpointFailuresAreFatal: false,
    close: async () => undefined,
  };
}

/**
 * The task metadata endpoint at `metadataUrl`, or, when undefined, where the agent would
 * look (`ECS_CONTAINER_METADATA_URI_V4`, `ECS_CONTAINER_METADATA_URI`, then the v2 address),
 * read by an agent started in this process on 127.0.0.1 and a free port.
 */
export async function metadataSource(
  metadataUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<TopSource> {
  // Throws TMDS_CONFIG (exit 2) naming the ECS variable when it holds no URL.
  const endpoint = resolveMetadataEndpoint({ metadataUrl, env });
  // Only what top chose: the agent's own TASKSCOPE_* variables in the same environment (a
  // sidecar's, under ECS Exec) configure the sidecar, not this reader.
  const config = readAgentConfig({
    flags: { metadataUrl: endpoint.baseUrl, listen: '127.0.0.1:0', logLevel: 'silent', history: '0' },
    env: {},
  });
  const agent = await startAgent(
    { ...config, exporters: [] },
    {
      // Nothing may write on the screen top draws.
      logger: createAgentLogger('silent'),
      stdout: () => undefined,
    },
  );
  return {
    client: createTaskscopeClient({ baseUrl: agent.url, timeoutMs: AGENT_TIMEOUT_MS }),
    description: `the task metadata endpoint at ${endpoint.baseUrl}`,
    endpointFailuresAreFatal: true,
    close: () => agent.stop(),
  };
}
