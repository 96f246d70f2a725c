/** The three task metadata endpoint families; all share one payload model. */
export type ApiVersion = 'v2' | 'v3' | 'v4';

/**
 * The version a base URL speaks, read from its path: `/v2…` is v2, `/v3/…` is v3 and
 * anything else is v4 (docs/contract.md, "Metadata URL resolution"). Throws `TypeError` when
 * `baseUrl` is not an absolute URL.
 */
export function apiVersionOf(baseUrl: string): ApiVersion {
  const path = new URL(baseUrl).pathname;
  if (/^\/v2(\/|$)/.test(path)) return 'v2';
  if (/^\/v3(\/|$)/.test(path)) return 'v3';
  return 'v4';
}

/** Paths relative to the base URL, per version (docs/endpoint.md §1). */
export interface EndpointPaths {
  readonly task: string;
  /** The task with `TaskTags` and `ContainerInstanceTags` (and, on v4, `Errors` when tagging failed). */
  readonly taskWithTags: string;
  readonly taskStats: string;
  /** The calling container's metadata (v3/v4) or a container by id (v2). */
  container(dockerId?: string): string;
  /** The calling container's stats (v3/v4) or a container's by id (v2). */
  containerStats(dockerId?: string): string;
}

const V2_PATHS: EndpointPaths = {
  task: '/metadata',
  taskWithTags: '/metadataWithTags',
  taskStats: '/stats',
  container: (dockerId) => `/metadata/${encodeURIComponent(dockerId ?? '')}`,
  containerStats: (dockerId) => `/stats/${encodeURIComponent(dockerId ?? '')}`,
};

// v3 and v4 identify the calling container by the endpoint id in the base URL itself, so
// the container paths take no id (agent/handlers/task_server_setup.go v3/v4HandlersSetup).
const V3_V4_PATHS: EndpointPaths = {
  task: '/task',
  taskWithTags: '/taskWithTags',
  taskStats: '/task/stats',
  container: () => '',
  containerStats: () => '/stats',
};

/** The relative paths a given API version serves. */
export function endpointPaths(version: ApiVersion): EndpointPaths {
  return version === 'v2' ? V2_PATHS : V3_V4_PATHS;
}
