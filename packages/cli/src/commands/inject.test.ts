import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHUTDOWN_BUDGET_MS } from '@taskscope/agent';
import {
  FARGATE_PLATFORMS,
  type FargatePlatform,
  fargateSizes,
  MAX_CONTAINERS,
  validateTaskDefinition,
} from '@taskscope/fargate';
import { PAYLOADS_DIR, TASK_DEFINITIONS_DIR } from '@taskscope/fixtures';
import { REPO_ROOT } from '@taskscope/test-support';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';
import { DEFAULT_IMAGE } from './inject.js';
import {
  healthCheckCommand,
  injectSidecar,
  SIDECAR_DEFAULTS,
  type SidecarOptions,
} from './inject-sidecar.js';

const FARGATE_WEB = join(
  TASK_DEFINITIONS_DIR,
  'awsdocs-amazon-ecs-developer-guide/fargate-linux-webserver.json',
);
const WINDOWS_WEB = join(
  TASK_DEFINITIONS_DIR,
  'awsdocs-amazon-ecs-developer-guide/fargate-windows-webserver.json',
);
const DESCRIBED = join(TASK_DEFINITIONS_DIR, 'aws-aws-cli/ecs-describe-task-definition.json');
const IMAGE = 'ghcr.io/taskscope/taskscope:0.1.0';

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

async function run(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(['inject', ...argv], io);
  return {
    code,
    stdout: stdout(),
    stderr: stderr(),
    json: () => JSON.parse(stdout()) as Record<string, unknown>,
  };
}

type Container = Record<string, unknown>;
const containersOf = (task: Record<string, unknown>) => task.containerDefinitions as Container[];
const sidecarOf = (task: Record<string, unknown>) => containersOf(task).at(-1)!;

afterEach(() => {
  for (const name of Object.keys(process.env))
    if (name.startsWith('TASKSCOPE_INJECT_')) delete process.env[name];
});

