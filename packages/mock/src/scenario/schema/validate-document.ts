import { summarizeIssues } from '@taskscope/wire';
import * as v from 'valibot';
import { type Profile, type ProfileShape, profileMaximum, shapeMinimum } from '../engine/profile.js';
import { parseBytes, parseDurationMs } from './units.js';

/*
 * The scenario file format (documented field by field in packages/mock/SCENARIOS.md). The
 * file uses the names ECS users know from task definitions (`cpu`, `memory`, `essential`);
 * the parsed `Scenario` carries units in its names. Every rule the real service enforces
 * and the engine depends on (Fargate's CPU/memory pairs, awsvpc on Fargate, 1 to 10
 * containers) is checked here, so a bad file fails with one message at load time.
 */

export type LaunchType = 'FARGATE' | 'EC2';
export type ScenarioNetworkMode = 'awsvpc' | 'bridge';
/** `v1`/`v2`: Linux cgroup flavour of the stats; `windows`: Windows stats shape. */
export type CgroupFlavour = 'v1' | 'v2' | 'windows';
/** States a container can start the scenario in (the agent's enum, research/payloads.md §4). */
export type ContainerState = 'RUNNING' | 'PULLED' | 'CREATED' | 'STOPPED';

export interface ScenarioTask {
  /** Short name; Fargate payloads carry the cluster ARN built from it. */
  readonly cluster: string;
  readonly family: string;
  readonly revision: string;
  readonly region: string;
  readonly accountId: string;
  /** 32 hex digits; seeded when absent. */
  readonly taskId?: string;
  /** Overrides the ARN built from region, account, cluster and task id. */
  readonly taskArn?: string;
  readonly serviceName?: string;
  readonly availabilityZone: string;
  readonly launchType: LaunchType;
  /** Fargate only; identity, not in any payload. */
  readonly platformVersion?: string;
  readonly cpuVcpus?: number;
  readonly memoryMiB?: number;
  /** Fargate only. */
  readonly ephemeralStorage?: { readonly sizeGiB: number; readonly utilizedMiB: number };
  /** EC2 only; seeded when absent. */
  readonly vpcId?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** EC2 only (`…WithTags`). */
  readonly containerInstanceTags: Readonly<Record<string, string>>;
}

export interface ScenarioLoad {
  readonly cpuCores: Profile;
  readonly memoryWorkingSetBytes: Profile;
  readonly memoryCacheBytes: Profile;
  readonly networkRxBytesPerSecond: Profile;
  readonly networkTxBytesPerSecond: Profile;
  readonly diskReadBytesPerSecond: Profile;
  readonly diskWriteBytesPerSecond: Profile;
}

export type ScenarioEvent =
  | { readonly atMs: number; readonly action: 'restart' }
  | { readonly atMs: number; readonly action: 'stop'; readonly exitCode: number };

export interface ScenarioContainer {
  readonly name: string;
  readonly image: string;
  /** Container `cpu` in CPU units (1024 = 1 vCPU): a weight, not a cap. */
  readonly cpuUnits: number;
  /** Hard limit (`memory`). */
  readonly memoryLimitMiB?: number;
  /** Soft limit (`memoryReservation`). */
  readonly memoryReservationMiB?: number;
  readonly essential: boolean;
  readonly state: ContainerState;
  /** STOPPED only. */
  readonly exitCode?: number;
  /** An ECS restart policy: `RestartCount` appears in v4 metadata. */
  readonly restartPolicy: boolean;
  readonly ports: readonly number[];
  readonly logDriver: 'awslogs' | 'none';
  readonly labels: Readonly<Record<string, string>>;
  /** cgroup v2 `pids_stats.limit`. */
  readonly pidsLimit: number;
  readonly load: ScenarioLoad;
  readonly events: readonly ScenarioEvent[];
}

