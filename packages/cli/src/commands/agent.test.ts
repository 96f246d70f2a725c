import { createServer, type Socket } from 'node:net';
import { startMock } from '@taskscope/mock';
import { REFUSED_PORT, spawnSource, waitFor } from '@taskscope/test-support';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { LISTEN_EXPECTED, listenFailureCases } from '../../test/listen-cases.js';
import { main, reportFailure } from '../main.js';
import { registerAgentCommand } from './agent.js';
import { AGENT_V8_FLAGS } from './v8-flags.js';

afterEach(() => {
  delete process.env['TASKSCOPE_LOG_LEVEL'];
  delete process.env['TASKSCOPE_HISTORY'];
});

describe('taskscope agent', () => {
  it('exits 2 with every bad flag and variable in one message', async () => {
    process.env['TASKSCOPE_LOG_LEVEL'] = 'loud';
    const { io, stderr } = captureIo();
    const code = await main(['agent', '--interval', '5ms', '--exporters', 'prometheus,statsd'], io);
    expect(code).toBe(2);
    expect(stderr()).toBe(
      'taskscope: invalid agent configuration (3 problems):\n' +
        '  --interval is "5ms" (string); expected auto or a duration from 100ms to 1h, such as 500ms, 10s or 1m\n' +
        '  --exporters is "prometheus,statsd" (string); expected a comma list of prometheus, otlp, emf ("statsd" is not one)\n' +
        '  TASKSCOPE_LOG_LEVEL is "loud" (string); expected one of fatal, error, warn, info, debug, trace, silent\n',
    );
  });

  it('exits 2 with one line for a bad --history or TASKSCOPE_HISTORY, and lists the flag in its help', async () => {
    const allowed = 'expected 0 (off) or a duration from 10s to 6h, such as 5m, 15m or 1h';
    const flag = captureIo();
    expect(await main(['agent', '--history', '7h'], flag.io)).toBe(2);
    expect(flag.stderr()).toBe(
      `taskscope: invalid agent configuration: --history is "7h" (string); ${allowed}\n`,
    );
    process.env['TASKSCOPE_HISTORY'] = 'forever';
    const variable = captureIo();
    expect(await main(['agent'], variable.io)).toBe(2);
    expect(variable.stderr()).toBe(
      `taskscope: invalid agent configuration: TASKSCOPE_HISTORY is "forever" (string); ${allowed}\n`,
    );
    const help = captureIo();
    expect(await main(['agent', '--help'], help.io)).toBe(0);
    expect(help.stdout().replace(/\s+/g, ' ')).toContain(
      '--history <duration> history kept in memory for the dashboard, SSE catch-up and /api/v1/history, 10s to 6h; 0 turns it off (default 15m) (env: TASKSCOPE_HISTORY)',
    );
  });

  it('exits 2 with one line naming the field for a bad --prices file', async () => {
    const { io, stderr } = captureIo();
    expect(await main(['agent', '--prices', '/nonexistent/prices.json'], io)).toBe(2);
    expect(stderr()).toBe(
      'taskscope: price table /nonexistent/prices.json (--prices): --prices is "/nonexistent/prices.json" (string); expected a readable JSON price table file (it cannot be read: ENOENT)\n',
    );
  });

  it('hands --history, or else TASKSCOPE_HISTORY, to the agent', async () => {
    const retentionWith = async (args: string[], env: Record<string, string>): Promise<number> => {
      let stop: (signal: string) => void = () => {};
      const stopped = new Promise<string>((resolve) => {
        stop = resolve;
      });
      let retentionMs: number | undefined;
      const program = new Command('taskscope').exitOverride();
      registerAgentCommand(program, captureIo().io, {
        waitForStop: () => stopped,
        env: { TASKSCOPE_LOG_LEVEL: 'silent', ...env },
        forceExit: false,
        setV8Flags: false,
        onStarted: (agent) => {
          retentionMs = agent.feed.retentionMs;
          stop('SIGTERM');
        },
      });
      await program.parseAsync(
        [
          'agent',
          '--listen',
          '127.0.0.1:0',
          '--metadata-url',
          `http://127.0.0.1:${REFUSED_PORT}/v4/x`,
          ...args,
        ],
        { from: 'user' },
      );
      return retentionMs!;
    };
    expect(await retentionWith([], {})).toBe(15 * 60_000);
    expect(await retentionWith(['--history', '0'], { TASKSCOPE_HISTORY: '1h' })).toBe(0);
    expect(await retentionWith([], { TASKSCOPE_HISTORY: '1h' })).toBe(3_600_000);
  });

  it('reports an address it cannot listen on in one line naming --listen, the value and why, exit 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const expected = LISTEN_EXPECTED;
    const cases = listenFailureCases(Number(port), 'TASKSCOPE_LISTEN');
    try {
      for (const [args, env, message] of cases) {
        const { io, stderr } = captureIo();
        const program = new Command('taskscope').exitOverride();
        registerAgentCommand(program, io, {
          waitForStop: () => new Promise(() => {}),
          env: { ...env, TASKSCOPE_LOG_LEVEL: 'silent' },
          forceExit: false,
          setV8Flags: false,
        });
        const error = await program
          .parseAsync(['agent', '--metadata-url', 'http://127.0.0.1:9/v4/x', ...args], { from: 'user' })
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect([args, reportFailure(error, io)]).toEqual([args, 2]);
        expect(stderr()).toBe(`taskscope: ${message}${expected}`);
      }
    } finally {
      blocker.close();
    }
  });

  it('turns a switch its variable turned on off with the --no- flag: the flag wins', async () => {
    const mock = await startMock({ scenario: 'ec2-bridge' });
    /** The first exposition with a container series, from an agent given `args` and the variable on. */
    const metricsWith = async (args: string[]): Promise<string> => {
      const { io } = captureIo();
      let stop: (signal: string) => void = () => {};
      const stopped = new Promise<string>((resolve) => {
        stop = resolve;
      });
      let metricsUrl: string | undefined;
      const program = new Command('taskscope').exitOverride();
      registerAgentCommand(program, io, {
        waitForStop: () => stopped,
        env: { TASKSCOPE_TASK_LABELS: 'true', TASKSCOPE_LOG_LEVEL: 'silent' },
        forceExit: false,
        setV8Flags: false,
        onStarted: (agent) => {
          metricsUrl = agent.metricsUrl;
        },
      });
      const running = program.parseAsync(
        ['agent', '--listen', '127.0.0.1:0', '--metadata-url', Object.values(mock.v4Urls)[0]!, ...args],
        { from: 'user' },
      );
      try {
        return await waitFor('a container series on /metrics', async () => {
          if (metricsUrl === undefined) return undefined;
          const text = await (await fetch(metricsUrl)).text();
          return /^ecs_container_\w+\{[^}]*container_name="/m.test(text) ? text : undefined;
        });
      } finally {
        stop('SIGTERM');
        await running;
      }
    };
    try {
      expect(await metricsWith([])).toMatch(/^ecs_container_\w+\{[^}]*cluster="/m);
      expect(await metricsWith(['--no-task-labels'])).not.toMatch(/^ecs_container_\w+\{[^}]*cluster="/m);
    } finally {
      await mock.close();
    }
  });

  it('runs as a real process, logs JSON on stderr only, and exits 0 within 5 s of SIGTERM with OTLP unreachable', async () => {
    const mock = await startMock({ scenario: 'fargate-web', cadenceMs: 500 });
    const sockets = new Set<Socket>();
    const blackhole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const collector = `http://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
    // From the sources through tsx: the old per-file ts.transpileModule hooks made the child
    // take 16–22 s to start under load (issue #9).
    const child = spawnSource(
      'packages/cli/src/bin.ts',
      ['agent', '--listen', '127.0.0.1:0', '--exporters', 'prometheus,otlp'],
      {
        env: {
          ...process.env,
          ECS_CONTAINER_METADATA_URI_V4: mock.v4Urls.taskscope,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector,
          OTEL_METRIC_EXPORT_INTERVAL: '300',
        },
      },
    );
    try {
      const startedLine = await child.waitForOutput(
        'the "agent started" log line',
        ({ stderr }) => stderr.split('\n').find((line) => line.includes('"msg":"agent started"')),
        { timeoutMs: 60_000 },
      );
      const started = JSON.parse(startedLine) as {
        url: string;
        metadataUrlSource: string;
        level: string;
      };
      expect(started).toMatchObject({
        level: 'info',
        metadataUrlSource: 'ECS_CONTAINER_METADATA_URI_V4',
        v8Flags: [...AGENT_V8_FLAGS],
      });
      await waitFor('the agent to be ready (GET /readyz 200)', async () =>
        (await fetch(`${started.url}readyz`)).status === 200 ? true : undefined,
      );
      // Wait for the event the test is about: an export hanging on the collector that never answers.
      await waitFor('an OTLP export to connect to the collector that never answers', () =>
        sockets.size > 0 ? true : undefined,
      );

      const killedMs = performance.now();
      child.child.kill('SIGTERM');
      // The contract (docs/contract.md, commands/agent.ts): exit 0 within 5 s of SIGTERM whatever hangs.
      expect(await child.exited).toBe(0);
      expect(performance.now() - killedMs).toBeLessThan(5000);
      // EMF owns stdout: nothing else may be written there.
      expect(child.stdout()).toBe('');
      for (const line of child.stderr().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      child.kill();
      for (const socket of sockets) socket.destroy();
      blackhole.close();
      await mock.close();
    }
  }, 90_000);
});

describe('taskscope agent: SIGTERM during the start', () => {
  const probe = new URL('../../test/signal-probe.mjs', import.meta.url).href;
  // Each moment is an event of the child's start (test/signal-probe.mjs sends the SIGTERM when
  // it happens): just after the process can catch it, while the V8 flags are set (after the
  // config is read), and as the server starts to listen (after the OTLP SDK has loaded).
  for (const at of ['armed', 'v8-flags', 'listen']) {
    it(`exits 0 within 5 s of a SIGTERM at "${at}"`, async () => {
      const mock = await startMock({ scenario: 'ec2-bridge' });
      const child = spawnSource(
        'packages/cli/src/bin.ts',
        ['agent', '--listen', '127.0.0.1:0', '--exporters', 'prometheus,otlp', '--log-level', 'silent'],
        {
          env: {
            ...process.env,
            NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${probe}`.trim(),
            TASKSCOPE_TEST_SIGTERM_AT: at,
            ECS_CONTAINER_METADATA_URI_V4: Object.values(mock.v4Urls)[0]!,
            // Nothing listens on port 0: an export would fail at once, never hang.
            OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:0',
          },
        },
      );
      try {
        // The child kills itself at the event, and says so on stderr.
        await child.waitForOutput(
          'the probe to send SIGTERM',
          ({ stderr }) => (stderr.includes('signal-probe: SIGTERM sent') ? true : undefined),
          { timeoutMs: 60_000 },
        );
        const sentMs = performance.now();
        const code = await child.exited;
        expect(performance.now() - sentMs).toBeLessThan(5000);
        expect([code, child.stderr()]).toEqual([0, 'signal-probe: SIGTERM sent\n']);
      } finally {
        child.kill();
        await mock.close();
      }
    }, 90_000);
  }
});
