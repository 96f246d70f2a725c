import { createRandom, type Random } from '../../common/random.js';
import type { Scenario, ScenarioContainer } from '../schema/types.js';
import { NS_PER_MS } from './nanoseconds.js';
import { createProfileFunction, type Profile, type ProfileFunction } from './profile.js';

/*
 * A scenario compiled with a seed: every identifier, every fixed offset and ratio, and the
 * containers' run timeline. Times are integer nanoseconds since the scenario origin.
 */

/** One run of a container: counters start from zero at `startNs`. */
export interface Run {
  readonly startNs: number;
  /** 0 for the first run, +1 for every restart. */
  readonly restartCount: number;
}

export interface ContainerLoad {
  readonly cpuCores: ProfileFunction;
  readonly memoryWorkingSetBytes: ProfileFunction;
  readonly memoryCacheBytes: ProfileFunction;
  readonly networkRxBytesPerSecond: ProfileFunction;
  readonly networkTxBytesPerSecond: ProfileFunction;
  readonly diskReadBytesPerSecond: ProfileFunction;
  readonly diskWriteBytesPerSecond: ProfileFunction;
}

export interface ContainerModel {
  readonly index: number;
  readonly spec: ScenarioContainer;
  readonly dockerId: string;
  /** The `<id>` in `/v3/<id>` and `/v4/<id>`. */
  readonly endpointId: string;
  readonly dockerName: string;
  readonly containerArn: string;
  readonly imageId: string;
  /**
   * StartedAt of the first run, before the origin by a few ms (containers start apart): a
   * container the scenario runs is RUNNING from the first moment the mock serves, as the
   * sidecar's own container always is when it first asks.
   */
  readonly startNs: number;
  /** CreatedAt precedes StartedAt on EC2; Fargate reports them equal. */
  readonly createdNs: number;
  /** The container's fixed place within every refresh (real containers are sampled ms apart). */
  readonly sampleOffsetNs: number;
  readonly load: ContainerLoad;
  /** Scheduled runs (the first and one per restart event); runtime restarts are added later. */
  readonly runs: Run[];
  /** When the container stops for good (its own stop event, STOPPED state, or an essential's stop). */
  readonly stop?: { readonly atNs: number; readonly exitCode: number };
  readonly shape: ContainerShape;
}

/** Fixed, seeded ratios that make a payload look like a real one. */
export interface ContainerShape {
  /** Share of CPU time in user mode. */
  readonly userFraction: number;
  /** How CPU time splits over `percpu_usage` (sums to 1). */
  readonly percpuFractions: readonly number[];
  /** Share of block I/O on the first of two devices (Fargate shows two NVMe devices). */
  readonly firstDeviceShare: number;
  /** inactive_file / page cache. */
  readonly inactiveFileRatio: number;
  /** Kernel memory (stacks, slab) counted in usage, bytes. */
  readonly kernelBytes: number;
  readonly pids: number;
  readonly rxPacketBytes: number;
  readonly txPacketBytes: number;
  /** Bridge: the container's address on docker0. */
  readonly bridgeIpv4: string;
}

export interface TaskModel {
  readonly scenario: Scenario;
  /** Launch type FARGATE, which most payload differences follow. */
  readonly fargate: boolean;
  readonly seed: number;
  readonly originMs: number;
  readonly cadenceNs: number;
  /** Seeded jitter of each container's read within a refresh, at most this many ns. */
  readonly jitterNs: number;
  readonly taskId: string;
  readonly taskArn: string;
  readonly clusterArn: string;
  /** `Cluster` as payloads carry it: the ARN on Fargate, the short name on EC2. */
  readonly clusterField: string;
  readonly vpcId?: string;
  readonly pullStartedNs: number;
  readonly pullStoppedNs: number;
  readonly hostUptimeAtOriginNs: number;
  readonly network: {
    readonly ipv4Address: string;
    readonly subnetCidrBlock: string;
    readonly gatewayWithPrefix: string;
    readonly dnsServer: string;
    readonly macAddress: string;
    readonly privateDnsName: string;
    readonly searchDomain: string;
    readonly ipv6Address?: string;
    readonly ipv6SubnetCidrBlock?: string;
  };
  /** ClockDrift's error bound seeds (Fargate). */
  readonly clockErrorBoundBaseMs: number;
  readonly containers: readonly ContainerModel[];
}