/** A validated scenario with every default applied; durations in ms, sizes in bytes. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly task: ScenarioTask;
  readonly networkMode: ScenarioNetworkMode;
  readonly cgroup: CgroupFlavour;
  /** How often the stats refresh (Fargate about 10 s, EC2 about 1 s). */
  readonly cadenceMs: number;
  readonly host: {
    /** `online_cpus`, the `percpu_usage` length and Windows `num_procs`. */
    readonly onlineCpus: number;
    /** Host uptime at the origin: the start of `system_cpu_usage`; seeded when absent. */
    readonly uptimeMs?: number;
  };
  readonly network: {
    /** `eth1` on Fargate, `eth0` on EC2, … */
    readonly interfaceName: string;
    /** awsvpc: the task's address; seeded when absent. */
    readonly ipv4Address?: string;
    /** awsvpc: the subnet, `a.b.c.d/nn`. */
    readonly subnetCidrBlock: string;
    readonly ipv6: boolean;
  };
  readonly containers: readonly ScenarioContainer[];
}

// ---------------------------------------------------------------------------------------
// Field schemas. Every message is the "allowed" part of the one-line error: summarizeIssues
// passes a schema's own message through as is, so no library wording reaches the user.

/** Where an issue raised by a rule across fields points (valibot's non-empty path). */
type IssuePath = [v.IssuePathItem, ...v.IssuePathItem[]];

function isPlainRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** The `message` a schema was built with, when it is text (the field's "allowed" words). */
function messageOf(schema: v.GenericSchema): string | undefined {
  return 'message' in schema && typeof schema.message === 'string' ? schema.message : undefined;
}

/**
 * A strict object: unknown keys are errors, so a typo never passes silently. A missing
 * field is reported with that field's own words, an unknown one as such.
 */
function strictFields<const TEntries extends v.ObjectEntries>(entries: TEntries, allowed: string) {
  return v.strictObject(entries, (issue) => {
    const key = issue.path?.[0]?.key;
    if (typeof key !== 'string') return allowed;
    const field = Object.hasOwn(entries, key) ? entries[key] : undefined;
    if (field === undefined) return 'no such field (check the spelling against SCENARIOS.md)';
    const words = messageOf(field);
    return words === undefined ? 'a value (required)' : `a value (required): ${words}`;
  });
}

/** {@link strictFields} that refuses arrays: valibot's object schemas take them, and `host: []` must not pass as `{}`. */
function fields<const TEntries extends v.ObjectEntries>(entries: TEntries, allowed: string) {
  return v.pipe(v.custom<Record<string, unknown>>(isPlainRecord, allowed), strictFields(entries, allowed));
}

const durationMs = (allowed: string, minimumMs = 0) =>
  v.pipe(
    v.union([v.string(), v.number()], allowed),
    v.rawTransform<string | number, number>(({ dataset, addIssue, NEVER }) => {
      const ms = parseDurationMs(dataset.value);
      if (ms === undefined || ms < minimumMs || (minimumMs > 0 && ms === 0)) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return ms;
    }),
  );

const bytes = (allowed: string) =>
  v.pipe(
    v.union([v.string(), v.number()], allowed),
    v.rawTransform<string | number, number>(({ dataset, addIssue, NEVER }) => {
      const parsed = parseBytes(dataset.value);
      if (parsed === undefined) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return parsed;
    }),
  );

const text = (allowed: string) => v.pipe(v.string(allowed), v.minLength(1, allowed));
/** A safe integer; `allowed` words both checks. */
const int = (allowed: string) => v.pipe(v.number(allowed), v.safeInteger(allowed));
const intFrom = (minimum: number, maximum: number, allowed: string) =>
  v.pipe(int(allowed), v.minValue(minimum, allowed), v.maxValue(maximum, allowed));
const matching = (pattern: RegExp, allowed: string) => v.pipe(v.string(allowed), v.regex(pattern, allowed));
const flag = v.boolean('true or false');
const STRING_MAP = 'a map of string keys to string values';
const stringMap = v.pipe(
  v.custom<Record<string, unknown>>(isPlainRecord, STRING_MAP),
  v.record(v.string(), v.string('a string value (quote numbers and booleans in YAML)'), STRING_MAP),
);

type ValueSchema = v.GenericSchema<unknown, number>;

const DURATION_TEXT = 'a duration such as "500ms", "10s", "5m", "1h" or a number of milliseconds';
const POSITIVE_DURATION_TEXT = `${DURATION_TEXT}, above 0`;
const PROFILE_KINDS = ['constant', 'steps', 'sine', 'spikes'] as const;

/**
 * A load profile: a bare value (a constant) or one of four shapes. The shape is chosen by
 * its key before validating, so a bad `{sine}` is reported inside the sine rather than as
 * "none of four shapes matched".
 */
function profileSchema(value: ValueSchema, unitWords: string) {
  const noise = v.optional(value);
  const bare = v.pipe(
    value,
    v.transform((n): Profile => ({ shape: { kind: 'constant', value: n }, noise: 0 })),
  );
  const shapes = {
    constant: v.pipe(
      fields({ constant: value, noise }, 'a map {constant, noise}'),
      v.transform((d): Profile => ({ shape: { kind: 'constant', value: d.constant }, noise: d.noise ?? 0 })),
    ),
    steps: v.pipe(
      fields(
        {
          steps: v.pipe(
            v.array(
              fields({ at: durationMs(DURATION_TEXT), value }, 'a step {at, value}'),
              'a list of {at, value}',
            ),
            v.minLength(1, 'at least one {at, value}'),
          ),
          noise,
        },
        'a map {steps, noise}',
      ),
      v.transform(
        (d): Profile => ({
          shape: { kind: 'steps', steps: d.steps.map((s) => ({ atMs: s.at, value: s.value })) },
          noise: d.noise ?? 0,
        }),
      ),
    ),
    sine: v.pipe(
      fields(
        {
          sine: fields(
            {
              mean: value,
              amplitude: value,
              period: durationMs(POSITIVE_DURATION_TEXT, 1),
              phase: v.optional(durationMs(DURATION_TEXT), 0),
            },
            'a map {mean, amplitude, period, phase}',
          ),
          noise,
        },
        'a map {sine, noise}',
      ),
      v.transform(
        ({ sine: s, noise: n }): Profile => ({
          shape: { kind: 'sine', mean: s.mean, amplitude: s.amplitude, periodMs: s.period, phaseMs: s.phase },
          noise: n ?? 0,
        }),
      ),
    ),
    spikes: v.pipe(
      fields(
        {
          spikes: fields(
            {
              base: value,
              peak: value,
              every: durationMs(POSITIVE_DURATION_TEXT, 1),
              duration: durationMs(POSITIVE_DURATION_TEXT, 1),
              offset: v.optional(durationMs(DURATION_TEXT), 0),
            },
            'a map {base, peak, every, duration, offset}',
          ),
          noise,
        },
        'a map {spikes, noise}',
      ),
      v.transform(
        ({ spikes: s, noise: n }): Profile => ({
          shape: {
            kind: 'spikes',
            base: s.base,
            peak: s.peak,
            everyMs: s.every,
            durationMs: s.duration,
            offsetMs: s.offset,
          },
          noise: n ?? 0,
        }),
      ),
    ),
  };
  const allowed = `${unitWords}, or one of {constant}, {steps}, {sine}, {spikes} (see SCENARIOS.md)`;
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, Profile>(({ dataset, addIssue, NEVER }) => {
      const input = dataset.value;
      const kind = isPlainRecord(input) ? PROFILE_KINDS.find((k) => Object.hasOwn(input, k)) : undefined;
      const parsed =
        typeof input === 'number' || typeof input === 'string'
          ? v.safeParse(bare, input)
          : kind !== undefined
            ? v.safeParse(shapes[kind], input)
            : undefined;
      if (parsed === undefined) {
        addIssue({ message: allowed });
        return NEVER;
      }
      if (!parsed.success) {
        // Keep the inner path and words: the user sees `…cpuCores.sine.period`, not `…cpuCores`.
        for (const issue of parsed.issues) addIssue({ message: issue.message, path: issue.path });
        return NEVER;
      }
      const problem = shapeProblem(parsed.output.shape, parsed.output.noise);
      if (problem) {
        addIssue({ message: problem.allowed, path: pathItems(input, problem.path) });
        return NEVER;
      }
      return parsed.output;
    }),
  );
}

/** Valibot path items for `keys` into `root`, for an issue raised by a rule across fields. */
function pathItems(root: unknown, keys: readonly (string | number)[]): IssuePath | undefined {
  const items: v.UnknownPathItem[] = [];
  let node = root;
  for (const key of keys) {
    const value =
      isPlainRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    items.push({ type: 'unknown', origin: 'value', input: node, key, value });
    node = value;
  }
  const [first, ...rest] = items;
  return first === undefined ? undefined : [first, ...rest];
}