describe('taskscope inject', () => {
  it("adds the sidecar to AWS's Fargate web server: the docker/examples file, which validate accepts", async () => {
    const result = await run(FARGATE_WEB, '--image', IMAGE, '--exporters', 'prometheus,emf');
    expect([result.code, result.stderr]).toEqual([0, '']);
    const example = await readJson(join(REPO_ROOT, 'docker/examples/fargate-task-definition.json'));
    expect(result.json()).toEqual(example);
    expect(validateTaskDefinition(example)).toEqual([]);
    const [app, sidecar] = containersOf(example);
    expect(app!.dependsOn).toEqual([{ containerName: 'taskscope', condition: 'START' }]);
    expect(sidecar).toMatchObject({
      name: 'taskscope',
      essential: false,
      cpu: 64,
      memoryReservation: 64,
      memory: 128,
      portMappings: [{ containerPort: 9780, protocol: 'tcp' }],
      environment: [{ name: 'TASKSCOPE_EXPORTERS', value: 'prometheus,emf' }],
      logConfiguration: app!.logConfiguration,
      readonlyRootFilesystem: true,
    });
  });

  it('reads describe-task-definition output and prints what register-task-definition accepts: the EC2 example', async () => {
    const result = await run(DESCRIBED, '--image', IMAGE);
    expect(result.code).toBe(0);
    const output = result.json();
    expect(output).toEqual(await readJson(join(REPO_ROOT, 'docker/examples/ec2-task-definition.json')));
    expect(Object.keys(output)).toEqual(['volumes', 'containerDefinitions', 'family']);
    expect(validateTaskDefinition(output)).toEqual([]);
    // Neither the application containers nor AWS's sample mapped a log configuration to copy.
    expect(sidecarOf(output).logConfiguration).toBeUndefined();
  });

  it('every task definition in docker/ passes validate', async () => {
    for (const file of [
      'examples/fargate-task-definition.json',
      'examples/ec2-task-definition.json',
      'task-definition.example.json',
    ])
      expect(validateTaskDefinition(await readJson(join(REPO_ROOT, 'docker', file))), file).toEqual([]);
  });

  it('drops every read-only field and keeps the tags describe prints beside the task definition', () => {
    const described = {
      taskDefinition: {
        family: 'web',
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
        revision: 3,
        status: 'ACTIVE',
        requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: '2026-11-30T10:00:00.000Z',
        registeredBy: 'arn:aws:iam::123456789012:user/ops',
        deregisteredAt: '2026-12-01T10:00:00.000Z',
        containerDefinitions: [{ name: 'app', image: 'nginx', memory: 256 }],
      },
      tags: [{ key: 'team', value: 'web' }],
    };
    const output = injectSidecar(described, options());
    expect(Object.keys(output)).toEqual(['family', 'containerDefinitions', 'tags']);
    expect((output as Record<string, unknown>).tags).toEqual([{ key: 'team', value: 'web' }]);
  });

  it('--name, --port, --cpu, --memory and --exporters shape the sidecar; --out writes the file', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'taskscope-inject-')), 'out.json');
    process.env.TASKSCOPE_INJECT_PORT = '9100';
    const result = await run(
      FARGATE_WEB,
      '--name',
      'agent',
      '--cpu',
      '32',
      '--memory',
      '64',
      '--exporters',
      'OTLP',
      '--out',
      out,
    );
    expect([result.code, result.stdout, result.stderr]).toEqual([0, '', '']);
    const written = await readJson(out);
    expect(sidecarOf(written)).toEqual({
      name: 'agent',
      image: DEFAULT_IMAGE,
      essential: false,
      cpu: 32,
      memory: 64,
      command: ['agent'],
      environment: [
        { name: 'TASKSCOPE_LISTEN', value: '0.0.0.0:9100' },
        { name: 'TASKSCOPE_EXPORTERS', value: 'otlp' },
      ],
      portMappings: [{ containerPort: 9100, protocol: 'tcp' }],
      healthCheck: {
        command: healthCheckCommand(9100),
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 10,
      },
      stopTimeout: 10,
      readonlyRootFilesystem: true,
      logConfiguration: containersOf(written)[0]!.logConfiguration,
    });
    expect(validateTaskDefinition(written)).toEqual([]);
    expect(DEFAULT_IMAGE).toBe('ghcr.io/taskscope/taskscope:0.1.0');
  });

  it('takes only the CPU the containers leave, down to 0, and a Windows task only with a Windows image', async () => {
    const task = await readJson(WINDOWS_WEB);
    expect(injectSidecar(task, options())).toEqual({
      refused:
        'the taskscope image is Linux only; a Windows task needs a Windows build of the agent (--image)',
    });
    // AWS's Windows sample gives its container all 2048 CPU units and all 4096 MiB.
    expect(injectSidecar(task, options({ imageGiven: true }))).toEqual({
      refused:
        "the sidecar needs 64 MiB of the task's memory and its containers leave 0 of 4096: lower a container's memoryReservation or choose a larger task size",
    });
    const roomy = {
      ...task,
      containerDefinitions: [{ ...containersOf(task)[0], memory: undefined, memoryReservation: 2048 }],
    };
    const output = injectSidecar(roomy, options({ imageGiven: true })) as Record<string, unknown>;
    expect(sidecarOf(output)).toMatchObject({ cpu: 0, memoryReservation: 64, memory: 128 });
    expect(sidecarOf(output).readonlyRootFilesystem).toBeUndefined();
    expect(validateTaskDefinition(output)).toEqual([]);
  });

  it('refuses, exit 1 with the reason: a container of that name, a port already mapped, no room', async () => {
    expect(await run(FARGATE_WEB, '--name', 'sample-fargate-app')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `taskscope: cannot add the sidecar to ${FARGATE_WEB}: a container is already named "sample-fargate-app"; give the sidecar another with --name\n`,
    });
    expect((await run(FARGATE_WEB, '--port', '80')).stderr).toBe(
      `taskscope: cannot add the sidecar to ${FARGATE_WEB}: container "sample-fargate-app" maps port 80; give the agent another with --port\n`,
    );
    expect((await run(FARGATE_WEB, '--cpu', '512')).stderr).toBe(
      `taskscope: cannot add the sidecar to ${FARGATE_WEB}: --cpu 512: the task's containers leave 256 of its 256 CPU units\n`,
    );
    expect((await run(FARGATE_WEB, '--memory', '1024')).stderr).toBe(
      `taskscope: cannot add the sidecar to ${FARGATE_WEB}: --memory 1024: above the task's memory, 512 MiB\n`,
    );
    const ten = {
      containerDefinitions: Array.from({ length: MAX_CONTAINERS }, (_, i) => ({
        name: `c${i}`,
        image: 'x',
        memory: 64,
      })),
    };
    expect(injectSidecar(ten, options())).toEqual({
      refused: 'the task has 10 containers, the most a task definition holds',
    });
    const busy = { cpu: '256', memory: '512', containerDefinitions: [{ name: 'a', image: 'x', cpu: 300 }] };
    expect(injectSidecar(busy, options())).toEqual({
      refused: "the task's containers leave 0 of its 256 CPU units",
    });
  });

  it('exit 2 for bad flags and for a document that is no task definition', async () => {
    const exporters = await run(FARGATE_WEB, '--exporters', 'statsd');
    expect([exporters.code, exporters.stderr]).toEqual([
      2,
      'taskscope: invalid agent configuration: --exporters is "statsd" (string); expected a comma list of prometheus, otlp, emf ("statsd" is not one)\n',
    ]);
    for (const [flag, value, words] of [
      ['--port', '70000', 'expected a port from 1 to 65535'],
      ['--name', 'my sidecar', 'expected up to 255 letters, digits, hyphens and underscores'],
      ['--memory', '4', 'expected a whole number of MiB ≥ 6'],
      ['--image', ' ', 'expected an image reference'],
      ['--cpu', '-1', 'expected a whole number ≥ 0'],
    ] as const) {
      const result = await run(FARGATE_WEB, flag, value);
      expect([result.code, result.stderr], flag).toEqual([2, expect.stringContaining(words)]);
    }
    const notTask = await run(join(PAYLOADS_DIR, 'awsdocs-amazon-ecs-developer-guide/v4-task-metadata.json'));
    expect([notTask.code, notTask.stderr]).toEqual([
      2,
      expect.stringContaining('no "containerDefinitions" array; expected a task definition'),
    ]);
  });

  it("the health check is the image's HEALTHCHECK, and the stop timeout outlasts the agent's shutdown budget", async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'docker/agent.Dockerfile'), 'utf8');
    const imageCheck = /^\s+CMD (\[.+\])$/m.exec(dockerfile)?.[1];
    expect(['CMD', ...(JSON.parse(imageCheck!) as string[])]).toEqual(healthCheckCommand(9780));
    const sidecar = sidecarOf(
      injectSidecar(await readJson(FARGATE_WEB), options()) as Record<string, unknown>,
    );
    expect((sidecar.stopTimeout as number) * 1000).toBeGreaterThan(SHUTDOWN_BUDGET_MS);
    expect(SIDECAR_DEFAULTS).toEqual({ cpuUnits: 64, memoryReservationMiB: 64, memoryMiB: 128 });
  });
});

