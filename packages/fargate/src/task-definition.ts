import { oneOf, type Problem } from '@taskscope/input';
import {
  cpuOptions,
  type FargatePlatform,
  type FargateSize,
  isFargateSize,
  memoryWords,
  sizeTableWords,
} from './sizes.js';

/*
 * The task-definition rules `taskscope validate` checks (docs/contract.md). Sources, all AWS and
 * read 2026-12-03: "Amazon ECS on AWS Fargate"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html) for the sizes,
 * `awsvpc`, the platforms and the parameters Fargate does not take; the ContainerDefinition API
 * reference (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html)
 * for names, memory, memoryReservation, ports and dependsOn; RegisterTaskDefinition
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html) for
 * the task-level cpu and memory and their string forms.
 */

/** The rules, each a stable id a script can branch on (`--format json`). */
export const TASK_DEFINITION_RULES = [
  'document',
  'type',
  'container-count',
  'container-required',
  'container-name',
  'task-size',
  'platform-version',
  'ephemeral-storage',
  'platform',
  'network-mode',
  'container-cpu',
  'container-memory',
  'memory-reservation',
  'essential',
  'container-port',
  'depends-on',
  'fargate-parameter',
] as const;

/** One rule of {@link TASK_DEFINITION_RULES}. */
export type TaskDefinitionRule = (typeof TASK_DEFINITION_RULES)[number];

/**
 * One thing a task definition breaks: the field (`containerDefinitions[1].cpu`), the value found
 * there, what the rule allows, and the rule's id.
 */
export interface TaskDefinitionProblem extends Problem {
  readonly rule: TaskDefinitionRule;
}

/** The fields `aws ecs describe-task-definition` prints that `register-task-definition` refuses. */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/** At most this many containers in one task definition (AWS: "up to a maximum of ten containers"). */
export const MAX_CONTAINERS = 10;

/**
 * The least memory a container may be given: "The Docker 20.10.0 or later daemon reserves a
 * minimum of 6 MiB of memory for a container" (ContainerDefinition, `memory`).
 */
export const MIN_CONTAINER_MEMORY_MIB = 6;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The task definition in `document`: `aws ecs describe-task-definition` prints it under
 * `taskDefinition` (beside `tags`); `register-task-definition` input is the bare object.
 */
export function unwrapTaskDefinition(document: unknown): unknown {
  if (isObject(document) && !('containerDefinitions' in document) && isObject(document.taskDefinition))
    return document.taskDefinition;
  return document;
}

/** Whether the task definition asks to be validated for Fargate (`requiresCompatibilities`). */
export function requiresFargate(taskDefinition: Json): boolean {
  const compatibilities = taskDefinition.requiresCompatibilities;
  return Array.isArray(compatibilities) && compatibilities.includes('FARGATE');
}

const WINDOWS_FAMILY = /^WINDOWS_SERVER_[A-Z0-9_]+$/;

/**
 * The Fargate platform a task definition's `runtimePlatform` names (Linux on x86_64 when it
 * names none, as ECS defaults), or undefined when it names one Fargate has not.
 */
export function platformOf(taskDefinition: Json): FargatePlatform | undefined {
  const runtime = isObject(taskDefinition.runtimePlatform) ? taskDefinition.runtimePlatform : {};
  const family = runtime.operatingSystemFamily ?? 'LINUX';
  const architecture = runtime.cpuArchitecture ?? 'X86_64';
  if (family === 'LINUX') {
    if (architecture === 'X86_64') return 'linux/x86_64';
    if (architecture === 'ARM64') return 'linux/arm64';
    return undefined;
  }
  return typeof family === 'string' && WINDOWS_FAMILY.test(family) && architecture === 'X86_64'
    ? 'windows'
    : undefined;
}

/**
 * A task-level `cpu` in CPU units: `"256"`, or vCPUs as `"0.25 vCPU"` / `"1 vcpu"`, which ECS
 * converts on registration (RegisterTaskDefinition, `cpu`). Undefined when it is neither.
 */
export function parseTaskCpuUnits(value: unknown): number | undefined {
  return parseWithUnit(value, /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i, 1024);
}

