import type { ApiVersion } from '@taskscope/wire';
import type { MockRoute } from '../sources/payload-source.js';

/*
 * The real endpoint's routes (aws/amazon-ecs-agent `agent/handlers/task_server_setup.go`,
 * `agent/handlers/v2/*_handler.go`, `agent/handlers/v3/*.go`,
 * `ecs-agent/tmds/handlers/v4/handlers.go`; docs/endpoint.md §1–§2). v3/v4 ids match
 * `[^/]*`, so `/v4/` is the container path with an empty id; v2 ids match `[^/]+`.
 */

export type RouteKind = 'task' | 'taskWithTags' | 'taskStats' | 'container' | 'containerStats';

/** A metadata path, before the endpoint id is resolved to a container. */
export interface ParsedPath {
  readonly version: ApiVersion;
  readonly kind: RouteKind;
  /** v3/v4: the `<id>` of `/vN/<id>/…`. */
  readonly endpointId?: string;
  /** v2: the `<id>` of `/v2/metadata/<id>` and `/v2/stats/<id>`. */
  readonly dockerId?: string;
  /** Relative to the API base, as in recordings (`/task/stats`, `/metadata/<id>`, `""`). */
  readonly relativePath: string;
}

const V3_V4_SUFFIX: Record<string, RouteKind> = {
  '': 'container',
  '/task': 'task',
  '/taskWithTags': 'taskWithTags',
  '/stats': 'containerStats',
  '/task/stats': 'taskStats',
};

/** `undefined` for a path the real endpoint answers with `404 page not found`. */
export function parseMetadataPath(path: string): ParsedPath | undefined {
  if (path.startsWith('/v2/')) return parseV2(path);
  const version = path.startsWith('/v3/') ? 'v3' : path.startsWith('/v4/') ? 'v4' : undefined;
  if (version === undefined) return undefined;
  const slash = path.indexOf('/', 4);
  const rawId = slash === -1 ? path.slice(4) : path.slice(4, slash);
  const suffix = slash === -1 ? '' : path.slice(slash);
  const kind = V3_V4_SUFFIX[suffix];
  if (kind === undefined) return undefined;
  return { version, kind, endpointId: decodeSegment(rawId), relativePath: suffix };
}

function parseV2(path: string): ParsedPath | undefined {
  const rest = path.slice(3); // "/metadata", "/stats/<id>", …
  switch (rest) {
    case '/metadata':
    case '/metadata/':
      return { version: 'v2', kind: 'task', relativePath: '/metadata' };
    case '/metadataWithTags':
    case '/metadataWithTags/':
      return { version: 'v2', kind: 'taskWithTags', relativePath: '/metadataWithTags' };
    case '/stats':
    case '/stats/':
      return { version: 'v2', kind: 'taskStats', relativePath: '/stats' };
  }
  const match = /^\/(metadata|stats)\/([^/]+)$/.exec(rest);
  if (!match) return undefined;
  const dockerId = decodeSegment(match[2]!);
  return match[1] === 'metadata'
    ? { version: 'v2', kind: 'container', dockerId, relativePath: `/metadata/${dockerId}` }
    : { version: 'v2', kind: 'containerStats', dockerId, relativePath: `/stats/${dockerId}` };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The seam's route for a parsed path whose container is known. */
export function toMockRoute(kind: RouteKind, dockerId: string): MockRoute {
  switch (kind) {
    case 'task':
      return { kind: 'task', withTags: false };
    case 'taskWithTags':
      return { kind: 'task', withTags: true };
    case 'taskStats':
      return { kind: 'taskStats' };
    case 'container':
      return { kind: 'container', dockerId };
    case 'containerStats':
      return { kind: 'containerStats', dockerId };
  }
}

/** An error the real agent writes: a status and a JSON-string body. */
export interface EndpointError {
  readonly status: number;
  readonly message: string;
}

const TASK_ARN_FROM_ID = (id: string) =>
  `unable to get task arn from request: unable to get task Arn from v3 endpoint ID: ${id}`;
const DOCKER_ID_FROM_ID = (id: string) =>
  `unable to get container ID from request: unable to get docker ID from v3 endpoint ID: ${id}`;

/** The v3/v4 handler of each route, as its errors name it, and v3's status for an unknown id. */
const V3_V4_HANDLERS: Readonly<Record<RouteKind, { readonly handler: string; readonly v3Status: number }>> = {
  task: { handler: 'task metadata', v3Status: 500 },
  taskWithTags: { handler: 'task metadata', v3Status: 500 },
  taskStats: { handler: 'task stats', v3Status: 400 },
  container: { handler: 'container metadata', v3Status: 500 },
  containerStats: { handler: 'container stats', v3Status: 400 },
};

/**
 * The answer for an id the task does not know, per version (docs/endpoint.md
 * §2, "Status codes by endpoint"): v2 400, v3 metadata 500 and stats 400, v4 404. v2 finds the
 * task by the caller's IP, so its task-level error names the IP.
 */
export function unknownIdError(parsed: ParsedPath, remoteIp: string): EndpointError {
  const id = parsed.endpointId ?? parsed.dockerId ?? '';
  if (parsed.version === 'v2') {
    switch (parsed.kind) {
      case 'container':
        return { status: 400, message: `Unable to generate metadata for container '${id}'` };
      case 'containerStats':
        return { status: 400, message: `Unable to get container stats for: ${id}` };
      default:
        return {
          status: 400,
          message: `Unable to get task arn from request: unable to associate '${remoteIp}' with task`,
        };
    }
  }
  // Only the container metadata handler looks up a DockerId; every other one, the task ARN.
  const { handler, v3Status } = V3_V4_HANDLERS[parsed.kind];
  const reason = parsed.kind === 'container' ? DOCKER_ID_FROM_ID(id) : TASK_ARN_FROM_ID(id);
  return {
    status: parsed.version === 'v4' ? 404 : v3Status,
    message: `${parsed.version.toUpperCase()} ${handler} handler: ${reason}`,
  };
}

/**
 * gorilla/mux with `SkipClean(false)`: Go's `path.Clean`, keeping a trailing slash. A path
 * that differs from its clean form gets a 301 to it.
 */
export function cleanPath(path: string): string {
  if (path === '') return '/';
  const rooted = path.startsWith('/') ? path : `/${path}`;
  const out: string[] = [];
  for (const segment of rooted.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const cleaned = `/${out.join('/')}`;
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

/** Cheap pre-check so the common path skips {@link cleanPath}. */
export function needsCleaning(path: string): boolean {
  return path.includes('//') || path.includes('/.') || !path.startsWith('/');
}