function options(overrides: Partial<SidecarOptions> = {}): SidecarOptions {
  return { image: IMAGE, imageGiven: false, name: 'taskscope', port: 9780, prometheus: true, ...overrides };
}

const RUNTIME: Record<FargatePlatform, Record<string, string>> = {
  'linux/x86_64': { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
  'linux/arm64': { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
  windows: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture: 'X86_64' },
};

/** Task definitions built to pass validate: a size from the table, slices within it, distinct names and ports. */
const validTaskDefinitions = fc
  .record({
    fargate: fc.boolean(),
    platform: fc.constantFrom(...FARGATE_PLATFORMS),
    sizeIndex: fc.nat(),
    sized: fc.boolean(),
    networkMode: fc.constantFrom('bridge', 'awsvpc', 'host', undefined),
    containers: fc.array(
      fc.record({
        cpuShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        reservationShare: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        hardLimit: fc.boolean(),
        essential: fc.option(fc.boolean(), { nil: undefined }),
        ports: fc.nat({ max: 2 }),
        agentPort: fc.boolean(),
        dependsOnPrevious: fc.boolean(),
        logs: fc.boolean(),
        named: fc.constantFrom('plain', 'plain', 'plain', 'taskscope'),
      }),
      { minLength: 1, maxLength: MAX_CONTAINERS },
    ),
  })
  .map(({ fargate, platform, sizeIndex, sized, networkMode, containers }) => {
    const sizes = fargateSizes(platform);
    const size = fargate || sized ? sizes[sizeIndex % sizes.length]! : undefined;
    const n = containers.length;
    const cpuEach = size === undefined ? 512 : Math.floor(size.cpuUnits / n);
    const memoryEach = size === undefined ? 512 : Math.floor(size.memoryMiB / n);
    const definitions = containers.map((c, i) => {
      const reservation =
        c.reservationShare === undefined ? undefined : 6 + Math.floor(c.reservationShare * (memoryEach - 6));
      const container: Container = {
        name: c.named === 'taskscope' ? 'taskscope' : `c${i}`,
        image: `img${i}`,
      };
      if (c.cpuShare !== undefined) container.cpu = Math.floor(c.cpuShare * cpuEach);
      // Without a task memory (EC2, unsized) every container needs one of the two.
      if (reservation !== undefined) container.memoryReservation = reservation;
      if (c.hardLimit && reservation !== undefined && size !== undefined && reservation < size.memoryMiB)
        container.memory = reservation + 1 + Math.floor((size.memoryMiB - reservation - 1) / 2);
      if (reservation === undefined && (size === undefined || c.hardLimit))
        container.memory = Math.max(6, memoryEach);
      if (i === 0) container.essential = true;
      else if (c.essential !== undefined) container.essential = c.essential;
      const ports = Array.from({ length: c.ports }, (_, j) => ({
        containerPort: c.agentPort && j === 0 ? 9780 : 1000 + i * 10 + j,
      }));
      if (ports.length > 0) container.portMappings = ports;
      if (i > 0 && c.dependsOnPrevious)
        container.dependsOn = [{ containerName: `c${i - 1}`, condition: 'START' }];
      if (c.logs)
        container.logConfiguration = { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${i}` } };
      return container;
    });
    const task: Record<string, unknown> = { family: 'generated', containerDefinitions: definitions };
    if (fargate) {
      task.requiresCompatibilities = ['FARGATE'];
      task.networkMode = 'awsvpc';
      task.runtimePlatform = RUNTIME[platform];
    } else if (networkMode !== undefined) task.networkMode = networkMode;
    if (size !== undefined) {
      task.cpu = String(size.cpuUnits);
      task.memory = String(size.memoryMiB);
    }
    return task;
  });

const sidecarOptions = fc.record({
  port: fc.constantFrom(9780, 9100),
  cpuUnits: fc.option(fc.nat({ max: 128 }), { nil: undefined }),
  memoryMiB: fc.option(fc.integer({ min: 6, max: 512 }), { nil: undefined }),
  name: fc.constantFrom('taskscope', 'agent'),
  imageGiven: fc.boolean(),
});

describe('property: validate accepts what inject prints whenever it accepts the input', () => {
  it('holds over generated task definitions, and inject refuses only for a reason it names', () => {
    let injected = 0;
    fc.assert(
      fc.property(validTaskDefinitions, sidecarOptions, (task, flags) => {
        fc.pre(validateTaskDefinition(task).length === 0);
        const { cpuUnits, memoryMiB, ...rest } = flags;
        const result = injectSidecar(task, {
          ...options(rest),
          ...(cpuUnits === undefined ? {} : { cpuUnits }),
          ...(memoryMiB === undefined ? {} : { memoryMiB }),
        });
        if ('refused' in result) {
          expect(result.refused).toMatch(
            /^(a container is already named|container "[^"]+" maps port|the task has 10 containers|the taskscope image is Linux only|the sidecar needs \d+ MiB|--cpu \d+:|--memory \d+:)/,
          );
          return;
        }
        injected += 1;
        expect(validateTaskDefinition(result)).toEqual([]);
        expect(containersOf(result)).toHaveLength(containersOf(task).length + 1);
      }),
      { numRuns: 1500 },
    );
    // The generator is built to give mostly injectable tasks: the property must not hold vacuously.
    expect(injected).toBeGreaterThan(500);
  });
});
