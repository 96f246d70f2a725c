/*
 * A loopback stand-in for the agent's API (the agent itself is built in parallel): node:http on
 * 127.0.0.1:0, speaking the contract's protocol. `/api/v1/snapshot` answers the newest
 * snapshot, `/api/v1/history?window=DUR` the kept ones, and `/api/v1/stream` is SSE with
 * `event: snapshot`, `id: <ms>`, `data: <JSON>`, replaying from history the events after a
 * `Last-Event-ID`. The test drives it: publish (to history and the open streams), record (to
 * history only: what a disconnected client misses), write raw bytes, drop the connections,
 * or take over any request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '@taskscope/test-support';
import type { ApiError, Snapshot } from '../src/index.ts';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface AgentDoubleOptions {
  /** When set, every request needs `Authorization: Bearer <token>`, as behind `--auth-token`. */
  readonly token?: string;
  /** Served under this path prefix (`/prefix/api/v1/…`), as behind a proxy. */
  readonly prefix?: string;
  /** Sent as `retry:` when a stream opens, so the client's reconnects take milliseconds. */
  readonly retryMs?: number;
  /**
   * Replay from `Last-Event-ID` inclusive (an off-by-one agent): the client must still deliver
   * the event it already had once.
   */
  readonly replayInclusive?: boolean;
}

/** Takes over a request when it returns true; the double's own handling is skipped. */
export type Takeover = (request: IncomingMessage, response: ServerResponse, path: string) => boolean;

export interface AgentDouble {
  /** `http://127.0.0.1:PORT/` plus the prefix, without a trailing slash. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Every stream request so far, in order. */
  streamRequests(): RecordedRequest[];
  /** Streams open now. */
  openStreams(): number;
  publish(snapshot: Snapshot): void;
  record(snapshot: Snapshot): void;
  writeRaw(text: string | Uint8Array): void;
  /** Destroys every open stream's socket, as a crash or a load balancer's idle cut does. */
  dropStreams(): void;
  takeover: Takeover | undefined;
  stop(): Promise<void>;
}

export function sseEvent(snapshot: Snapshot): string {
  return `event: snapshot\nid: ${snapshot.id}\ndata: ${JSON.stringify(snapshot)}\n\n`;
}

export async function startAgentDouble(options: AgentDoubleOptions = {}): Promise<AgentDouble> {
  const prefix = options.prefix ?? '';
  const history: Snapshot[] = [];
  const streams = new Set<ServerResponse>();
  const requests: RecordedRequest[] = [];

  function sendError(response: ServerResponse, status: number, body: ApiError): void {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  function sendJson(response: ServerResponse, body: unknown): void {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const url = new URL(request.url ?? '/', 'http://double');
    if (!url.pathname.startsWith(`${prefix}/`)) {
      sendError(response, 404, { error: 'NOT_FOUND', message: `no ${url.pathname} here` });
      return;
    }
    const path = url.pathname.slice(prefix.length);
    if (double.takeover?.(request, response, path) === true) return;
    if (options.token !== undefined && request.headers.authorization !== `Bearer ${options.token}`) {
      sendError(response, 401, { error: 'UNAUTHORIZED', message: 'a Bearer token is required' });
      return;
    }
    if (path === '/api/v1/snapshot') {
      const latest = history.at(-1);
      if (latest === undefined) sendError(response, 503, { error: 'NOT_READY', message: 'no sample yet' });
      else sendJson(response, latest);
      return;
    }
    if (path === '/api/v1/history') {
      const window = url.searchParams.get('window') ?? '15m';
      if (!/^\d+(ms|s|m)$/.test(window)) {
        sendError(response, 400, {
          error: 'BAD_PARAMETER',
          message: `window is ${JSON.stringify(window)}; expected a duration such as 500ms, 10s or 1m`,
          parameter: 'window',
          value: window,
          allowed: 'a duration such as 500ms, 10s or 1m',
        });
        return;
      }
      sendJson(response, {
        schema: 'taskscope.snapshot/v1',
        windowMs: 900_000,
        retentionMs: 900_000,
        snapshots: history,
      });
      return;
    }
    if (path === '/api/v1/stream') {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      });
      response.write(`retry: ${options.retryMs ?? 5}\n\n`);
      const lastEventId = request.headers['last-event-id'];
      if (typeof lastEventId === 'string') {
        const after = Number(lastEventId);
        for (const snapshot of history) {
          const id = snapshot.id ?? 0;
          if (id > after || (options.replayInclusive === true && id === after))
            response.write(sseEvent(snapshot));
        }
      }
      streams.add(response);
      response.on('close', () => streams.delete(response));
      return;
    }
    sendError(response, 404, { error: 'NOT_FOUND', message: `no ${path} here` });
  });
  const port = await listenOnLoopback(server);

  const double: AgentDouble = {
    baseUrl: `http://127.0.0.1:${port}${prefix}`,
    requests,
    streamRequests: () => requests.filter((request) => request.url.startsWith(`${prefix}/api/v1/stream`)),
    openStreams: () => streams.size,
    publish(snapshot) {
      history.push(snapshot);
      for (const stream of streams) stream.write(sseEvent(snapshot));
    },
    record(snapshot) {
      history.push(snapshot);
    },
    writeRaw(text) {
      for (const stream of streams) stream.write(text);
    },
    dropStreams() {
      for (const stream of streams) stream.socket?.destroy();
    },
    takeover: undefined,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
  return double;
}