export function compileScenario(
  scenario: Scenario,
  seed: number,
  originMs: number,
  cadenceMs?: number,
): TaskModel {
  const { task } = scenario;
  const fargate = task.launchType === 'FARGATE';
  const taskRandom = createRandom(seed, 'task', task.cluster, task.family);
  const taskId = task.taskId ?? taskRandom.hex(32);
  const partition = 'aws';
  const arnPrefix = `arn:${partition}:ecs:${task.region}:${task.accountId}`;
  const taskArn = task.taskArn ?? `${arnPrefix}:task/${task.cluster}/${taskId}`;
  const clusterArn = `${arnPrefix}:cluster/${task.cluster}`;
  const cadenceNs = Math.round((cadenceMs ?? scenario.cadenceMs) * NS_PER_MS);
  // Real reads drift by about a millisecond per 10 s refresh (ecs_exporter fixture:
  // read − preread = 10.000941 s and 9.999691 s).
  const jitterNs = Math.round(cadenceNs / 5000);
  // Containers are sampled within the first 5 % of a refresh (at most 500 ms), and start
  // within half that window before the origin, so a container's first sample follows its
  // start and every running container is RUNNING at the origin itself.
  const windowNs = Math.min(Math.round(cadenceNs / 20), 500 * NS_PER_MS);
  // A container STOPPED from the start ran for at most this long before its stop.
  const maxInitNs = 40 * NS_PER_MS;

  const createLeads = scenario.containers.map((c) =>
    fargate ? 0 : Math.round(createRandom(seed, 'created', c.name).between(0.4, 2.5) * 1e9),
  );
  const pullGapNs = Math.round(taskRandom.between(0.1, 0.6) * 1e9);
  const pullStoppedNs = -Math.round(windowNs / 2) - maxInitNs - Math.max(0, ...createLeads) - pullGapNs;
  const pullStartedNs =
    pullStoppedNs - Math.round(taskRandom.between(fargate ? 5 : 1, fargate ? 15 : 9) * 1e9);
  const hostUptimeAtOriginNs =
    scenario.host.uptimeMs !== undefined
      ? Math.round(scenario.host.uptimeMs * NS_PER_MS)
      : Math.round(taskRandom.between(fargate ? 60 : 3600, fargate ? 120 : 72 * 3600) * 1e9);

  const network = compileNetwork(scenario, taskRandom);
  const vpcId = fargate ? undefined : (task.vpcId ?? `vpc-${taskRandom.hex(17)}`);
  const clockErrorBoundBaseMs = taskRandom.between(0.25, 0.4);

  // Each container samples in its own slot of the window's second half, slots at least the
  // jitter apart, so the order of reads within a refresh never changes between refreshes
  // (which container reads last is stable, as it is on a real host).
  const slotOrder = scenario.containers
    .map((c, index) => ({ index, key: createRandom(seed, 'slot', taskId, c.name).next() }))
    .sort((a, b) => a.key - b.key)
    .map((entry) => entry.index);
  // The scenario's `readSpread` widens the slots' window (a cadence override shorter than the
  // spread shrinks it to 90 % of the cadence, so every container still reads once a refresh).
  const spreadNs =
    scenario.readSpreadMs === undefined
      ? windowNs / 2
      : Math.min(Math.round(scenario.readSpreadMs * NS_PER_MS), Math.round(cadenceNs * 0.9));
  const slotNs = (spreadNs - jitterNs) / scenario.containers.length;
  const partial = scenario.containers.map((spec, index) => {
    const random = createRandom(seed, 'container', taskId, spec.name);
    const dockerId = fargate ? `${taskId}-${random.integer(1_000_000_000, 4_294_967_295)}` : random.hex(64);
    const endpointId = fargate ? dockerId : random.uuid();
    const dockerName = fargate
      ? spec.name
      : `ecs-${task.family}-${task.revision}-${spec.name.replace(/[^A-Za-z0-9-]/g, '')}-${random.hex(20)}`;
    const containerArn = `${arnPrefix}:container/${task.cluster}/${taskId}/${random.uuid()}`;
    const imageId = `sha256:${createRandom(seed, 'image', spec.image).hex(64)}`;
    const startedBeforeOriginNs = Math.floor(random.between(0, windowNs / 2));
    const slotStartNs = windowNs / 2 + slotOrder.indexOf(index) * slotNs;
    const sampleOffsetNs = Math.floor(slotStartNs + random.between(0, Math.max(0, slotNs - jitterNs)));
    const load = compileLoad(spec, seed);
    const shape = compileShape(scenario, random, index);
    // A container that is STOPPED from the start ran for a few ms (an init step) and has
    // exited by the origin; the ecs_exporter fixture shows 19 ms between StartedAt and
    // FinishedAt. (Drawn last, so the other seeded values do not depend on it.)
    const initNs =
      spec.state === 'STOPPED' ? Math.round(random.between(10, maxInitNs / NS_PER_MS) * NS_PER_MS) : 0;
    const startNs = -startedBeforeOriginNs - initNs;
    const runs: Run[] = [];
    if (spec.state === 'RUNNING' || spec.state === 'STOPPED') {
      runs.push({ startNs, restartCount: 0 });
      let restarts = 0;
      for (const event of spec.events) {
        if (event.action === 'restart')
          runs.push({ startNs: event.atMs * NS_PER_MS, restartCount: ++restarts });
      }
    }
    let stop: { atNs: number; exitCode: number } | undefined;
    const stopEvent = spec.events.find((event) => event.action === 'stop');
    if (stopEvent?.action === 'stop')
      stop = { atNs: stopEvent.atMs * NS_PER_MS, exitCode: stopEvent.exitCode };
    if (spec.state === 'STOPPED') stop = { atNs: startNs + initNs, exitCode: spec.exitCode ?? 0 };
    return {
      index,
      spec,
      dockerId,
      endpointId,
      dockerName,
      containerArn,
      imageId,
      startNs,
      createdNs: startNs - createLeads[index]!,
      sampleOffsetNs,
      load,
      runs,
      ...(stop && { stop }),
      shape,
    };
  });

  // When an essential container exits, ECS stops the rest of the task: the agent sends
  // SIGTERM and most processes exit with 143 within a moment.
  const essentialStops = partial
    .filter((c) => c.spec.essential && c.stop !== undefined && c.spec.state === 'RUNNING')
    .map((c) => c.stop!.atNs);
  const containers: ContainerModel[] = partial.map((c) => {
    if (essentialStops.length === 0 || c.runs.length === 0) return c;
    const taskStopNs = Math.min(...essentialStops);
    const forcedNs =
      taskStopNs + Math.round(createRandom(seed, 'sigterm', c.spec.name).between(50, 500) * NS_PER_MS);
    if (c.stop !== undefined && c.stop.atNs <= forcedNs) return c;
    return {
      ...c,
      runs: c.runs.filter((run) => run.startNs < forcedNs),
      stop: { atNs: forcedNs, exitCode: 143 },
    };
  });

  return {
    scenario,
    fargate,
    seed,
    originMs,
    cadenceNs,
    jitterNs,
    taskId,
    taskArn,
    clusterArn,
    clusterField: fargate ? clusterArn : task.cluster,
    ...(vpcId !== undefined && { vpcId }),
    pullStartedNs,
    pullStoppedNs,
    hostUptimeAtOriginNs,
    network,
    clockErrorBoundBaseMs,
    containers,
  };
}

