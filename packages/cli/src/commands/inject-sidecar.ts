import {
  MAX_CONTAINERS,
  parseTaskCpuUnits,
  parseTaskMemoryMiB,
  platformOf,
  READ_ONLY_TASK_DEFINITION_FIELDS,
  unwrapTaskDefinition,
} from '@taskscope/fargate';

/*
 * The task definition `taskscope inject` prints: the input without its read-only fields, and the
 * sidecar added. Pure: the command reads the file and writes the result.
 */

/** The agent's default port (docs/contract.md, "Names"). */
export const DEFAULT_AGENT_PORT = 9780;

/**
 * The sidecar's default slice of the task, from the agent's measured footprint (README,
 * benchmarks: 60.5–61.1 MB of RSS, 0.43–0.88 % of a core on `fargate-10` at a 1 s refresh):
 * - `memoryReservation` 64 MiB: what the agent takes from the task's memory, just above its
 *   ~58 MiB resident set (+1–3 MiB for a full 15-minute history).
 * - `memory` 128 MiB: the hard limit, twice the measured RSS, so a leak kills the sidecar
 *   (non-essential: the task keeps running) before it squeezes the application.
 * - `cpu` 64 units (1/16 vCPU): seven to fifteen times the measured use, room for dashboard and
 *   stream clients. Container `cpu` is a weight under contention on Linux, not a cap, so the
 *   agent never takes CPU the application is using; when the containers already reserve all of
 *   the task's CPU, the sidecar gets what is left, down to 0 (the smallest weight).
 */
export const SIDECAR_DEFAULTS = { cpuUnits: 64, memoryReservationMiB: 64, memoryMiB: 128 } as const;

/** What the sidecar is to be. */
export interface SidecarOptions {
  readonly image: string;
  /** Whether `image` was the user's (`--image`): the default image is Linux only. */
  readonly imageGiven: boolean;
  readonly name: string;
  readonly port: number;
  /** `--cpu`: exact; undefined takes the default slice or what is left of it. */
  readonly cpuUnits?: number;
  /** `--memory`: the hard limit; the reservation is 64 MiB below a larger limit, none otherwise. */
  readonly memoryMiB?: number;
  /** `--exporters` as given, for TASKSCOPE_EXPORTERS; undefined leaves the agent's default (prometheus). */
  readonly exporters?: string;
  /** Whether Prometheus is among the exporters (the discovery labels point at `/metrics`). */
  readonly prometheus: boolean;
}

/** A sidecar that cannot be added, and why, in words for the user. */
export interface InjectRefusal {
  readonly refused: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The command a health check runs in the agent image: no shell there to need, only node, and
 * `/healthz` answers 200 without a token (the agent's API). The same as the image's HEALTHCHECK
 * (docker/agent.Dockerfile), which ECS ignores.
 */
export function healthCheckCommand(port: number): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${port}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
  ];
}

/** Every port a container maps, as containerPort or hostPort. */
function mappedPorts(container: Json): number[] {
  const mappings = Array.isArray(container.portMappings) ? container.portMappings : [];
  return mappings.flatMap((mapping: unknown) =>
    isObject(mapping)
      ? [mapping.containerPort, mapping.hostPort].filter((port): port is number => typeof port === 'number')
      : [],
  );
}

/** What the containers take from the task: each one's memoryReservation, or its memory. */
function reservedMemoryMiB(containers: readonly Json[]): number {
  let total = 0;
  for (const container of containers) {
    const reservation = container.memoryReservation ?? container.memory;
    if (typeof reservation === 'number') total += reservation;
  }
  return total;
}

function reservedCpuUnits(containers: readonly Json[]): number {
  let total = 0;
  for (const container of containers) if (typeof container.cpu === 'number') total += container.cpu;
  return total;
}

/**
 * The input of `register-task-definition` with the sidecar added, or why it cannot be added.
 * `document` is a task definition as written, or as describe-task-definition prints it (its
 * `tags` are kept); the caller has checked it has a `containerDefinitions` array.
 */
