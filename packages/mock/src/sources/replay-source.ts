import { isEmptyStats } from '@taskscope/wire';
import { MockInputError } from '../common/errors.js';
import { stringifyJson } from '../common/json-text.js';
import { statsWithoutSample } from './no-sample-answer.js';
import type { MockAnswer, MockEndpoint, MockRequest, PayloadSource } from './payload-source.js';
import { parseRecording, type Recording, type RecordingFrame } from './recording.js';

export type ReplayMode = 'time' | 'request';

export interface ReplaySourceOptions {
  /**
   * `time` (default): serve the frame recorded at the elapsed time since `startTimeMs`.
   * `request`: the n-th request of a path gets the n-th frame of that path.
   * Both hold the last frame once the recording runs out.
   */
  readonly mode?: ReplayMode;
  /** Origin of `time` mode, ms since the epoch; default the first request's time. */
  readonly startTimeMs?: number;
  /** Names the file in error messages. */
  readonly origin?: string;
}

interface Frame {
  readonly offsetMs: number;
  readonly answer: MockAnswer;
  /** The JSON body, for deriving other containers' answers from task-level frames. */
  readonly body: unknown;
}

type Json = Record<string, unknown>;

/**
 * Serves a recording (`--replay`). Frames are keyed by what they answer, so a v4 recording
 * also answers v2 and v3 paths. Containers the recording has no own frames for are cut out
 * of the task metadata and task stats frames. Endpoint ids are the DockerIds.
 */
export function createReplaySource(
  recording: string | Recording,
  options: ReplaySourceOptions = {},
): PayloadSource & { readonly recording: Recording } {
  const parsed = typeof recording === 'string' ? parseRecording(recording, options.origin) : recording;
  assertReplayable(parsed, options.origin);
  const mode = options.mode ?? 'time';
  const api = parsed.header.api;
  const callerDockerId = findCaller(parsed.frames);

  const byKey = new Map<string, Frame[]>();
  for (const frame of parsed.frames) {
    const key = keyOfPath(api, frame.path, callerDockerId);
    if (key === undefined) continue;
    const list = byKey.get(key) ?? [];
    list.push(toFrame(frame));
    byKey.set(key, list);
  }

  const taskBody = byKey.get('task')?.find((frame) => frame.answer.status === 200)?.body;
  const containers =
    isObject(taskBody) && Array.isArray(taskBody['Containers']) ? (taskBody['Containers'] as Json[]) : [];
  const endpoints: MockEndpoint[] = containers
    .filter((container) => typeof container['DockerId'] === 'string' && container['DockerId'] !== '')
    .map((container) => ({
      containerName: String(container['Name'] ?? container['DockerId']),
      dockerId: String(container['DockerId']),
      endpointId: String(container['DockerId']),
    }));
  if (endpoints.length === 0 && callerDockerId !== undefined) {
    endpoints.push({ containerName: callerDockerId, dockerId: callerDockerId, endpointId: callerDockerId });
  }

  let originMs = options.startTimeMs;
  const counters = new Map<string, number>();
  const pick = (frames: readonly Frame[], counterKey: string, nowMs: number): Frame => {
    if (mode === 'request') {
      const n = counters.get(counterKey) ?? 0;
      counters.set(counterKey, n + 1);
      return frames[Math.min(n, frames.length - 1)]!;
    }
    originMs ??= nowMs;
    const elapsedMs = nowMs - originMs;
    // The last frame recorded at or before the elapsed time; the first before it starts.
    let low = 0;
    let high = frames.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (frames[mid]!.offsetMs <= elapsedMs) low = mid;
      else high = mid - 1;
    }
    return frames[low]!;
  };

  /** The answer recorded under `key` for this time or request, if the recording has that key. */
  const recorded = (key: string, nowMs: number): MockAnswer | undefined => {
    const frames = byKey.get(key);
    return frames && pick(frames, key, nowMs).answer;
  };

  /** A container's own recorded answer, else the one `cut` makes from the task-level frame under `wholeKey`. */
  const containerAnswer = (
    key: string,
    wholeKey: 'task' | 'taskStats',
    nowMs: number,
    cut: (wholeBody: unknown) => MockAnswer | undefined,
  ): MockAnswer | undefined => {
    const own = recorded(key, nowMs);
    if (own) return own;
    const whole = byKey.get(wholeKey);
    return whole && cut(pick(whole, key, nowMs).body);
  };

  const respond = (request: MockRequest): MockAnswer | undefined => {
    const { route, nowMs, version } = request;
    switch (route.kind) {
      case 'task':
        return recorded(route.withTags && byKey.has('taskWithTags') ? 'taskWithTags' : 'task', nowMs);
      case 'taskStats':
        return recorded('taskStats', nowMs);
      case 'container':
        return containerAnswer(`container:${route.dockerId}`, 'task', nowMs, (body) => {
          const container = containersOf(body).find((c) => c['DockerId'] === route.dockerId);
          return container && { status: 200, rawBody: stringifyJson(container) };
        });
      case 'containerStats':
        return containerAnswer(`containerStats:${route.dockerId}`, 'taskStats', nowMs, (body) => {
          if (!isObject(body) || !(route.dockerId in body)) return undefined;
          const entry = body[route.dockerId];
          if (!isEmptyStats(entry)) return { status: 200, rawBody: stringifyJson(entry) };
          const task = byKey.get('task');
          const container =
            task && containersOf(task[task.length - 1]!.body).find((c) => c['DockerId'] === route.dockerId);
          return statsWithoutSample(
            version,
            route.dockerId,
            container?.['KnownStatus'] as string | undefined,
          );
        });
    }
  };

  return { recording: parsed, endpoints: () => endpoints, respond };
}

