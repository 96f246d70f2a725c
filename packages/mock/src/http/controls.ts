import type { MockEndpoint, PayloadSource, Truth } from '../sources/payload-source.js';
import type { RequestHandler } from './handler.js';

/** The URLs and test controls every way of running the mock offers (server and msw). */
export interface MockControls {
  /** The v2 base, e.g. `http://HOST:PORT/v2`. */
  readonly v2Url: string;
  /** `ECS_CONTAINER_METADATA_URI` per container name. */
  readonly v3Urls: Readonly<Record<string, string>>;
  /** `ECS_CONTAINER_METADATA_URI_V4` per container name. */
  readonly v4Urls: Readonly<Record<string, string>>;
  readonly endpoints: readonly MockEndpoint[];
  readonly source: PayloadSource;
  readonly handler: RequestHandler;
  /** Replaces the fault set (same SPEC syntax as `--fault`). */
  setFaults(specs: readonly string[]): void;
  /** What GET /__taskscope/truth answers now; `undefined` for static and replay sources. */
  truth(): Truth | undefined;
  /** POST /__taskscope/containers/<name>/restart; `false` for an unknown name. */
  restart(containerName: string): boolean;
}

/**
 * The URLs and controls of a mock served at `baseUrl` (`http://HOST:PORT`, or msw's origin), no
 * trailing slash. Clock-dependent controls read the handler's clock, the one requests see.
 */
export function mockControls(baseUrl: string, handler: RequestHandler): MockControls {
  const { source } = handler;
  const endpoints = source.endpoints();
  const urls = (version: 'v3' | 'v4') =>
    Object.fromEntries(
      endpoints.map((e) => [e.containerName, `${baseUrl}/${version}/${encodeURIComponent(e.endpointId)}`]),
    );
  return {
    v2Url: `${baseUrl}/v2`,
    v3Urls: urls('v3'),
    v4Urls: urls('v4'),
    endpoints,
    source,
    handler,
    setFaults: (specs) => handler.setFaults(specs),
    truth: () => source.truth?.(handler.now()),
    restart: (name) => source.restartContainer?.(name, handler.now()) ?? false,
  };
}
