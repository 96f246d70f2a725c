import { fileURLToPath } from 'node:url';
import { createStopper, spawnSource, waitFor } from '@taskscope/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { headroomLine, main } from '../examples/memory-headroom.ts';
import { type AgentDouble, startAgentDouble } from './agent-double.ts';
import { sampleSnapshot, snapshotBeforeFirstSample } from './samples.ts';

const stopper = createStopper();
afterEach(() => stopper.stopAll());

async function agent(token?: string): Promise<AgentDouble> {
  return stopper.track(await startAgentDouble(token === undefined ? {} : { token }), (double) =>
    double.stop(),
  );
}

describe('examples/memory-headroom.ts', () => {
  it('main() logs the task’s memory headroom for each sample from the agent', async () => {
    const double = await agent('s3cret');
    double.record(sampleSnapshot(1000));
    const lines: string[] = [];
    const warnings: string[] = [];
    const controller = new AbortController();
    const running = main({
      baseUrl: double.baseUrl,
      token: 's3cret',
      log: (line) => {
        lines.push(line);
        controller.abort();
      },
      warn: (line) => warnings.push(line),
      signal: controller.signal,
    });
    // Catch-up from history needs a Last-Event-ID; a live sample reaches a fresh subscriber.
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.publish(sampleSnapshot(11_000));
    await running;
    // A 2 GiB task whose containers' working sets add up to 512 MiB.
    expect(lines).toEqual([
      'fargate-web:7 memory headroom: 1.50 GiB of 2.00 GiB free (75.0 %); working set 512 MiB',
    ]);
    expect(warnings).toEqual([]);
  });

  it('says "not reported" rather than computing from a missing figure', () => {
    expect(headroomLine(snapshotBeforeFirstSample())).toBe(
      "task memory headroom: not reported (the task's memory size is not reported)",
    );
    const noWorkingSet = sampleSnapshot();
    const totals = { ...noWorkingSet.totals!, memoryWorkingSetBytes: null };
    expect(headroomLine({ ...noWorkingSet, totals })).toBe(
      'fargate-web:7 memory headroom: not reported (the working set is not reported)',
    );
  });

  it('runs as a program: the line on stdout, the agent from TASKSCOPE_AGENT, exit 0 on SIGINT', async () => {
    const double = await agent('s3cret');
    const program = stopper.track(
      spawnSource(fileURLToPath(new URL('../examples/memory-headroom.ts', import.meta.url)), [], {
        env: { ...process.env, TASKSCOPE_AGENT: `${double.baseUrl}/`, TASKSCOPE_AUTH_TOKEN: 's3cret' },
      }),
      (started) => started.kill(),
    );
    await waitFor('the program’s stream to open', () => (double.openStreams() === 1 ? true : undefined), {
      timeoutMs: 60_000,
      seen: () => program.stderr(),
    });
    const used = sampleSnapshot(1000);
    double.publish({ ...used, totals: { ...used.totals!, memoryWorkingSetBytes: 1843 * 1024 * 1024 } });
    const line = await program.waitForOutput('the headroom line', ({ stdout }) =>
      stdout.includes('\n') ? stdout : undefined,
    );
    expect(line).toBe(
      'fargate-web:7 memory headroom: 205 MiB of 2.00 GiB free (10.0 %); working set 1.80 GiB\n',
    );
    program.child.kill('SIGINT');
    expect(await program.exited).toBe(0);
    expect(program.stderr()).toBe('');
  });
});
