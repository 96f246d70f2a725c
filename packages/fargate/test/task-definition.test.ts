import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  cpuOptions,
  FARGATE_PLATFORMS,
  type FargatePlatform,
  fargateSizes,
  parseTaskCpuUnits,
  parseTaskMemoryMiB,
  platformOf,
  TASK_DEFINITION_RULES,
  taskSizeOf,
  unwrapTaskDefinition,
  validateTaskDefinition,
} from '../src/index.js';
import { awsTaskDefinition, container, fargateTask } from './helpers.js';

/** `rule field` of each problem, the shortest exact golden. */
function brief(document: unknown): string[] {
  return validateTaskDefinition(document).map((problem) => `${problem.rule} ${problem.field}`);
}

describe('the task definitions AWS publishes', () => {
  test.each([
    'fargateLinuxWebserver',
    'fargateWindowsWebserver',
    'cliTutorialSampleFargate',
    'ec2WindowsSimpleIis',
    'describeTaskDefinition',
  ] as const)('%s passes', (name) => {
    expect(validateTaskDefinition(awsTaskDefinition(name))).toEqual([]);
  });

  test('the container-dependency example gives no memory anywhere, which EC2 refuses', () => {
    // No requiresCompatibilities: validated for EC2, where "you must specify either a task-level
    // memory value or a container-level memory value".
    expect(validateTaskDefinition(awsTaskDefinition('containerDependency'))).toEqual([
      {
        rule: 'container-memory',
        field: 'containerDefinitions[0].memory',
        value: undefined,
        allowed: 'a memory or memoryReservation: without a task memory every container needs one',
      },
      {
        rule: 'container-memory',
        field: 'containerDefinitions[1].memory',
        value: undefined,
        allowed: 'a memory or memoryReservation: without a task memory every container needs one',
      },
    ]);
  });

  test('describe-task-definition output is read inside its wrapper', () => {
    const wrapped = awsTaskDefinition('describeTaskDefinition');
    expect(unwrapTaskDefinition(wrapped)).toBe(wrapped.taskDefinition);
    const bare = fargateTask();
    expect(unwrapTaskDefinition(bare)).toBe(bare);
    expect(brief({ taskDefinition: fargateTask({ networkMode: 'bridge' }) })).toEqual([
      'network-mode networkMode',
    ]);
  });
});

