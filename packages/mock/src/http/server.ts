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
}

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

  const server = createServer({ keepAlive: true }, (req, res) => {
    const url = req.url ?? '/';
    if (handler.isControlPath(url)) {
      readBody(req, MAX_CONTROL_BODY_BYTES, (body, tooLarge) => {
        answer(req, res, body, tooLarge);
      });
    } else {
      answer(req, res, undefined, false);
    }
  });
  // The real agent's read and write timeouts are 5 s; a mock must not cut slow-fault tests short.
  server.requestTimeout = 0;

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
