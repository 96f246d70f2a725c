import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MOCK_REQUEST_LIMITS, type MockServer, startMockServer } from '../../src/http/server.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { fargate } from '../support/fixtures.js';

/*
 * The caps on a request (packages/mock/README.md, "Request limits"), sent over raw loopback
 * sockets the way a hostile or broken client would: an overlong URL, too many header fields,
 * a header block over node's size, a body over the cap on any path, a header block that never
 * ends. The answers held back by `slow` faults must not be cut by the request timeout.
 */

const mocks: MockServer[] = [];
afterEach(async () => {
  for (const mock of mocks.splice(0)) await mock.close();
});

async function start(options: Parameters<typeof startMockServer>[1] = {}) {
  const mock = await startMockServer(
    createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
    { throttle: false, ...options },
  );
  mocks.push(mock);
  return mock;
}

/** Sends `text` on a fresh socket and resolves with everything the server wrote until it closed. */
function rawExchange(port: number, text: string): Promise<string> {
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

describe('request limits', () => {
  it(`answers a URL over ${MOCK_REQUEST_LIMITS.maxUrlBytes} bytes 414 and closes; one at the cap is served`, async () => {
    const mock = await start();
    const at = `/v2/metadata?${'q'.repeat(MOCK_REQUEST_LIMITS.maxUrlBytes - 13)}`;
    expect(at).toHaveLength(MOCK_REQUEST_LIMITS.maxUrlBytes);
    const ok = await rawExchange(mock.port, `GET ${at} HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n`);
    expect(statusLine(ok)).toBe('HTTP/1.1 200 OK');
    const over = await rawExchange(mock.port, `GET ${at}q HTTP/1.1\r\nHost: m\r\n\r\n`);
    expect(statusLine(over)).toBe('HTTP/1.1 414 URI Too Long');
    expect(over).toMatch(/\r\nConnection: close\r\n/i);
    expect(bodyOf(over)).toBe(
      `request URL is ${MOCK_REQUEST_LIMITS.maxUrlBytes + 1} bytes; at most ${MOCK_REQUEST_LIMITS.maxUrlBytes} are allowed\n`,
    );
  });

  it(`answers more than ${MOCK_REQUEST_LIMITS.maxHeaderCount} header fields 431, and a header block over ${MOCK_REQUEST_LIMITS.maxHeaderBytes} bytes too`, async () => {
    const mock = await start();
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
    const atCap = await rawExchange(
      mock.port,
      `GET /v2/stats HTTP/1.1\r\nHost: m\r\nConnection: close\r\n${fields(MOCK_REQUEST_LIMITS.maxHeaderCount - 2)}\r\n`,
    );
    expect(statusLine(atCap)).toBe('HTTP/1.1 200 OK');
    const over = await rawExchange(
      mock.port,
      `GET /v2/stats HTTP/1.1\r\nHost: m\r\n${fields(MOCK_REQUEST_LIMITS.maxHeaderCount)}\r\n`,
    );
    expect(statusLine(over)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(bodyOf(over)).toBe(`more than ${MOCK_REQUEST_LIMITS.maxHeaderCount} request header fields\n`);
    const big = await rawExchange(
      mock.port,
      `GET /v2/stats HTTP/1.1\r\nHost: m\r\nX-Big: ${'b'.repeat(MOCK_REQUEST_LIMITS.maxHeaderBytes)}\r\n\r\n`,
    );
    expect(statusLine(big)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it(`answers a body over ${MOCK_REQUEST_LIMITS.maxBodyBytes} bytes 413 on the control API and on the endpoint's paths`, async () => {
    const mock = await start();
    const size = MOCK_REQUEST_LIMITS.maxBodyBytes + 1;
    for (const path of ['/__taskscope/faults', '/v2/metadata', `/v4/${fargate.runningId}/task`]) {
      // Announced: answered from the head alone, the body never sent.
      const announced = await rawExchange(
        mock.port,
        `POST ${path} HTTP/1.1\r\nHost: m\r\nContent-Length: ${size}\r\n\r\n`,
      );
      expect(statusLine(announced), path).toBe('HTTP/1.1 413 Payload Too Large');
      expect(announced).toMatch(/\r\nConnection: close\r\n/i);
      // Chunked: counted as it arrives.
      const chunk = 'x'.repeat(size);
      const chunked = await rawExchange(
        mock.port,
        `POST ${path} HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n${size.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      );
      expect(statusLine(chunked), path).toBe('HTTP/1.1 413 Payload Too Large');
    }
    // Under the cap, the control API reads it and the endpoint's paths ignore it.
    const faults = await rawExchange(
      mock.port,
      'POST /__taskscope/faults HTTP/1.1\r\nHost: m\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]',
    );
    expect([statusLine(faults), bodyOf(faults)]).toEqual(['HTTP/1.1 200 OK', '[]']);
    const metadata = await rawExchange(
      mock.port,
      'GET /v2/metadata HTTP/1.1\r\nHost: m\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect([statusLine(metadata), bodyOf(metadata)]).toEqual(['HTTP/1.1 200 OK', fargate.metadata.text]);
  });

  it('closes a connection whose header block does not arrive in time (slowloris) with 408', async () => {
    const mock = await start({ requestLimits: { headersTimeoutMs: 200, requestTimeoutMs: 400 } });
    const answer = await rawExchange(mock.port, 'GET /v2/stats HTTP/1.1\r\nHost: m\r\nX-Slow: ');
    expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('holds a slow fault’s answer past the request timeout: the timeout covers the request only', async () => {
    const mock = await start({
      requestLimits: { headersTimeoutMs: 100, requestTimeoutMs: 200 },
      faults: ['slow=1500ms:/v2/metadata'],
    });
    const startedMs = performance.now();
    const answer = await rawExchange(
      mock.port,
      'GET /v2/metadata HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n',
    );
    expect(statusLine(answer)).toBe('HTTP/1.1 200 OK');
    expect(bodyOf(answer)).toBe(fargate.metadata.text);
    expect(performance.now() - startedMs).toBeGreaterThanOrEqual(1_400);
  });
});