/** A task-level `memory` in MiB: `"512"`, or GB as `"1GB"` / `"1 GB"` (RegisterTaskDefinition, `memory`). */
export function parseTaskMemoryMiB(value: unknown): number | undefined {
  return parseWithUnit(value, /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i, 1024);
}

function parseWithUnit(value: unknown, pattern: RegExp, perUnit: number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = pattern.exec(value);
  if (match === null) return undefined;
  const amount = Number(match[1]) * (match[2] === undefined ? 1 : perUnit);
  return Number.isInteger(amount) && amount > 0 ? amount : undefined;
}

/** The task size a task definition asks for, when both of its fields can be read. */
export function taskSizeOf(taskDefinition: Json): FargateSize | undefined {
  const cpuUnits = parseTaskCpuUnits(taskDefinition.cpu);
  const memoryMiB = parseTaskMemoryMiB(taskDefinition.memory);
  return cpuUnits === undefined || memoryMiB === undefined ? undefined : { cpuUnits, memoryMiB };
}

/** Fields Fargate does not accept on a container ("The following task definition parameters are not valid in Fargate tasks"). */
const FARGATE_INVALID_CONTAINER_FIELDS = [
  'disableNetworking',
  'dnsSearchDomains',
  'dnsServers',
  'dockerSecurityOptions',
  'extraHosts',
  'links',
  'privileged',
] as const;

/** The same, at the task level. */
const FARGATE_INVALID_TASK_FIELDS = ['ipcMode', 'placementConstraints'] as const;

/** Whether a field is set at all: describe-task-definition prints unset ones as null, [] or false. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  return !(Array.isArray(value) && value.length === 0);
}

const NETWORK_MODES = ['awsvpc', 'bridge', 'host', 'none'];
const PROTOCOLS = ['tcp', 'udp'];
const DEPENDENCY_CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'];
const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** What a container name may be: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens" (ContainerDefinition, `name`). */
export const CONTAINER_NAME_WORDS = 'up to 255 letters, digits, hyphens and underscores';

/** Whether `name` is a valid container name ({@link CONTAINER_NAME_WORDS}). */
export function isContainerName(name: unknown): name is string {
  return typeof name === 'string' && CONTAINER_NAME.test(name);
}

/** A container as the rules read it. */
interface Container {
  readonly index: number;
  readonly path: string;
  readonly raw: Json;
  readonly name: string | undefined;
}

/**
 * Every rule a task definition breaks, in the order of the document (task-level fields, then
 * containers in order), none left out: one problem per field and rule. An empty array means it
 * passes. Reads `aws ecs describe-task-definition` output as well (see {@link unwrapTaskDefinition}).
 */
