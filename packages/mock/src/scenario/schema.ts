import { z } from 'zod';
import { type Profile, type ProfileShape, profileMaximum, shapeMinimum } from './profile.js';
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
// Field schemas. Every `error` text is the "allowed" part of the one-line message.

const durationMs = (allowed: string, minimumMs = 0) =>
  z.union([z.string(), z.number()], { error: allowed }).transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === undefined || ms < minimumMs || (minimumMs > 0 && ms === 0)) {
      ctx.addIssue({ code: 'custom', message: allowed, input: value });
      return z.NEVER;
    }
    return ms;
  });

const bytes = (allowed: string) =>
  z.union([z.string(), z.number()], { error: allowed }).transform((value, ctx) => {
    const parsed = parseBytes(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: allowed, input: value });
      return z.NEVER;
    }
    return parsed;
  });

const text = (allowed: string) => z.string({ error: allowed }).min(1, { error: allowed });
const stringMap = z.record(z.string(), z.string(), { error: 'a map of string keys to string values' });

type ValueSchema = z.ZodType<number, unknown>;

const DURATION_TEXT = 'a duration such as "500ms", "10s", "5m", "1h" or a number of milliseconds';

function profileSchema(value: ValueSchema, unitWords: string): z.ZodType<Profile, unknown> {
  const noise = value.optional();
  const constant = z.strictObject({ constant: value, noise });
  const steps = z.strictObject({
    steps: z
      .array(z.strictObject({ at: durationMs(DURATION_TEXT), value }), {
        error: 'a list of {at, value}',
      })
      .min(1, { error: 'at least one {at, value}' }),
    noise,
  });
  const sine = z.strictObject({
    sine: z.strictObject({
      mean: value,
      amplitude: value,
      period: durationMs(`${DURATION_TEXT}, above 0`, 1),
      phase: durationMs(DURATION_TEXT).default(0),
    }),
    noise,
  });
  const spikes = z.strictObject({
    spikes: z.strictObject({
      base: value,
      peak: value,
      every: durationMs(`${DURATION_TEXT}, above 0`, 1),
      duration: durationMs(`${DURATION_TEXT}, above 0`, 1),
      offset: durationMs(DURATION_TEXT).default(0),
    }),
    noise,
  });
  const allowed = `${unitWords}, or one of {constant}, {steps}, {sine}, {spikes} (see SCENARIOS.md)`;
  return z.unknown().transform((input, ctx): Profile => {
    const fail = (issues: readonly z.core.$ZodIssue[]): never => {
      for (const issue of issues) {
        ctx.addIssue({ code: 'custom', message: allowedOf(issue), path: pathOf(issue), input });
      }
      return z.NEVER as never;
    };
    if (typeof input === 'number' || typeof input === 'string') {
      const parsed = value.safeParse(input);
      if (!parsed.success) return fail(parsed.error.issues);
      return { shape: { kind: 'constant', value: parsed.data }, noise: 0 };
    }
    const keys = input !== null && typeof input === 'object' ? Object.keys(input) : [];
    const kind = (['constant', 'steps', 'sine', 'spikes'] as const).find((k) => keys.includes(k));
    if (kind === undefined) {
      ctx.addIssue({ code: 'custom', message: allowed, input });
      return z.NEVER as never;
    }
    const schema = { constant, steps, sine, spikes }[kind];
    const parsed = schema.safeParse(input);
    if (!parsed.success) return fail(parsed.error.issues);
    const data = parsed.data as Record<string, unknown> & { noise?: number };
    const shape = toShape(kind, data);
    const problem = shapeProblem(shape, data.noise ?? 0);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem.allowed, path: problem.path, input });
      return z.NEVER as never;
    }
    return { shape, noise: data.noise ?? 0 };
  });
}