/** Rules between a shape's fields; `path` is relative to the profile. */
function shapeProblem(
  shape: ProfileShape,
  noise: number,
): { path: (string | number)[]; allowed: string } | undefined {
  if (shape.kind === 'steps') {
    if (shape.steps[0]!.atMs !== 0) return { path: ['steps', 0, 'at'], allowed: 'the first step at 0s' };
    for (let i = 1; i < shape.steps.length; i++) {
      if (shape.steps[i]!.atMs <= shape.steps[i - 1]!.atMs)
        return {
          path: ['steps', i, 'at'],
          allowed: `a time after the previous step's ${shape.steps[i - 1]!.atMs}ms`,
        };
    }
  }
  if (shape.kind === 'sine' && shape.amplitude > shape.mean)
    return {
      path: ['sine', 'amplitude'],
      allowed: `at most the mean ${shape.mean} (a load never goes below 0)`,
    };
  if (shape.kind === 'spikes') {
    if (shape.peak < shape.base)
      return { path: ['spikes', 'peak'], allowed: `at least the base ${shape.base}` };
    if (shape.durationMs >= shape.everyMs)
      return { path: ['spikes', 'duration'], allowed: `shorter than every (${shape.everyMs}ms)` };
  }
  const minimum = shapeMinimum(shape);
  if (noise > minimum)
    return {
      path: ['noise'],
      allowed: `at most the profile's minimum ${minimum} (a load never goes below 0)`,
    };
  return undefined;
}

const CORES = 'a number of cores (0.5 = half a vCPU)';
const cores: ValueSchema = v.pipe(v.number(CORES), v.finite(CORES), v.minValue(0, 'a number of cores ≥ 0'));
const byteValue: ValueSchema = bytes('a size in bytes: a number or a string such as "64MiB", "1.5GB"');
const rateValue: ValueSchema = bytes('bytes per second: a number or a string such as "200KiB", "1MB"');

const cpuProfile = profileSchema(cores, 'a number of cores');
const bytesProfile = profileSchema(byteValue, 'a size such as 64MiB');
const rateProfile = profileSchema(rateValue, 'bytes per second such as 200KiB');

// Defaults are inputs (valibot validates them like any value), so they read as a file would.
const LoadSchema = v.optional(
  fields(
    {
      cpuCores: v.optional(cpuProfile, 0.05),
      memoryWorkingSetBytes: v.optional(bytesProfile, '64MiB'),
      memoryCacheBytes: v.optional(bytesProfile, '8MiB'),
      networkRxBytesPerSecond: v.optional(rateProfile, 0),
      networkTxBytesPerSecond: v.optional(rateProfile, 0),
      diskReadBytesPerSecond: v.optional(rateProfile, 0),
      diskWriteBytesPerSecond: v.optional(rateProfile, 0),
    },
    'a map of load profiles (see SCENARIOS.md)',
  ),
  {},
);

const EVENT = 'an event {at, action: restart} or {at, action: stop, exitCode}';
const eventAt = durationMs(POSITIVE_DURATION_TEXT, 1);
// The variant picks its option by `action`, so it needs the bare object options.
const EventSchema = v.pipe(
  v.custom<Record<string, unknown>>(isPlainRecord, EVENT),
  v.variant(
    'action',
    [
      strictFields({ at: eventAt, action: v.literal('restart') }, EVENT),
      strictFields(
        { at: eventAt, action: v.literal('stop'), exitCode: v.optional(int('an integer exit code'), 0) },
        EVENT,
      ),
    ],
    EVENT,
  ),
);

const CPU_UNITS = 'an integer number of CPU units (1024 = 1 vCPU), 0 to 10240';
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const MIB_AT_LEAST_6 = v.pipe(int('an integer number of MiB, at least 6'), v.minValue(6, 'at least 6 MiB'));

