import { connect } from 'node:net';
import { createPrometheusEndpoint } from '@taskscope/exporters';
import { BUILT_IN_PRICES } from '@taskscope/fargate';
import { ApiErrorSchema } from '@taskscope/sdk';
import { createStopper } from '@taskscope/test-support';
import pino from 'pino';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_PATHS,
  AGENT_REQUEST_LIMITS,
  type AgentRequestLimits,
  createAgentServer,
  createSnapshotFeed,
  createSnapshotStore,
  systemClock,
} from '../src/index.js';
import { FARGATE, twoPolls } from './helpers/payloads.js';

/*
 * What the agent's port refuses (docs/security.md): every path of its route table behind
 * --auth-token, and the caps on a request's URL, header fields, body and arrival time, tried
 * over raw loopback sockets the way a hostile client on the task's network would send them.
 */

const TOKEN = 'a-Token-of-32-characters-exactly';
const started = createStopper();
afterEach(() => started.stopAll());

async function start(
  options: { authToken?: string; requestLimits?: Partial<AgentRequestLimits>; heartbeatMs?: number } = {},
) {
  const { second: metrics } = twoPolls(FARGATE);
  const readAtMs = metrics.sample.readAtMs!;
  const clock = { ...systemClock, now: () => readAtMs };
  const store = createSnapshotStore();
  const feed = createSnapshotFeed({
    store,
    clock,
    historyMs: 15 * 60_000,
    context: () => ({
      endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
      interval: { mode: 'auto' },
      cadence: { learned: true, cadenceMs: 10_000 },
      exporters: ['prometheus'],
    }),
  });
  store.recordSample(metrics, 'first', readAtMs, readAtMs);
  const server = started.track(
    createAgentServer({
      store,
      feed,
      prometheus: createPrometheusEndpoint({ getSnapshot: store.latest }),
      authToken: options.authToken,
      logger: pino({ level: 'silent' }),
      pricing: { table: BUILT_IN_PRICES, platform: 'linux/x86_64' },
      ...(options.requestLimits ? { requestLimits: options.requestLimits } : {}),
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    }),
    (it) => it.close(),
  );
  const { port } = await server.listen('127.0.0.1', 0);
  return { url: `http://127.0.0.1:${port}`, port };
}

/** The status of a GET, reading no more than the head (the stream never ends on its own). */
async function statusOf(url: string, headers: Record<string, string> = {}): Promise<number> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  controller.abort();
  return response.status;
}

/** Sends `text` on a fresh socket and resolves with everything the server wrote until it closed. */
function rawExchange(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while the rest of an oversized request is still being written.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(text);
  });
}

const statusLine = (answer: string) => answer.split('\r\n', 1)[0];
const bodyOf = (answer: string) => answer.slice(answer.indexOf('\r\n\r\n') + 4);