/** When the task's essential containers have stopped (DesiredStatus STOPPED from then). */
export function taskStopNs(model: TaskModel): number | undefined {
  const stops = model.containers.filter((c) => c.spec.essential && c.stop).map((c) => c.stop!.atNs);
  return stops.length > 0 ? Math.min(...stops) : undefined;
}

function compileLoad(spec: ScenarioContainer, seed: number): ContainerLoad {
  const compile = (metric: keyof ScenarioContainer['load']): ProfileFunction => {
    const random = createRandom(seed, 'noise', spec.name, metric);
    const profile: Profile = spec.load[metric];
    return createProfileFunction(profile, {
      periodsSeconds: [random.between(23, 47), random.between(97, 151), random.between(293, 421)],
      phasesRadians: [
        random.between(0, 2 * Math.PI),
        random.between(0, 2 * Math.PI),
        random.between(0, 2 * Math.PI),
      ],
    });
  };
  return {
    cpuCores: compile('cpuCores'),
    memoryWorkingSetBytes: compile('memoryWorkingSetBytes'),
    memoryCacheBytes: compile('memoryCacheBytes'),
    networkRxBytesPerSecond: compile('networkRxBytesPerSecond'),
    networkTxBytesPerSecond: compile('networkTxBytesPerSecond'),
    diskReadBytesPerSecond: compile('diskReadBytesPerSecond'),
    diskWriteBytesPerSecond: compile('diskWriteBytesPerSecond'),
  };
}

