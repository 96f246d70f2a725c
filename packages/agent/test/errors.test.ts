import { createServer, type Server } from 'node:net';
import { TaskscopeError } from '@taskscope/input';
import { afterEach, expect, test } from 'vitest';
import { AGENT_ERROR_CODES, AgentListenError, readAgentConfig, startAgent } from '../src/index.js';

let blocker: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

test('an address in use is an AgentListenError (AGENT_LISTEN, origin input: exit 2), naming the address', async () => {
  blocker = createServer();
  const port = await new Promise<number>((resolve) => {
    blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port));
  });
  const config = readAgentConfig({
    flags: { listen: `127.0.0.1:${port}`, metadataUrl: 'http://127.0.0.1:9/v4/x', logLevel: 'silent' },
    env: {},
  });
  const error = await startAgent(config).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AgentListenError);
  expect(error).toBeInstanceOf(TaskscopeError);
  const listenError = error as AgentListenError;
  expect([listenError.code, listenError.origin, listenError.exitCode]).toEqual(['AGENT_LISTEN', 'input', 2]);
  expect([listenError.host, listenError.port, listenError.systemCode]).toEqual([
    '127.0.0.1',
    port,
    'EADDRINUSE',
  ]);
  expect(listenError.message).toBe(
    `--listen 127.0.0.1:${port}: address in use (another process listens there); expected a free port on an address of this host (port 0 picks one)`,
  );
});

test('the agent declares its error codes', () => {
  expect(AGENT_ERROR_CODES).toEqual(['AGENT_CONFIG', 'AGENT_LISTEN']);
});