const ContainerSchema = fields(
  {
    name: matching(CONTAINER_NAME, 'letters, digits, - and _ (1 to 255)'),
    image: text('an image reference such as "nginx:1.27"'),
    cpu: v.optional(intFrom(0, 10_240, CPU_UNITS), 0),
    memory: v.optional(MIB_AT_LEAST_6),
    memoryReservation: v.optional(MIB_AT_LEAST_6),
    essential: v.optional(flag, true),
    state: v.optional(
      v.picklist(['RUNNING', 'PULLED', 'CREATED', 'STOPPED'], 'RUNNING, PULLED, CREATED or STOPPED'),
      'RUNNING',
    ),
    exitCode: v.optional(int('an integer exit code')),
    restartPolicy: v.optional(flag, false),
    ports: v.optional(v.array(intFrom(1, 65_535, 'a port number, 1 to 65535'), 'a list of port numbers'), []),
    logDriver: v.optional(v.picklist(['awslogs', 'none'], 'awslogs or none'), 'awslogs'),
    labels: v.optional(stringMap, {}),
    pidsLimit: v.optional(v.pipe(int('an integer ≥ 1'), v.minValue(1, 'an integer ≥ 1')), 4096),
    load: LoadSchema,
    events: v.optional(v.array(EventSchema, 'a list of events'), []),
  },
  'a container {name, image, …} (see SCENARIOS.md)',
);

const REVISION = 'a revision number ≥ 1 such as 7 or "7"';
const ACCOUNT_ID = 'a 12-digit account ID (quote it in YAML)';
const TASK_CPU = 'a number of vCPU such as 0.25';
const EPHEMERAL_GIB = 'an integer from 20 to 200';
const UTILIZED_MIB = 'an integer number of MiB ≥ 0';

const TaskSchema = fields(
  {
    cluster: text('a cluster short name such as "default"'),
    family: text('a task definition family name'),
    revision: v.pipe(
      v.union([v.pipe(int(REVISION), v.minValue(1, REVISION)), matching(/^[1-9]\d*$/, REVISION)], REVISION),
      v.transform(String),
    ),
    region: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as "us-east-1"'),
    // YAML reads an unquoted account ID as a number; a number with all 12 digits is fine.
    accountId: v.pipe(
      v.union([v.string(), v.number()], ACCOUNT_ID),
      v.transform(String),
      v.regex(/^\d{12}$/, ACCOUNT_ID),
    ),
    taskId: v.optional(matching(/^[0-9a-f]{32}$/, '32 lowercase hex digits')),
    taskArn: v.optional(matching(/^arn:aws[a-z-]*:ecs:/, 'an ECS task ARN')),
    serviceName: v.optional(text('a service name')),
    availabilityZone: v.optional(
      matching(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'an availability zone such as "us-east-1a"'),
    ),
    launchType: v.picklist(['FARGATE', 'EC2'], 'FARGATE or EC2'),
    platformVersion: v.optional(
      matching(/^(LATEST|\d+\.\d+\.\d+)$/, 'a platform version such as "1.4.0" or "LATEST"'),
    ),
    cpu: v.optional(v.pipe(v.number(TASK_CPU), v.finite(TASK_CPU), v.gtValue(0, 'a number of vCPU above 0'))),
    memory: v.optional(
      v.pipe(int('an integer number of MiB such as 512'), v.minValue(128, 'at least 128 MiB')),
    ),
    ephemeralStorage: v.optional(
      fields(
        {
          sizeGiB: v.optional(intFrom(20, 200, EPHEMERAL_GIB), 20),
          utilizedMiB: v.optional(v.pipe(int(UTILIZED_MIB), v.minValue(0, UTILIZED_MIB)), 200),
        },
        'a map {sizeGiB, utilizedMiB}',
      ),
    ),
    vpcId: v.optional(matching(/^vpc-[0-9a-f]{8,17}$/, 'a VPC ID such as "vpc-0839c743edb0c009e"')),
    tags: v.optional(stringMap, {}),
    containerInstanceTags: v.optional(stringMap, {}),
  },
  'a task {cluster, family, revision, …} (see SCENARIOS.md)',
);

const CONTAINERS = 'a list of 1 to 10 containers';

