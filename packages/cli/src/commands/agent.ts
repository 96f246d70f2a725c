import { type AgentFlags, type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { addSwitch, option } from '../options.js';
import { armProcessShutdown, type WaitForStop, waitForSignal } from './signals.js';
import { applyAgentV8Flags } from './v8-flags.js';

/** What the agent command needs from its surroundings; injectable for tests. */
export interface AgentCommandDeps {
  readonly waitForStop: WaitForStop;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called once the agent runs (tests read its URL). */
  readonly onStarted?: (agent: RunningAgent) => void;
  /** Exit 0 even if shutdown hangs, and at once on a second signal; only for a real process. */
  readonly forceExit: boolean;
  /** Set the agent's V8 flags (v8-flags.ts) on the process; only for a real agent process. */
  readonly setV8Flags: boolean;
}

const FLAG_KEYS: readonly (keyof AgentFlags)[] = [
  'metadataUrl',
  'listen',
  'interval',
  'exporters',
  'emfNamespace',
  'emfContainerMetrics',
  'taskLabels',
  'authToken',
  'logLevel',
  'requestTimeout',
  'history',
  'prices',
];

/** `taskscope agent` (docs/contract.md, "taskscope agent"). */
export function registerAgentCommand(
  program: Command,
  _io: CliIo,
  deps: AgentCommandDeps = {
    waitForStop: waitForSignal,
    env: process.env,
    forceExit: true,
    setV8Flags: true,
  },
): void {
  const command = program
    .command('agent')
    .description(
      'the sidecar: poll the task metadata endpoint, compute, export (logs on stderr, EMF on stdout)',
    )
    .addOption(
      option(
        'agent',
        '--metadata-url <url>',
        'base URL of the task metadata endpoint (default: ECS_CONTAINER_METADATA_URI_V4, then ECS_CONTAINER_METADATA_URI, then http://169.254.170.2/v2)',
      ),
    )
    .addOption(
      option(
        'agent',
        '--listen <host:port>',
        'HTTP server for /metrics, the API and the dashboard (default 0.0.0.0:9780)',
      ),
    )
    .addOption(
      option(
        'agent',
        '--interval <duration|auto>',
        'poll period, ≥ 100ms; auto learns the refresh cadence (default auto)',
      ),
    )
    .addOption(
      option('agent', '--exporters <list>', 'comma list of prometheus, otlp, emf (default prometheus)'),
    )
    .addOption(
      option(
        'agent',
        '--emf-namespace <ns>',
        'CloudWatch namespace of the EMF lines (default ECS/Taskscope)',
      ),
    )
    .addOption(
      option(
        'agent',
        '--auth-token <token>',
        'require Authorization: Bearer <token> on every path but /healthz (the dashboard also opens as /?token=<token>)',
      ),
    )
    .addOption(
      option(
        'agent',
        '--log-level <level>',
        'fatal, error, warn, info, debug, trace or silent (default info)',
      ),
    )
    .addOption(
      option('agent', '--request-timeout <duration>', 'per-request timeout to the endpoint (default 2s)'),
    )
    .addOption(
      option(
        'agent',
        '--history <duration>',
        'history kept in memory for the dashboard, SSE catch-up and /api/v1/history, 10s to 6h; 0 turns it off (default 15m)',
      ),
    )
    .addOption(
      option(
        'agent',
        '--prices <file>',
        'a JSON price table replacing the built-in on-demand one (cost series and /api/v1/rightsize)',
      ),
    );
  // readAgentConfig reads the switches' variables itself, with the same words.
  addSwitch(
    command,
    'agent',
    {
      flag: '--emf-container-metrics',
      description: 'also write per-container EMF events',
      oppositeDescription: 'no per-container EMF events (the default)',
    },
    { readsEnv: false },
  );
  addSwitch(
    command,
    'agent',
    {
      flag: '--task-labels',
      description: 'add task identity labels to the Prometheus series',
      oppositeDescription: 'no task identity labels (the default)',
    },
    { readsEnv: false },
  );
  command.action(async (_options: unknown, command: Command) => {
    // The stop is armed before anything else starts: a signal during config reading, the V8
    // flags, the OTLP SDK's loading or listen stops the agent as soon as it runs (exit 0).
    if (deps.forceExit) armProcessShutdown();
    let stopSignal: string | undefined;
    const stopped = deps.waitForStop().then((signal) => {
      stopSignal = signal;
      return signal;
    });
    // Only what was typed is passed as a flag: readAgentConfig reads TASKSCOPE_* itself, so
    // a bad value is reported under the name the user actually set.
    const flags: Record<string, unknown> = {};
    const values = command.opts<Record<string, unknown>>();
    for (const key of FLAG_KEYS) {
      if (command.getOptionValueSource(key) === 'cli') flags[key] = values[key];
    }
    // AgentConfigError and AgentListenError are input errors: main prints them, exit 2.
    const config = readAgentConfig({ flags: flags as AgentFlags, env: deps.env });
    // A signal that came while the modules loaded: nothing to start. One turn of the microtask
    // queue runs the `then` above if its promise had settled already.
    await null;
    if (stopSignal !== undefined) return;
    const v8Flags = deps.setV8Flags ? applyAgentV8Flags() : undefined;
    const agent = await startAgent(config, v8Flags ? { v8Flags } : {});
    deps.onStarted?.(agent);
    // A signal during the start lands here at once; the agent stops within its budget, and a
    // real process exits 0 at FORCED_EXIT_MS after the signal whatever hangs.
    await stopped;
    await agent.stop();
  });
}
