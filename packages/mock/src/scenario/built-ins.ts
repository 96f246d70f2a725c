import { MOCK_OPTIONS_SOURCE } from '../common/errors.js';
import { ScenarioError } from './errors.js';
import type { Scenario } from './schema/types.js';
import { validateScenarioValue } from './validate.js';

/*
 * The built-in scenarios (docs/contract.md, `taskscope mock`). Each is a scenario document, the
 * same format users write, validated by the same schema; values are modelled on the
 * captured payloads in @taskscope/fixtures (Fargate: ecs_exporter 2025, EC2: ecs_exporter
 * 2025 and the AWS docs, Windows: the ECS agent's test stats).
 */

const SIDECAR_IMAGE = 'ghcr.io/taskscope/taskscope:0.1.0';
const ACCOUNT = '123456789012';

const sidecar = {
  name: 'taskscope',
  image: SIDECAR_IMAGE,
  cpu: 64,
  memory: 128,
  essential: false,
  ports: [9780],
  load: {
    cpuCores: { constant: 0.012, noise: 0.004 },
    memoryWorkingSetBytes: { constant: '46MiB', noise: '2MiB' },
    memoryCacheBytes: '3MiB',
    networkRxBytesPerSecond: { constant: '1.5KiB', noise: '512B' },
    networkTxBytesPerSecond: { constant: '6KiB', noise: '2KiB' },
  },
};

