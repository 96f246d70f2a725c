import { type RunningAgent, readAgentConfig, startAgent } from '@taskscope/agent';
import { type MockServer, startMock } from '@taskscope/mock';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { type WaitForStop, waitForSignal } from './signals.js';

/** The mock's container that plays the sidecar: the agent asks with its v4 URL, as in a task. */
const SIDECAR_CONTAINER = 'taskscope';

/**
 * How long the demo's task has been running when it starts: four 10 s refreshes, so the
 * first poll finds RUNNING containers whose samples have a previous one, and the first
 * screen a newcomer sees has numbers rather than CREATED and dashes.
 */
export const DEMO_RUNNING_FOR_MS = 45_000;

/** `taskscope demo` (docs/contract.md, "taskscope demo"): the mock and the agent in one process. */
export function registerDemoCommand(
  program: Command,
  io: CliIo,
  waitForStop: WaitForStop = waitForSignal,
): void {
  program
    .command('demo')
    .description(
      "the mock's fargate-web scenario and the agent in one process, on free ports; Ctrl-C stops both",
    )
    .action(async () => {
      const mock: MockServer = await startMock({
        scenario: 'fargate-web',
        runningForMs: DEMO_RUNNING_FOR_MS,
        listen: { host: '127.0.0.1', port: 0 },
      });
      let agent: RunningAgent;
      try {
        const metadataUrl = mock.v4Urls[SIDECAR_CONTAINER] ?? Object.values(mock.v4Urls)[0];
        // Warnings only: the terminal is for the URLs.
        const config = readAgentConfig({
          flags: { metadataUrl, listen: '127.0.0.1:0', logLevel: 'warn' },
          env: {},
        });
        agent = await startAgent(config);
      } catch (error) {
        await mock.close();
        throw error;
      }
      io.stdout(
        `dashboard ${agent.url}\nmetrics   ${agent.metricsUrl}\nsnapshot  ${agent.url}api/v1/snapshot\nmock      ${mock.url} (fargate-web; the sidecar's v4 URL ${agent.snapshot().poll.endpoint.url})\nCtrl-C stops both.\n`,
      );
      await waitForStop();
      await agent.stop();
      await mock.close();
    });
}