export function validateTaskDefinition(document: unknown): TaskDefinitionProblem[] {
  const problems: TaskDefinitionProblem[] = [];
  const add = (rule: TaskDefinitionRule, field: string, value: unknown, allowed: string) =>
    problems.push({ field, value, allowed, rule });
  const taskDefinition = unwrapTaskDefinition(document);
  if (!isObject(taskDefinition)) {
    add('document', '', taskDefinition, 'a task definition: a JSON object with "containerDefinitions"');
    return problems;
  }
  const fargate = requiresFargate(taskDefinition);
  const platform = checkPlatform(taskDefinition, add);
  const networkMode = checkNetworkMode(taskDefinition, fargate, add);
  const size = checkTaskSize(taskDefinition, fargate, platform, add);
  if (fargate) {
    checkPlatformVersion(document, taskDefinition, platform, size, add);
    checkEphemeralStorage(taskDefinition, add);
    for (const field of FARGATE_INVALID_TASK_FIELDS)
      if (isSet(taskDefinition[field]))
        add('fargate-parameter', field, taskDefinition[field], 'nothing: Fargate does not take it');
  }

  const definitions = taskDefinition.containerDefinitions;
  if (!Array.isArray(definitions)) {
    add(
      'document',
      'containerDefinitions',
      definitions,
      `an array of 1 to ${MAX_CONTAINERS} container definitions`,
    );
    return problems;
  }
  if (definitions.length < 1 || definitions.length > MAX_CONTAINERS)
    add('container-count', 'containerDefinitions', definitions, `1 to ${MAX_CONTAINERS} containers`);

  const containers: Container[] = [];
  definitions.forEach((raw, index) => {
    const path = `containerDefinitions[${index}]`;
    if (!isObject(raw)) {
      add('type', path, raw, 'a container definition (an object)');
      return;
    }
    containers.push({ index, path, raw, name: typeof raw.name === 'string' ? raw.name : undefined });
  });

  checkNames(containers, add);
  for (const container of containers) {
    if (typeof container.raw.image !== 'string' || container.raw.image === '')
      add(
        'container-required',
        `${container.path}.image`,
        container.raw.image,
        'an image reference such as "nginx:1.27"',
      );
    if (fargate) {
      for (const field of FARGATE_INVALID_CONTAINER_FIELDS)
        if (isSet(container.raw[field]))
          add(
            'fargate-parameter',
            `${container.path}.${field}`,
            container.raw[field],
            'nothing: Fargate does not take it',
          );
    }
  }
  checkCpu(containers, parseTaskCpuUnits(taskDefinition.cpu), add);
  checkMemory(containers, size?.memoryMiB ?? parseTaskMemoryMiB(taskDefinition.memory), fargate, add);
  checkEssential(containers, add);
  checkPorts(containers, networkMode, add);
  checkDependencies(containers, add);
  return problems;
}

type Add = (rule: TaskDefinitionRule, field: string, value: unknown, allowed: string) => void;

function checkPlatform(taskDefinition: Json, add: Add): FargatePlatform | undefined {
  const runtime = taskDefinition.runtimePlatform;
  if (runtime !== undefined && runtime !== null && !isObject(runtime)) {
    add('type', 'runtimePlatform', runtime, 'an object with operatingSystemFamily and cpuArchitecture');
    return undefined;
  }
  const platform = platformOf(taskDefinition);
  if (platform !== undefined) return platform;
  const { operatingSystemFamily: family, cpuArchitecture: architecture } = runtime as Json;
  if (
    family !== undefined &&
    family !== 'LINUX' &&
    !(typeof family === 'string' && WINDOWS_FAMILY.test(family))
  )
    add(
      'platform',
      'runtimePlatform.operatingSystemFamily',
      family,
      '"LINUX" or a "WINDOWS_SERVER_…" family',
    );
  else if (architecture !== 'X86_64' && architecture !== 'ARM64')
    add('platform', 'runtimePlatform.cpuArchitecture', architecture, oneOf(['X86_64', 'ARM64']));
  else
    add(
      'platform',
      'runtimePlatform.cpuArchitecture',
      architecture,
      '"X86_64": Windows containers run on X86_64 only',
    );
  return undefined;
}

function checkNetworkMode(taskDefinition: Json, fargate: boolean, add: Add): string {
  const mode = taskDefinition.networkMode;
  if (fargate && mode !== 'awsvpc') {
    add('network-mode', 'networkMode', mode, '"awsvpc": Fargate tasks require it');
    return 'awsvpc';
  }
  if (mode === undefined || mode === null) return 'bridge';
  if (typeof mode !== 'string' || !NETWORK_MODES.includes(mode)) {
    add('network-mode', 'networkMode', mode, oneOf(NETWORK_MODES));
    return 'bridge';
  }
  return mode;
}

