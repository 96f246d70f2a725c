import { deepFreeze } from '@taskscope/input';
import type { ApiVersion } from '@taskscope/wire';
import { type JsonValue, stringifyJson } from '../common/json-text.js';
import { unitHash } from '../common/random.js';
import type {
  ContainerTruth,
  HealthTruth,
  InterfaceTruth,
  MockAnswer,
  MockEndpoint,
  MockRequest,
  PayloadSource,
  Truth,
} from '../sources/payload-source.js';
import { healthAt } from './engine/health.js';
import { type ContainerModel, compileScenario, type TaskModel } from './engine/model.js';
import { NS_PER_MS } from './engine/nanoseconds.js';
import { createTimeline, type Sample, type Served, type Timeline } from './engine/timeline.js';
import { containerMetadata, metadataStateKey, taskMetadata } from './payloads/metadata-payload.js';
import { statsPayload } from './payloads/stats-payload.js';
import { payloadTimeMs } from './payloads/time-text.js';
import type { CgroupFlavour, Scenario } from './schema/types.js';

export interface ScenarioSourceOptions {
  /** All randomness (ids, offsets, noise) derives from it; default 1 (docs/contract.md `--seed`). */
  readonly seed?: number;
  /** The scenario clock's origin, ms since the epoch: containers start, counters at zero. */
  readonly startTimeMs: number;
  /** Overrides the scenario's stats refresh cadence (`--cadence`). */
  readonly cadenceMs?: number;
}

/** A {@link PayloadSource} that knows the ground truth and can restart containers. */
export interface ScenarioSource extends PayloadSource {
  /** Per-container rates over the last refresh interval at `nowMs` (empty before the first sample). */
  truth(nowMs: number): Truth;
  /**
   * Counters restart from zero now: a new StartedAt (ns precision, within the millisecond
   * before `nowMs`) and one more restart, which v4 shows as `RestartCount` + 1 where the
   * container has a restart policy (the real endpoint omits `RestartCount` otherwise).
   * `false` for an unknown or not running container.
   */
  restartContainer(containerName: string, nowMs: number): boolean;
  readonly scenario: Scenario;
}

interface CachedText {
  readonly fromNs: number;
  readonly untilNs: number;
  readonly version: number;
  readonly text: string;
}

/**
 * Serves a scenario: the same seed, start time and elapsed time always give the same bytes.
 * Stats answers carry `rawBody` (exact JSON text: the no-limit sentinels exceed 2^53);
 * metadata answers carry `body`, a frozen plain value shared between calls.
 */