function toShape(kind: ProfileShape['kind'], data: Record<string, unknown>): ProfileShape {
  switch (kind) {
    case 'constant':
      return { kind, value: data.constant as number };
    case 'steps':
      return {
        kind,
        steps: (data.steps as { at: number; value: number }[]).map((s) => ({ atMs: s.at, value: s.value })),
      };
    case 'sine': {
      const s = data.sine as { mean: number; amplitude: number; period: number; phase: number };
      return { kind, mean: s.mean, amplitude: s.amplitude, periodMs: s.period, phaseMs: s.phase };
    }
    case 'spikes': {
      const s = data.spikes as {
        base: number;
        peak: number;
        every: number;
        duration: number;
        offset: number;
      };
      return {
        kind,
        base: s.base,
        peak: s.peak,
        everyMs: s.every,
        durationMs: s.duration,
        offsetMs: s.offset,
      };
    }
  }
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

const cores = z
  .number({ error: 'a number of cores (0.5 = half a vCPU)' })
  .min(0, { error: 'a number of cores ≥ 0' }) as ValueSchema;
const byteValue = bytes('a size in bytes: a number or a string such as "64MiB", "1.5GB"') as ValueSchema;
const rateValue = bytes('bytes per second: a number or a string such as "200KiB", "1MB"') as ValueSchema;

const cpuProfile = profileSchema(cores, 'a number of cores');
const bytesProfile = profileSchema(byteValue, 'a size such as 64MiB');
const rateProfile = profileSchema(rateValue, 'bytes per second such as 200KiB');

const LoadSchema = z
  .strictObject({
    cpuCores: cpuProfile.default({ shape: { kind: 'constant', value: 0.05 }, noise: 0 }),
    memoryWorkingSetBytes: bytesProfile.default({
      shape: { kind: 'constant', value: 64 * 1024 ** 2 },
      noise: 0,
    }),
    memoryCacheBytes: bytesProfile.default({ shape: { kind: 'constant', value: 8 * 1024 ** 2 }, noise: 0 }),
    networkRxBytesPerSecond: rateProfile.default({ shape: { kind: 'constant', value: 0 }, noise: 0 }),
    networkTxBytesPerSecond: rateProfile.default({ shape: { kind: 'constant', value: 0 }, noise: 0 }),
    diskReadBytesPerSecond: rateProfile.default({ shape: { kind: 'constant', value: 0 }, noise: 0 }),
    diskWriteBytesPerSecond: rateProfile.default({ shape: { kind: 'constant', value: 0 }, noise: 0 }),
  })
  .prefault({});

const EventSchema = z.discriminatedUnion(
  'action',
  [
    z.strictObject({ at: durationMs(`${DURATION_TEXT}, above 0`, 1), action: z.literal('restart') }),
    z.strictObject({
      at: durationMs(`${DURATION_TEXT}, above 0`, 1),
      action: z.literal('stop'),
      exitCode: z.int({ error: 'an integer exit code' }).default(0),
    }),
  ],
  { error: 'an event {at, action: restart} or {at, action: stop, exitCode}' },
);

const CPU_UNITS = 'an integer number of CPU units (1024 = 1 vCPU), 0 to 10240';
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

const ContainerSchema = z.strictObject({
  name: z.string({ error: 'letters, digits, - and _ (1 to 255)' }).regex(CONTAINER_NAME, {
    error: 'letters, digits, - and _ (1 to 255)',
  }),
  image: text('an image reference such as "nginx:1.27"'),
  cpu: z.int({ error: CPU_UNITS }).min(0, { error: CPU_UNITS }).max(10_240, { error: CPU_UNITS }).default(0),
  memory: z
    .int({ error: 'an integer number of MiB, at least 6' })
    .min(6, { error: 'at least 6 MiB' })
    .optional(),
  memoryReservation: z
    .int({ error: 'an integer number of MiB, at least 6' })
    .min(6, { error: 'at least 6 MiB' })
    .optional(),
  essential: z.boolean({ error: 'true or false' }).default(true),
  state: z
    .enum(['RUNNING', 'PULLED', 'CREATED', 'STOPPED'], { error: 'RUNNING, PULLED, CREATED or STOPPED' })
    .default('RUNNING'),
  exitCode: z.int({ error: 'an integer exit code' }).optional(),
  restartPolicy: z.boolean({ error: 'true or false' }).default(false),
  ports: z
    .array(
      z
        .int({ error: 'a port number, 1 to 65535' })
        .min(1, { error: 'a port number, 1 to 65535' })
        .max(65_535, { error: 'a port number, 1 to 65535' }),
      { error: 'a list of port numbers' },
    )
    .default([]),
  logDriver: z.enum(['awslogs', 'none'], { error: 'awslogs or none' }).default('awslogs'),
  labels: stringMap.default({}),
  pidsLimit: z.int({ error: 'an integer ≥ 1' }).min(1, { error: 'an integer ≥ 1' }).default(4096),
  load: LoadSchema,
  events: z.array(EventSchema, { error: 'a list of events' }).default([]),
});

const TaskSchema = z.strictObject({
  cluster: text('a cluster short name such as "default"'),
  family: text('a task definition family name'),
  revision: z
    .union([z.int().min(1), z.string().regex(/^[1-9]\d*$/)], {
      error: 'a revision number ≥ 1 such as 7 or "7"',
    })
    .transform(String),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'an AWS region such as "us-east-1"' }),
  accountId: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.string().regex(/^\d{12}$/, { error: 'a 12-digit account ID (quote it in YAML)' })),
  taskId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, { error: '32 lowercase hex digits' })
    .optional(),
  taskArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:ecs:/, { error: 'an ECS task ARN' })
    .optional(),
  serviceName: text('a service name').optional(),
  availabilityZone: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, { error: 'an availability zone such as "us-east-1a"' })
    .optional(),
  launchType: z.enum(['FARGATE', 'EC2'], { error: 'FARGATE or EC2' }),
  platformVersion: z
    .string()
    .regex(/^(LATEST|\d+\.\d+\.\d+)$/, { error: 'a platform version such as "1.4.0" or "LATEST"' })
    .optional(),
  cpu: z
    .number({ error: 'a number of vCPU such as 0.25' })
    .positive({ error: 'a number of vCPU above 0' })
    .optional(),
  memory: z
    .int({ error: 'an integer number of MiB such as 512' })
    .min(128, { error: 'at least 128 MiB' })
    .optional(),
  ephemeralStorage: z
    .strictObject({
      sizeGiB: z
        .int({ error: 'an integer from 20 to 200' })
        .min(20, { error: 'an integer from 20 to 200' })
        .max(200, { error: 'an integer from 20 to 200' })
        .default(20),
      utilizedMiB: z
        .int({ error: 'an integer number of MiB ≥ 0' })
        .min(0, { error: 'an integer number of MiB ≥ 0' })
        .default(200),
    })
    .optional(),
  vpcId: z
    .string()
    .regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'a VPC ID such as "vpc-0839c743edb0c009e"' })
    .optional(),
  tags: stringMap.default({}),
  containerInstanceTags: stringMap.default({}),
});

