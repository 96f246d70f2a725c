import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadFixture } from '@taskscope/fixtures';
import { REFUSED_PORT } from '@taskscope/test-support';
import { afterEach, expect, test } from 'vitest';
import {
  createMetadataClient,
  DEFAULT_USER_AGENT,
  type MetadataClient,
  MetadataConnectionError,
  MetadataThrottledError,
  MetadataTimeoutError,
} from '../src/index.js';
import { rejectionOf } from './helpers.js';

const ID = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';
const TASK = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json').text;
const STATS = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').text;

interface Loopback {
  readonly baseUrl: string;
  readonly server: Server;
  /** Every request seen: its path, User-Agent and the client port of its socket. */
  readonly seen: { path: string; userAgent: string | undefined; remotePort: number | undefined }[];
  readonly sockets: Set<Socket>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Loopback> {
  const seen: Loopback['seen'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push({
      path: req.url ?? '',
      userAgent: req.headers['user-agent'],
      remotePort: req.socket.remotePort,
    });
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });
  return { baseUrl: `http://127.0.0.1:${port}/v4/${ID}`, server, seen, sockets };
}

function clientFor(loopback: { baseUrl: string }, options: { timeoutMs?: number } = {}): MetadataClient {
  const client = createMetadataClient({ metadataUrl: loopback.baseUrl, env: {}, ...options });
  cleanups.push(() => client.close());
  return client;
}

function json(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

test('keep-alive: sequential requests reuse one socket, with the taskscope User-Agent', async () => {
  const loopback = await serve((req, res) => json(res, 200, req.url?.endsWith('/stats') ? STATS : TASK));
  const client = clientFor(loopback);
  for (let i = 0; i < 3; i++) {
    await client.taskMetadata();
    await client.taskStats();
  }
  expect(loopback.seen.map((r) => r.path)).toEqual(
    Array.from({ length: 3 }, () => [`/v4/${ID}/task`, `/v4/${ID}/task/stats`]).flat(),
  );
  expect(new Set(loopback.seen.map((r) => r.remotePort)).size).toBe(1);
  expect(new Set(loopback.seen.map((r) => r.userAgent))).toEqual(new Set([DEFAULT_USER_AGENT]));
});

test('keep-alive: requests made together queue on the one connection', async () => {
  const loopback = await serve((req, res) => json(res, 200, req.url?.endsWith('/stats') ? STATS : TASK));
  const client = clientFor(loopback);
  const [task, stats] = await Promise.all([client.taskMetadata(), client.taskStats(), client.taskMetadata()]);
  expect(task.Family).toBe('prom-ecs-exporter-sandbox-main-fargate');
  expect(Object.keys(stats)).toHaveLength(3);
  expect(loopback.seen).toHaveLength(3);
  expect(new Set(loopback.seen.map((r) => r.remotePort)).size).toBe(1);
});

test('close() closes the pooled connection', async () => {
  const loopback = await serve((_req, res) => json(res, 200, TASK));
  const client = createMetadataClient({ metadataUrl: loopback.baseUrl, env: {} });
  await client.taskMetadata();
  expect(loopback.sockets.size).toBe(1);
  const [socket] = loopback.sockets;
  await Promise.all([client.close(), once(socket!, 'close')]);
  expect(loopback.sockets.size).toBe(0);
});

test('a server that never answers is TMDS_TIMEOUT after timeoutMs, and the next request still works', async () => {
  let answer = false;
  const loopback = await serve((_req, res) => {
    if (answer) json(res, 200, TASK);
  });
  const client = clientFor(loopback, { timeoutMs: 150 });
  const startedMs = performance.now();
  const error = await rejectionOf(client.taskMetadata());
  const elapsedMs = performance.now() - startedMs;
  expect(error).toBeInstanceOf(MetadataTimeoutError);
  expect(error.message).toBe(`GET ${loopback.baseUrl}/task: no complete response within 150 ms`);
  expect((error as MetadataTimeoutError).timeoutMs).toBe(150);
  expect(elapsedMs).toBeGreaterThanOrEqual(140);
  expect(elapsedMs).toBeLessThan(1500);
  answer = true;
  expect((await client.taskMetadata()).KnownStatus).toBe('RUNNING');
});

test('a body that stalls after the headers is TMDS_TIMEOUT too: the budget covers the body', async () => {
  const loopback = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(STATS) });
    res.write(STATS.slice(0, 100));
  });
  const error = await rejectionOf(clientFor(loopback, { timeoutMs: 150 }).taskStats());
  expect(error.code).toBe('TMDS_TIMEOUT');
});

test('a socket destroyed by the server is TMDS_CONNECTION', async () => {
  const loopback = await serve((req) => req.socket.destroy());
  const error = await rejectionOf(clientFor(loopback).taskStats());
  expect(error).toBeInstanceOf(MetadataConnectionError);
  expect(error.message).toMatch(
    new RegExp(`^GET ${loopback.baseUrl}/task/stats: .+ \\((UND_ERR_SOCKET|ECONNRESET)\\)$`),
  );
  expect(error.retryable).toBe(true);
});

test('a body cut short of its Content-Length is TMDS_CONNECTION, not malformed JSON', async () => {
  const loopback = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(STATS) });
    res.write(STATS.slice(0, 100), () => req.socket.destroy());
  });
  expect((await rejectionOf(clientFor(loopback).taskStats())).code).toBe('TMDS_CONNECTION');
});

test('a refused connection is TMDS_CONNECTION naming ECONNREFUSED', async () => {
  // A port nothing can listen on. Freeing a server's port and then talking to it raced with
  // anything else binding that port in between (issue #9).
  const baseUrl = `http://127.0.0.1:${REFUSED_PORT}/v4/${ID}`;
  const error = await rejectionOf(clientFor({ baseUrl }).taskMetadata());
  expect(error.code).toBe('TMDS_CONNECTION');
  expect(error.message).toMatch(/\(ECONNREFUSED\)$/);
});

test('429 text/plain, as the real throttle sends it, is TMDS_THROTTLED', async () => {
  const loopback = await serve((_req, res) => {
    // tollbooth defaults (docs/endpoint.md §2); no Retry-After.
    res.writeHead(429, {
      'content-type': 'text/plain; charset=utf-8',
      'x-rate-limit-limit': '40.00',
      'x-rate-limit-duration': '1',
    });
    res.end('You have reached maximum request limit.');
  });
  const error = (await rejectionOf(clientFor(loopback).taskStats())) as MetadataThrottledError;
  expect(error).toBeInstanceOf(MetadataThrottledError);
  expect([error.code, error.status, error.body, error.detail, error.retryAfterMs]).toEqual([
    'TMDS_THROTTLED',
    429,
    'You have reached maximum request limit.',
    'You have reached maximum request limit.',
    undefined,
  ]);
  expect(error.headers['x-rate-limit-limit']).toBe('40.00');
  expect(error.message).toBe(
    `GET ${loopback.baseUrl}/task/stats: HTTP 429: You have reached maximum request limit.`,
  );
});

test('request() measures the round trip including the body', async () => {
  const loopback = await serve((_req, res) => setTimeout(() => json(res, 200, TASK), 60));
  const response = await clientFor(loopback).request('/task');
  expect(response.status).toBe(200);
  expect(response.text).toBe(TASK);
  expect(response.json).toEqual(JSON.parse(TASK));
  expect(response.durationMs).toBeGreaterThanOrEqual(55);
  expect(response.durationMs).toBeLessThan(1000);
});
