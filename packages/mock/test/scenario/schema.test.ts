import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  builtInScenario,
  builtInScenarioNames,
  loadScenario,
  parseScenarioText,
  ScenarioError,
  validateScenarioValue,
} from '../../src/scenario/index.js';

const MINIMAL_YAML = `
task:
  cluster: prod
  family: web
  revision: 3
  region: us-east-1
  accountId: "123456789012"
  launchType: FARGATE
  cpu: 0.5
  memory: 1024
containers:
  - name: app
    image: nginx:1.27
`;

/** The message of the ScenarioError that parsing `text` throws. */
function problemOf(text: string, format: 'json' | 'yaml' = 'yaml'): ScenarioError {
  try {
    parseScenarioText(text, format, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).code).toBe('MOCK_SCENARIO');
    return error as ScenarioError;
  }
  throw new Error('expected a ScenarioError');
}

/** The minimal document with one container field set (YAML lines under the container). */
function withContainer(lines: string): string {
  return `${MINIMAL_YAML}${lines
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
}

test('a minimal Fargate file gets every default', () => {
  const scenario = parseScenarioText(MINIMAL_YAML, 'yaml', 'scenarios/minimal.yaml');
  expect(scenario).toMatchObject({
    name: 'minimal',
    networkMode: 'awsvpc',
    cgroup: 'v1',
    cadenceMs: 10_000,
    host: { onlineCpus: 2 },
    network: { interfaceName: 'eth1', subnetCidrBlock: '10.0.0.0/17', ipv6: false },
    task: {
      revision: '3',
      availabilityZone: 'us-east-1a',
      platformVersion: '1.4.0',
      cpuVcpus: 0.5,
      memoryMiB: 1024,
      ephemeralStorage: { sizeGiB: 20, utilizedMiB: 200 },
    },
  });
  const [app] = scenario.containers;
  expect(app).toMatchObject({
    name: 'app',
    cpuUnits: 0,
    essential: true,
    state: 'RUNNING',
    restartPolicy: false,
  });
  expect(app!.load.cpuCores).toEqual({ shape: { kind: 'constant', value: 0.05 }, noise: 0 });
  expect(app!.load.memoryWorkingSetBytes.shape).toEqual({ kind: 'constant', value: 64 * 1024 ** 2 });
});

test('JSON and YAML of the same document give the same scenario', () => {
  const yaml = withContainer(`
load:
  cpuCores: { sine: { mean: 0.3, amplitude: 0.1, period: 5m, phase: 30s }, noise: 0.02 }
  memoryWorkingSetBytes: 200MiB
  networkRxBytesPerSecond: { spikes: { base: 1KiB, peak: 2MB, every: 1m, duration: 5s } }
events:
  - { at: 10m, action: restart }
  - { at: 20m, action: stop, exitCode: 137 }`);
  const fromYaml = parseScenarioText(yaml, 'yaml', 'same.yaml');
  const json = JSON.stringify({
    task: {
      cluster: 'prod',
      family: 'web',
      revision: '3',
      region: 'us-east-1',
      accountId: '123456789012',
      launchType: 'FARGATE',
      cpu: 0.5,
      memory: 1024,
    },
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        load: {
          cpuCores: { sine: { mean: 0.3, amplitude: 0.1, period: 300_000, phase: '30s' }, noise: 0.02 },
          memoryWorkingSetBytes: 200 * 1024 ** 2,
          networkRxBytesPerSecond: { spikes: { base: 1024, peak: '2MB', every: '1m', duration: '5s' } },
        },
        events: [
          { at: '10m', action: 'restart' },
          { at: 1_200_000, action: 'stop', exitCode: 137 },
        ],
      },
    ],
  });
  expect(parseScenarioText(json, 'json', 'same.json')).toEqual(fromYaml);
  expect(fromYaml.containers[0]!.load.networkRxBytesPerSecond.shape).toEqual({
    kind: 'spikes',
    base: 1024,
    peak: 2_000_000,
    everyMs: 60_000,
    durationMs: 5000,
    offsetMs: 0,
  });
  expect(fromYaml.containers[0]!.events).toEqual([
    { atMs: 600_000, action: 'restart' },
    { atMs: 1_200_000, action: 'stop', exitCode: 137 },
  ]);
});

describe('one message naming the field, the value and what is allowed', () => {
  test.each([
    [
      'an unknown field',
      withContainer('lod: {}'),
      'scenario test.yaml: field "containers.0.lod" is {} (object); expected no such field (check the spelling against SCENARIOS.md)',
    ],
    [
      'a bad launch type',
      MINIMAL_YAML.replace('FARGATE', 'LAMBDA'),
      'scenario test.yaml: field "task.launchType" is "LAMBDA" (string); expected FARGATE or EC2',
    ],
    [
      'a Fargate CPU/memory pair that does not exist',
      MINIMAL_YAML.replace('memory: 1024', 'memory: 8192'),
      'scenario test.yaml: field "task.memory" is 8192 (number); expected with 0.5 vCPU on Fargate, 1024 to 4096 MiB in steps of 1024',
    ],
    [
      'reads spread over a whole refresh',
      `readSpread: 10s\n${MINIMAL_YAML}`,
      'scenario test.yaml: field "readSpread" is "10s" (string); expected from 0ms to below the cadence (10000 ms)',
    ],
    [
      'bridge on Fargate',
      `networkMode: bridge\n${MINIMAL_YAML}`,
      'scenario test.yaml: field "networkMode" is "bridge" (string); expected awsvpc (the only network mode on Fargate)',
    ],
    [
      'a duration without a unit it knows',
      withContainer('load: { cpuCores: { sine: { mean: 0.2, amplitude: 0.1, period: 5 minutes } } }'),
      'scenario test.yaml: field "containers.0.load.cpuCores.sine.period" is "5 minutes" (string); expected a duration such as "500ms", "10s", "5m", "1h" or a number of milliseconds, above 0',
    ],
    [
      'a sine that goes below zero',
      withContainer('load: { cpuCores: { sine: { mean: 0.2, amplitude: 0.3, period: 1m } } }'),
      'scenario test.yaml: field "containers.0.load.cpuCores.sine.amplitude" is 0.3 (number); expected at most the mean 0.2 (a load never goes below 0)',
    ],
    [
      'a size it cannot read',
      withContainer('load: { memoryWorkingSetBytes: 12 parsecs }'),
      'scenario test.yaml: field "containers.0.load.memoryWorkingSetBytes" is "12 parsecs" (string); expected a size in bytes: a number or a string such as "64MiB", "1.5GB"',
    ],
    [
      'a CPU load above the task',
      withContainer('load: { cpuCores: 0.9 }'),
      'scenario test.yaml: field "containers.0.load.cpuCores" is 0.9 (number); expected a load whose peak (0.9) is at most the task\'s 0.5 vCPU',
    ],
    [
      'steps out of order',
      withContainer('load: { cpuCores: { steps: [{ at: 0s, value: 0.1 }, { at: 0s, value: 0.2 }] } }'),
      'scenario test.yaml: field "containers.0.load.cpuCores.steps.1.at" is "0s" (string); expected a time after the previous step\'s 0ms',
    ],
    [
      'noise larger than the profile allows',
      withContainer('load: { cpuCores: { constant: 0.1, noise: 0.2 } }'),
      'scenario test.yaml: field "containers.0.load.cpuCores.noise" is 0.2 (number); expected at most the profile\'s minimum 0.1 (a load never goes below 0)',
    ],
    [
      'an event after a stop',
      withContainer('events: [{ at: 1m, action: stop }, { at: 2m, action: restart }]'),
      'scenario test.yaml: field "containers.0.events.1" is {"at":"2m","action":"restart"} (object); expected no event after a stop',
    ],
    [
      'an exit code on a running container',
      withContainer('exitCode: 1'),
      'scenario test.yaml: field "containers.0.exitCode" is 1 (number); expected nothing unless state is STOPPED',
    ],
    [
      'a missing required field',
      MINIMAL_YAML.replace('  family: web\n', ''),
      'scenario test.yaml: field "task.family" is missing; expected a value (required): a task definition family name',
    ],
    [
      'a map given as a list (valibot objects take arrays; the schema must not)',
      `host: []\n${MINIMAL_YAML}`,
      'scenario test.yaml: field "host" is [] (array); expected a map {onlineCpus, uptime}',
    ],
    [
      'a value of the wrong type is not called missing',
      withContainer('memory: 6.5'),
      'scenario test.yaml: field "containers.0.memory" is 6.5 (number); expected an integer number of MiB, at least 6',
    ],
    [
      "a revision below 1 gets the field's words, not the library's",
      MINIMAL_YAML.replace('revision: 3', 'revision: 0'),
      'scenario test.yaml: field "task.revision" is 0 (number); expected a revision number ≥ 1 such as 7 or "7"',
    ],
    [
      'an event without its time',
      withContainer('events: [{ action: restart }]'),
      'scenario test.yaml: field "containers.0.events.0.at" is missing; expected a value (required): a duration such as "500ms", "10s", "5m", "1h" or a number of milliseconds, above 0',
    ],
    [
      'an event with an unknown action',
      withContainer('events: [{ at: 1m, action: pause }]'),
      'scenario test.yaml: field "containers.0.events.0.action" is "pause" (string); expected an event {at, action: restart} or {at, action: stop, exitCode}',
    ],
    [
      'a tag value YAML read as a number',
      MINIMAL_YAML.replace('  launchType', '  tags: { tier: 1 }\n  launchType'),
      'scenario test.yaml: field "task.tags.tier" is 1 (number); expected a string value (quote numbers and booleans in YAML)',
    ],
    [
      'a profile with an unknown key next to its shape',
      withContainer('load: { cpuCores: { constant: 0.1, nosie: 0.01 } }'),
      'scenario test.yaml: field "containers.0.load.cpuCores.nosie" is 0.01 (number); expected no such field (check the spelling against SCENARIOS.md)',
    ],
    [
      'a document that is not a map',
      '- task\n',
      'scenario test.yaml: the value is ["task"] (array); expected a scenario document {task, containers, …} (see SCENARIOS.md)',
    ],
    [
      'an account ID that YAML would mangle',
      MINIMAL_YAML.replace('"123456789012"', '12345'),
      'scenario test.yaml: field "task.accountId" is 12345 (number); expected a 12-digit account ID (quote it in YAML)',
    ],
  ])('%s', (_what, text, message) => {
    expect(problemOf(text).message).toBe(message);
  });

  test('eleven containers', () => {
    const containers = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'busybox' }));
    const text = JSON.stringify({ task: JSON.parse(JSON.stringify(builtInTask())), containers });
    const error = problemOf(text, 'json');
    expect(error.path).toBe('containers');
    expect(error.message).toMatch(
      /field "containers" is \[\{"name":"c0".* \(array\); expected a list of 1 to 10 containers$/,
    );
  });

  test('every problem names a field of the document, the value written there and our own words', () => {
    // Any JSON value at any field of a valid document: the result is a scenario or one
    // ScenarioError whose value is what the document holds at its path, worded by the schema
    // (valibot's default text is `Invalid <label>: Expected … but received …`).
    const base = parse(MINIMAL_YAML) as Record<string, unknown>;
    const fieldsArb = fc.constantFrom(
      ['name'],
      ['cgroup'],
      ['cadence'],
      ['readSpread'],
      ['host'],
      ['host', 'onlineCpus'],
      ['network', 'ipv6'],
      ['task', 'revision'],
      ['task', 'accountId'],
      ['task', 'cpu'],
      ['task', 'tags'],
      ['task', 'ephemeralStorage'],
      ['containers'],
      ['containers', 0, 'ports'],
      ['containers', 0, 'state'],
      ['containers', 0, 'load'],
      ['containers', 0, 'load', 'cpuCores'],
      ['containers', 0, 'load', 'memoryCacheBytes'],
      ['containers', 0, 'events'],
    );
    fc.assert(
      fc.property(fieldsArb, fc.jsonValue({ maxDepth: 2 }), (path, value) => {
        // ScenarioError.path is dotted, so a key with a dot in it cannot be walked back here.
        fc.pre(!hasDottedKey(value));
        const document = structuredClone(base);
        setAt(document, path, value);
        let error: ScenarioError;
        try {
          validateScenarioValue(document, 'prop.yaml');
          return;
        } catch (caught) {
          expect(caught).toBeInstanceOf(ScenarioError);
          error = caught as ScenarioError;
        }
        expect(error.code).toBe('MOCK_SCENARIO');
        expect(error.path).toBe(error.problems[0]!.field);
        // Every problem, not only the first, names a field under the one changed, the value
        // the document holds there, and the schema's words.
        const lines = error.problems.map((problem) => {
          expect(problem.allowed).not.toMatch(/^Invalid \w+: |Expected .* but received/);
          expect(problem.field.startsWith(path.slice(0, 1).join('.'))).toBe(true);
          expect(problem.value).toEqual(
            getAt(document, problem.field === '' ? [] : problem.field.split('.')),
          );
          return `${problem.field === '' ? 'the value' : `field "${problem.field}"`} is ${
            problem.value === undefined ? 'missing' : `${previewOf(problem.value)} (${kindOf(problem.value)})`
          }; expected ${problem.allowed}`;
        });
        expect(error.message).toBe(
          lines.length === 1
            ? `scenario prop.yaml: ${lines[0]}`
            : `scenario prop.yaml (${lines.length} problems):\n  ${lines.join('\n  ')}`,
        );
      }),
      { numRuns: 400 },
    );
  });

  test('two containers with one name', () => {
    const error = problemOf(withContainer('cpu: 128').concat('  - name: app\n    image: busybox\n'));
    expect(error.message).toBe(
      'scenario test.yaml: field "containers.1.name" is "app" (string); expected a name no other container of the task has',
    );
  });

  test('JSON that does not parse says so', () => {
    expect(problemOf('{"task": ', 'json').message).toMatch(
      /^scenario test\.yaml: the value is "\{\\"task\\": " \(string\); expected a JSON document \(see SCENARIOS\.md\); not JSON: .+$/,
    );
  });

  test('an unknown built-in lists the built-ins', () => {
    expect(() => builtInScenario('fargate')).toThrow(
      'mock options: field "scenario" is "fargate" (string); expected a built-in: fargate-web, fargate-10, ec2-bridge, ec2-cgroup2, fargate-windows, stopped-container',
    );
  });

  test('YAML that does not parse names the line', () => {
    expect(problemOf('task: [unclosed').message).toMatch(
      /^scenario test\.yaml: the value is "task: \[unclosed" \(string\); expected a YAML document \(see SCENARIOS\.md\); not YAML at line 1, column \d+: .+$/,
    );
  });
});

function builtInTask() {
  return {
    cluster: 'prod',
    family: 'web',
    revision: 1,
    region: 'us-east-1',
    accountId: '123456789012',
    launchType: 'FARGATE',
    cpu: 4,
    memory: 8192,
  };
}

test('loadScenario reads built-ins, .json, .yaml and .yml files', async () => {
  expect(await loadScenario('ec2-bridge')).toBe(builtInScenario('ec2-bridge'));
  const dir = await mkdtemp(join(tmpdir(), 'taskscope-scenario-'));
  await writeFile(join(dir, 'a.yml'), MINIMAL_YAML);
  await writeFile(
    join(dir, 'b.json'),
    JSON.stringify({ name: 'bee', task: builtInTask(), containers: [{ name: 'x', image: 'y' }] }),
  );
  expect((await loadScenario(join(dir, 'a.yml'))).name).toBe('a');
  expect((await loadScenario(join(dir, 'b.json'))).name).toBe('bee');
  await expect(loadScenario(join(dir, 'missing.yaml'))).rejects.toThrow(
    /^mock options: field "scenario" is ".*missing\.yaml" \(string\); expected a built-in \(fargate-web, .*\) or a \.json, \.yaml or \.yml file that can be read \(reading it failed: ENOENT\)$/,
  );
  await expect(loadScenario('fargate-webb')).rejects.toThrow(
    'mock options: field "scenario" is "fargate-webb" (string); expected a built-in (fargate-web, fargate-10, ec2-bridge, ec2-cgroup2, fargate-windows, stopped-container) or a .json, .yaml or .yml file',
  );
});

test('the six built-ins are what the contract lists', () => {
  expect(builtInScenarioNames).toEqual([
    'fargate-web',
    'fargate-10',
    'ec2-bridge',
    'ec2-cgroup2',
    'fargate-windows',
    'stopped-container',
  ]);
  const summary = Object.fromEntries(
    builtInScenarioNames.map((name) => {
      const s = builtInScenario(name);
      return [
        name,
        `${s.task.launchType} ${s.networkMode} ${s.cgroup} ${s.cadenceMs}ms ${s.containers.map((c) => `${c.name}:${c.state}`).join(',')}`,
      ];
    }),
  );
  expect(summary).toEqual({
    'fargate-web': 'FARGATE awsvpc v1 10000ms app:RUNNING,worker:RUNNING,taskscope:RUNNING',
    'fargate-10':
      'FARGATE awsvpc v1 10000ms frontend:RUNNING,api:RUNNING,cart:RUNNING,search:RUNNING,worker:RUNNING,envoy:RUNNING,log-router:RUNNING,xray-daemon:RUNNING,cloudwatch-agent:RUNNING,taskscope:RUNNING',
    'ec2-bridge': 'EC2 bridge v1 1000ms web:RUNNING,api:RUNNING,taskscope:RUNNING',
    'ec2-cgroup2': 'EC2 awsvpc v2 1000ms orders:RUNNING,taskscope:RUNNING',
    'fargate-windows': 'FARGATE awsvpc windows 10000ms iis:RUNNING,worker:RUNNING',
    'stopped-container':
      'EC2 bridge v2 1000ms app:RUNNING,migrate:STOPPED,report-builder:PULLED,warmup:RUNNING',
  });
});

function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1)!] = value;
}

function getAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function previewOf(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function hasDottedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasDottedKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, member]) => key.includes('.') || hasDottedKey(member));
}
