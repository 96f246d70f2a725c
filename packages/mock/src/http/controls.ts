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
