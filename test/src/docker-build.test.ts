import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WaitGaveUpError, waitFor } from '@taskscope/test-support';
import { type Copy, DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { getText, parseExposition, select } from './helpers/http.js';

/*
 * No Docker engine runs in CI, so this replays the images' Dockerfiles on the host: the
 * prune stage's RUN (turbo prune) into a temporary folder, the runtime stage's COPY and RUN
 * instructions as written (npm ci from the npm cache, offline), then starts each image's
 * ENTRYPOINT + CMD with plain node from that folder. What the image would carry is what the
 * processes run with: a COPY of a file the build does not make, a dependency the install
 * drops, a module the runtime stage leaves out but the command loads all fail here.
 *
 * The build stage is not replayed: its output is this checkout's own build (test/turbo.json
 * makes `test` depend on `^build`), so a runtime COPY --from=build of /app/X reads ./X.
 */

const execFileAsync = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Replayed {
  /** The folder standing for the image's root: /app/... is join(root, 'app', ...). */
  readonly root: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Bytes under the runtime stage's WORKDIR: the code and its production node_modules. */
  readonly payloadBytes: number;
}

const work = mkdtempSync(join(tmpdir(), 'taskscope-image-'));
let agentImage: Replayed;
let mockImage: Replayed;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // Side by side: an install spends most of its time waiting on the disk.
  [mockImage, agentImage] = await Promise.all([
    replay('docker/mock.Dockerfile', join(work, 'mock')),
    replay('docker/agent.Dockerfile', join(work, 'agent')),
  ]);
  for (const [name, image] of [
    ['agent', agentImage],
    ['mock', mockImage],
  ] as const) {
    console.log(`${name} image payload (what it adds on top of Node): ${mib(image.payloadBytes)} MiB`);
  }
}, 240_000);

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

