import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadFixture } from '@taskscope/fixtures';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createMetadataClient, MetadataConnectionError } from '../src/index.js';
import { Pool } from '../src/undici.js';

/*
 * src/undici.ts loads undici's lib files instead of its index (RSS). These tests run in
 * their own process (vitest isolates test files), first without the index, then with it.
 */

const require = createRequire(import.meta.url);
const INDEX = require.resolve('undici');
const ID = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';
const STATS = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').text;

let baseUrl = '';
const server = createServer((req, res) => {
  res.writeHead(req.url?.endsWith('/task/stats') ? 200 : 404, { 'content-type': 'application/json' });
  res.end(req.url?.endsWith('/task/stats') ? STATS : '{}');
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/${ID}`;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

async function statsThroughOwnPool(): Promise<number | undefined> {
  const client = createMetadataClient({ metadataUrl: baseUrl });
  try {
    return (await client.taskStats())[ID]?.cpu_stats.cpu_usage.total_usage;
  } finally {
    await client.close();
  }
}

test('without the index loaded, the own Pool requests through undici’s request API, patching nothing', async () => {
  expect(require.cache[INDEX]).toBeUndefined();
  expect('request' in Pool.prototype).toBe(false);
  expect(await statsThroughOwnPool()).toBe(932439492);
  expect('request' in Pool.prototype).toBe(false);
  expect(require.cache[INDEX]).toBeUndefined();
});

test('a refused connection is still mapped to TMDS_CONNECTION on the lib-file Pool', async () => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const { port } = closed.address() as AddressInfo;
  closed.close();
  await once(closed, 'close');
  const client = createMetadataClient({ metadataUrl: `http://127.0.0.1:${port}/v4/x`, timeoutMs: 1000 });
  try {
    const error = await client.taskStats().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(MetadataConnectionError);
    expect((error as MetadataConnectionError).code).toBe('TMDS_CONNECTION');
    expect((error as Error).message).toContain('ECONNREFUSED');
  } finally {
    await client.close();
  }
});

test('the lib files are the index’s own modules, and the client works once the index is loaded', async () => {
  const undici = (await import('undici')) as typeof import('undici');
  expect(require.cache[INDEX]).toBeDefined();
  expect(undici.Pool).toBe(Pool);
  expect(undici.errors).toBe(require('undici/lib/core/errors.js'));
  expect(undici.Dispatcher).toBe(require('undici/lib/dispatcher/dispatcher.js'));
  expect(undici.Dispatcher.prototype.request).toBe(require('undici/lib/api/api-request.js'));
  // The index patched the prototype: the own Pool now uses its own method, with the same result.
  expect('request' in Pool.prototype).toBe(true);
  expect(await statsThroughOwnPool()).toBe(932439492);
});
