import { type AgentFlags, type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import type { TaskMetrics } from '@taskscope/core';
import { type MockServer, parseScenarioText, type Scenario, startMock, type Truth } from '@taskscope/mock';
import { type Snapshot, SnapshotSchema } from '@taskscope/sdk';
import { waitFor } from '@taskscope/test-support';
import * as v from 'valibot';
import { getJson } from './http.js';

/** `/api/v1/snapshot`: the SDK's `taskscope.snapshot/v1` document. */
export type { Snapshot } from '@taskscope/sdk';

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
  /** `/api/v1/snapshot`, checked against the SDK's schema. */
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
    snapshot: async () => v.parse(SnapshotSchema, await getJson(`${agent.url}api/v1/snapshot`)),
    truth: () => getJson<Truth>(`${mock.url}/__taskscope/truth`),
    async stop() {
      await agent.stop();
      await mock.close();
    },
  };
}

/**
 * The agent's snapshot and the mock's truth for the same refresh: waits until the agent's
 * latest cycle is the latest refresh the truth describes (the snapshot's id is the truth's
 * `readAtMs` in whole ms), re-reading both when a refresh lands in between. With the API
 * document comes core's TaskMetrics of the same poll, read in-process (what the API does not
 * carry: usage, each container's own `read` and interval).
 */
export async function alignedSnapshot(
  stack: Stack,
  options: { readonly timeoutMs?: number } = {},
): Promise<{ snapshot: Snapshot; metrics: TaskMetrics; truth: Truth }> {
  let last = 'nothing yet';
  return waitFor(
    'the agent to compute the refresh the mock truth describes',
    async () => {
      const truth = await stack.truth();
      const snapshot = await stack.snapshot();
      last = `truth ${truth.readAtMs}, snapshot id ${snapshot.id}, newest read ${stack.agent.store.latest()?.sample.readAtMs}`;
      if (snapshot.id === null || snapshot.id !== Math.floor(truth.readAtMs)) return undefined;
      // The same poll's metrics: a poll since the snapshot would have moved the newest read.
      const metrics = stack.agent.store.latest();
      const readAtMs = metrics?.sample.readAtMs;
      // Both in ms with the payload's fraction; the mock's read is whole nanoseconds.
      if (metrics === undefined || readAtMs === undefined || Math.abs(readAtMs - truth.readAtMs) > 0.001) {
        return undefined;
      }
      // Rates over the truth's own interval: an agent starved past a refresh (a loaded machine)
      // computes them over two, an average the truth does not describe. Wait for the next.
      if (!sameInterval(metrics, truth)) return undefined;
      // The truth may have moved on while the snapshot was fetched: read it again.
      const again = await stack.truth();
      if (again.readAtMs !== truth.readAtMs) return undefined;
      return { snapshot, metrics, truth };
    },
    { timeoutMs: options.timeoutMs ?? 20_000, intervalMs: 25, seen: () => last },
  );
}

/**
 * Every container's rates cover one refresh, as the truth's do: the agent saw both ends of the
 * interval. Each container reads at its own moment (a few ms of jitter a refresh), so its own
 * interval is within 10 % of the task's; a missed refresh makes it twice as long.
 */
export function sameInterval(metrics: TaskMetrics, truth: Truth): boolean {
  return metrics.containers.every(
    (c) =>
      c.stats === undefined ||
      (c.stats.intervalSeconds !== undefined &&
        Math.abs(c.stats.intervalSeconds - truth.intervalSeconds) <= 0.1 * truth.intervalSeconds),
  );
}
