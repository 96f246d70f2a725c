import { type AgentFlags, type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import type { TaskMetrics } from '@taskscope/core';
import { type MockServer, parseScenarioText, type Scenario, startMock, type Truth } from '@taskscope/mock';
import { waitFor } from '@taskscope/test-support';
import { getJson } from './http.js';

/** The `/api/v1/snapshot` fields the tests read (the agent's AgentSnapshot). */
export interface Snapshot {
  readonly schema: string;
  readonly status: {
    readonly ready: boolean;
    readonly requests: Readonly<Record<string, number>>;
    readonly samples: { readonly fresh: number; readonly duplicate: number };
  };
  readonly metrics: TaskMetrics | null;
}

export interface StackOptions {
  /** A built-in name or a scenario document (the YAML/JSON file format, as a value). */
  readonly scenario: string | object;
  /** The mock's stats refresh cadence; short, so the suite stays fast. */
  readonly cadenceMs?: number;
  /** Agent flags; `--listen 127.0.0.1:0`, `--log-level silent` and the v4 URL are set here. */
  readonly flags?: AgentFlags;
  /** `OTEL_*` and other variables for the agent's config. */
  readonly env?: Record<string, string>;
  /** Which API family the agent polls; default v4. */
  readonly api?: 'v2' | 'v3' | 'v4';
  readonly startTime?: string;
}

/** A mock endpoint and an in-process agent polling it, with the agent's stdout captured. */
export interface Stack {
  readonly mock: MockServer;
  readonly agent: RunningAgent;
  /** Every line the agent wrote to stdout (EMF), newline stripped. */
  readonly stdoutLines: string[];
  snapshot(): Promise<Snapshot>;
  truth(): Promise<Truth>;
  stop(): Promise<void>;
}

/** A scenario document as the mock's loader validates it (the same path a scenario file takes). */
export function scenarioOf(document: object): Scenario {
  return parseScenarioText(JSON.stringify(document), 'json', 'test scenario');
}

/** Starts the mock, then an agent pointed at it. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const mock = await startMock({
    scenario: typeof options.scenario === 'string' ? options.scenario : scenarioOf(options.scenario),
    ...(options.cadenceMs === undefined ? {} : { cadenceMs: options.cadenceMs }),
    ...(options.startTime === undefined ? {} : { startTime: options.startTime }),
    // Many agents and test clients share 127.0.0.1: the per-client budget is tested in the mock.
    throttle: false,
  });
  const first = mock.endpoints[0]!.containerName;
  const api = options.api ?? 'v4';
  const metadataUrl = api === 'v2' ? mock.v2Url : api === 'v3' ? mock.v3Urls[first]! : mock.v4Urls[first]!;
  const stdoutLines: string[] = [];
  let partial = '';
  let agent: RunningAgent;
  try {
    const config = readAgentConfig({
      flags: { metadataUrl, listen: '127.0.0.1:0', logLevel: 'silent', ...options.flags },
      env: options.env ?? {},
    });
    agent = await startAgent(config, {
      stdout: (text) => {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop()!;
        stdoutLines.push(...lines);
      },
    });
  } catch (error) {
    await mock.close();
    throw error;
  }
  return {
    mock,
    agent,
    stdoutLines,
    snapshot: () => getJson<Snapshot>(`${agent.url}api/v1/snapshot`),
    truth: () => getJson<Truth>(`${mock.url}/__taskscope/truth`),
    async stop() {
      await agent.stop();
      await mock.close();
    },
  };
}

/**
 * The agent's snapshot and the mock's truth for the same refresh: waits until the agent has
 * computed the latest refresh the truth describes (its newest `read` equals truth.readAtMs),
 * re-reading both when a refresh lands in between. `minFreshIntervals` waits for that many
 * refreshes first, so rates come from two real samples rather than precpu_stats.
 */
export async function alignedSnapshot(
  stack: Stack,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ snapshot: Snapshot; metrics: TaskMetrics; truth: Truth }> {
  return waitFor(
    'the agent to compute the refresh the mock truth describes',
    async () => {
      const truth = await stack.truth();
      const snapshot = await stack.snapshot();
      const readAtMs = snapshot.metrics?.sample.readAtMs;
      if (snapshot.metrics === null || readAtMs === undefined) return undefined;
      // Both in ms with the payload's fraction; the mock's read is whole nanoseconds.
      if (Math.abs(readAtMs - truth.readAtMs) > 0.001) return undefined;
      // The truth may have moved on while the snapshot was fetched: read it again.
      const again = await stack.truth();
      if (again.readAtMs !== truth.readAtMs) return undefined;
      return { snapshot, metrics: snapshot.metrics, truth };
    },
    { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 25 },
  );
}