export function createScenarioSource(scenario: Scenario, options: ScenarioSourceOptions): ScenarioSource {
  const originMs = Math.floor(options.startTimeMs);
  const model = compileScenario(scenario, options.seed ?? 1, originMs, options.cadenceMs);
  const timeline = createTimeline(model);
  const fargate = scenario.task.launchType === 'FARGATE';
  const byDockerId = new Map(model.containers.map((c) => [c.dockerId, c]));
  const endpoints: readonly MockEndpoint[] = Object.freeze(
    model.containers.map((c) =>
      Object.freeze({ containerName: c.spec.name, dockerId: c.dockerId, endpointId: c.endpointId }),
    ),
  );
  const statsListed = model.containers.filter((c) => c.spec.state !== 'PULLED');

  const toNs = (nowMs: number): number => Math.round((nowMs - originMs) * NS_PER_MS);

  // Task stats: the body only changes at a container's next read or status change, so it
  // is cached with the window it is valid for (the hot path of every poller).
  const taskStatsCache = new Map<ApiVersion, CachedText>();
  const containerStatsCache = new Map<string, CachedText>();
  const metadataCache = new Map<string, { key: string; body: unknown }>();

  const stillValid = (cached: CachedText | undefined, tNs: number): cached is CachedText =>
    cached !== undefined &&
    cached.version === timeline.version &&
    tNs >= cached.fromNs &&
    tNs < cached.untilNs;

  const entryText = (c: ContainerModel, served: Served, version: ApiVersion, inMap: boolean): string => {
    if (served.kind === 'sample')
      return stringifyJson(statsPayload(model, c, served.sample, served.previous, version));
    // No sample: `null` on v2/v3 and on Fargate v4; the EC2 agent's v4 sends `{}`.
    if (version === 'v4' && (!fargate || !inMap)) return '{}';
    return 'null';
  };

  const taskStatsText = (version: ApiVersion, tNs: number): string => {
    const cached = taskStatsCache.get(version);
    if (stillValid(cached, tNs)) return cached.text;
    let text = '{';
    let untilNs = Number.POSITIVE_INFINITY;
    for (const c of statsListed) {
      untilNs = Math.min(untilNs, nextChangeNs(model, timeline, c, tNs));
      text += `${text === '{' ? '' : ','}${JSON.stringify(c.dockerId)}:${entryText(c, timeline.served(c, tNs), version, true)}`;
    }
    text += '}';
    taskStatsCache.set(version, { fromNs: tNs, untilNs, version: timeline.version, text });
    return text;
  };

  const metadataBody = (cacheKey: string, tNs: number, build: () => JsonValue): unknown => {
    const key = metadataStateKey(model, timeline, tNs);
    const cached = metadataCache.get(cacheKey);
    if (cached && cached.key === key) return cached.body;
    // Metadata holds no integer above 2^53, so a plain value is exact.
    const body = deepFreeze(JSON.parse(stringifyJson(build())));
    metadataCache.set(cacheKey, { key, body });
    return body;
  };

  const respond = (request: MockRequest): MockAnswer | undefined => {
    const { version, route } = request;
    const tNs = toNs(request.nowMs);
    switch (route.kind) {
      case 'task':
        return {
          status: 200,
          body: metadataBody(`task:${version}:${route.withTags}`, tNs, () =>
            taskMetadata(model, timeline, version, route.withTags, tNs),
          ),
        };
      case 'taskStats':
        return { status: 200, rawBody: taskStatsText(version, tNs) };
      case 'container': {
        const c = byDockerId.get(route.dockerId);
        if (!c || (version !== 'v4' && c.spec.state === 'PULLED')) return undefined;
        return {
          status: 200,
          body: metadataBody(`container:${version}:${c.dockerId}`, tNs, () =>
            containerMetadata(model, timeline, c, version, tNs),
          ),
        };
      }
      case 'containerStats': {
        const c = byDockerId.get(route.dockerId);
        if (!c || (version !== 'v4' && c.spec.state === 'PULLED')) return undefined;
        const key = `${version}:${c.dockerId}`;
        const cached = containerStatsCache.get(key);
        if (stillValid(cached, tNs)) return { status: 200, rawBody: cached.text };
        const served = timeline.served(c, tNs);
        if (served.kind === 'none') {
          // The agent has no stats for a container that is not running: v4 answers 500
          // (ErrorStatsFetchFailure), v2/v3 400 (docs/endpoint.md §2).
          return {
            status: version === 'v4' ? 500 : 400,
            body: `Unable to get container stats for: ${c.dockerId}`,
          };
        }
        const text = entryText(c, served, version, false);
        containerStatsCache.set(key, {
          fromNs: tNs,
          untilNs: nextChangeNs(model, timeline, c, tNs),
          version: timeline.version,
          text,
        });
        return { status: 200, rawBody: text };
      }
    }
  };

  return {
    scenario,
    endpoints: () => endpoints,
    respond,
    truth: (nowMs) => truthAt(model, timeline, toNs(nowMs)),
    restartContainer: (containerName, nowMs) => {
      const c = model.containers.find((candidate) => candidate.spec.name === containerName);
      if (c === undefined) return false;
      const tNs = toNs(nowMs);
      const run = timeline.runAt(c, tNs);
      if (run === undefined) return false;
      // The clock has ms precision, the payload's timestamps ns: the restart falls at a
      // seeded instant within the millisecond before the request, after the run's start
      // and after the sample served now (which belongs to the run before).
      const count = timeline.runStarts(c).length;
      const withinMsNs = Math.floor(unitHash(model.seed, 'restart', c.spec.name, count, tNs) * NS_PER_MS);
      const served = timeline.served(c, tNs);
      const servedReadNs = served.kind === 'sample' ? served.sample.readNs : Number.NEGATIVE_INFINITY;
      const restartNs = Math.min(tNs, Math.max(tNs - withinMsNs, run.startNs + 1, servedReadNs + 1));
      return timeline.restart(c, restartNs);
    },
  };
}

