import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_OPTIONS } from '@taskscope/cli';
import { startMock } from '@taskscope/mock';
import {
  type Copy,
  type Dockerfile,
  DockerfileParser,
  type Instruction,
  type JSONInstruction,
  type Label,
} from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CLI_BIN } from './helpers/cli.js';

/*
 * No Docker engine runs in CI, so the images are not built here (docker-build.test.ts replays
 * their steps on the host). These check what a parser can: the runtime stage's user, signal,
 * health check, entrypoint, labels and port; that it copies only what the build makes (the
 * agent's: the CLI's bundle alone); and that the compose stack wires the mock, the agent, Prometheus and Grafana together.
 */

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string) => existsSync(new URL(path, root));
const manifest = (path: string) =>
  JSON.parse(read(path)) as {
    name: string;
    bin?: Record<string, string>;
    dependencies?: Record<string, string>;
  };

interface Image {
  readonly file: Dockerfile;
  /** The final stage's instructions. */
  readonly runtime: readonly Instruction[];
  readonly stageNames: readonly (string | null)[];
}

function image(path: string): Image {
  const file = DockerfileParser.parse(read(path));
  const instructions = file.getInstructions();
  const lastFrom = instructions.findLastIndex((i) => i.getKeyword() === 'FROM');
  return {
    file,
    runtime: instructions.slice(lastFrom + 1),
    stageNames: file.getFROMs().map((from) => from.getBuildStage()),
  };
}

const only = (image: Image, keyword: string): Instruction => {
  const found = image.runtime.filter((i) => i.getKeyword() === keyword);
  expect(found, `one ${keyword} in the runtime stage`).toHaveLength(1);
  return found[0]!;
};
const args = (instruction: Instruction) => (instruction.getArgumentsContent() ?? '').trim();
const jsonForm = (instruction: Instruction) => {
  const strings = (instruction as JSONInstruction).getJSONStrings();
  // Exec form: a JSON array, so no shell parses it (and none needs to be in the image).
  expect(args(instruction), `${instruction.getKeyword()} in exec form`).toMatch(/^\[.*\]$/s);
  return strings.map((s) => s.getJSONValue());
};
const labelsOf = (image: Image) =>
  Object.fromEntries(
    image.runtime
      .filter((i) => i.getKeyword() === 'LABEL')
      .flatMap((i) => (i as Label).getProperties().map((p) => [p.getName(), p.getValue()])),
  ) as Record<string, string>;
