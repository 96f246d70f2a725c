import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST_PORT_WORDS, type HostPort, parseHostPort } from '@taskscope/input';
import { MOCK_OPTIONS_SOURCE, MockInputError, MockListenError } from '../common/errors.js';
import type { PayloadSource } from '../sources/payload-source.js';
import { type MockControls, mockControls } from './controls.js';
import { createRequestHandler, MAX_CONTROL_BODY_BYTES, type RequestHandlerOptions } from './handler.js';

/** Where to listen: `HOST:PORT` text or parts. Port 0 picks a free port. */
export type ListenAddress = string | { readonly host: string; readonly port: number };

export interface MockServerOptions extends Omit<RequestHandlerOptions, 'source'> {
  /** Default `127.0.0.1:0`. */
  readonly listen?: ListenAddress;
  /** Override some of {@link MOCK_REQUEST_LIMITS} (tests use short timeouts). */
  readonly requestLimits?: Partial<MockRequestLimits>;
}

export interface MockRequestLimits {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly maxUrlBytes: number;
  readonly maxBodyBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Caps on what a request may hold, checked before routing, throttling and faults: a mock run
 * with `--listen 0.0.0.0:…` is open to its network. Documented in the package README.
 */
export const MOCK_REQUEST_LIMITS = {
  /** node:http `maxHeaderSize`: the request line and headers together; past it node answers 431. */
  maxHeaderBytes: 16 * 1024,
  /** More header fields than this: 431. */
  maxHeaderCount: 100,
  /** A longer request target: 414 (well below the header block, so it is seen as such). */
  maxUrlBytes: 4096,
  /** A larger body, on any path (only the control API reads one): 413. */
  maxBodyBytes: MAX_CONTROL_BODY_BYTES,
  /** node:http `headersTimeout`: the whole header block must arrive within this. */
  headersTimeoutMs: 10_000,
  /**
   * node:http `requestTimeout`: the whole request must arrive within this. It covers receiving
   * the request only, so `slow` and `timeout` faults (an answer held back) are not cut short.
   */
  requestTimeoutMs: 30_000,
} as const satisfies MockRequestLimits;

/** A running mock endpoint. */
export interface MockServer extends MockControls {
  /** `http://HOST:PORT`, no trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes every connection, idle keep-alive and hung ones included. */
  close(): Promise<void>;
}

/** Encoded response bodies kept for reuse (see `encodeBody`). */
const ENCODED_BODIES_KEPT = 16;

/** Serves `source` over node:http (keep-alive on) until `close()`. */
export async function startMockServer(
  source: PayloadSource,
  options: MockServerOptions = {},
): Promise<MockServer> {
  const handler = createRequestHandler({ ...options, source });
  const { host, port } = listenAddress(options.listen ?? '127.0.0.1:0');
  const pending = new Set<NodeJS.Timeout>();
  const hung = new Set<ServerResponse>();

  // Sources hand out the same text between refreshes; encoding it once per refresh rather than
  // once per request is most of what separates the mock from a bare server in the benchmark.
  // A refresh makes every body before it useless, so the cache keeps the latest few only
  // (oldest out first): a task's paths give a handful of distinct bodies a refresh. With 64
  // entries cleared when full, a long run held up to 4 MiB of stale 33 KB stats bodies, a
  // sawtooth the agent's soak test saw in the shared heap.
  const encoded = new Map<string, Buffer>();
  const encodeBody = (body: string): Buffer => {
    if (body.length < 1024) return Buffer.from(body);
    let buffer = encoded.get(body);
    if (buffer === undefined) {
      if (encoded.size >= ENCODED_BODIES_KEPT) encoded.delete(encoded.keys().next().value!);
      buffer = Buffer.from(body);
      encoded.set(body, buffer);
    }
    return buffer;
  };

  const limits: MockRequestLimits = { ...MOCK_REQUEST_LIMITS, ...options.requestLimits };
  const server = createServer(
    {
      keepAlive: true,
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // How often node looks for connections past those timeouts (default 30 s).
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (req, res) => {
      const url = req.url ?? '/';
      const refused = refuseOversized(req, limits);
      if (refused !== undefined) {
        refuse(res, refused.status, refused.text);
        return;
      }
      const control = handler.isControlPath(url);
      if (!control && !hasBody(req)) {
        answer(req, res, undefined, false);
        return;
      }
      readBody(req, limits.maxBodyBytes, (body, tooLarge) => {
        if (control) answer(req, res, body, tooLarge);
        else if (tooLarge) refuse(res, 413, `request body is larger than ${limits.maxBodyBytes} bytes\n`);
        // The endpoint's paths take no body: one under the cap is read and ignored.
        else answer(req, res, undefined, false);
      });
    },
  );
  // One more than the cap, so a request over it is seen (node drops the fields past the count).
  server.maxHeadersCount = limits.maxHeaderCount + 1;

  const answer = (req: IncomingMessage, res: ServerResponse, body: string | undefined, tooLarge: boolean) => {
    const forwarded = req.headers['x-forwarded-for'];
    const result = handler.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      remoteAddress: req.socket.remoteAddress ?? '',
      remotePort: req.socket.remotePort ?? 0,
      forwardedFor: Array.isArray(forwarded) ? forwarded.join(', ') : (forwarded ?? ''),
      ...(body === undefined ? {} : { body }),
      bodyTooLarge: tooLarge,
    });
    const send = () => {
      if (result.type === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      if (result.type === 'timeout') {
        hung.add(res);
        res.once('close', () => hung.delete(res));
        return;
      }
      const payload = encodeBody(result.body);
      const headers: Record<string, string | number> = {
        ...result.headers,
        'Content-Length': payload.length,
      };
      // The rest of an oversized body was never read, so the connection cannot be reused.
      if (tooLarge) headers['Connection'] = 'close';
      res.writeHead(result.status, headers);
      res.end(payload);
    };
    if (result.delayMs > 0) {
      const timer = setTimeout(() => {
        pending.delete(timer);
        send();
      }, result.delayMs);
      pending.add(timer);
    } else {
      send();
    }
  };

  await new Promise<void>((resolve, reject) => {
    // A typed error for every failure (in use, not this host's, a name that does not resolve):
    // the raw system error reached the CLI as a stack (issue #10).
    const onError = (error: NodeJS.ErrnoException) =>
      reject(new MockListenError(host, port, error.code, error));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = urlHostOf(address.address);
  const url = `http://${urlHost}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    host: address.address,
    port: address.port,
    ...mockControls(url, handler),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets and `timeout` faults would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A plain-text refusal; the rest of the request is not read, so the connection closes. */
function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    Connection: 'close',
  });
  res.end(text);
}

/** The 414 or 431 a request over the caps gets, or undefined. */
function refuseOversized(
  req: IncomingMessage,
  limits: MockRequestLimits,
): { status: number; text: string } | undefined {
  const urlBytes = Buffer.byteLength(req.url ?? '');
  if (urlBytes > limits.maxUrlBytes) {
    return {
      status: 414,
      text: `request URL is ${urlBytes} bytes; at most ${limits.maxUrlBytes} are allowed\n`,
    };
  }
  if (req.rawHeaders.length / 2 > limits.maxHeaderCount) {
    return { status: 431, text: `more than ${limits.maxHeaderCount} request header fields\n` };
  }
  return undefined;
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) !== 0;
}

function readBody(
  req: IncomingMessage,
  maxBytes: number,
  done: (body: string, tooLarge: boolean) => void,
): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    done('', true);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req.on('data', (chunk: Buffer) => {
    if (finished) return;
    size += chunk.length;
    if (size > maxBytes) {
      finished = true;
      done('', true);
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(chunks).toString('utf8'), false);
  });
}

/**
 * `HOST:PORT` (IPv6 in brackets) in the one grammar of @taskscope/input, or parts. A bad
 * address is the caller's input (`MOCK_CONFIG`, exit 2), not a RangeError.
 */
export function listenAddress(listen: ListenAddress): HostPort {
  if (typeof listen !== 'string') return listen;
  const address = parseHostPort(listen);
  if (address === undefined) {
    throw new MockInputError('MOCK_CONFIG', MOCK_OPTIONS_SOURCE, [
      { field: 'listen', value: listen, allowed: HOST_PORT_WORDS },
    ]);
  }
  return address;
}

/** Unspecified addresses are not reachable as such; clients use loopback. */
function urlHostOf(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