test('the replayed images run: the mock serves a task, the agent exports its containers, stops on SIGTERM', async () => {
  const mock = start(mockImage, [...mockImage.entrypoint, ...withLoopbackListen(mockImage.cmd)]);
  const v4Url = (await mock.waitForLine(/^v4 http:\/\//)).slice('v4 '.length);

  const agent = start(agentImage, [...agentImage.entrypoint, ...agentImage.cmd, '--listen', '127.0.0.1:0'], {
    ECS_CONTAINER_METADATA_URI_V4: v4Url,
  });
  const { url } = JSON.parse(await agent.waitForLine(/"msg":"agent started"/)) as { url: string };
  await waitFor('readiness', async () => ((await fetch(`${url}readyz`)).status === 200 ? true : undefined), {
    timeoutMs: 60_000,
  });
  // The fargate-web scenario's three containers, with a CPU counter each. A fresh mock's
  // containers get their first stats at their own first refresh, so ready (one good poll) may
  // come before all three have one: wait for the exposition to show them.
  const samples = await waitFor('a CPU counter for each of the three containers', async () => {
    const exposed = parseExposition(await getText(`${url}metrics`));
    return select(exposed, 'ecs_container_cpu_usage_seconds_total').length === 3 ? exposed : undefined;
  });
  const cpu = select(samples, 'ecs_container_cpu_usage_seconds_total');
  expect(cpu.map((s) => s.labels.container_name).sort()).toEqual(['app', 'taskscope', 'worker']);
  for (const sample of cpu) expect(sample.value).toBeGreaterThanOrEqual(0);
  expect(select(samples, 'ecs_task_memory_limit_bytes')[0]?.value).toBeGreaterThan(0);

  // The image's HEALTHCHECK, exec form, on the port the agent took here instead of 9780.
  const port = new URL(url).port;
  const check = agentImage.healthcheck.map((part) => part.replace(':9780/', `:${port}/`));
  expect(check.join(' ')).toContain(`127.0.0.1:${port}/healthz`);
  await expect(run(agentImage, check)).resolves.toMatchObject({ code: 0 });

  // The image's STOPSIGNAL (SIGTERM, checked in docker.test.ts): the agent drains and exits 0.
  agent.child.kill('SIGTERM');
  expect(await agent.exited).toBe(0);
  mock.child.kill('SIGTERM');
  expect(await mock.exited).toBe(0);
  // Nothing listens any more: the same check now fails.
  await expect(run(agentImage, check)).resolves.toMatchObject({ code: 1 });
});

test('the agent image is the bundle: no node_modules, at most 15 MiB, and every command works', async () => {
  const app = join(agentImage.root, 'app');
  expect(existsSync(join(app, 'node_modules'))).toBe(false);
  expect(existsSync(join(app, 'bin.mjs'))).toBe(true);
  // Issue #14's goal for what the image adds on top of Node.
  expect(agentImage.payloadBytes).toBeLessThanOrEqual(15 * 2 ** 20);

  // The Grafana builders are a chunk of the bundle: the image prints a dashboard too.
  const result = await run(agentImage, [...agentImage.entrypoint, 'dashboards', 'grafana']);
  expect([result.code, result.stderr]).toEqual([0, '']);
  expect((JSON.parse(result.stdout) as { title?: string }).title).toMatch(/taskscope/i);
  const help = await run(agentImage, [...agentImage.entrypoint, '--help']);
  expect(help.code).toBe(0);
  const helpText = help.stdout.replace(/\s+/g, ' ');
  for (const command of ['agent', 'mock', 'top', 'inject', 'validate', 'rightsize', 'dashboards'])
    expect(helpText).toContain(` ${command} `);
});

test('the mock image carries the mock alone: the agent command is not in it', async () => {
  const result = await run(mockImage, ['node', '/app/packages/cli/dist/bin.js', 'agent']);
  expect([result.code, result.stderr]).toEqual([
    2,
    expect.stringContaining('it leaves out @taskscope/agent'),
  ]);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

// ---------------------------------------------------------------------------------------------

/** Replays `dockerfile` into `root` and returns how to start what it built. */
async function replay(dockerfile: string, root: string): Promise<Replayed> {
  const stages = stagesOf(readFileSync(join(REPO, dockerfile), 'utf8'));
  const prune = stages.get('prune');
  const runtime = [...stages.values()].at(-1)!;
  expect(prune, `${dockerfile} has a prune stage`).toBeDefined();
  expect(stages.has('build'), `${dockerfile} has a build stage`).toBe(true);

  // The prune stage: its context copy is this checkout; its RUN is turbo prune, made to write
  // into the temporary folder rather than the checkout (/src/out/... → <root>/src/out/...).
  const pruneWorkdir = argumentsOf(prune!.find((i) => i.getKeyword() === 'WORKDIR')!);
  const pruneRuns = prune!.filter((i) => i.getKeyword() === 'RUN').map(argumentsOf);
  expect(pruneRuns).toHaveLength(1);
  expect(pruneRuns[0]).toMatch(/\bturbo@[\d.]+ prune @taskscope\/cli --docker$/);
  // Both images prune alike; the same command runs once and each copies its output.
  const pruneEnv = Object.fromEntries(
    prune!.filter((i) => i.getKeyword() === 'ENV').map((i) => argumentsOf(i).split('=') as [string, string]),
  );
  const pruned = await prunedOnce(pruneRuns[0]!, pruneEnv);
  cpSync(pruned, join(root, pruneWorkdir, 'out'), { recursive: true });

  // The runtime stage, instruction by instruction.
  const env: Record<string, string> = {};
  let workdir = '/';
  const result: { entrypoint?: string[]; cmd?: string[]; healthcheck?: string[] } = {};
  for (const instruction of runtime) {
    const keyword = instruction.getKeyword();
    const args = argumentsOf(instruction);
    if (keyword === 'ENV') {
      const [name, value] = args.split('=');
      env[name!] = value!;
    } else if (keyword === 'WORKDIR') {
      workdir = args;
    } else if (keyword === 'COPY') {
      const copy = instruction as Copy;
      const from = copy.getFromFlag()?.getValue();
      const [source, destination] = copy.getArguments().map((a) => a.getValue());
      // build → this checkout (built); any other stage → what its replay wrote under root.
      const sourcePath = from === 'build' ? join(REPO, source!.replace(/^\/app\//, '')) : join(root, source!);
      expect(
        existsSync(sourcePath),
        `${dockerfile}: COPY --from=${from} ${source} exists after a build`,
      ).toBe(true);
      cpSync(sourcePath, join(root, workdir, destination!), { recursive: true });
    } else if (keyword === 'RUN') {
      await sh(args, join(root, workdir), env);
    } else if (keyword === 'ENTRYPOINT' || keyword === 'CMD') {
      result[keyword === 'CMD' ? 'cmd' : 'entrypoint'] = jsonForm(instruction);
    } else if (keyword === 'HEALTHCHECK') {
      // After its flags, `CMD [...]`: the exec form.
      result.healthcheck = JSON.parse(args.replace(/^CMD\s+/, '')) as string[];
    }
  }
  return {
    root,
    entrypoint: result.entrypoint!,
    cmd: result.cmd ?? [],
    healthcheck: result.healthcheck!,
    env,
    payloadBytes: bytesUnder(join(root, workdir)),
  };
}

const prunes = new Map<string, Promise<string>>();

/** The folder `turbo prune` wrote, run once per distinct command and environment. */
function prunedOnce(command: string, env: Record<string, string>): Promise<string> {
  const key = JSON.stringify([command, env]);
  let out = prunes.get(key);
  if (out === undefined) {
    const dir = join(work, `prune-${prunes.size}`);
    out = sh(`${command} --out-dir ${dir}`, REPO, env).then(() => dir);
    prunes.set(key, out);
  }
  return out;
}

/** The instructions of each stage, by stage name (or index), in order. */
function stagesOf(text: string): Map<string, Instruction[]> {
  const stages = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      const name = instruction.getArguments()[2]?.getValue() ?? String(stages.size);
      stages.set(name, current);
    } else current?.push(instruction);
  }
  return stages;
}

/** The instruction's arguments without its flags (RUN's --mount, COPY's --from), continuations joined. */
function argumentsOf(instruction: Instruction): string {
  return (instruction.getArgumentsContent() ?? '').replace(/\s+/g, ' ').trim();
}

function jsonForm(instruction: Instruction): string[] {
  return (instruction as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
}

/** Runs a RUN line with /bin/sh, as Docker's shell form does; npm reads only its cache. */
async function sh(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  await execFileAsync('sh', ['-c', command], {
    cwd,
    env: { ...process.env, ...env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** The image's argv on this host: `node` is this node, /app/... the replayed folder. */
function hostArgv(image: Replayed, argv: readonly string[]): [string, string[]] {
  const [command, ...rest] = argv.map((part) => (part.startsWith('/app/') ? join(image.root, part) : part));
  expect(command).toBe('node');
  return [process.execPath, rest];
}

/** A free loopback port instead of the image's 0.0.0.0:51679 (ports come from the OS). */
function withLoopbackListen(cmd: readonly string[]): string[] {
  const at = cmd.indexOf('--listen');
  expect(at).toBeGreaterThanOrEqual(0);
  return cmd.map((part, i) => (i === at + 1 ? '127.0.0.1:0' : part));
}

function start(image: Replayed, argv: readonly string[], env: Record<string, string> = {}) {
  const [command, args] = hostArgv(image, argv);
  const child = spawn(command, args, {
    cwd: join(image.root, 'app'),
    env: { ...process.env, ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const split = (partial + chunk).split('\n');
      partial = split.pop()!;
      lines.push(...split);
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    exited,
    waitForLine: (pattern: RegExp) =>
      waitFor(
        `a line matching ${pattern} from ${argv.join(' ')}`,
        () => {
          if (child.exitCode !== null)
            throw new WaitGaveUpError(`exited ${child.exitCode}: ${lines.join('\n').slice(-2000)}`);
          return lines.find((line) => pattern.test(line));
        },
        // A last resort: a child can take 20 s to start on a busy 2-core machine (issue #9).
        { timeoutMs: 60_000 },
      ),
  };
}

function run(
  image: Replayed,
  argv: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, args] = hostArgv(image, argv);
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: join(image.root, 'app'), env: { ...process.env, ...image.env } },
      (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : error ? 1 : 0, stdout, stderr });
      },
    );
  });
}

/** Bytes of the files under `dir`, symlinks counted as links (as an image layer stores them). */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : lstatSync(path).size;
  }
  return total;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