function checkTaskSize(
  taskDefinition: Json,
  fargate: boolean,
  platform: FargatePlatform | undefined,
  add: Add,
): FargateSize | undefined {
  const { cpu, memory } = taskDefinition;
  const cpuUnits = parseTaskCpuUnits(cpu);
  const memoryMiB = parseTaskMemoryMiB(memory);
  // RegisterTaskDefinition types both as strings; the CLI's --cli-input-json refuses numbers.
  for (const [field, value, parsed, example] of [
    ['cpu', cpu, cpuUnits, '"256" or "0.25 vCPU"'],
    ['memory', memory, memoryMiB, '"512" or "1 GB"'],
  ] as const) {
    if (value === undefined || value === null) {
      if (fargate) add('task-size', field, value, `a task ${field} such as ${example}: Fargate requires one`);
    } else if (typeof value !== 'string' || parsed === undefined) {
      add('type', field, value, `a string such as ${example}`);
    }
  }
  if (!fargate || platform === undefined || cpuUnits === undefined || memoryMiB === undefined)
    return undefined;
  const option = cpuOptions(platform).find((candidate) => candidate.cpuUnits === cpuUnits);
  if (option === undefined) {
    add(
      'task-size',
      'cpu',
      cpu,
      `a Fargate ${platform} CPU value with its memory: ${sizeTableWords(platform)}`,
    );
  } else if (!isFargateSize(platform, cpuUnits, memoryMiB)) {
    add(
      'task-size',
      'memory',
      memory,
      `with ${cpuUnits} CPU units on Fargate ${platform}: ${memoryWords(option)}`,
    );
  }
  return { cpuUnits, memoryMiB };
}

/** Fargate's ephemeral storage: "the minimum supported value is 21 GiB and the maximum supported value is 200 GiB" (EphemeralStorage, `sizeInGiB`). */
export const EPHEMERAL_STORAGE_GIB = { min: 21, max: 200 } as const;

function checkEphemeralStorage(taskDefinition: Json, add: Add): void {
  const storage = taskDefinition.ephemeralStorage;
  if (storage === undefined || storage === null) return;
  if (!isObject(storage)) {
    add('type', 'ephemeralStorage', storage, 'an object {"sizeInGiB": N}');
    return;
  }
  const size = storage.sizeInGiB;
  const { min, max } = EPHEMERAL_STORAGE_GIB;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < min || size > max)
    add(
      'ephemeral-storage',
      'ephemeralStorage.sizeInGiB',
      size,
      `a whole number of GiB from ${min} to ${max} (Fargate gives 20 GiB free without the field)`,
    );
}

/** `1.4.0` → [1, 4, 0]; undefined for anything else. */
function versionParts(text: string): number[] | undefined {
  return /^\d+\.\d+\.\d+$/.test(text) ? text.split('.').map(Number) : undefined;
}

/**
 * The 8 and 16 vCPU sizes need Linux platform version 1.4.0 or later (see sizes.ts). A task
 * definition does not carry the platform version; a document that does (`platformVersion` as
 * `run-task`, `create-service` and describe-tasks write it, beside the task definition or in it)
 * is checked; `LATEST` is 1.4.0 or later.
 */
function checkPlatformVersion(
  document: unknown,
  taskDefinition: Json,
  platform: FargatePlatform | undefined,
  size: FargateSize | undefined,
  add: Add,
): void {
  // The task definition is an object, so the document it came from is one too.
  const version = taskDefinition.platformVersion ?? (document as Json).platformVersion;
  if (version === undefined || version === null || platform === undefined || size === undefined) return;
  const minimum = cpuOptions(platform).find(
    (option) => option.cpuUnits === size.cpuUnits,
  )?.minimumPlatformVersion;
  if (minimum === undefined || version === 'LATEST') return;
  const parts = typeof version === 'string' ? versionParts(version) : undefined;
  const needed = versionParts(minimum)!;
  const differs = parts?.findIndex((part, i) => part !== needed[i]) ?? -1;
  const older = parts === undefined || (differs >= 0 && parts[differs]! < needed[differs]!);
  if (older)
    add(
      'platform-version',
      'platformVersion',
      version,
      `LATEST or ${minimum} or later: ${size.cpuUnits} CPU units need platform version ${minimum}+`,
    );
}

function checkNames(containers: readonly Container[], add: Add): void {
  const seen = new Map<string, string>();
  for (const { path, name, raw } of containers) {
    if (!isContainerName(name)) {
      add('container-name', `${path}.name`, raw.name, CONTAINER_NAME_WORDS);
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined)
      add('container-name', `${path}.name`, name, `a name no other container has (${first} has it)`);
    else seen.set(name, path);
  }
}