/** HEALTHCHECK [flags] CMD [...]: the array after CMD. */
const healthcheckOf = (image: Image) => {
  const content = args(only(image, 'HEALTHCHECK'));
  expect(content).toMatch(/^CMD \[/);
  return JSON.parse(content.slice('CMD'.length)) as string[];
};

describe.each([
  ['docker/agent.Dockerfile', 9780],
  ['docker/mock.Dockerfile', 51679],
])('%s', (path, port) => {
  const dockerfile = image(path);

  it('builds in prune, build and runtime stages from a pinned Node 24 LTS image', () => {
    expect(dockerfile.stageNames).toEqual(['prune', 'build', 'runtime']);
    const base = dockerfile.file
      .getInitialARGs()
      .find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE');
    // A patch release and the multi-arch index digest, so a rebuild gets the same bytes.
    expect(base?.getProperty()?.getValue()).toMatch(/^node:24\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}$/);
    for (const from of dockerfile.file.getFROMs()) expect(from.getImage()).toMatch(/^\$\{NODE_IMAGE\}$/);
  });

  it('runs as a non-root user, stops on SIGTERM, checks its health without a shell', () => {
    const user = args(only(dockerfile, 'USER'));
    const [uid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(args(only(dockerfile, 'STOPSIGNAL'))).toBe('SIGTERM');
    expect(args(only(dockerfile, 'EXPOSE'))).toBe(String(port));
    const healthcheck = healthcheckOf(dockerfile);
    expect(healthcheck.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheck[2]).toContain(`http://127.0.0.1:${port}/`);
  });

  it('copies only files the build makes, and its entrypoint is one of them', () => {
    const copies = dockerfile.runtime.filter((i): i is Copy => i.getKeyword() === 'COPY');
    const fromBuild = copies
      .filter((c) => c.getFromFlag()?.getValue() === 'build')
      .map((c) => c.getArguments().map((a) => a.getValue()) as [string, string]);
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const [source] of fromBuild) {
      // The build stage's WORKDIR is /app, a checkout built like this one.
      expect(source).toMatch(/^\/app\/packages\//);
      expect(exists(source.slice('/app/'.length)), `${source} exists after a build`).toBe(true);
    }
    // The script node runs, found through the COPY that puts it there (the runtime WORKDIR is /app).
    const script = jsonForm(only(dockerfile, 'ENTRYPOINT')).find((part) => part.startsWith('/app/'))!;
    const origin = fromBuild
      .map(([source, destination]) => {
        const target = `/app/${destination.replace(/^\.\/?/, '')}`.replace(/\/?$/, '/');
        return script.startsWith(target)
          ? `${source.replace(/\/?$/, '/')}${script.slice(target.length)}`
          : '';
      })
      .find((path) => path !== '');
    expect(origin, `a COPY --from=build puts ${script} in place`).toBeDefined();
    expect(exists(origin!.slice('/app/'.length)), `${origin} exists after a build`).toBe(true);
  });
});

describe('the agent image', () => {
  const agent = image('docker/agent.Dockerfile');

  it("is the CLI's bundle alone, started with the sidecar's node options", () => {
    // One COPY of the bundle (every dependency inside it) and no install: no node_modules.
    const copies = agent.runtime.filter((i): i is Copy => i.getKeyword() === 'COPY');
    expect(
      copies.map((c) => [c.getFromFlag()?.getValue(), ...c.getArguments().map((a) => a.getValue())]),
    ).toEqual([['build', '/app/packages/cli/bundle/', './']]);
    expect(agent.runtime.filter((i) => i.getKeyword() === 'RUN')).toEqual([]);
    // Started with the sidecar's node options, the ones the agent benchmark measures it with.
    expect(jsonForm(only(agent, 'ENTRYPOINT'))).toEqual(['node', ...AGENT_NODE_OPTIONS, '/app/bin.mjs']);
    expect(jsonForm(only(agent, 'CMD'))).toEqual(['agent']);
    expect(healthcheckOf(agent)[2]).toContain('http://127.0.0.1:9780/healthz');
    // The bin of the published package is a shim so that npm links it before the first build
    // (packages/cli/README.md); the image does not use it.
    expect(manifest('packages/cli/package.json').bin?.['taskscope']).toBe('./bin/taskscope.js');
    expect(read('packages/cli/bin/taskscope.js')).toContain("new URL('../dist/bin.js', import.meta.url)");
  });

  it('has the Prometheus discovery labels, equal to the dockerLabels inject writes', () => {
    const labels = labelsOf(agent);
    // CloudWatch agent / ADOT ecs_observer defaults, then prometheus-ecs-discovery's.
    expect(labels).toMatchObject({
      ECS_PROMETHEUS_EXPORTER_PORT: '9780',
      ECS_PROMETHEUS_METRICS_PATH: '/metrics',
      PROMETHEUS_EXPORTER_PORT: '9780',
      PROMETHEUS_EXPORTER_PATH: '/metrics',
    });
    const example = JSON.parse(read('docker/examples/fargate-task-definition.json')) as {
      containerDefinitions: { name: string; dockerLabels?: Record<string, string> }[];
    };
    const sidecar = example.containerDefinitions.find((c) => c.name === 'taskscope');
    for (const [name, value] of Object.entries(sidecar?.dockerLabels ?? {}))
      expect(labels[name], name).toBe(value);
    expect(Object.keys(sidecar?.dockerLabels ?? {})).toHaveLength(4);
  });
});

describe('docker/compose.yaml', () => {
  interface Service {
    image?: string;
    build?: { context: string; dockerfile: string };
    entrypoint?: string[];
    command?: string[];
    environment?: Record<string, string>;
    ports?: string[];
    volumes?: string[];
    read_only?: boolean;
  }
  const compose = parseYaml(read('docker/compose.yaml'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const { services } = compose;
  const fromDocker = (path: string) => fileURLToPath(new URL(path, new URL('docker/', root)));
  const hostSide = (volume: string) => volume.split(':')[0]!;

  it('has the app, the mock as its metadata endpoint, the agent, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['agent', 'app', 'grafana', 'metadata', 'prometheus']);
    expect(services.metadata?.build).toEqual({ context: '..', dockerfile: 'docker/mock.Dockerfile' });
    expect(services.agent?.build).toEqual({ context: '..', dockerfile: 'docker/agent.Dockerfile' });
    for (const service of ['metadata', 'agent', 'app'])
      expect(services[service]?.read_only, service).toBe(true);
    // The app runs on the images' own base, pinned the same.
    const base = image('docker/agent.Dockerfile')
      .file.getInitialARGs()
      .find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE');
    expect(services.app?.image).toBe(base?.getProperty()?.getValue());
    expect(services.agent?.ports).toEqual(['9780:9780']);
    expect(services.prometheus?.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(services.grafana?.image).toMatch(/^grafana\/grafana:12\.\d+\.\d+$/);
  });

  it("points the app and the agent at their own containers' v4 endpoints in the mock's scenario", async () => {
    const command = services.metadata!.command!;
    const listen = command[command.indexOf('--listen') + 1]!;
    const port = listen.split(':')[1];
    expect(services.metadata?.ports).toEqual([`${port}:${port}`]);
    const scenario = command[command.indexOf('--scenario') + 1];
    expect(scenario).toBe('fargate-web');
    const mock = await startMock({ scenario });
    try {
      const endpointOf = (container: string) =>
        mock.endpoints.find((e) => e.containerName === container)?.endpointId;
      expect(services.agent?.environment?.ECS_CONTAINER_METADATA_URI_V4).toBe(
        `http://metadata:${port}/v4/${endpointOf('taskscope')}`,
      );
      expect(services.app?.environment?.ECS_CONTAINER_METADATA_URI_V4).toBe(
        `http://metadata:${port}/v4/${endpointOf('app')}`,
      );
    } finally {
      await mock.close();
    }
  });

  it('gives Prometheus the generated rules and a scrape of the agent', () => {
    const volumes = services.prometheus!.volumes!;
    for (const volume of volumes) expect(existsSync(fromDocker(hostSide(volume))), volume).toBe(true);
    const rules = volumes.find((v) => hostSide(v) === '../packages/dashboards/rules/taskscope.rules.yml');
    expect(rules).toBeDefined();
    const config = parseYaml(read('docker/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual([rules!.split(':')[1]]);
    expect(config.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets))).toEqual([
      'agent:9780',
    ]);
  });

  it("provisions Grafana with a Prometheus data source and taskscope's dashboard, kept current", async () => {
    const volumes = services.grafana!.volumes!;
    expect(volumes).toEqual([
      './grafana/provisioning:/etc/grafana/provisioning:ro',
      './grafana/dashboards:/var/lib/grafana/dashboards:ro',
    ]);
    const datasources = parseYaml(read('docker/grafana/provisioning/datasources/prometheus.yaml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(datasources.datasources).toMatchObject([
      { uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' },
    ]);
    const providers = parseYaml(read('docker/grafana/provisioning/dashboards/taskscope.yaml')) as {
      providers: { options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual(['/var/lib/grafana/dashboards']);
    expect(readdirSync(fromDocker('grafana/dashboards'))).toEqual(['taskscope.json']);
    // The committed file is what the CLI prints (formatted by Biome, so compared as values):
    // regenerate it with the command in docker/README.md when the dashboard changes.
    const printed = await runCli(['dashboards', 'grafana', '--datasource', datasources.datasources[0]!.uid]);
    expect(printed.code).toBe(0);
    expect(JSON.parse(read('docker/grafana/dashboards/taskscope.json'))).toEqual(JSON.parse(printed.stdout));
  });
});

it('taskscope validate accepts every task definition in docker/', async () => {
  const files = [
    'docker/task-definition.example.json',
    ...readdirSync(new URL('docker/examples/', root))
      .filter((name) => name.endsWith('.json'))
      .map((name) => `docker/examples/${name}`),
  ];
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const file of files) {
    const result = await runCli(['validate', fileURLToPath(new URL(file, root))]);
    expect([result.code, result.stdout.trim()], file).toEqual([
      0,
      `${fileURLToPath(new URL(file, root))}: no problems`,
    ]);
  }
});

function runCli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...argv],
      { maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
      },
    );
  });
}