/** The first time after `tNs` at which the container's stats entry can change. */
function nextChangeNs(model: TaskModel, timeline: Timeline, c: ContainerModel, tNs: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const start of timeline.runStarts(c)) if (start > tNs) next = Math.min(next, start);
  if (c.stop !== undefined && c.stop.atNs > tNs) next = Math.min(next, c.stop.atNs);
  if (timeline.isRunning(c, tNs) || next !== Number.POSITIVE_INFINITY) {
    // The next read: at most one cadence (plus jitter) ahead.
    const served = timeline.served(c, tNs);
    const index =
      served.kind === 'sample'
        ? served.sample.index + 1
        : Math.max(0, Math.ceil((tNs - c.sampleOffsetNs) / model.cadenceNs));
    const nextRead = index * model.cadenceNs + c.sampleOffsetNs;
    next = Math.min(next, Math.max(nextRead, tNs + 1));
  }
  return next;
}

/** CPU time as the payload reports it, in ns (v2 in µs steps, Windows in 100 ns units). */
export function servedCpuNs(flavour: CgroupFlavour, cpuNs: number): number {
  if (flavour === 'v2') return Math.floor(cpuNs / 1000) * 1000;
  if (flavour === 'windows') return Math.floor(cpuNs / 100) * 100;
  return cpuNs;
}

function healthTruth(model: TaskModel, health: ReturnType<typeof healthAt>): HealthTruth | undefined {
  if (health === undefined) return undefined;
  return {
    status: health.status,
    ...(health.sinceNs !== undefined && { sinceMs: payloadTimeMs(model.originMs, health.sinceNs) }),
    ...(health.status === 'UNHEALTHY' && health.exitCode !== undefined && { exitCode: health.exitCode }),
  };
}

function truthAt(model: TaskModel, timeline: Timeline, tNs: number): Truth {
  const { scenario, originMs } = model;
  const flavour = scenario.cgroup;
  const bridge = scenario.networkMode === 'bridge';
  const containers: ContainerTruth[] = [];
  const networks: InterfaceTruth[] = [];
  type Reading = { sample: Sample; fromNs: number; rx: number; tx: number };
  let newest: Reading | undefined;
  let newestPair: Reading | undefined;
  for (const c of model.containers) {
    const served = timeline.served(c, tNs);
    if (served.kind !== 'sample') continue;
    const { sample, previous } = served;
    // A first sample of a run covers the time since the run started, from zero counters.
    const fromNs = previous?.readNs ?? sample.runStartNs;
    const seconds = (sample.readNs - fromNs) / 1e9;
    const cpu = servedCpuNs(flavour, sample.cpuNs) - (previous ? servedCpuNs(flavour, previous.cpuNs) : 0);
    const rate = (now: number, before: number | undefined) => (now - (before ?? 0)) / seconds;
    const usage =
      flavour === 'windows' ? sample.workingSetBytes : sample.workingSetBytes + sample.inactiveFileBytes;
    const rx = rate(sample.rxBytes, previous?.rxBytes);
    const tx = rate(sample.txBytes, previous?.txBytes);
    const health = healthTruth(model, healthAt(c, timeline, tNs));
    containers.push({
      name: c.spec.name,
      dockerId: c.dockerId,
      cpuCores: cpu / 1e9 / seconds,
      memoryWorkingSetBytes: sample.workingSetBytes,
      memoryUsageBytes: usage,
      blockIoReadBytesPerSecond: rate(sample.diskReadBytes, previous?.diskReadBytes),
      blockIoWriteBytesPerSecond: rate(sample.diskWriteBytes, previous?.diskWriteBytes),
      ...(bridge && { networkRxBytesPerSecond: rx, networkTxBytesPerSecond: tx }),
      ...(health && { health }),
    });
    if (bridge) {
      networks.push({
        interface: scenario.network.interfaceName,
        containerName: c.spec.name,
        rxBytesPerSecond: rx,
        txBytesPerSecond: tx,
      });
    }
    if (!newest || sample.readNs > newest.sample.readNs) newest = { sample, fromNs, rx, tx };
    // The task interface outlives container restarts: only a container's two successive
    // samples measure it, never a first sample's counters over its own run.
    if (previous && (!newestPair || sample.readNs > newestPair.sample.readNs))
      newestPair = { sample, fromNs, rx, tx };
  }
  if (!bridge && newestPair) {
    // awsvpc: the task's interface, measured over the newest pair of successive samples.
    networks.push({
      interface: scenario.network.interfaceName,
      rxBytesPerSecond: newestPair.rx,
      txBytesPerSecond: newestPair.tx,
    });
  }
  return {
    readAtMs: newest ? payloadTimeMs(originMs, newest.sample.readNs) : originMs,
    intervalSeconds: newest ? (newest.sample.readNs - newest.fromNs) / 1e9 : 0,
    containers,
    networks,
  };
}
