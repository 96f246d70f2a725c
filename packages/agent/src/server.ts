import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { dashboardDistDir } from '@taskscope/dashboard';
import type { PrometheusEndpoint } from '@taskscope/exporters';
import { BUILT_IN_PRICES } from '@taskscope/fargate';
import { formatDurationMs, parseDurationMs } from '@taskscope/input';
import type { ApiError } from '@taskscope/sdk';
import type { Logger } from 'pino';
import { type Pricing, processPlatform } from './cost.js';
import { type DashboardPage, loadDashboard, type MissingDashboard } from './dashboard.js';
import type { PublishedCycle, SnapshotFeed } from './feed.js';
import { parseRightsizeQuery, rightsizeSnapshots } from './rightsize.js';
import { SNAPSHOT_SCHEMA } from './snapshot.js';
import type { SnapshotStore } from './store.js';

export interface AgentServerOptions {
  readonly store: SnapshotStore;
  readonly feed: SnapshotFeed;
  /** Absent when `--exporters` leaves Prometheus out: `/metrics` then answers 404. */
  readonly prometheus?: PrometheusEndpoint | undefined;
  readonly authToken?: string | undefined;
  readonly logger: Logger;
  /** SSE comment lines keep proxies and load balancers from closing an idle stream. */
  readonly heartbeatMs?: number;
  /** The built dashboard (`index.html`); default `@taskscope/dashboard`'s `dist/`. */
  readonly dashboardDir?: string;
  /** See {@link SSE_MAX_BUFFERED_BYTES}. */
  readonly sseMaxBufferedBytes?: number;
  /** How `/api/v1/rightsize` prices; default the built-in table on this process's platform. */
  readonly pricing?: Pricing;
  /** Override some of {@link AGENT_REQUEST_LIMITS} (tests use short timeouts). */
  readonly requestLimits?: Partial<AgentRequestLimits>;
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

/**
 * The SSE backlog: a client whose unread bytes (what its socket has not taken yet) pass this
 * when an event is due is disconnected rather than buffered without end. The others keep
 * receiving; the dropped one may reconnect with `Last-Event-ID` and catch up from history.
 * 1 MiB is about 150 events of a 10-container task: minutes of a client not reading.
 */
export const SSE_MAX_BUFFERED_BYTES = 1 << 20;

const SSE_RETRY_MS = 3_000;

const API_PATHS = ['/api/v1/snapshot', '/api/v1/history', '/api/v1/stream', '/api/v1/rightsize'] as const;
/** Every path the agent answers (docs/contract.md "HTTP paths of the agent"): its route table. */
export const AGENT_PATHS: readonly string[] = ['/', '/metrics', '/healthz', '/readyz', ...API_PATHS];
const ROUTES = new Set<string>(AGENT_PATHS);

export interface AgentRequestLimits {
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  readonly maxUrlBytes: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * Caps on what a request may hold, checked before anything else (the token included): the
 * port is open to every container of the task and whatever its security group lets in, and no
 * route reads a request body. The header block (request line included) is node's
 * `maxHeaderSize`; past it node answers 431 itself. Documented in docs/security.md.
 */
export const AGENT_REQUEST_LIMITS = {
  /** node:http `maxHeaderSize`: the request line and headers together. */
  maxHeaderBytes: 16 * 1024,
  /** More header fields than this: 431. Browsers send about 20. */
  maxHeaderCount: 100,
  /** A longer request target: 414. Well below the header block, so it is answered as 414. */
  maxUrlBytes: 4096,
  /** node:http `headersTimeout`: the whole header block must arrive within this. */
  headersTimeoutMs: 10_000,
  /** node:http `requestTimeout`: the whole request must arrive within this (a stream's response may last). */
  requestTimeoutMs: 30_000,
} as const satisfies AgentRequestLimits;

/** `?token=…` (and `&token=…`) in a URL that goes into a log line: the value is never logged. */
export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(/([?&;]token=)[^&#;]*/gi, '$1[REDACTED]');
}

/** A client of `/api/v1/stream`. */
interface StreamClient {
  readonly response: ServerResponse;
  /** The id of the last event it was sent (or that it said it had, with Last-Event-ID). */
  lastId: number | undefined;
  /** Still being sent history: live events reach it through the history, in order. */
  catchingUp: boolean;
  waitingForDrain: boolean;
}

/**
 * The agent's HTTP server on node:http: `/metrics`, `/healthz`, `/readyz`, the API
 * (`/api/v1/snapshot`, `/api/v1/history`, `/api/v1/stream`) and the dashboard at `/`. With a
 * token, every path but `/healthz` needs `Authorization: Bearer <token>` (compared in
 * constant time); `/` also takes it as `?token=` (the page then sends the header itself).
 */
export function createAgentServer(options: AgentServerOptions): AgentServer {
  const { store, feed, logger } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBufferedBytes = options.sseMaxBufferedBytes ?? SSE_MAX_BUFFERED_BYTES;
  const tokenDigest = options.authToken === undefined ? undefined : sha256(options.authToken);
  const dashboard = loadDashboard(options.dashboardDir ?? dashboardDistDir);
  const streams = new Set<StreamClient>();
  const limits: AgentRequestLimits = { ...AGENT_REQUEST_LIMITS, ...options.requestLimits };

  const tokenMatches = (token: string | undefined): boolean =>
    // Digests have equal length whatever was sent, so timingSafeEqual never throws and the
    // comparison time does not reveal the token's length.
    token !== undefined && tokenDigest !== undefined && timingSafeEqual(sha256(token), tokenDigest);

  const authorized = (request: IncomingMessage, url: URL): boolean => {
    if (tokenDigest === undefined) return true;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (tokenMatches(match?.[1])) return true;
    // Only the page takes the token in its URL: a browser opens `/?token=…` from a link, and
    // the page sends it on as a header. The API and /metrics never read it from a URL, so it
    // does not end up in scrape configs, proxies' access logs or shell history for them.
    return url.pathname === '/' && tokenMatches(url.searchParams.get('token') ?? undefined);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    const refused = refuseOversized(request, limits);
    if (refused !== undefined) {
      logger.debug(
        { method: request.method, status: refused.status, remoteAddress: request.socket.remoteAddress },
        'request over a limit',
      );
      // The rest of what it sent is not read: the connection cannot carry another request.
      response.setHeader('Connection', 'close');
      return sendError(response, refused.status, refused.error);
    }
    const url = new URL(request.url ?? '/', 'http://agent');
    const path = url.pathname;
    if (path !== '/healthz' && !authorized(request, url)) {
      logger.debug(
        { method: request.method, url: redactUrl(request.url), remoteAddress: request.socket.remoteAddress },
        'unauthorized request',
      );
      response.setHeader('WWW-Authenticate', 'Bearer realm="taskscope"');
      return sendError(response, 401, {
        error: 'unauthorized',
        message:
          path === '/'
            ? 'send Authorization: Bearer <token>, or open /?token=<token>'
            : 'send Authorization: Bearer <token>',
      });
    }
    if (!ROUTES.has(path)) {
      const api = path.startsWith('/api/');
      return sendError(response, 404, {
        error: 'not found',
        message: api ? `no such API path: ${path}` : `no such path: ${path}`,
        parameter: 'path',
        value: path,
        allowed: api
          ? API_PATHS.join(', ')
          : ['/', '/metrics', '/healthz', '/readyz', ...API_PATHS].join(', '),
      });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return sendError(response, 405, {
        error: 'method not allowed',
        message: `${request.method} is not allowed on ${path}`,
        parameter: 'method',
        value: String(request.method),
        allowed: 'GET, HEAD',
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
          return sendError(response, 404, {
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
        return sendJson(response, 200, feed.current());
      case '/api/v1/history':
        return sendHistory(request, response, url);
      case '/api/v1/stream':
        return openStream(request, response);
      case '/api/v1/rightsize':
        return sendRightsize(response, url);
      default:
        return sendDashboard(request, response, dashboard);
    }
  };

  const sendHistory = async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> => {
    const retentionMs = feed.retentionMs;
    const text = url.searchParams.get('window');
    let windowMs = retentionMs;
    if (text !== null) {
      const ms = parseDurationMs(text);
      const tooLarge = ms !== undefined && retentionMs > 0 && ms > retentionMs;
      if (ms === undefined || ms < 1_000 || tooLarge) {
        const allowed =
          retentionMs > 0
            ? `a duration from 1s to ${formatDurationMs(retentionMs)} (the agent's --history), such as 30s, 5m or ${formatDurationMs(retentionMs)}`
            : 'a duration such as 30s, 5m or 15m (history is off: --history 0, so every window is empty)';
        return sendError(response, 400, {
          error: 'bad request',
          message: `window is ${JSON.stringify(text)}; expected ${allowed}`,
          parameter: 'window',
          value: text,
          allowed,
        });
      }
      windowMs = Math.min(ms, retentionMs);
    }
    const snapshots = feed.history.since(feed.now() - windowMs);
    // The documents repeat the task's identity, names and images in every entry: gzip takes a
    // 15-minute history to a small fraction of its size.
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    response.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      Vary: 'Accept-Encoding',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    // Streamed, one document at a time: a full history is never one string in memory.
    const body = Readable.from(
      (function* () {
        yield `{"schema":${JSON.stringify(SNAPSHOT_SCHEMA)},"windowMs":${windowMs},"retentionMs":${retentionMs},"snapshots":[`;
        let first = true;
        for (const snapshot of snapshots) {
          yield (first ? '' : ',') + JSON.stringify(snapshot);
          first = false;
        }
        yield ']}';
      })(),
      { objectMode: false },
    );
    try {
      await (gzip ? pipeline(body, createGzip(), response) : pipeline(body, response));
    } catch (error) {
      // The client went away mid-answer: nothing to tell it.
      if (!response.destroyed) throw error;
    }
  };

  const pricing = options.pricing ?? { table: BUILT_IN_PRICES, platform: processPlatform() };

  /** Computed here, on request: the poll loop never pays for it. */
  const sendRightsize = (response: ServerResponse, url: URL): void => {
    response.setHeader('Cache-Control', 'no-store');
    const query = parseRightsizeQuery(url.searchParams, feed.retentionMs);
    if ('field' in query) {
      const value = String(query.value);
      sendError(response, 400, {
        error: 'bad request',
        message: `${query.field} is ${JSON.stringify(value)}; expected ${query.allowed}`,
        parameter: query.field,
        value,
        allowed: query.allowed,
      });
      return;
    }
    const answer = rightsizeSnapshots([...feed.history.since(feed.now() - query.windowMs)], query, pricing);
    if ('noData' in answer) sendError(response, 503, { error: 'no data', message: answer.noData });
    else sendJson(response, 200, answer.recommendation);
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
    const lastEventId = parseLastEventId(request.headers['last-event-id']);
    const client: StreamClient = { response, lastId: lastEventId, catchingUp: false, waitingForDrain: false };
    streams.add(client);
    response.write(`retry: ${SSE_RETRY_MS}\n\n`);
    const latest = feed.latest();
    if (lastEventId !== undefined && feed.retentionMs > 0) {
      // A reconnect: every cycle after the last one it had, from history, then live ones.
      client.catchingUp = true;
      pump(client);
    } else if (latest !== undefined && (lastEventId === undefined || latest.id > lastEventId)) {
      // A new client starts with the latest cycle (without history, so does a reconnect).
      writeEvent(client, latest.id, latest.json());
    }
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
    heartbeat.unref();
    response.on('close', () => {
      clearInterval(heartbeat);
      streams.delete(client);
    });
    request.socket.setNoDelay(true);
  };

  /**
   * Sends a catching-up client the history after its last id, at the pace it reads: an event
   * at a time while the socket takes them, then again on `drain`. A reconnect after minutes
   * away is sent its whole history that way, never all of it into memory at once.
   */
  const pump = (client: StreamClient): void => {
    const { response } = client;
    while (client.catchingUp && !response.destroyed && !client.waitingForDrain) {
      const next = feed.history.firstAfter(client.lastId ?? Number.NEGATIVE_INFINITY);
      if (next === undefined || next.id === null) {
        client.catchingUp = false;
        return;
      }
      if (!writeEvent(client, next.id, JSON.stringify(next))) {
        client.waitingForDrain = true;
        response.once('drain', () => {
          client.waitingForDrain = false;
          pump(client);
        });
      }
    }
  };

  /** Writes one `snapshot` event; false when the socket asks to wait for `drain`. */
  const writeEvent = (client: StreamClient, id: number, json: string): boolean => {
    client.lastId = id;
    return client.response.write(`event: snapshot\nid: ${id}\ndata: ${json}\n\n`);
  };

  const unsubscribe = feed.subscribe((cycle: PublishedCycle) => {
    for (const client of streams) {
      const bufferedBytes = client.response.writableLength;
      if (bufferedBytes > maxBufferedBytes) {
        logger.warn(
          { bufferedBytes, maxBufferedBytes, remoteAddress: client.response.socket?.remoteAddress },
          'dropping an SSE client that does not keep up',
        );
        client.response.destroy();
        streams.delete(client);
        continue;
      }
      // A client still catching up gets this cycle from history, after those before it.
      if (client.catchingUp) continue;
      writeEvent(client, cycle.id, cycle.json());
    }
  });

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      // How often node looks for connections past those timeouts (default 30 s). Half the
      // headers timeout, at most 5 s: a slow client is cut between 10 and 15 s, and the
      // sidecar's idle loop is not woken every second for it (its CPU budget is 0.5 % of a core).
      connectionsCheckingInterval: Math.min(5_000, limits.headersTimeoutMs / 2),
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        logger.error({ err: error, url: redactUrl(request.url) }, 'request failed');
        if (!response.headersSent)
          sendError(response, 500, { error: 'internal error', message: 'see the agent log' });
        else response.destroy();
      });
    },
  );
  // One more than the cap, so a request over it is seen (node drops the fields past the count).
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  server.headersTimeout = limits.headersTimeoutMs;

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
      for (const client of streams) client.response.end();
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

/** The 414, 431 or 413 a request over {@link AGENT_REQUEST_LIMITS} gets, or undefined. */
function refuseOversized(
  request: IncomingMessage,
  limits: AgentRequestLimits,
): { status: number; error: ApiError } | undefined {
  const urlBytes = Buffer.byteLength(request.url ?? '');
  if (urlBytes > limits.maxUrlBytes) {
    return {
      status: 414,
      error: {
        error: 'uri too long',
        message: `the request URL is ${urlBytes} bytes; at most ${limits.maxUrlBytes} are allowed`,
        parameter: 'url',
        value: String(urlBytes),
        allowed: `at most ${limits.maxUrlBytes} bytes`,
      },
    };
  }
  const headerCount = request.rawHeaders.length / 2;
  if (headerCount > limits.maxHeaderCount) {
    return {
      status: 431,
      error: {
        error: 'request header fields too large',
        message: `the request has more than ${limits.maxHeaderCount} header fields`,
        parameter: 'headers',
        value: `more than ${limits.maxHeaderCount}`,
        allowed: `at most ${limits.maxHeaderCount} header fields`,
      },
    };
  }
  const declared = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (chunked || (declared !== undefined && Number(declared) !== 0)) {
    return {
      status: 413,
      error: {
        error: 'content too large',
        message: 'no path of the agent takes a request body',
        parameter: 'body',
        value: chunked ? 'chunked' : `${declared} bytes`,
        allowed: 'no body',
      },
    };
  }
  return undefined;
}

/** `Last-Event-ID`: the id (ms) of the last event a reconnecting EventSource received. */
function parseLastEventId(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

/** Whether `Accept-Encoding` takes gzip (`gzip`, `x-gzip` or `*`, with a q above 0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star: boolean | undefined;
  for (const part of text.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
    const accepted = q === undefined || Number(q) > 0;
    if (name.trim() === 'gzip' || name.trim() === 'x-gzip') return accepted;
    if (name.trim() === '*') star = accepted;
  }
  return star === true;
}

function sendDashboard(
  request: IncomingMessage,
  response: ServerResponse,
  page: DashboardPage | MissingDashboard,
): void {
  if ('missing' in page) {
    response.setHeader('Cache-Control', 'no-store');
    sendText(response, 503, page.missing);
    return;
  }
  response.setHeader('Cache-Control', 'no-cache');
  response.setHeader('ETag', page.etag);
  response.setHeader('Content-Security-Policy', page.contentSecurityPolicy);
  // The page may be opened as /?token=…: no Referer may carry that URL anywhere.
  response.setHeader('Referrer-Policy', 'no-referrer');
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === page.etag)) {
    response.writeHead(304);
    response.end();
    return;
  }
  response.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': page.body.length,
  });
  response.end(request.method === 'HEAD' ? undefined : page.body);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': bytes.length,
  });
  response.end(bytes);
}

/** Every 4xx/5xx body is the SDK's ApiError. */
function sendError(response: ServerResponse, status: number, body: ApiError): void {
  sendJson(response, status, body);
}
