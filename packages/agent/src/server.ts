import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusEndpoint } from '@taskscope/exporters';
import type { Logger } from 'pino';
import { renderPage } from './page.js';
import type { AgentSnapshot } from './snapshot.js';
import type { SnapshotStore } from './store.js';

export interface AgentServerOptions {
  readonly store: SnapshotStore;
  readonly snapshot: () => AgentSnapshot;
  /** Absent when `--exporters` leaves Prometheus out: `/metrics` then answers 404. */
  readonly prometheus?: PrometheusEndpoint | undefined;
  readonly authToken?: string | undefined;
  readonly logger: Logger;
  /** SSE comment lines keep proxies and load balancers from closing an idle stream. */
  readonly heartbeatMs?: number;
}

export interface AgentServer {
  readonly server: Server;
  /** Resolves with the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Ends the SSE streams and closes the server and its connections. */
  close(): Promise<void>;
  /** Open `/api/v1/stream` clients. */
  streamClients(): number;
}

/** An SSE client that reads slower than this is dropped rather than buffered without end. */
const SSE_MAX_BUFFERED_BYTES = 1 << 20;

const ROUTES = new Set(['/', '/metrics', '/healthz', '/readyz', '/api/v1/snapshot', '/api/v1/stream']);

/**
 * The agent's HTTP server on node:http: `/metrics`, `/healthz`, `/readyz`, `/api/v1/snapshot`,
 * `/api/v1/stream` (SSE) and `/`. With a token, every path but `/healthz` needs
 * `Authorization: Bearer <token>` (compared in constant time).
 */
export function createAgentServer(options: AgentServerOptions): AgentServer {
  const { store, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const tokenDigest = options.authToken === undefined ? undefined : sha256(options.authToken);
  const streams = new Set<ServerResponse>();
  let eventId = 0;

  const authorized = (request: IncomingMessage): boolean => {
    if (tokenDigest === undefined) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    // Digests have equal length whatever was sent, so timingSafeEqual never throws and the
    // comparison time does not reveal the token's length.
    return match !== null && timingSafeEqual(sha256(match[1]!), tokenDigest);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    response.setHeader('X-Content-Type-Options', 'nosniff');
    if (path !== '/healthz' && !authorized(request)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="taskscope"');
      return sendJson(response, 401, {
        error: 'unauthorized',
        message: 'send Authorization: Bearer <token>',
      });
    }
    if (!ROUTES.has(path)) return sendJson(response, 404, { error: 'not found', path });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendJson(response, 405, {
        error: 'method not allowed',
        method: request.method,
        allowed: ['GET', 'HEAD'],
      });
    }
    switch (path) {
      case '/healthz':
        return sendText(response, 200, 'ok\n');
      case '/readyz':
        return store.status().ready
          ? sendText(response, 200, 'ready\n')
          : sendText(response, 503, 'not ready: no successful poll of the task metadata endpoint yet\n');
      case '/metrics': {
        if (!options.prometheus) {
          return sendJson(response, 404, {
            error: 'not found',
            message: 'the Prometheus exporter is off; add prometheus to --exporters',
          });
        }
        const scrape = await options.prometheus.scrape(request.headers.accept);
        response.setHeader('Cache-Control', 'no-store');
        response.writeHead(200, { 'Content-Type': scrape.contentType });
        response.end(scrape.body);
        return;
      }
      case '/api/v1/snapshot':
        response.setHeader('Cache-Control', 'no-store');
        return sendJson(response, 200, options.snapshot());
      case '/api/v1/stream':
        return openStream(request, response);
      default: {
        response.setHeader('Cache-Control', 'no-store');
        // The page has no script and loads nothing: nothing else may run in it.
        response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        response.end(renderPage(options.snapshot()));
      }
    }
  };

  const openStream = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx buffers proxied responses by default, which would hold events back.
      'X-Accel-Buffering': 'no',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    streams.add(response);
    response.write('retry: 3000\n\n');
    if (store.latest() !== undefined) writeEvent(response, JSON.stringify(options.snapshot()));
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    const cleanUp = () => {
      clearInterval(heartbeat);
      streams.delete(response);
    };
    response.on('close', cleanUp);
    request.socket.setNoDelay(true);
  };

  /** One `snapshot` event; `snapshotJson` is serialized once per sample for every client. */
  const writeEvent = (response: ServerResponse, snapshotJson: string): void => {
    if (response.writableLength > SSE_MAX_BUFFERED_BYTES) {
      logger.warn({ bufferedBytes: response.writableLength }, 'dropping an SSE client that does not keep up');
      response.destroy();
      return;
    }
    eventId += 1;
    response.write(`event: snapshot\nid: ${eventId}\ndata: ${snapshotJson}\n\n`);
  };

  const unsubscribe = store.subscribe(() => {
    if (streams.size === 0) return;
    const snapshotJson = JSON.stringify(options.snapshot());
    for (const response of streams) writeEvent(response, snapshotJson);
  });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once('error', onError);
        server.listen({ host, port }, () => {
          server.off('error', onError);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      unsubscribe();
      for (const response of streams) response.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Keep-alive sockets in the middle of nothing would hold close() open until they time out.
      setTimeout(() => server.closeAllConnections(), 200).unref();
      await closed;
    },
    streamClients: () => streams.size,
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}