/**
 * Throws a {@link MockInputError} (`MOCK_RECORDING`) for a recording that parses but cannot be
 * served: no responses, none with status 200, or no container id to serve under (its URLs
 * would have no id and every path would answer 400 or 404). `origin` names the file.
 */
export function assertReplayable(recording: Recording, origin = 'recording'): void {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new MockInputError('MOCK_RECORDING', origin, [{ field, value, allowed }]);
  };
  const { frames } = recording;
  if (frames.length === 0)
    fail('responses', 0, 'at least one recorded response (the file has only its header)');
  const statuses = [...new Set(frames.map((frame) => frame.status))];
  if (!frames.some((frame) => frame.status === 200)) {
    fail(
      'responses',
      `${frames.length} with status ${statuses.join(', ')}`,
      'at least one 200 response (a recording of an endpoint that answered only errors cannot be served)',
    );
  }
  const api = recording.header.api;
  const taskPath = api === 'v2' ? '/metadata' : '/task';
  const hasId =
    findCaller(frames) !== undefined ||
    frames.some(
      (frame) =>
        frame.path === taskPath &&
        frame.status === 200 &&
        'body' in frame &&
        containersOf(frame.body).some((c) => typeof c['DockerId'] === 'string' && c['DockerId'] !== ''),
    );
  if (!hasId) {
    fail(
      'container id',
      undefined,
      `a DockerId to serve under: a 200 ${api === 'v2' ? '/metadata' : '"" or /task'} response naming the containers`,
    );
  }
}

function toFrame(frame: RecordingFrame): Frame {
  const raw = 'rawBody' in frame;
  return {
    offsetMs: frame.offsetMs,
    answer: { status: frame.status, rawBody: raw ? frame.rawBody : stringifyJson(frame.body) },
    body: raw ? undefined : frame.body,
  };
}

/** Where a v3/v4 recording names the container it was made from, best first. */
const CALLER_FIELDS = [
  { path: '', key: 'DockerId' },
  { path: '/stats', key: 'id' },
] as const;

/** The container a v3/v4 recording was made from: its `""` frame's DockerId, else its stats' `id`. */
function findCaller(frames: readonly RecordingFrame[]): string | undefined {
  for (const { path, key } of CALLER_FIELDS) {
    for (const frame of frames) {
      if (frame.path !== path || !('body' in frame) || !isObject(frame.body)) continue;
      const value = frame.body[key];
      if (typeof value === 'string') return value;
    }
  }
  return undefined;
}

function keyOfPath(api: string, path: string, caller: string | undefined): string | undefined {
  if (api === 'v2') {
    if (path === '/metadata') return 'task';
    if (path === '/metadataWithTags') return 'taskWithTags';
    if (path === '/stats') return 'taskStats';
    const match = /^\/(metadata|stats)\/(.+)$/.exec(path);
    if (!match) return undefined;
    return `${match[1] === 'metadata' ? 'container' : 'containerStats'}:${match[2]}`;
  }
  switch (path) {
    case '/task':
      return 'task';
    case '/taskWithTags':
      return 'taskWithTags';
    case '/task/stats':
      return 'taskStats';
    case '':
      return caller === undefined ? undefined : `container:${caller}`;
    case '/stats':
      return caller === undefined ? undefined : `containerStats:${caller}`;
    default:
      return undefined;
  }
}

function containersOf(body: unknown): Json[] {
  return isObject(body) && Array.isArray(body['Containers']) ? (body['Containers'] as Json[]) : [];
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