const DOCUMENTS: Readonly<Record<string, Record<string, unknown>>> = {
  'fargate-web': {
    description:
      'A web app, a background worker and the taskscope sidecar on Fargate (awsvpc, cgroup v1, 10 s).',
    task: {
      cluster: 'prod',
      family: 'web',
      revision: 42,
      region: 'us-east-1',
      accountId: ACCOUNT,
      serviceName: 'web',
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      cpu: 1,
      memory: 2048,
      ephemeralStorage: { sizeGiB: 20, utilizedMiB: 427 },
    },
    cgroup: 'v1',
    network: { ipv6: true },
    containers: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:2.14.0`,
        cpu: 512,
        ports: [8080],
        load: {
          cpuCores: { sine: { mean: 0.32, amplitude: 0.18, period: '10m' }, noise: 0.03 },
          memoryWorkingSetBytes: {
            steps: [
              { at: '0s', value: '310MiB' },
              { at: '5m', value: '365MiB' },
            ],
            noise: '6MiB',
          },
          memoryCacheBytes: { constant: '118MiB', noise: '4MiB' },
          networkRxBytesPerSecond: {
            sine: { mean: '420KiB', amplitude: '260KiB', period: '10m' },
            noise: '40KiB',
          },
          networkTxBytesPerSecond: {
            sine: { mean: '1.3MiB', amplitude: '800KiB', period: '10m' },
            noise: '90KiB',
          },
          diskReadBytesPerSecond: {
            spikes: { base: '0B', peak: '2MiB', every: '5m', duration: '20s', offset: '40s' },
          },
          diskWriteBytesPerSecond: { constant: '24KiB', noise: '8KiB' },
        },
      },
      {
        name: 'worker',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web-worker:2.14.0`,
        cpu: 384,
        restartPolicy: true,
        load: {
          cpuCores: {
            spikes: { base: 0.06, peak: 0.75, every: '2m', duration: '25s', offset: '30s' },
            noise: 0.02,
          },
          memoryWorkingSetBytes: { constant: '240MiB', noise: '12MiB' },
          memoryCacheBytes: { constant: '52MiB', noise: '2MiB' },
          networkRxBytesPerSecond: { constant: '60KiB', noise: '20KiB' },
          networkTxBytesPerSecond: { constant: '18KiB', noise: '6KiB' },
          diskReadBytesPerSecond: '4KiB',
          diskWriteBytesPerSecond: {
            spikes: { base: '8KiB', peak: '900KiB', every: '2m', duration: '25s', offset: '30s' },
          },
        },
        events: [{ at: '30m', action: 'restart' }],
      },
      sidecar,
    ],
  },

  'fargate-10': {
    description:
      'Ten containers in one Fargate task: an app, its sidecars and agents (awsvpc, cgroup v1, 10 s).',
    task: {
      cluster: 'prod',
      family: 'storefront',
      revision: 118,
      region: 'eu-west-1',
      accountId: ACCOUNT,
      serviceName: 'storefront',
      launchType: 'FARGATE',
      cpu: 4,
      memory: 8192,
    },
    cgroup: 'v1',
    containers: [
      container('frontend', 'storefront-frontend:5.2.1', 768, 0.45, '620MiB', '900KiB', '2.4MiB', [3000]),
      container('api', 'storefront-api:5.2.1', 1024, 0.9, '980MiB', '1.6MiB', '1.1MiB', [8080]),
      container('cart', 'storefront-cart:5.2.1', 384, 0.22, '310MiB', '220KiB', '180KiB'),
      container('search', 'storefront-search:5.2.1', 512, 0.5, '1400MiB', '340KiB', '410KiB'),
      container('worker', 'storefront-worker:5.2.1', 512, 0.35, '450MiB', '120KiB', '60KiB'),
      container(
        'envoy',
        'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod',
        256,
        0.18,
        '96MiB',
        '2.4MiB',
        '3.5MiB',
        [9901],
      ),
      container(
        'log-router',
        'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4',
        128,
        0.05,
        '58MiB',
        '8KiB',
        '96KiB',
      ),
      container(
        'xray-daemon',
        'public.ecr.aws/xray/aws-xray-daemon:3.3.13',
        64,
        0.02,
        '24MiB',
        '4KiB',
        '40KiB',
      ),
      container(
        'cloudwatch-agent',
        'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300049.1',
        128,
        0.03,
        '72MiB',
        '6KiB',
        '30KiB',
      ),
      { ...sidecar, memory: undefined },
    ].map((c) => JSON.parse(JSON.stringify(c))),
  },

  'ec2-bridge': {
    description:
      'Three containers on EC2 in bridge mode: per-container networks, 1 s stream, cgroup v1 (Amazon Linux 2), a health check on web.',
    task: {
      cluster: 'default',
      family: 'shop',
      revision: 7,
      region: 'us-west-2',
      accountId: ACCOUNT,
      serviceName: 'shop',
      launchType: 'EC2',
    },
    networkMode: 'bridge',
    cgroup: 'v1',
    host: { onlineCpus: 2 },
    containers: [
      {
        name: 'web',
        image: 'public.ecr.aws/nginx/nginx:1.27',
        cpu: 256,
        memory: 256,
        ports: [80],
        // A `CMD-SHELL curl -fsS http://localhost/health` check: healthy once nginx answers,
        // failing for 40 s while the api it proxies is saturated (its CPU step at 3 min).
        health: [
          { after: '8s', status: 'HEALTHY' },
          {
            after: '190s',
            status: 'UNHEALTHY',
            exitCode: 22,
            output: 'curl: (22) The requested URL returned error: 502',
          },
          { after: '230s', status: 'HEALTHY' },
        ],
        load: {
          cpuCores: { sine: { mean: 0.08, amplitude: 0.05, period: '2m' }, noise: 0.01 },
          memoryWorkingSetBytes: { constant: '18MiB', noise: '1MiB' },
          memoryCacheBytes: '22MiB',
          networkRxBytesPerSecond: {
            sine: { mean: '180KiB', amplitude: '120KiB', period: '2m' },
            noise: '20KiB',
          },
          networkTxBytesPerSecond: {
            sine: { mean: '1.1MiB', amplitude: '700KiB', period: '2m' },
            noise: '80KiB',
          },
          diskWriteBytesPerSecond: { constant: '6KiB', noise: '2KiB' },
        },
      },
      {
        name: 'api',
        image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/shop-api:3.8.0`,
        cpu: 512,
        memory: 768,
        ports: [8080],
        load: {
          cpuCores: {
            steps: [
              { at: '0s', value: 0.2 },
              { at: '3m', value: 0.65 },
              { at: '6m', value: 0.3 },
            ],
            noise: 0.05,
          },
          memoryWorkingSetBytes: { constant: '410MiB', noise: '15MiB' },
          memoryCacheBytes: { constant: '64MiB', noise: '4MiB' },
          networkRxBytesPerSecond: { constant: '240KiB', noise: '60KiB' },
          networkTxBytesPerSecond: { constant: '160KiB', noise: '40KiB' },
          diskReadBytesPerSecond: { spikes: { base: '0B', peak: '3MiB', every: '90s', duration: '5s' } },
          diskWriteBytesPerSecond: { constant: '48KiB', noise: '16KiB' },
        },
      },
      sidecar,
    ],
  },

  'ec2-cgroup2': {
    description:
      'An awsvpc task on an Amazon Linux 2023 EC2 host: cgroup v2 stats, lowercase blkio ops, pids limit.',
    task: {
      cluster: 'batch',
      family: 'orders',
      revision: 19,
      region: 'us-east-1',
      accountId: ACCOUNT,
      serviceName: 'orders',
      launchType: 'EC2',
      cpu: 1,
      memory: 2048,
      tags: { team: 'payments' },
      containerInstanceTags: { 'aws:autoscaling:groupName': 'batch-asg' },
    },
    networkMode: 'awsvpc',
    cgroup: 'v2',
    network: { subnet: '10.0.2.0/24' },
    containers: [
      {
        name: 'orders',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1.42.3`,
        cpu: 768,
        memory: 1536,
        ports: [8080],
        pidsLimit: 404,
        load: {
          cpuCores: {
            spikes: { base: 0.15, peak: 0.85, every: '1m', duration: '12s', offset: '20s' },
            noise: 0.04,
          },
          memoryWorkingSetBytes: {
            sine: { mean: '520MiB', amplitude: '90MiB', period: '4m' },
            noise: '10MiB',
          },
          memoryCacheBytes: { constant: '96MiB', noise: '6MiB' },
          networkRxBytesPerSecond: { constant: '350KiB', noise: '80KiB' },
          networkTxBytesPerSecond: { constant: '210KiB', noise: '50KiB' },
          diskReadBytesPerSecond: { constant: '64KiB', noise: '20KiB' },
          diskWriteBytesPerSecond: {
            spikes: { base: '16KiB', peak: '4MiB', every: '1m', duration: '12s', offset: '20s' },
          },
        },
      },
      { ...sidecar, pidsLimit: 404 },
    ],
  },

  'fargate-windows': {
    description:
      'An IIS site and a .NET worker on Fargate Windows: privateworkingset, 100 ns CPU units, storage_stats.',
    task: {
      cluster: 'windows',
      family: 'iis-site',
      revision: 3,
      region: 'us-east-2',
      accountId: ACCOUNT,
      launchType: 'FARGATE',
      cpu: 1,
      memory: 2048,
    },
    cgroup: 'windows',
    containers: [
      {
        name: 'iis',
        image: 'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022',
        cpu: 768,
        ports: [80],
        load: {
          cpuCores: { sine: { mean: 0.28, amplitude: 0.12, period: '6m' }, noise: 0.03 },
          memoryWorkingSetBytes: { constant: '210MiB', noise: '8MiB' },
          memoryCacheBytes: { constant: '120MiB', noise: '6MiB' },
          networkRxBytesPerSecond: { constant: '150KiB', noise: '40KiB' },
          networkTxBytesPerSecond: { constant: '700KiB', noise: '150KiB' },
          diskReadBytesPerSecond: { constant: '12KiB', noise: '4KiB' },
          diskWriteBytesPerSecond: { constant: '30KiB', noise: '10KiB' },
        },
      },
      {
        name: 'worker',
        image: `${ACCOUNT}.dkr.ecr.us-east-2.amazonaws.com/iis-worker:1.0.7`,
        cpu: 256,
        load: {
          cpuCores: { spikes: { base: 0.04, peak: 0.5, every: '3m', duration: '30s' } },
          memoryWorkingSetBytes: '140MiB',
          memoryCacheBytes: '40MiB',
          diskWriteBytesPerSecond: { spikes: { base: '0B', peak: '1MiB', every: '3m', duration: '30s' } },
        },
      },
    ],
  },

  'stopped-container': {
    description:
      'EC2 bridge, cgroup v2: a running app, an init container that exited 0, a PULLED container waiting on a dependency and one that fails after 90 s.',
    task: {
      cluster: 'default',
      family: 'reporting',
      revision: 4,
      region: 'us-east-1',
      accountId: ACCOUNT,
      serviceName: 'reporting',
      launchType: 'EC2',
    },
    networkMode: 'bridge',
    cgroup: 'v2',
    containers: [
      {
        name: 'app',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/reporting:0.9.2`,
        cpu: 256,
        memory: 512,
        ports: [8080],
        load: {
          cpuCores: { constant: 0.1, noise: 0.02 },
          memoryWorkingSetBytes: { constant: '180MiB', noise: '6MiB' },
          memoryCacheBytes: '30MiB',
          networkRxBytesPerSecond: { constant: '40KiB', noise: '10KiB' },
          networkTxBytesPerSecond: { constant: '25KiB', noise: '8KiB' },
          diskWriteBytesPerSecond: { constant: '10KiB', noise: '3KiB' },
        },
      },
      {
        name: 'migrate',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/reporting-migrate:0.9.2`,
        memory: 128,
        essential: false,
        state: 'STOPPED',
        exitCode: 0,
      },
      {
        name: 'report-builder',
        image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/reporting-builder:0.9.2`,
        memory: 256,
        essential: false,
        state: 'PULLED',
      },
      {
        name: 'warmup',
        image: 'public.ecr.aws/docker/library/busybox:1.37',
        memory: 64,
        essential: false,
        load: { cpuCores: 0.02, memoryWorkingSetBytes: '4MiB', memoryCacheBytes: '1MiB' },
        events: [{ at: '90s', action: 'stop', exitCode: 1 }],
      },
    ],
  },
};

function container(
  name: string,
  image: string,
  cpu: number,
  cpuCores: number,
  workingSet: string,
  rx: string,
  tx: string,
  ports: number[] = [],
): Record<string, unknown> {
  const qualified = image.includes('/') ? image : `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${image}`;
  return {
    name,
    image: qualified,
    cpu,
    ports,
    essential: !['log-router', 'xray-daemon', 'cloudwatch-agent'].includes(name),
    load: {
      cpuCores: {
        sine: { mean: cpuCores, amplitude: cpuCores / 3, period: '8m', phase: `${cpu % 97}s` },
        noise: cpuCores / 10,
      },
      memoryWorkingSetBytes: { constant: workingSet, noise: '4MiB' },
      memoryCacheBytes: { constant: '24MiB', noise: '1MiB' },
      networkRxBytesPerSecond: { constant: rx, noise: '2KiB' },
      networkTxBytesPerSecond: { constant: tx, noise: '2KiB' },
      diskWriteBytesPerSecond: { constant: '12KiB', noise: '4KiB' },
    },
  };
}

/** The names `--scenario` accepts besides a file. */
export const builtInScenarioNames: readonly string[] = Object.freeze(Object.keys(DOCUMENTS));

const parsed = new Map<string, Scenario>();

/** A built-in scenario by name; a {@link ScenarioError} lists the names for any other. */
export function builtInScenario(name: string): Scenario {
  const document = DOCUMENTS[name];
  if (!document) {
    throw new ScenarioError(MOCK_OPTIONS_SOURCE, [
      { field: 'scenario', value: name, allowed: `a built-in: ${builtInScenarioNames.join(', ')}` },
    ]);
  }
  let scenario = parsed.get(name);
  if (!scenario) {
    scenario = validateScenarioValue({ name, ...document }, `built-in ${name}`);
    parsed.set(name, scenario);
  }
  return scenario;
}