function compileShape(scenario: Scenario, random: Random, index: number): ContainerShape {
  const cpus = scenario.host.onlineCpus;
  const weights = Array.from({ length: cpus }, () => random.between(0.5, 1.5));
  const total = weights.reduce((sum, w) => sum + w, 0);
  return {
    userFraction: random.between(0.7, 0.9),
    percpuFractions: weights.map((w) => w / total),
    firstDeviceShare: random.between(0.25, 0.75),
    inactiveFileRatio: random.between(0.5, 0.9),
    kernelBytes: random.integer(96, 448) * 4096,
    pids: random.integer(4, 40),
    rxPacketBytes: random.integer(900, 1400),
    txPacketBytes: random.integer(120, 400),
    bridgeIpv4: `172.17.0.${index + 2}`,
  };
}

function compileNetwork(scenario: Scenario, random: Random): TaskModel['network'] {
  const [base, prefixText] = scenario.network.subnetCidrBlock.split('/') as [string, string];
  const prefix = Number(prefixText);
  const baseInt = ipToInt(base) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
  const size = 2 ** (32 - prefix);
  const address = scenario.network.ipv4Address ?? intToIp(baseInt + random.integer(4, Math.max(4, size - 2)));
  const region = scenario.task.region;
  const searchDomain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  const mac = `0a:${Array.from({ length: 5 }, () => random.hex(2)).join(':')}`;
  // IPv6 groups are written without leading zeros, as Go's net.IP.String() does.
  const ipv6Prefix = `2600:1f18:${group(random)}:${random.integer(1, 255).toString(16)}00`;
  return {
    ipv4Address: address,
    subnetCidrBlock: `${intToIp(baseInt)}/${prefix}`,
    gatewayWithPrefix: `${intToIp(baseInt + 1)}/${prefix}`,
    dnsServer: intToIp(baseInt + 2),
    macAddress: mac,
    privateDnsName: `ip-${address.replaceAll('.', '-')}.${searchDomain}`,
    searchDomain,
    ...(scenario.network.ipv6 && {
      ipv6Address: `${ipv6Prefix}:${group(random)}:${group(random)}:${group(random)}:${group(random)}`,
      ipv6SubnetCidrBlock: `${ipv6Prefix}::/64`,
    }),
  };
}

function group(random: Random): string {
  return random.integer(1, 0xffff).toString(16);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0) >>> 0;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}
