import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { createScenarioSource, parseScenarioText, ScenarioError } from '../../src/scenario/index.js';
import { ORIGIN_MS, taskStatsText } from './helpers.js';

const DOC = readFileSync(new URL('../../SCENARIOS.md', import.meta.url), 'utf8');

function block(language: string): string {
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!match) throw new Error(`SCENARIOS.md has no ${language} block`);
  return match[1]!;
}

test('the YAML and JSON examples in SCENARIOS.md are valid and the same scenario', () => {
  const fromYaml = parseScenarioText(block('yaml'), 'yaml', 'SCENARIOS.md');
  expect(parseScenarioText(block('json'), 'json', 'SCENARIOS.md')).toEqual(fromYaml);
  expect(fromYaml.containers.map((c) => c.name)).toEqual(['api', 'worker', 'taskscope', 'migrate']);
  // It serves: the example is not only valid but runs.
  const source = createScenarioSource(fromYaml, { startTimeMs: ORIGIN_MS });
  expect(Object.keys(JSON.parse(taskStatsText(source, 'v4', ORIGIN_MS + 30_000)))).toHaveLength(4);
});

test('the error quoted in SCENARIOS.md is what its example gives with amplitude 0.5', () => {
  const quoted = /```\n(scenario checkout\.yaml: .*)\n```/.exec(DOC)?.[1];
  expect(quoted).toBeDefined();
  const broken = block('yaml').replace('mean: 0.35, amplitude: 0.2', 'mean: 0.35, amplitude: 0.5');
  expect(broken).not.toBe(block('yaml'));
  const error = (() => {
    try {
      parseScenarioText(broken, 'yaml', 'checkout.yaml');
    } catch (caught) {
      return caught;
    }
    throw new Error('expected a ScenarioError');
  })();
  expect(error).toBeInstanceOf(ScenarioError);
  expect((error as ScenarioError).message).toBe(quoted);
});

test('SCENARIOS.md documents every field of the format', () => {
  const fields = [
    'name',
    'description',
    'networkMode',
    'cgroup',
    'cadence',
    'host.onlineCpus',
    'host.uptime',
    'network.interface',
    'network.ipv4Address',
    'network.subnet',
    'network.ipv6',
    'cluster',
    'family',
    'revision',
    'region',
    'accountId',
    'taskId',
    'taskArn',
    'serviceName',
    'availabilityZone',
    'launchType',
    'platformVersion',
    'ephemeralStorage.sizeGiB',
    'ephemeralStorage.utilizedMiB',
    'vpcId',
    'tags',
    'containerInstanceTags',
    'image',
    'cpu',
    'memory',
    'memoryReservation',
    'essential',
    'state',
    'exitCode',
    'restartPolicy',
    'health',
    'after',
    'ports',
    'logDriver',
    'labels',
    'pidsLimit',
    'load',
    'events',
    'cpuCores',
    'memoryWorkingSetBytes',
    'memoryCacheBytes',
    'networkRxBytesPerSecond',
    'diskReadBytesPerSecond',
  ];
  for (const field of fields) expect(DOC, field).toContain(`\`${field}\``);
});
