import type { ApiVersion } from '@taskscope/wire';

/*
 * The seam between what the mock knows (a scenario engine, captured payloads, a
 * recording) and how it serves it (the HTTP server and the msw handlers). A source answers
 * in payload terms; the server owns the real endpoint's paths, status codes, error bodies,
 * headers, throttling and faults.
 */

/** What was asked, independent of the version's URL shape. */
export type MockRoute =
  | { readonly kind: 'task'; readonly withTags: boolean }
  | { readonly kind: 'taskStats' }
  /** v2: `/v2/metadata/<dockerId>`; v3/v4: the container the endpoint id belongs to. */
  | { readonly kind: 'container'; readonly dockerId: string }
  /** v2: `/v2/stats/<dockerId>`; v3/v4: `<endpoint>/stats`. */
  | { readonly kind: 'containerStats'; readonly dockerId: string };

export interface MockRequest {
  readonly version: ApiVersion;
  readonly route: MockRoute;
  /** Wall-clock time of the request, ms since the epoch (the server's clock, injectable). */
  readonly nowMs: number;
  /** For replay in `request` mode: the path relative to the API base, as in recordings. */
  readonly relativePath: string;
}

/** A payload to serve as JSON with the given status, or text that is not JSON (recordings). */
export type MockAnswer =
  | { readonly status: number; readonly body: unknown }
  | { readonly status: number; readonly rawBody: string };

/** A container the endpoint knows, and the id in its v3/v4 URL. */
export interface MockEndpoint {
  readonly containerName: string;
  readonly dockerId: string;
  /** The `<id>` in `/v3/<id>` and `/v4/<id>`: the DockerId on Fargate, a UUID on EC2. */
  readonly endpointId: string;
}

/** Per-container ground truth over the last refresh interval (GET /__taskscope/truth). */
export interface ContainerTruth {
  readonly name: string;
  readonly dockerId: string;
  /** Cores used over the interval (Δ CPU seconds / Δ read seconds). */
  readonly cpuCores: number;
  readonly memoryWorkingSetBytes: number;
  readonly memoryUsageBytes: number;
  readonly blockIoReadBytesPerSecond: number;
  readonly blockIoWriteBytesPerSecond: number;
  /** Bridge mode only: the container's own namespace. */
  readonly networkRxBytesPerSecond?: number;
  readonly networkTxBytesPerSecond?: number;
  /** The container's health check now; absent when it has none (no `Health` in the metadata). */
  readonly health?: HealthTruth;
}

/**
 * A health check's state as a reader of the payloads should show it (core's ContainerHealth):
 * `exitCode` only while UNHEALTHY, although the payload keeps the failing check's code after
 * the container recovers, as the ECS agent does.
 */
export interface HealthTruth {
  /** `UNKNOWN` until the check first reports, and again from a restart until it reports. */
  readonly status: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  /** When the status last changed (`statusSince`), ms since the epoch, fraction kept. */
  readonly sinceMs?: number;
  readonly exitCode?: number;
}

export interface InterfaceTruth {
  readonly interface: string;
  /** Bridge mode only. */
  readonly containerName?: string;
  readonly rxBytesPerSecond: number;
  readonly txBytesPerSecond: number;
}

export interface Truth {
  /** `read` of the latest refresh, ms since the epoch. */
  readonly readAtMs: number;
  /** Seconds between the previous refresh and the latest. */
  readonly intervalSeconds: number;
  /** Running containers with stats only. */
  readonly containers: readonly ContainerTruth[];
  /** awsvpc: task-level interfaces; bridge: one per container and interface. */
  readonly networks: readonly InterfaceTruth[];
}

export interface PayloadSource {
  endpoints(): readonly MockEndpoint[];
  /** `undefined` when the id or path is unknown to this source (the server answers as the real endpoint does). */
  respond(request: MockRequest): MockAnswer | undefined;
  /** Scenario sources know the truth; static and replay sources do not. */
  truth?(nowMs: number): Truth | undefined;
  /** Counters restart from zero, a new StartedAt, RestartCount + 1. `false` for an unknown name. */
  restartContainer?(containerName: string, nowMs: number): boolean;
}