const DocumentSchema = fields(
  {
    name: v.optional(text('a scenario name')),
    description: v.optional(v.string('text')),
    task: TaskSchema,
    networkMode: v.optional(v.picklist(['awsvpc', 'bridge'], 'awsvpc or bridge')),
    cgroup: v.optional(v.picklist(['v1', 'v2', 'windows'], 'v1, v2 or windows'), 'v1'),
    cadence: v.optional(durationMs(`${DURATION_TEXT}, from 100ms to 60s`, 1)),
    host: v.optional(
      fields(
        {
          onlineCpus: v.optional(intFrom(1, 192, 'an integer from 1 to 192')),
          uptime: v.optional(durationMs(DURATION_TEXT)),
        },
        'a map {onlineCpus, uptime}',
      ),
      {},
    ),
    network: v.optional(
      fields(
        {
          interface: v.optional(text('an interface name such as "eth1"')),
          ipv4Address: v.optional(
            matching(/^(\d{1,3}\.){3}\d{1,3}$/, 'an IPv4 address such as "10.0.117.145"'),
          ),
          subnet: v.optional(
            matching(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'a CIDR block such as "10.0.0.0/17"'),
          ),
          ipv6: v.optional(flag, false),
        },
        'a map {interface, ipv4Address, subnet, ipv6}',
      ),
      {},
    ),
    containers: v.pipe(
      v.array(ContainerSchema, CONTAINERS),
      v.minLength(1, CONTAINERS),
      v.maxLength(10, CONTAINERS),
    ),
  },
  'a scenario document {task, containers, …} (see SCENARIOS.md)',
);

type Document = v.InferOutput<typeof DocumentSchema>;

/** Fargate's task CPU/memory pairs (AWS docs, "Task CPU and memory"). */
const FARGATE_MEMORY_MIB: ReadonlyMap<number, { min: number; max: number; step: number }> = new Map([
  [0.25, { min: 512, max: 2048, step: 512 }],
  [0.5, { min: 1024, max: 4096, step: 1024 }],
  [1, { min: 2048, max: 8192, step: 1024 }],
  [2, { min: 4096, max: 16_384, step: 1024 }],
  [4, { min: 8192, max: 30_720, step: 1024 }],
  [8, { min: 16_384, max: 61_440, step: 4096 }],
  [16, { min: 32_768, max: 122_880, step: 8192 }],
]);

type Problem = { path: (string | number)[]; allowed: string };