const DocumentSchema = z.strictObject({
  name: text('a scenario name').optional(),
  description: z.string({ error: 'text' }).optional(),
  task: TaskSchema,
  networkMode: z.enum(['awsvpc', 'bridge'], { error: 'awsvpc or bridge' }).optional(),
  cgroup: z.enum(['v1', 'v2', 'windows'], { error: 'v1, v2 or windows' }).default('v1'),
  cadence: durationMs(`${DURATION_TEXT}, from 100ms to 60s`, 1).optional(),
  host: z
    .strictObject({
      onlineCpus: z
        .int({ error: 'an integer from 1 to 192' })
        .min(1, { error: 'an integer from 1 to 192' })
        .max(192, { error: 'an integer from 1 to 192' })
        .optional(),
      uptime: durationMs(DURATION_TEXT).optional(),
    })
    .default({}),
  network: z
    .strictObject({
      interface: text('an interface name such as "eth1"').optional(),
      ipv4Address: z
        .string()
        .regex(/^(\d{1,3}\.){3}\d{1,3}$/, { error: 'an IPv4 address such as "10.0.117.145"' })
        .optional(),
      subnet: z
        .string()
        .regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, { error: 'a CIDR block such as "10.0.0.0/17"' })
        .optional(),
      ipv6: z.boolean({ error: 'true or false' }).default(false),
    })
    .default({ ipv6: false }),
  containers: z
    .array(ContainerSchema, { error: 'a list of 1 to 10 containers' })
    .min(1, { error: 'a list of 1 to 10 containers' })
    .max(10, { error: 'a list of 1 to 10 containers' }),
});

type Document = z.output<typeof DocumentSchema>;

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

/** A problem found in a scenario document: where, and what is allowed there. */
export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  readonly allowed: string;
  /** All problems, first one first, as `path: allowed`. */
  readonly all: readonly string[];
}

/** Validates a parsed document; returns the scenario or the first problem. */
export function validateScenarioDocument(
  document: unknown,
  fallbackName: string,
): { ok: true; scenario: Scenario } | { ok: false; problem: SchemaProblem } {
  const parsed = DocumentSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0]!;
    return {
      ok: false,
      problem: {
        path: pathOf(first),
        allowed: allowedOf(first),
        all: issues.map((issue) => `${pathOf(issue).join('.')}: ${allowedOf(issue)}`),
      },
    };
  }
  const problem = documentProblem(parsed.data);
  if (problem)
    return { ok: false, problem: { ...problem, all: [`${problem.path.join('.')}: ${problem.allowed}`] } };
  return { ok: true, scenario: toScenario(parsed.data, fallbackName) };
}

function pathOf(issue: z.core.$ZodIssue): (string | number)[] {
  const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  // An unknown key is reported on its parent; name the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return [...path, issue.keys[0]!];
  return path;
}

function allowedOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return 'no such field (check the spelling against SCENARIOS.md)';
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `a value (required): ${issue.message}`;
  return issue.message;
}