/** A container's integer field, reporting a non-integer; undefined when absent or not usable. */
function integerField(container: Container, field: string, min: number, add: Add, rule: TaskDefinitionRule) {
  const value = container.raw[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    add(rule, `${container.path}.${field}`, value, `a whole number ≥ ${min}`);
    return undefined;
  }
  return value;
}

function checkCpu(containers: readonly Container[], taskCpuUnits: number | undefined, add: Add): void {
  let totalUnits = 0;
  for (const container of containers)
    totalUnits += integerField(container, 'cpu', 0, add, 'container-cpu') ?? 0;
  if (taskCpuUnits !== undefined && totalUnits > taskCpuUnits)
    add(
      'container-cpu',
      'containerDefinitions[*].cpu',
      totalUnits,
      `a sum of at most ${taskCpuUnits}, the task's cpu`,
    );
}

/**
 * ECS's memory rules: `memory` is a container's hard limit and `memoryReservation` its soft one;
 * "if you specify both, memory must be greater than memoryReservation"; what a container takes
 * from the task is its memoryReservation, or its memory when it has none, and those must sum to
 * at most the task's memory; no container's hard limit may exceed the task's; without a task
 * memory (EC2) every container needs one of the two.
 */
function checkMemory(
  containers: readonly Container[],
  taskMemoryMiB: number | undefined,
  fargate: boolean,
  add: Add,
): void {
  let reservedMiB = 0;
  // A container whose own limit is above the task's already says what the sum would.
  let overLimit = false;
  for (const container of containers) {
    const memory = integerField(container, 'memory', MIN_CONTAINER_MEMORY_MIB, add, 'container-memory');
    const reservation = integerField(
      container,
      'memoryReservation',
      MIN_CONTAINER_MEMORY_MIB,
      add,
      'memory-reservation',
    );
    if (memory !== undefined && reservation !== undefined && memory <= reservation)
      add(
        'memory-reservation',
        `${container.path}.memoryReservation`,
        reservation,
        `less than the container's memory (${memory}): memory must be greater than memoryReservation`,
      );
    if (memory !== undefined && taskMemoryMiB !== undefined && memory > taskMemoryMiB) {
      overLimit = true;
      add(
        'container-memory',
        `${container.path}.memory`,
        memory,
        `at most ${taskMemoryMiB}, the task's memory`,
      );
    }
    const hasEither = container.raw.memory != null || container.raw.memoryReservation != null;
    // On Fargate the missing task memory is the problem, reported once as task-size.
    if (taskMemoryMiB === undefined && !fargate && !hasEither)
      add(
        'container-memory',
        `${container.path}.memory`,
        undefined,
        'a memory or memoryReservation: without a task memory every container needs one',
      );
    reservedMiB += reservation ?? memory ?? 0;
  }
  if (taskMemoryMiB !== undefined && !overLimit && reservedMiB > taskMemoryMiB)
    add(
      'container-memory',
      'containerDefinitions[*].memoryReservation',
      reservedMiB,
      `a sum of at most ${taskMemoryMiB}, the task's memory (each container's memoryReservation, or its memory where it has none)`,
    );
}

function checkEssential(containers: readonly Container[], add: Add): void {
  let essential = 0;
  for (const container of containers) {
    const value = container.raw.essential;
    if (value !== undefined && typeof value !== 'boolean')
      add('type', `${container.path}.essential`, value, 'true or false');
    // ECS: "If the essential parameter of a container is not specified, it is assumed to be essential."
    else if (value !== false) essential += 1;
  }
  if (containers.length > 0 && essential === 0)
    add(
      'essential',
      'containerDefinitions[*].essential',
      false,
      'at least one container with essential true (or unset)',
    );
}

/** A container's list field when it is an array; absent or null is no list, anything else a type problem. */
function listField(container: Container, field: string, allowed: string, add: Add): unknown[] | undefined {
  const value = container.raw[field];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  add('type', `${container.path}.${field}`, value, allowed);
  return undefined;
}