/** Rules across fields; the first problem found is reported. */
function documentProblem(doc: Document): Problem | undefined {
  const { task } = doc;
  const fargate = task.launchType === 'FARGATE';
  if (fargate) {
    if (doc.networkMode !== undefined && doc.networkMode !== 'awsvpc')
      return { path: ['networkMode'], allowed: 'awsvpc (the only network mode on Fargate)' };
    if (task.cpu === undefined)
      return {
        path: ['task', 'cpu'],
        allowed: 'a task CPU in vCPU (Fargate requires one): 0.25, 0.5, 1, 2, 4, 8 or 16',
      };
    const memory = FARGATE_MEMORY_MIB.get(task.cpu);
    if (!memory) return { path: ['task', 'cpu'], allowed: '0.25, 0.5, 1, 2, 4, 8 or 16 vCPU on Fargate' };
    if (task.memory === undefined || task.memory < memory.min || task.memory > memory.max) {
      const allowed = `with ${task.cpu} vCPU on Fargate, ${memory.min} to ${memory.max} MiB in steps of ${memory.step}`;
      return { path: ['task', 'memory'], allowed };
    }
    if ((task.memory - memory.min) % memory.step !== 0)
      return { path: ['task', 'memory'], allowed: `a multiple of ${memory.step} MiB from ${memory.min}` };
    if (doc.cgroup === 'windows' && task.cpu < 1)
      return { path: ['task', 'cpu'], allowed: 'at least 1 vCPU for Windows on Fargate' };
    if (task.vpcId !== undefined)
      return { path: ['task', 'vpcId'], allowed: 'nothing on Fargate (EC2 only)' };
    if (Object.keys(task.containerInstanceTags).length > 0)
      return { path: ['task', 'containerInstanceTags'], allowed: 'nothing on Fargate (EC2 only)' };
    const version = task.platformVersion;
    if (version !== undefined && version !== 'LATEST' && compareVersions(version, '1.4.0') < 0)
      return {
        path: ['task', 'platformVersion'],
        allowed: '1.4.0 or later (the first with the v4 endpoint)',
      };
  } else {
    if (task.platformVersion !== undefined)
      return { path: ['task', 'platformVersion'], allowed: 'nothing on EC2 (Fargate only)' };
    if (task.ephemeralStorage !== undefined)
      return { path: ['task', 'ephemeralStorage'], allowed: 'nothing on EC2 (Fargate only)' };
  }
  if (doc.cadence !== undefined && (doc.cadence < 100 || doc.cadence > 60_000))
    return { path: ['cadence'], allowed: 'from 100ms to 60s' };
  const onlineCpus = onlineCpusOf(doc);
  const names = new Set<string>();
  let totalUnits = 0;
  let essentials = 0;
  for (const [i, c] of doc.containers.entries()) {
    const at = (...rest: (string | number)[]) => ['containers', i, ...rest];
    if (names.has(c.name)) return { path: at('name'), allowed: 'a name no other container of the task has' };
    names.add(c.name);
    totalUnits += c.cpu;
    if (c.essential) essentials++;
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory)
      return { path: at('memoryReservation'), allowed: `at most the hard limit memory (${c.memory} MiB)` };
    if (task.memory !== undefined && c.memory !== undefined && c.memory > task.memory)
      return { path: at('memory'), allowed: `at most the task memory (${task.memory} MiB)` };
    if (task.memory === undefined && c.memory === undefined && c.memoryReservation === undefined)
      return {
        path: at('memory'),
        allowed: 'a limit in MiB (memory or memoryReservation) when the task sets no memory',
      };
    if (c.exitCode !== undefined && c.state !== 'STOPPED')
      return { path: at('exitCode'), allowed: 'nothing unless state is STOPPED' };
    if (c.events.length > 0 && c.state !== 'RUNNING')
      return { path: at('events'), allowed: 'no events unless state is RUNNING' };
    for (let e = 0; e < c.events.length; e++) {
      const event = c.events[e]!;
      if (e > 0 && event.at <= c.events[e - 1]!.at)
        return {
          path: at('events', e, 'at'),
          allowed: `a time after the previous event's ${c.events[e - 1]!.at}ms`,
        };
      if (e > 0 && c.events[e - 1]!.action === 'stop')
        return { path: at('events', e), allowed: 'no event after a stop' };
    }
    const cpuCap = task.cpu ?? onlineCpus;
    const cpuMax = profileMaximum(c.load.cpuCores);
    if (cpuMax > cpuCap + 1e-9)
      return {
        path: at('load', 'cpuCores'),
        allowed: `a load whose peak (${round(cpuMax)}) is at most the task's ${cpuCap} vCPU`,
      };
    const memoryCapMiB = c.memory ?? task.memory;
    if (memoryCapMiB !== undefined) {
      const peak = profileMaximum(c.load.memoryWorkingSetBytes) + profileMaximum(c.load.memoryCacheBytes);
      if (peak > memoryCapMiB * 1024 ** 2)
        return {
          path: at('load', 'memoryWorkingSetBytes'),
          allowed: `peaks that fit the ${memoryCapMiB} MiB limit with the cache (together ${round(peak / 1024 ** 2)} MiB)`,
        };
    }
  }
  if (task.cpu !== undefined && totalUnits > task.cpu * 1024)
    return { path: ['containers'], allowed: `container cpu units summing to at most ${task.cpu * 1024}` };
  if (essentials === 0) return { path: ['containers'], allowed: 'at least one essential container' };
  return undefined;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

function onlineCpusOf(doc: Document): number {
  if (doc.host.onlineCpus !== undefined) return doc.host.onlineCpus;
  // A Fargate microVM shows at least 2 CPUs even for 0.25 vCPU (ecs_exporter fixture).
  if (doc.task.launchType === 'FARGATE') return Math.max(2, Math.ceil(doc.task.cpu ?? 1));
  return 2;
}

function defaultInterface(doc: Document): string {
  if (doc.cgroup === 'windows') return 'Ethernet 3';
  // Fargate's task ENI is eth1 in every captured payload (ecs_exporter, Datadog v4).
  if (doc.task.launchType === 'FARGATE') return 'eth1';
  // EC2: the task ENI (awsvpc) or each container's veth (bridge) is eth0.
  return 'eth0';
}

