/**
 * A Fargate task whose every load is constant (no noise, no shapes): any window's rate then
 * equals the truth of any refresh, which is what a test of Prometheus' `rate()` or of OTLP
 * cumulative points needs, since those see windows the mock's truth does not describe.
 */
export const STEADY_SCENARIO = {
  name: 'steady',
  description: 'Two containers with constant load (e2e tests of rate() and cumulative exports).',
  task: {
    cluster: 'e2e',
    family: 'steady',
    revision: 3,
    region: 'eu-central-1',
    accountId: '123456789012',
    serviceName: 'steady',
    launchType: 'FARGATE',
    cpu: 1,
    memory: 2048,
  },
  cgroup: 'v1',
  containers: [
    {
      name: 'app',
      image: '123456789012.dkr.ecr.eu-central-1.amazonaws.com/steady-app:1.0.0',
      cpu: 512,
      restartPolicy: true,
      load: {
        cpuCores: 0.4,
        memoryWorkingSetBytes: '300MiB',
        memoryCacheBytes: '40MiB',
        networkRxBytesPerSecond: '200KiB',
        networkTxBytesPerSecond: '600KiB',
        diskReadBytesPerSecond: '16KiB',
        diskWriteBytesPerSecond: '64KiB',
      },
    },
    {
      name: 'sidecar',
      image: 'ghcr.io/taskscope/taskscope:0.1.0',
      cpu: 64,
      essential: false,
      load: {
        cpuCores: 0.05,
        memoryWorkingSetBytes: '48MiB',
        memoryCacheBytes: '2MiB',
        networkRxBytesPerSecond: '1KiB',
        networkTxBytesPerSecond: '4KiB',
        diskReadBytesPerSecond: '0B',
        diskWriteBytesPerSecond: '1KiB',
      },
    },
  ],
} as const;
