/**
 * The platforms a Fargate task runs on, as `taskscope rightsize --platform` names them
 * (docs/contract.md). A task definition says which through `runtimePlatform`.
 */
export const FARGATE_PLATFORMS = ['linux/x86_64', 'linux/arm64', 'windows'] as const;

/** A Fargate platform: Linux on x86_64 or ARM64 (Graviton), or Windows Server (x86_64 only). */
export type FargatePlatform = (typeof FARGATE_PLATFORMS)[number];

/** One valid task size: CPU units (1024 a vCPU) and memory in MiB, as a task definition writes them. */
export interface FargateSize {
  readonly cpuUnits: number;
  readonly memoryMiB: number;
}

/** The memory one task CPU value allows, and what else it needs. */
export interface CpuOption {
  readonly cpuUnits: number;
  /** Every valid memory value in MiB, ascending. */
  readonly memoriesMiB: readonly number[];
  /** The lowest Linux platform version the size needs, when it needs one. */
  readonly minimumPlatformVersion?: string;
}

const GIB = 1024;

/** `fromGiB` to `toGiB` in `stepGiB` steps, in MiB. */
function gibRange(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const memories: number[] = [];
  for (let gib = fromGiB; gib <= toGiB; gib += stepGiB) memories.push(gib * GIB);
  return memories;
}

/*
 * The valid task CPU and memory pairs. Source: AWS, "Task CPU and memory" in "Amazon ECS on AWS
 * Fargate" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html#fargate-tasks-size)
 * and "Troubleshoot Amazon ECS task definition invalid CPU or memory errors"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html), read
 * 2026-12-03. Their table names the operating systems per CPU value: 256 and 512 are Linux only,
 * 1024, 2048 and 4096 are "Linux, Windows" with the same memory ranges, 8192 and 16384 are Linux
 * only and need platform version 1.4.0. Neither page restricts ARM64 to fewer sizes than x86_64,
 * so Linux/ARM64 gets the Linux table.
 */
const LINUX_OPTIONS: readonly CpuOption[] = [
  { cpuUnits: 256, memoriesMiB: [512, 1024, 2048] },
  { cpuUnits: 512, memoriesMiB: gibRange(1, 4, 1) },
  { cpuUnits: 1024, memoriesMiB: gibRange(2, 8, 1) },
  { cpuUnits: 2048, memoriesMiB: gibRange(4, 16, 1) },
  { cpuUnits: 4096, memoriesMiB: gibRange(8, 30, 1) },
  { cpuUnits: 8192, memoriesMiB: gibRange(16, 60, 4), minimumPlatformVersion: '1.4.0' },
  { cpuUnits: 16384, memoriesMiB: gibRange(32, 120, 8), minimumPlatformVersion: '1.4.0' },
];

/** "The CPU units cannot be less than 1 vCPU when you use Windows containers on Fargate" (same pages). */
const WINDOWS_OPTIONS: readonly CpuOption[] = LINUX_OPTIONS.filter(
  (option) => option.cpuUnits >= 1024 && option.cpuUnits <= 4096,
).map(({ cpuUnits, memoriesMiB }) => ({ cpuUnits, memoriesMiB }));

const OPTIONS: Readonly<Record<FargatePlatform, readonly CpuOption[]>> = {
  'linux/x86_64': LINUX_OPTIONS,
  'linux/arm64': LINUX_OPTIONS,
  windows: WINDOWS_OPTIONS,
};

/** The task CPU values of a platform, ascending, each with its memory values. */
export function cpuOptions(platform: FargatePlatform): readonly CpuOption[] {
  return OPTIONS[platform];
}

/**
 * Every valid size of a platform, by CPU then memory, ascending. Under any positive per-vCPU and
 * per-GB rate this is also the order of price within one CPU value, and the smallest CPU value
 * that holds a demand has the cheapest size that does: each CPU value's memory range starts at or
 * above the previous one's, so more CPU never comes with less memory.
 */
export function fargateSizes(platform: FargatePlatform): FargateSize[] {
  return OPTIONS[platform].flatMap((option) =>
    option.memoriesMiB.map((memoryMiB) => ({ cpuUnits: option.cpuUnits, memoryMiB })),
  );
}

/** Whether `cpuUnits` with `memoryMiB` is a size Fargate runs on `platform`. */
export function isFargateSize(platform: FargatePlatform, cpuUnits: number, memoryMiB: number): boolean {
  return OPTIONS[platform].some(
    (option) => option.cpuUnits === cpuUnits && option.memoriesMiB.includes(memoryMiB),
  );
}

/**
 * The smallest (and so cheapest, see {@link fargateSizes}) size of `platform` with at least
 * `cpuUnits` and `memoryMiB`, or undefined when none holds that much.
 */
export function smallestSizeHolding(
  platform: FargatePlatform,
  cpuUnits: number,
  memoryMiB: number,
): FargateSize | undefined {
  return fargateSizes(platform).find((size) => size.cpuUnits >= cpuUnits && size.memoryMiB >= memoryMiB);
}

/** The allowed memory of one CPU value in words, for a rule's message: `512, 1024 or 2048 MiB`. */
export function memoryWords(option: CpuOption): string {
  const memories = option.memoriesMiB;
  const first = memories[0]!;
  const last = memories.at(-1)!;
  if (memories.length <= 4) {
    return `${memories.slice(0, -1).join(', ')} or ${last} MiB`;
  }
  const step = memories[1]! - first;
  return `${first} to ${last} MiB in steps of ${step}`;
}

/** Every size of a platform in words, for a rule's message when the CPU value itself is not valid. */
export function sizeTableWords(platform: FargatePlatform): string {
  return OPTIONS[platform].map((option) => `${option.cpuUnits} with ${memoryWords(option)}`).join('; ');
}