function toScenario(doc: Document, fallbackName: string): Scenario {
  const { task } = doc;
  const fargate = task.launchType === 'FARGATE';
  const networkMode = doc.networkMode ?? 'awsvpc';
  return {
    name: doc.name ?? fallbackName,
    ...(doc.description !== undefined && { description: doc.description }),
    task: {
      cluster: task.cluster,
      family: task.family,
      revision: task.revision,
      region: task.region,
      accountId: task.accountId,
      ...(task.taskId !== undefined && { taskId: task.taskId }),
      ...(task.taskArn !== undefined && { taskArn: task.taskArn }),
      ...(task.serviceName !== undefined && { serviceName: task.serviceName }),
      availabilityZone: task.availabilityZone ?? `${task.region}a`,
      launchType: task.launchType,
      ...(fargate && { platformVersion: task.platformVersion ?? '1.4.0' }),
      ...(task.cpu !== undefined && { cpuVcpus: task.cpu }),
      ...(task.memory !== undefined && { memoryMiB: task.memory }),
      ...(fargate && { ephemeralStorage: task.ephemeralStorage ?? { sizeGiB: 20, utilizedMiB: 200 } }),
      ...(task.vpcId !== undefined && { vpcId: task.vpcId }),
      tags: task.tags,
      containerInstanceTags: task.containerInstanceTags,
    },
    networkMode,
    cgroup: doc.cgroup,
    cadenceMs: doc.cadence ?? (fargate ? 10_000 : 1000),
    host: {
      onlineCpus: onlineCpusOf(doc),
      ...(doc.host.uptime !== undefined && { uptimeMs: doc.host.uptime }),
    },
    network: {
      interfaceName: doc.network.interface ?? defaultInterface(doc),
      ...(doc.network.ipv4Address !== undefined && { ipv4Address: doc.network.ipv4Address }),
      subnetCidrBlock: doc.network.subnet ?? '10.0.0.0/17',
      ipv6: doc.network.ipv6,
    },
    containers: doc.containers.map(
      (c): ScenarioContainer => ({
        name: c.name,
        image: c.image,
        cpuUnits: c.cpu,
        ...(c.memory !== undefined && { memoryLimitMiB: c.memory }),
        ...(c.memoryReservation !== undefined && { memoryReservationMiB: c.memoryReservation }),
        essential: c.essential,
        state: c.state,
        ...(c.state === 'STOPPED' && { exitCode: c.exitCode ?? 0 }),
        restartPolicy: c.restartPolicy,
        ports: c.ports,
        logDriver: c.logDriver,
        labels: c.labels,
        pidsLimit: c.pidsLimit,
        load: c.load,
        events: c.events.map(
          (e): ScenarioEvent =>
            e.action === 'stop'
              ? { atMs: e.at, action: 'stop', exitCode: e.exitCode }
              : { atMs: e.at, action: 'restart' },
        ),
      }),
    ),
  };
}

/** A problem found in a scenario document: where, the value found there, and what is allowed. */
export interface SchemaProblem {
  /** Dotted path (`containers.0.load.cpuCores`), `""` for the whole document. */
  readonly path: string;
  /** The value at `path` in the document as written (`undefined` when missing). */
  readonly value: unknown;
  readonly allowed: string;
  /** All problems, first one first, as `path: allowed`. */
  readonly all: readonly string[];
}

/** Validates a parsed document; returns the scenario or the first problem. */
export function validateScenarioDocument(
  document: unknown,
  fallbackName: string,
): { ok: true; scenario: Scenario } | { ok: false; problem: SchemaProblem } {
  const parsed = v.safeParse(DocumentSchema, document);
  if (!parsed.success) {
    // Every schema above words its own issues, so the summary's `expected` is our text as is.
    const { path, value, expected, problems } = summarizeIssues(parsed.issues, document);
    return { ok: false, problem: { path, value, allowed: expected, all: problems } };
  }
  const problem = documentProblem(parsed.output);
  if (problem) {
    const path = problem.path.join('.');
    const value = valueAt(document, problem.path);
    return {
      ok: false,
      problem: { path, value, allowed: problem.allowed, all: [`${path}: ${problem.allowed}`] },
    };
  }
  return { ok: true, scenario: toScenario(parsed.output, fallbackName) };
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