describe('each rule, broken', () => {
  test('document', () => {
    expect(validateTaskDefinition([])).toEqual([
      {
        rule: 'document',
        field: '',
        value: [],
        allowed: 'a task definition: a JSON object with "containerDefinitions"',
      },
    ]);
    expect(brief({ family: 'x' })).toEqual(['document containerDefinitions']);
  });

  test('container-count: 1 to 10', () => {
    expect(brief(fargateTask({ containerDefinitions: [] }))).toEqual([
      'container-count containerDefinitions',
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => container(`c${i}`));
    expect(brief(fargateTask({ containerDefinitions: eleven }))).toEqual([
      'container-count containerDefinitions',
    ]);
    const ten = eleven.slice(0, 10);
    expect(brief(fargateTask({ containerDefinitions: ten }))).toEqual([]);
  });

  test('task-size: a valid pair for the platform, both required on Fargate', () => {
    expect(validateTaskDefinition(fargateTask({ memory: '1536' }))).toEqual([
      {
        rule: 'task-size',
        field: 'memory',
        value: '1536',
        allowed: 'with 256 CPU units on Fargate linux/x86_64: 512, 1024 or 2048 MiB',
      },
    ]);
    const [problem] = validateTaskDefinition(fargateTask({ cpu: '384' }));
    expect(problem).toMatchObject({ rule: 'task-size', field: 'cpu', value: '384' });
    expect(problem!.allowed).toMatch(
      /^a Fargate linux\/x86_64 CPU value with its memory: 256 with 512, 1024 or 2048 MiB; 512 with/,
    );
    expect(brief(fargateTask({ cpu: undefined, memory: undefined }))).toEqual([
      'task-size cpu',
      'task-size memory',
    ]);
    // 0.25 vCPU and 1 GB are how a task definition may write 256 and 1024.
    expect(brief(fargateTask({ cpu: '0.25 vCPU', memory: '1 GB' }))).toEqual([]);
    // The API types both as strings.
    expect(brief(fargateTask({ cpu: 256, memory: 'lots' }))).toEqual(['type cpu', 'type memory']);
    // On EC2 neither is required.
    expect(
      brief(
        fargateTask({
          cpu: undefined,
          memory: undefined,
          requiresCompatibilities: ['EC2'],
          containerDefinitions: [container('a', { memory: 128 })],
        }),
      ),
    ).toEqual([]);
  });

  test('platform: Windows and ARM tasks are checked against their own sizes', () => {
    const windows = { runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE' } };
    expect(brief(fargateTask({ ...windows }))).toEqual(['task-size cpu']);
    expect(brief(fargateTask({ ...windows, cpu: '1024', memory: '2048' }))).toEqual([]);
    expect(
      brief(
        fargateTask({
          runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'ARM64' },
        }),
      ),
    ).toEqual(['platform runtimePlatform.cpuArchitecture']);
    expect(
      brief(
        fargateTask({
          runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
          cpu: '16384',
          memory: '122880',
        }),
      ),
    ).toEqual([]);
    expect(brief(fargateTask({ runtimePlatform: { cpuArchitecture: 'RISCV' } }))).toEqual([
      'platform runtimePlatform.cpuArchitecture',
    ]);
    expect(brief(fargateTask({ runtimePlatform: { operatingSystemFamily: 'MACOS' } }))).toEqual([
      'platform runtimePlatform.operatingSystemFamily',
    ]);
    expect(brief(fargateTask({ runtimePlatform: 'linux' }))).toEqual(['type runtimePlatform']);
  });

  test('network-mode: awsvpc on Fargate; a known mode elsewhere', () => {
    expect(validateTaskDefinition(fargateTask({ networkMode: undefined }))).toEqual([
      {
        rule: 'network-mode',
        field: 'networkMode',
        value: undefined,
        allowed: '"awsvpc": Fargate tasks require it',
      },
    ]);
    const ec2 = { requiresCompatibilities: undefined };
    expect(brief(fargateTask({ ...ec2, networkMode: 'bridge' }))).toEqual([]);
    expect(brief(fargateTask({ ...ec2, networkMode: 'overlay' }))).toEqual(['network-mode networkMode']);
  });

  test('container-cpu: whole numbers summing within the task cpu', () => {
    const two = [container('a', { cpu: 200 }), container('b', { cpu: 100 })];
    expect(validateTaskDefinition(fargateTask({ containerDefinitions: two }))).toEqual([
      {
        rule: 'container-cpu',
        field: 'containerDefinitions[*].cpu',
        value: 300,
        allowed: "a sum of at most 256, the task's cpu",
      },
    ]);
    expect(brief(fargateTask({ containerDefinitions: [container('a', { cpu: 256 })] }))).toEqual([]);
    expect(
      brief(
        fargateTask({ containerDefinitions: [container('a', { cpu: -1 }), container('b', { cpu: '5' })] }),
      ),
    ).toEqual(['container-cpu containerDefinitions[0].cpu', 'container-cpu containerDefinitions[1].cpu']);
  });

  test('memory: limits within the task, reservations summing within it, memory above memoryReservation', () => {
    expect(brief(fargateTask({ containerDefinitions: [container('a', { memory: 1024 })] }))).toEqual([
      'container-memory containerDefinitions[0].memory',
    ]);
    // What a container takes from the task is its memoryReservation when it has one.
    const reserved = [
      container('a', { memoryReservation: 256, memory: 512 }),
      container('b', { memoryReservation: 256, memory: 512 }),
    ];
    expect(brief(fargateTask({ containerDefinitions: reserved }))).toEqual([]);
    const over = [container('a', { memoryReservation: 256 }), container('b', { memory: 257 })];
    expect(validateTaskDefinition(fargateTask({ containerDefinitions: over }))).toEqual([
      {
        rule: 'container-memory',
        field: 'containerDefinitions[*].memoryReservation',
        value: 513,
        allowed:
          "a sum of at most 512, the task's memory (each container's memoryReservation, or its memory where it has none)",
      },
    ]);
    expect(
      validateTaskDefinition(
        fargateTask({ containerDefinitions: [container('a', { memoryReservation: 128, memory: 128 })] }),
      ),
    ).toEqual([
      {
        rule: 'memory-reservation',
        field: 'containerDefinitions[0].memoryReservation',
        value: 128,
        allowed: "less than the container's memory (128): memory must be greater than memoryReservation",
      },
    ]);
    expect(
      brief(fargateTask({ containerDefinitions: [container('a', { memory: 4, memoryReservation: 2.5 })] })),
    ).toEqual([
      'container-memory containerDefinitions[0].memory',
      'memory-reservation containerDefinitions[0].memoryReservation',
    ]);
  });

  test('essential: at least one container, and unset counts as essential', () => {
    expect(
      brief(
        fargateTask({
          containerDefinitions: [container('a', { essential: false }), container('b', { essential: false })],
        }),
      ),
    ).toEqual(['essential containerDefinitions[*].essential']);
    expect(
      brief(fargateTask({ containerDefinitions: [container('a', { essential: false }), container('b')] })),
    ).toEqual([]);
    expect(brief(fargateTask({ containerDefinitions: [container('a', { essential: 'yes' })] }))).toEqual([
      'type containerDefinitions[0].essential',
      'essential containerDefinitions[*].essential',
    ]);
  });

  test('container-name: required, well-formed and unique; container-required: an image', () => {
    const containers = [
      container('web'),
      container('web'),
      { image: 'x' },
      container('bad name'),
      { name: 'no-image' },
    ];
    expect(
      validateTaskDefinition(fargateTask({ containerDefinitions: containers })).map((p) => [
        p.rule,
        p.field,
        p.value,
      ]),
    ).toEqual([
      ['container-name', 'containerDefinitions[1].name', 'web'],
      ['container-name', 'containerDefinitions[2].name', undefined],
      ['container-name', 'containerDefinitions[3].name', 'bad name'],
      ['container-required', 'containerDefinitions[4].image', undefined],
    ]);
    expect(
      validateTaskDefinition(fargateTask({ containerDefinitions: [container('web'), container('web')] }))[0]!
        .allowed,
    ).toBe('a name no other container has (containerDefinitions[0] has it)');
    expect(brief(fargateTask({ containerDefinitions: [container('a'), 'b'] }))).toEqual([
      'type containerDefinitions[1]',
    ]);
  });

  test('container-port: unique across an awsvpc task, hostPort equal to it, each mapping well-formed', () => {
    const clash = [
      container('a', { portMappings: [{ containerPort: 80 }] }),
      container('b', {
        portMappings: [
          { containerPort: 80, protocol: 'tcp' },
          { containerPort: 80, protocol: 'udp' },
        ],
      }),
    ];
    expect(validateTaskDefinition(fargateTask({ containerDefinitions: clash }))).toEqual([
      {
        rule: 'container-port',
        field: 'containerDefinitions[1].portMappings[0].containerPort',
        value: 80,
        allowed: 'a port no other container of the task maps (containerDefinitions[0] maps 80/tcp)',
      },
    ]);
    const odd = [
      container('a', {
        portMappings: [
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 0 },
          { containerPort: 81, protocol: 'sctp' },
          { containerPort: 82 },
          { containerPort: 82 },
          'p',
          { containerPortRange: '9000-9100' },
        ],
      }),
    ];
    expect(brief(fargateTask({ containerDefinitions: odd }))).toEqual([
      'container-port containerDefinitions[0].portMappings[0].hostPort',
      'container-port containerDefinitions[0].portMappings[1].containerPort',
      'container-port containerDefinitions[0].portMappings[2].protocol',
      'container-port containerDefinitions[0].portMappings[4].containerPort',
      'type containerDefinitions[0].portMappings[5]',
    ]);
    expect(brief(fargateTask({ containerDefinitions: [container('a', { portMappings: {} })] }))).toEqual([
      'type containerDefinitions[0].portMappings',
    ]);
  });

  test('container-port on bridge: containers have their own ports, host ports are shared', () => {
    const bridge = { requiresCompatibilities: ['EC2'], networkMode: 'bridge' };
    const same = [
      container('a', { portMappings: [{ containerPort: 80 }] }),
      container('b', { portMappings: [{ containerPort: 80, hostPort: 0 }] }),
    ];
    expect(brief(fargateTask({ ...bridge, containerDefinitions: same }))).toEqual([]);
    const host = [
      container('a', { portMappings: [{ containerPort: 80, hostPort: 8080 }] }),
      container('b', { portMappings: [{ containerPort: 81, hostPort: 8080 }] }),
    ];
    expect(validateTaskDefinition(fargateTask({ ...bridge, containerDefinitions: host }))).toEqual([
      {
        rule: 'container-port',
        field: 'containerDefinitions[1].portMappings[0].hostPort',
        value: 8080,
        allowed: 'a port no other container of the task maps (containerDefinitions[0] maps 8080/tcp)',
      },
    ]);
  });

  test('depends-on: another container of the task, a known condition it can meet', () => {
    const containers = [
      container('app', {
        dependsOn: [
          { containerName: 'sidecar', condition: 'START' },
          { containerName: 'nope', condition: 'START' },
          { containerName: 'app', condition: 'START' },
          { containerName: 'sidecar', condition: 'READY' },
          { containerName: 'sidecar', condition: 'HEALTHY' },
          { containerName: 'init', condition: 'SUCCESS' },
          'sidecar',
          { containerName: 7, condition: 'START' },
        ],
      }),
      container('sidecar'),
      container('init', { essential: false, dependsOn: {} }),
    ];
    const problems = validateTaskDefinition(fargateTask({ containerDefinitions: containers }));
    expect(problems.map((p) => `${p.rule} ${p.field} ${JSON.stringify(p.value)}`)).toEqual([
      'depends-on containerDefinitions[0].dependsOn[1].containerName "nope"',
      'depends-on containerDefinitions[0].dependsOn[2].containerName "app"',
      'depends-on containerDefinitions[0].dependsOn[3].condition "READY"',
      'depends-on containerDefinitions[0].dependsOn[4].condition "HEALTHY"',
      'type containerDefinitions[0].dependsOn[6] "sidecar"',
      'depends-on containerDefinitions[0].dependsOn[7].containerName 7',
      'type containerDefinitions[2].dependsOn {}',
    ]);
    expect(problems[0]!.allowed).toBe('the name of another container of the task: one of "sidecar", "init"');
    expect(problems[3]!.allowed).toBe(
      'START, COMPLETE or SUCCESS: containerDefinitions[1] has no healthCheck',
    );
    const alone = [container('app', { dependsOn: [{ containerName: 'db', condition: 'START' }] })];
    expect(validateTaskDefinition(fargateTask({ containerDefinitions: alone }))[0]!.allowed).toBe(
      'the name of another container of the task (it has none)',
    );
    const essentialTarget = [
      container('app', { dependsOn: [{ containerName: 'init', condition: 'COMPLETE' }] }),
      container('init'),
    ];
    expect(validateTaskDefinition(fargateTask({ containerDefinitions: essentialTarget }))).toEqual([
      {
        rule: 'depends-on',
        field: 'containerDefinitions[0].dependsOn[0].condition',
        value: 'COMPLETE',
        allowed: 'START or HEALTHY: containerDefinitions[1] is essential',
      },
    ]);
  });

  test('fargate-parameter: what Fargate does not take, unless unset as describe prints it', () => {
    const containers = [
      container('a', { links: ['b'], privileged: true, dnsServers: null, extraHosts: [] }),
      container('b'),
    ];
    expect(
      brief(
        fargateTask({
          containerDefinitions: containers,
          placementConstraints: [{ type: 'memberOf' }],
          ipcMode: null,
        }),
      ),
    ).toEqual([
      'fargate-parameter placementConstraints',
      'fargate-parameter containerDefinitions[0].links',
      'fargate-parameter containerDefinitions[0].privileged',
    ]);
    expect(
      brief(fargateTask({ requiresCompatibilities: ['EC2'], containerDefinitions: containers })),
    ).toEqual([]);
  });

  test('all problems at once, in document order', () => {
    const task = fargateTask({
      networkMode: 'bridge',
      memory: '3072',
      containerDefinitions: [container('a', { cpu: 512, essential: false })],
    });
    expect(brief(task)).toEqual([
      'network-mode networkMode',
      'task-size memory',
      'container-cpu containerDefinitions[*].cpu',
      'essential containerDefinitions[*].essential',
    ]);
    expect(new Set(TASK_DEFINITION_RULES).size).toBe(TASK_DEFINITION_RULES.length);
  });
});

