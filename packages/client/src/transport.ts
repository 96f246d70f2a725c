import http, { type Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Dispatcher } from 'undici';

/** One GET's answer as received: status, headers and the whole body as text. */
export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** One GET to the endpoint's origin; the signal aborts it, body included. */
export interface Transport {
  get(
    path: string,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<TransportResponse>;
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  /** Keep-alive connections at most. */
  readonly connections: number;
  /** How long an idle keep-alive connection is kept, ms. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * The client's own transport: node:http with one keep-alive agent. It replaced an undici
 * `Pool` because the agent polls a local endpoint once a second and undici's cost is fixed
 * per process: its modules and the WebAssembly build of llhttp it compiles on the first
 * request took 9 MiB of the sidecar's resident memory, against about 1 MiB for node:http,
 * whose llhttp is native code already in the node binary (measured with the agent's V8 flags,
 * one process per transport, 31 requests each). `https:` URLs (never the real endpoint, which
 * is plain HTTP on a link-local address) load node:https on first use only.
 */
export function createHttpTransport(origin: URL, options: HttpTransportOptions): Transport {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.connections,
    maxFreeSockets: options.connections,
    // On a free socket only (see `get`): node:http destroys an idle keep-alive socket when its
    // timeout fires.
    timeout: options.keepAliveTimeoutMs,
  };
  // Built on first use; `https:` loads node:https then. `request` is looked up on the module
  // at each call, never bound at import: msw (like other interceptors) replaces it on the
  // module when it starts, after this file has loaded, and so sees this client's requests.
  let client:
    | Promise<{ module: typeof http | typeof import('node:https'); agent: HttpAgent | HttpsAgent }>
    | undefined;
  const clientFor = () => {
    client ??=
      origin.protocol === 'https:'
        ? import('node:https').then(({ default: https }) => ({
            module: https,
            agent: new https.Agent(agentOptions),
          }))
        : Promise.resolve({ module: http, agent: new http.Agent(agentOptions) });
    return client;
  };

  return {
    async get(path, headers, signal) {
      const { module, agent } = await clientFor();
      return new Promise<TransportResponse>((resolve, reject) => {
        const outgoing = module.request(
          {
            protocol: origin.protocol,
            hostname: origin.hostname,
            port: origin.port,
            path,
            method: 'GET',
            headers,
            agent,
            signal,
          },
          (response) => readBody(response, resolve, reject),
        );
        // The agent's idle timeout is for free sockets; a request's budget is the caller's
        // signal, so a socket in use must not time out under it. node:http sets the agent's
        // timeout back when the socket returns to the free list.
        outgoing.once('socket', (socket) => socket.setTimeout(0));
        outgoing.once('error', reject);
        outgoing.end();
      });
    },
    async close() {
      if (client !== undefined) (await client).agent.destroy();
    },
  };
}

function readBody(
  response: IncomingMessage,
  resolve: (value: TransportResponse) => void,
  reject: (error: unknown) => void,
): void {
  const chunks: string[] = [];
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => chunks.push(chunk));
  // A body cut short of its Content-Length (or a socket closed mid-body) ends with an
  // `ECONNRESET` "aborted" error instead of `end`.
  response.once('error', reject);
  response.once('end', () => {
    if (!response.complete) {
      reject(Object.assign(new Error('the body ended before it was complete'), { code: 'ECONNRESET' }));
      return;
    }
    resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, text: chunks.join('') });
  });
}

/**
 * A caller's undici dispatcher (a `MockAgent` in tests, an `Agent` with a proxy…), through its
 * own `request()`: undici itself is never loaded by this package, only its types.
 */
export function createDispatcherTransport(dispatcher: Dispatcher, origin: URL): Transport {
  return {
    async get(path, headers, signal) {
      const response = await dispatcher.request({
        origin: origin.origin,
        path,
        method: 'GET',
        headers,
        signal,
      });
      const text = await response.body.text();
      return { statusCode: response.statusCode, headers: response.headers as IncomingHttpHeaders, text };
    },
    // The client does not close a dispatcher it was given.
    close: async () => {},
  };
}