function checkPorts(containers: readonly Container[], networkMode: string, add: Add): void {
  // awsvpc and host: every container shares the task's ports. bridge: each container has its own,
  // and only host ports are shared.
  const sharedNamespace = networkMode === 'awsvpc' || networkMode === 'host';
  const taskPorts = new Map<string, string>();
  for (const container of containers) {
    const mappings = listField(container, 'portMappings', 'an array of port mappings', add);
    if (mappings === undefined) continue;
    const ownPorts = new Set<string>();
    mappings.forEach((mapping: unknown, index) => {
      const path = `${container.path}.portMappings[${index}]`;
      if (!isObject(mapping)) {
        add('type', path, mapping, 'a port mapping (an object)');
        return;
      }
      // A range (containerPortRange) is mapped as a whole; the rules here are about single ports.
      if (mapping.containerPort === undefined && mapping.containerPortRange !== undefined) return;
      const port = mapping.containerPort;
      const protocol = mapping.protocol ?? 'tcp';
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        add('container-port', `${path}.containerPort`, port, 'a port from 1 to 65535');
        return;
      }
      if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol)) {
        add('container-port', `${path}.protocol`, protocol, oneOf(PROTOCOLS));
        return;
      }
      const hostPort = mapping.hostPort;
      if (sharedNamespace && hostPort !== undefined && hostPort !== port)
        add(
          'container-port',
          `${path}.hostPort`,
          hostPort,
          `${port}, the containerPort: with ${networkMode} they are one port`,
        );
      const key = `${port}/${protocol}`;
      if (ownPorts.has(key)) {
        add(
          'container-port',
          `${path}.containerPort`,
          port,
          `a port this container maps once (${key} is mapped twice)`,
        );
        return;
      }
      ownPorts.add(key);
      const shared = sharedNamespace
        ? key
        : typeof hostPort === 'number' && hostPort > 0
          ? `${hostPort}/${protocol}`
          : undefined;
      if (shared === undefined) return;
      const owner = taskPorts.get(shared);
      if (owner !== undefined && owner !== container.path)
        add(
          'container-port',
          `${path}.${sharedNamespace ? 'containerPort' : 'hostPort'}`,
          sharedNamespace ? port : hostPort,
          `a port no other container of the task maps (${owner} maps ${shared})`,
        );
      else taskPorts.set(shared, container.path);
    });
  }
}

function checkDependencies(containers: readonly Container[], add: Add): void {
  const byName = new Map(
    containers.flatMap((container) =>
      container.name === undefined ? [] : [[container.name, container] as const],
    ),
  );
  for (const container of containers) {
    const dependencies = listField(container, 'dependsOn', 'an array of {containerName, condition}', add);
    if (dependencies === undefined) continue;
    dependencies.forEach((dependency: unknown, index) => {
      const path = `${container.path}.dependsOn[${index}]`;
      if (!isObject(dependency)) {
        add('type', path, dependency, 'an object {containerName, condition}');
        return;
      }
      const { containerName, condition } = dependency;
      const target = typeof containerName === 'string' ? byName.get(containerName) : undefined;
      if (target === undefined || target === container) {
        const names = [...byName.keys()].filter((name) => name !== container.name);
        add(
          'depends-on',
          `${path}.containerName`,
          containerName,
          names.length === 0
            ? 'the name of another container of the task (it has none)'
            : `the name of another container of the task: ${oneOf(names)}`,
        );
        return;
      }
      if (typeof condition !== 'string' || !DEPENDENCY_CONDITIONS.includes(condition)) {
        add('depends-on', `${path}.condition`, condition, oneOf(DEPENDENCY_CONDITIONS));
        return;
      }
      // ContainerDependency: HEALTHY "requires that the dependent container has health checks
      // configured"; COMPLETE and SUCCESS "can't be set on an essential container".
      if (condition === 'HEALTHY' && !isObject(target.raw.healthCheck))
        add(
          'depends-on',
          `${path}.condition`,
          condition,
          `START, COMPLETE or SUCCESS: ${target.path} has no healthCheck`,
        );
      if ((condition === 'COMPLETE' || condition === 'SUCCESS') && target.raw.essential !== false)
        add('depends-on', `${path}.condition`, condition, `START or HEALTHY: ${target.path} is essential`);
    });
  }
}