describe('reading sizes and platforms', () => {
  test('cpu and memory in their string forms', () => {
    expect(['256', ' 1024 ', '0.25 vCPU', '1 vcpu', '2vCPU', 512].map(parseTaskCpuUnits)).toEqual([
      256, 1024, 256, 1024, 2048, 512,
    ]);
    expect(['0.1 vCPU', '', 'two', '-1', 0, 1.5, null].map(parseTaskCpuUnits)).toEqual(
      Array(7).fill(undefined),
    );
    expect(['512', '1GB', '1 GB', '0.5 gb', 2048].map(parseTaskMemoryMiB)).toEqual([
      512, 1024, 1024, 512, 2048,
    ]);
    expect(taskSizeOf({ cpu: '1 vCPU', memory: '2 GB' })).toEqual({ cpuUnits: 1024, memoryMiB: 2048 });
    expect(taskSizeOf({ cpu: '1 vCPU' })).toBeUndefined();
  });

  test('the platform of runtimePlatform', () => {
    expect(platformOf({})).toBe('linux/x86_64');
    expect(platformOf({ runtimePlatform: null })).toBe('linux/x86_64');
    expect(platformOf({ runtimePlatform: { cpuArchitecture: 'ARM64' } })).toBe('linux/arm64');
    expect(platformOf({ runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2019_FULL' } })).toBe(
      'windows',
    );
    expect(platformOf({ runtimePlatform: { operatingSystemFamily: 7 } })).toBeUndefined();
  });
});

const PLATFORM_RUNTIME: Record<FargatePlatform, Record<string, string>> = {
  'linux/x86_64': { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
  'linux/arm64': { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
  windows: { operatingSystemFamily: 'WINDOWS_SERVER_2022_FULL', cpuArchitecture: 'X86_64' },
};

describe('property: the size table is the rule', () => {
  test('every pair in the table validates, on its platform', () => {
    for (const platform of FARGATE_PLATFORMS) {
      for (const size of fargateSizes(platform)) {
        const task = fargateTask({
          runtimePlatform: PLATFORM_RUNTIME[platform],
          cpu: String(size.cpuUnits),
          memory: String(size.memoryMiB),
        });
        expect(validateTaskDefinition(task), `${platform} ${size.cpuUnits}/${size.memoryMiB}`).toEqual([]);
      }
    }
  });

  test('every other pair does not', () => {
    const cpuValues = [
      ...new Set(FARGATE_PLATFORMS.flatMap((platform) => cpuOptions(platform).map((o) => o.cpuUnits))),
    ];
    const nearTable = fc.oneof(fc.constantFrom(...cpuValues), fc.integer({ min: 1, max: 20_000 }));
    const memory = fc.oneof(
      fc.integer({ min: 1, max: 130 }).map((gib) => gib * 1024),
      fc.integer({ min: 1, max: 130_000 }),
      fc.constant(512),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...FARGATE_PLATFORMS),
        nearTable,
        memory,
        (platform, cpuUnits, memoryMiB) => {
          const inTable = fargateSizes(platform).some(
            (size) => size.cpuUnits === cpuUnits && size.memoryMiB === memoryMiB,
          );
          const task = fargateTask({
            runtimePlatform: PLATFORM_RUNTIME[platform],
            cpu: String(cpuUnits),
            memory: String(memoryMiB),
          });
          const sizeProblems = validateTaskDefinition(task).filter((problem) => problem.rule === 'task-size');
          expect(sizeProblems.length === 0).toBe(inTable);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Fargate storage and platform version', () => {
  test('ephemeral-storage: 21 to 200 GiB, whole', () => {
    const storage = (sizeInGiB: unknown) => brief(fargateTask({ ephemeralStorage: { sizeInGiB } }));
    expect([21, 100, 200].map(storage)).toEqual([[], [], []]);
    expect([20, 201, 30.5, '50', undefined].map(storage)).toEqual(
      Array(5).fill(['ephemeral-storage ephemeralStorage.sizeInGiB']),
    );
    expect(validateTaskDefinition(fargateTask({ ephemeralStorage: { sizeInGiB: 10 } }))).toEqual([
      {
        rule: 'ephemeral-storage',
        field: 'ephemeralStorage.sizeInGiB',
        value: 10,
        allowed: 'a whole number of GiB from 21 to 200 (Fargate gives 20 GiB free without the field)',
      },
    ]);
    expect(brief(fargateTask({ ephemeralStorage: 50 }))).toEqual(['type ephemeralStorage']);
    expect(brief(fargateTask({ ephemeralStorage: null }))).toEqual([]);
    // EC2 tasks bring their own disk: no Fargate range.
    expect(
      brief(fargateTask({ requiresCompatibilities: ['EC2'], ephemeralStorage: { sizeInGiB: 5 } })),
    ).toEqual([]);
  });

  test('platform-version: 8 and 16 vCPU need 1.4.0 or later, when a version is given', () => {
    const big = (platformVersion: unknown, cpu = '8192', memory = '16384') =>
      brief(fargateTask({ cpu, memory, platformVersion }));
    expect(['LATEST', '1.4.0', '1.10.0', '2.0.0', undefined, null].map((version) => big(version))).toEqual(
      Array(6).fill([]),
    );
    expect(['1.3.0', '1.0.0', '0.9.9', 'latest-ish', 140].map((version) => big(version))).toEqual(
      Array(5).fill(['platform-version platformVersion']),
    );
    expect(
      validateTaskDefinition(fargateTask({ cpu: '16384', memory: '32768', platformVersion: '1.3.0' })),
    ).toEqual([
      {
        rule: 'platform-version',
        field: 'platformVersion',
        value: '1.3.0',
        allowed: 'LATEST or 1.4.0 or later: 16384 CPU units need platform version 1.4.0+',
      },
    ]);
    // Smaller sizes run on every version; a document beside the task definition says it too.
    expect(big('1.3.0', '4096', '8192')).toEqual([]);
    expect(
      brief({ taskDefinition: fargateTask({ cpu: '8192', memory: '16384' }), platformVersion: '1.3.0' }),
    ).toEqual(['platform-version platformVersion']);
    // The CPU value alone needs the version, whatever the memory; without a size nothing is known.
    expect(brief(fargateTask({ cpu: '8192', memory: '3', platformVersion: '1.3.0' }))).toEqual([
      'task-size memory',
      'platform-version platformVersion',
    ]);
    expect(brief(fargateTask({ cpu: undefined, platformVersion: '1.3.0' }))).toEqual(['task-size cpu']);
    expect(
      brief(
        fargateTask({
          cpu: '8192',
          memory: '16384',
          platformVersion: '1.3.0',
          runtimePlatform: { cpuArchitecture: 'MIPS' },
        }),
      ),
    ).toEqual(['platform runtimePlatform.cpuArchitecture']);
  });
});