export function injectSidecar(document: unknown, options: SidecarOptions): Json | InjectRefusal {
  const source = unwrapTaskDefinition(document) as Json;
  const containers = (source.containerDefinitions as unknown[]).filter(isObject);
  const { name, port } = options;

  if (containers.some((container) => container.name === name))
    return { refused: `a container is already named "${name}"; give the sidecar another with --name` };
  const owner = containers.find((container) => mappedPorts(container).includes(port));
  if (owner !== undefined)
    return {
      refused: `container "${String(owner.name)}" maps port ${port}; give the agent another with --port`,
    };
  if (containers.length >= MAX_CONTAINERS)
    return { refused: `the task has ${containers.length} containers, the most a task definition holds` };
  const windows = platformOf(source) === 'windows';
  if (windows && !options.imageGiven)
    return {
      refused:
        'the taskscope image is Linux only; a Windows task needs a Windows build of the agent (--image)',
    };

  const taskCpuUnits = parseTaskCpuUnits(source.cpu);
  const cpuLeft =
    taskCpuUnits === undefined ? Number.POSITIVE_INFINITY : taskCpuUnits - reservedCpuUnits(containers);
  const cpuUnits = options.cpuUnits ?? Math.max(0, Math.min(SIDECAR_DEFAULTS.cpuUnits, cpuLeft));
  if (cpuUnits > cpuLeft) {
    const left = `the task's containers leave ${Math.max(0, cpuLeft)} of its ${taskCpuUnits} CPU units`;
    return { refused: options.cpuUnits === undefined ? left : `--cpu ${cpuUnits}: ${left}` };
  }

  const memoryMiB = options.memoryMiB ?? SIDECAR_DEFAULTS.memoryMiB;
  const reservationMiB =
    memoryMiB > SIDECAR_DEFAULTS.memoryReservationMiB ? SIDECAR_DEFAULTS.memoryReservationMiB : undefined;
  const taskMemoryMiB = parseTaskMemoryMiB(source.memory);
  if (taskMemoryMiB !== undefined) {
    const memoryLeft = taskMemoryMiB - reservedMemoryMiB(containers);
    const needed = reservationMiB ?? memoryMiB;
    if (needed > memoryLeft)
      return {
        refused: `the sidecar needs ${needed} MiB of the task's memory and its containers leave ${Math.max(0, memoryLeft)} of ${taskMemoryMiB}: lower a container's memoryReservation or choose a larger task size`,
      };
    if (memoryMiB > taskMemoryMiB)
      return { refused: `--memory ${memoryMiB}: above the task's memory, ${taskMemoryMiB} MiB` };
  }

  const output: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if ((READ_ONLY_TASK_DEFINITION_FIELDS as readonly string[]).includes(key)) continue;
    output[key] =
      key === 'containerDefinitions'
        ? dependOnSidecar(source.containerDefinitions as unknown[], name)
        : value;
  }
  const tags = isObject(document) && document !== source ? document.tags : undefined;
  if (output.tags === undefined && Array.isArray(tags) && tags.length > 0) output.tags = tags;
  (output.containerDefinitions as unknown[]).push(
    sidecarContainer(options, { cpuUnits, memoryMiB, reservationMiB, windows }, containers),
  );
  return output;
}

/**
 * Every other container starts after the sidecar and, because ECS stops a container before the
 * ones it depends on, stops before it: `START` so the application never waits on the agent's
 * health.
 */
function dependOnSidecar(containers: readonly unknown[], name: string): unknown[] {
  return containers.map((container) => {
    if (!isObject(container)) return container;
    const dependsOn = Array.isArray(container.dependsOn) ? container.dependsOn : [];
    return { ...container, dependsOn: [...dependsOn, { containerName: name, condition: 'START' }] };
  });
}

function sidecarContainer(
  options: SidecarOptions,
  slice: { cpuUnits: number; memoryMiB: number; reservationMiB: number | undefined; windows: boolean },
  containers: readonly Json[],
): Json {
  const environment: { name: string; value: string }[] = [];
  if (options.port !== DEFAULT_AGENT_PORT)
    environment.push({ name: 'TASKSCOPE_LISTEN', value: `0.0.0.0:${options.port}` });
  if (options.exporters !== undefined)
    environment.push({ name: 'TASKSCOPE_EXPORTERS', value: options.exporters });
  const metrics = { port: String(options.port), path: '/metrics' };
  const logs = containers.find((container) => container.essential !== false)?.logConfiguration;
  return {
    name: options.name,
    image: options.image,
    essential: false,
    cpu: slice.cpuUnits,
    ...(slice.reservationMiB === undefined ? {} : { memoryReservation: slice.reservationMiB }),
    memory: slice.memoryMiB,
    command: ['agent'],
    ...(environment.length === 0 ? {} : { environment }),
    portMappings: [{ containerPort: options.port, protocol: 'tcp' }],
    // The CloudWatch agent's ECS service discovery reads ECS_PROMETHEUS_*; Prometheus ECS
    // discovery sidecars (prometheus-ecs-discovery and kin) read PROMETHEUS_EXPORTER_*.
    ...(options.prometheus
      ? {
          dockerLabels: {
            ECS_PROMETHEUS_EXPORTER_PORT: metrics.port,
            ECS_PROMETHEUS_METRICS_PATH: metrics.path,
            PROMETHEUS_EXPORTER_PORT: metrics.port,
            PROMETHEUS_EXPORTER_PATH: metrics.path,
          },
        }
      : {}),
    healthCheck: {
      command: healthCheckCommand(options.port),
      interval: 30,
      timeout: 5,
      retries: 3,
      startPeriod: 10,
    },
    // Above the agent's 4.5 s shutdown budget (SHUTDOWN_BUDGET_MS), so ECS never SIGKILLs a clean stop.
    stopTimeout: 10,
    // Not supported for Windows containers (ContainerDefinition, readonlyRootFilesystem).
    ...(slice.windows ? {} : { readonlyRootFilesystem: true }),
    ...(isObject(logs) ? { logConfiguration: structuredClone(logs) } : {}),
  };
}