describe('--auth-token on every path of the route table', () => {
  it('the table is the contract’s list of paths', () => {
    expect([...AGENT_PATHS].sort()).toEqual(
      [
        '/',
        '/metrics',
        '/healthz',
        '/readyz',
        '/api/v1/snapshot',
        '/api/v1/history',
        '/api/v1/stream',
        '/api/v1/rightsize',
      ].sort(),
    );
  });

  it('refuses no token, a wrong token, tokens of other lengths and a URL token (but on /); takes the right one', async () => {
    const open = await start();
    const guarded = await start({ authToken: TOKEN });
    const wrongSameLength = `${TOKEN.slice(0, -1)}X`;
    expect(wrongSameLength).toHaveLength(TOKEN.length);
    const refusals: Record<string, Record<string, string>> = {
      'no token': {},
      'an empty bearer': { authorization: 'Bearer ' },
      'a wrong token of the same length': { authorization: `Bearer ${wrongSameLength}` },
      'a prefix of the token': { authorization: `Bearer ${TOKEN.slice(0, 8)}` },
      'the token and more': { authorization: `Bearer ${TOKEN}${TOKEN}` },
      'a 15 kB token': { authorization: `Bearer ${'x'.repeat(15_000)}` },
      'the token without Bearer': { authorization: TOKEN },
      'the token as Basic': { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
    };
    for (const path of AGENT_PATHS) {
      // Without a token, what the path answers an authorized client (401 never).
      const expected = await statusOf(`${open.url}${path}`);
      expect(expected, path).not.toBe(401);
      if (path === '/healthz') {
        // The one open path: the orchestrator's health check carries no token.
        for (const headers of Object.values(refusals)) {
          expect(await statusOf(`${guarded.url}${path}`, headers)).toBe(200);
        }
        continue;
      }
      for (const [what, headers] of Object.entries(refusals)) {
        const response = await fetch(`${guarded.url}${path}`, { headers });
        expect(response.status, `${path} with ${what}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="taskscope"');
        const body = await response.json();
        expect(v.is(ApiErrorSchema, body), JSON.stringify(body)).toBe(true);
        expect(JSON.stringify(body)).not.toContain(TOKEN.slice(0, 8));
      }
      expect(await statusOf(`${guarded.url}${path}`, { authorization: `Bearer ${TOKEN}` }), path).toBe(
        expected,
      );
      expect(await statusOf(`${guarded.url}${path}`, { authorization: `bearer  ${TOKEN} ` }), path).toBe(
        expected,
      );
      // docs/contract.md: only the page is opened as /?token=…; the API and /metrics never
      // read a token from a URL (it would end up in scrape configs and access logs).
      expect(await statusOf(`${guarded.url}${path}?token=${TOKEN}`), `${path}?token=`).toBe(
        path === '/' ? expected : 401,
      );
      expect(await statusOf(`${guarded.url}${path}?token=${wrongSameLength}`)).toBe(401);
    }
    // A path outside the table is not told apart from one inside it without the token.
    expect(await statusOf(`${guarded.url}/api/v1/nope`)).toBe(401);
    expect(await statusOf(`${guarded.url}/api/v1/nope`, { authorization: `Bearer ${TOKEN}` })).toBe(404);
  });
});

describe('request caps', () => {
  it(`answers a URL over ${AGENT_REQUEST_LIMITS.maxUrlBytes} bytes 414, before the token, and closes`, async () => {
    const { port } = await start({ authToken: TOKEN });
    const at = `/api/v1/history?window=${'1'.repeat(AGENT_REQUEST_LIMITS.maxUrlBytes - 23)}`;
    expect(at).toHaveLength(AGENT_REQUEST_LIMITS.maxUrlBytes);
    // At the cap: the request goes on to the token check.
    expect(
      statusLine(await rawExchange(port, `GET ${at} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)),
    ).toBe('HTTP/1.1 401 Unauthorized');
    const answer = await rawExchange(port, `GET ${at}1 HTTP/1.1\r\nHost: a\r\n\r\n`);
    expect(statusLine(answer)).toBe('HTTP/1.1 414 URI Too Long');
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(v.parse(ApiErrorSchema, JSON.parse(bodyOf(answer)))).toEqual({
      error: 'uri too long',
      message: `the request URL is ${AGENT_REQUEST_LIMITS.maxUrlBytes + 1} bytes; at most ${AGENT_REQUEST_LIMITS.maxUrlBytes} are allowed`,
      parameter: 'url',
      value: String(AGENT_REQUEST_LIMITS.maxUrlBytes + 1),
      allowed: `at most ${AGENT_REQUEST_LIMITS.maxUrlBytes} bytes`,
    });
  });

  it(`answers more than ${AGENT_REQUEST_LIMITS.maxHeaderCount} header fields 431`, async () => {
    const { port } = await start();
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
    // Host plus 99 more: at the cap.
    const atCap = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n${fields(AGENT_REQUEST_LIMITS.maxHeaderCount - 2)}\r\n`,
    );
    expect(statusLine(atCap)).toBe('HTTP/1.1 200 OK');
    const over = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: a\r\n${fields(AGENT_REQUEST_LIMITS.maxHeaderCount)}\r\n`,
    );
    expect(statusLine(over)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(JSON.parse(bodyOf(over))).toMatchObject({
      error: 'request header fields too large',
      parameter: 'headers',
    });
  });

  it(`lets node answer a header block over ${AGENT_REQUEST_LIMITS.maxHeaderBytes} bytes 431 and close`, async () => {
    const { port } = await start();
    const answer = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(AGENT_REQUEST_LIMITS.maxHeaderBytes)}\r\n\r\n`,
    );
    expect(statusLine(answer)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('answers a request with a body 413 on every path, read no further, and closes', async () => {
    const { port } = await start({ authToken: TOKEN });
    for (const path of AGENT_PATHS) {
      for (const framing of ['Content-Length: 1048576\r\n', 'Transfer-Encoding: chunked\r\n']) {
        // The head only: the server must answer without waiting for the megabyte it announced.
        const answer = await rawExchange(port, `POST ${path} HTTP/1.1\r\nHost: a\r\n${framing}\r\n`);
        expect(statusLine(answer), `${path} ${framing}`).toBe('HTTP/1.1 413 Payload Too Large');
        expect(JSON.parse(bodyOf(answer))).toMatchObject({ error: 'content too large', allowed: 'no body' });
      }
    }
    // An empty body is no body.
    const empty = await rawExchange(
      port,
      'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(statusLine(empty)).toBe('HTTP/1.1 200 OK');
  });

  it('closes a connection whose header block does not arrive in time (slowloris) with 408', async () => {
    const { port } = await start({ requestLimits: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    // Half a request line, never finished: resolves when the server gives up on it.
    const answer = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('keeps serving a stream long past the request timeout: it covers the request, not the answer', async () => {
    const { port } = await start({
      requestLimits: { headersTimeoutMs: 100, requestTimeoutMs: 200 },
      heartbeatMs: 100,
    });
    const socket = connect(port, '127.0.0.1');
    socket.setEncoding('latin1');
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    socket.write('GET /api/v1/stream HTTP/1.1\r\nHost: a\r\n\r\n');
    // Ten heartbeats, 100 ms apart: five times the request timeout, several sweeps of node's
    // timeout check (every 100 ms here), each seen as an event on the open stream.
    let text = '';
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (text.split(': heartbeat').length > 10) resolve();
      });
      socket.once('close', () => reject(new Error(`the stream was closed after: ${text.slice(0, 300)}`)));
    });
    expect(statusLine(text)).toBe('HTTP/1.1 200 OK');
    expect(text).toContain('event: snapshot');
    expect(closed).toBe(false);
    socket.destroy();
  });
});
