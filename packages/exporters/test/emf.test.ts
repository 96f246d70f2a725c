import { describeFound } from '@taskscope/input';
import { emfProblems } from '@taskscope/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEmfEmitter, EmfConfigError } from '../src/emf/emitter.js';
import {
  EMF_MAX_LINE_BYTES,
  EMF_MAX_METRICS_PER_DIRECTIVE,
  emfEvents,
  translateEmf,
} from '../src/emf/translate.js';
import { appContainer, fargateTask, nextSample, READ_AT_MS } from './helpers/task-metrics.js';

const NS = 'ECS/Taskscope';

describe('translateEmf', () => {
  it('writes the Task event with Container Insights names, units, dimensions and properties', () => {
    expect(translateEmf(fargateTask(), { namespace: NS, containerMetrics: false })).toEqual([
      {
        _aws: {
          Timestamp: READ_AT_MS,
          CloudWatchMetrics: [
            {
              Namespace: NS,
              Dimensions: [
                ['ClusterName'],
                ['ClusterName', 'TaskDefinitionFamily'],
                ['ClusterName', 'ServiceName'],
              ],
              // Container Insights' names and units, in the order the event declares them.
              Metrics: (
                [
                  ['CpuUtilized', 'None'],
                  ['CpuReserved', 'None'],
                  ['MemoryUtilized', 'Megabytes'],
                  ['MemoryReserved', 'Megabytes'],
                  ['NetworkRxBytes', 'Bytes/Second'],
                  ['NetworkTxBytes', 'Bytes/Second'],
                  ['StorageReadBytes', 'Bytes'],
                  ['StorageWriteBytes', 'Bytes'],
                  ['CpuUtilization', 'Percent'],
                  ['MemoryUtilization', 'Percent'],
                ] as const
              ).map(([Name, Unit]) => ({ Name, Unit })),
            },
          ],
        },
        Type: 'Task',
        ClusterName: 'prom-ecs-exporter-sandbox',
        TaskDefinitionFamily: 'prom-ecs-exporter-sandbox-main-fargate',
        ServiceName: 'web',
        TaskId: 'bae32def0ab64f06818e8862e58f8d6d',
        TaskARN:
          'arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d',
        TaskDefinitionRevision: '9',
        AvailabilityZone: 'us-east-1a',
        LaunchType: 'FARGATE',
        CpuUtilized: 0.000719 * 1024,
        CpuReserved: 256,
        MemoryUtilized: 40,
        MemoryReserved: 512,
        NetworkRxBytes: 2_464.7,
        NetworkTxBytes: 1_192.6,
        StorageReadBytes: 4_096,
        StorageWriteBytes: 0,
        CpuUtilization: 0.2876,
        MemoryUtilization: 7.8125,
      },
    ]);
  });

  it('adds the cost meter to the Task event: the price, and the cost so far when a pull start gave one', () => {
    const costOf = (cost: { dollarsPerHour: number; estimatedDollarsSoFar?: number } | undefined) => {
      const [task] = translateEmf(fargateTask(), { namespace: NS, containerMetrics: false, cost });
      const declared = task!._aws.CloudWatchMetrics[0]!.Metrics.slice(10);
      return [declared, task!['TaskPriceDollarsPerHour'], task!['EstimatedCostDollars']];
    };
    expect(costOf({ dollarsPerHour: 0.0123425, estimatedDollarsSoFar: 0.000205708 })).toEqual([
      [
        { Name: 'TaskPriceDollarsPerHour', Unit: 'None' },
        { Name: 'EstimatedCostDollars', Unit: 'None' },
      ],
      0.0123425,
      0.000205708,
    ]);
    expect(costOf({ dollarsPerHour: 0.0123425 })).toEqual([
      [{ Name: 'TaskPriceDollarsPerHour', Unit: 'None' }],
      0.0123425,
      undefined,
    ]);
    expect(costOf(undefined)).toEqual([[], undefined, undefined]);
  });

  it('leaves the ServiceName dimension set out when the service is unknown', () => {
    const task = fargateTask();
    const { serviceName: _, ...identity } = task.identity;
    const [event] = translateEmf({ ...task, identity }, { namespace: NS, containerMetrics: false });
    expect(event!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['ClusterName'],
      ['ClusterName', 'TaskDefinitionFamily'],
    ]);
    expect(event).not.toHaveProperty('ServiceName');
  });

  it('omits the storage deltas and CPU of a restart interval from directive and body, never a 0', () => {
    const [event] = translateEmf(nextSample(fargateTask(), { restart: true }), {
      namespace: NS,
      containerMetrics: true,
    });
    const names = event!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name);
    for (const absent of ['StorageReadBytes', 'StorageWriteBytes', 'CpuUtilized', 'CpuUtilization']) {
      expect(names).not.toContain(absent);
      expect(event).not.toHaveProperty(absent);
    }
    expect(names).toEqual([
      'CpuReserved',
      'MemoryUtilized',
      'MemoryReserved',
      'NetworkRxBytes',
      'NetworkTxBytes',
      'MemoryUtilization',
    ]);
  });

  it('writes Container events only when asked, and none for a container with null stats', () => {
    expect(
      translateEmf(fargateTask(), { namespace: NS, containerMetrics: false }).map((e) => e['Type']),
    ).toEqual(['Task']);
    const events = translateEmf(fargateTask(), { namespace: NS, containerMetrics: true });
    expect(events.map((e) => [e['Type'], e['ContainerName']])).toEqual([
      ['Task', undefined],
      ['Container', 'prometheus'],
    ]);
    const container = events[1]!;
    expect(container._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
      ['ClusterName', 'TaskDefinitionFamily', 'ContainerName'],
    ]);
    expect(container).toMatchObject({
      ContainerCpuUtilized: 0.000719 * 1024,
      ContainerCpuReserved: 2,
      ContainerMemoryUtilized: 40,
      ContainerMemoryReserved: 512,
      ContainerStorageReadBytes: 4_096,
      ContainerStorageWriteBytes: 0,
      ContainerMemoryUtilization: (40 / 512) * 100,
      TaskId: 'bae32def0ab64f06818e8862e58f8d6d',
      ContainerId: 'bae32def0ab64f06818e8862e58f8d6d-2531612879',
    });
    // awsvpc: the network is the task's, so the container event carries none.
    expect(container).not.toHaveProperty('ContainerNetworkRxBytes');
  });

  it('with a poll scope: one Task event per closed cycle, with its bytes; Container events for advanced containers', () => {
    const task = fargateTask();
    const options = { namespace: NS, containerMetrics: true };
    const cycle = { readAtMs: READ_AT_MS - 200, containers: ['prometheus'], storageWriteBytes: 81_920 };
    const events = translateEmf(task, options, { closed: [cycle], advanced: [] });
    expect(events.map((e) => [e['Type'], e._aws.Timestamp, e['StorageWriteBytes']])).toEqual([
      ['Task', Math.floor(READ_AT_MS - 200), 81_920],
    ]);
    // The cycle had no read bytes: none reported, though the latest sample has a delta.
    expect(task.totals.storageReadBytes).toBeGreaterThan(0);
    expect(events[0]).not.toHaveProperty('StorageReadBytes');
    expect(
      translateEmf(task, options, { closed: [], advanced: ['prometheus'] }).map((e) => [
        e['Type'],
        e['ContainerName'],
      ]),
    ).toEqual([['Container', 'prometheus']]);
    expect(translateEmf(task, options, { closed: [], advanced: [] })).toEqual([]);
  });

  it('gives bridge-mode containers their own network rates', () => {
    const task = fargateTask({
      networkMode: 'bridge',
      networks: [
        {
          interface: 'eth0',
          containerName: 'prometheus',
          counters: {
            rxBytes: 1,
            rxPackets: 1,
            rxErrors: 0,
            rxDropped: 0,
            txBytes: 1,
            txPackets: 1,
            txErrors: 0,
            txDropped: 0,
          },
          rxBytesPerSecond: 100,
          txBytesPerSecond: 50,
        },
      ],
    });
    const container = translateEmf(task, { namespace: NS, containerMetrics: true })[1]!;
    expect(container).toMatchObject({ ContainerNetworkRxBytes: 100, ContainerNetworkTxBytes: 50 });
  });

  it('emits nothing when no container has stats (no read to timestamp it)', () => {
    const task = fargateTask({ containers: [fargateTask().containers[0]!], sample: { kind: 'first' } });
    expect(translateEmf(task, { namespace: NS, containerMetrics: true })).toEqual([]);
  });

  it('produces only valid EMF lines for any snapshot values', () => {
    const value = fc.oneof(fc.constant(undefined), fc.double({ noNaN: false }), fc.nat());
    fc.assert(
      fc.property(value, value, value, value, fc.boolean(), (cores, utilized, rx, read, containerMetrics) => {
        const base = appContainer();
        const task = fargateTask({
          containers: [
            appContainer({
              stats: { ...base.stats!, cpu: { totalSeconds: 1, cores }, memory: { utilizedBytes: utilized } },
            }),
          ],
          totals: {
            ...fargateTask().totals,
            cpuCores: cores,
            networkRxBytesPerSecond: rx,
            storageReadBytes: read,
          },
        });
        for (const event of translateEmf(task, { namespace: NS, containerMetrics })) {
          expect(emfProblems(JSON.stringify(event))).toEqual([]);
        }
      }),
    );
  });
});

describe('EMF limits', () => {
  it('splits more than 100 metrics into directives of at most 100', () => {
    const values = Array.from({ length: 250 }, (_, i) => [`M${i}`, 'Bytes', i] as [string, 'Bytes', number]);
    const events = emfEvents(READ_AT_MS, NS, [['ClusterName']], { ClusterName: 'c' }, values);
    expect(events.map((e) => e._aws.CloudWatchMetrics[0]!.Metrics.length)).toEqual([100, 100, 50]);
    expect(events.flatMap((e) => e._aws.CloudWatchMetrics[0]!.Metrics.map((m) => e[m.Name]))).toEqual(
      values.map((v) => v[2]),
    );
    for (const e of events) expect(emfProblems(JSON.stringify(e))).toEqual([]);
    expect(EMF_MAX_METRICS_PER_DIRECTIVE).toBe(100);
  });

  it('splits until every line is under 16 KiB', () => {
    const long = 'x'.repeat(900);
    const values = Array.from(
      { length: 60 },
      (_, i) => [`${long}${i}`, 'None', i] as [string, 'None', number],
    );
    const events = emfEvents(READ_AT_MS, NS, [['ClusterName']], { ClusterName: 'c' }, values);
    expect(events.length).toBeGreaterThan(1);
    for (const e of events) {
      expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(EMF_MAX_LINE_BYTES);
      expect(emfProblems(JSON.stringify(e))).toEqual([]);
    }
    expect(events.flatMap((e) => e._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name))).toEqual(
      values.map((v) => v[0]),
    );
  });

  it('the validator rejects what the spec forbids', () => {
    const good = translateEmf(fargateTask(), { namespace: NS, containerMetrics: false })[0]!;
    const directive = good._aws.CloudWatchMetrics[0]!;
    const broken = (patch: object) => JSON.stringify({ ...good, ...patch });
    expect(emfProblems(broken({ CpuReserved: '256' }))).toEqual([
      'metric CpuReserved must be a root number or up to 100 numbers, got "256"',
    ]);
    expect(emfProblems(broken({ ClusterName: 7 }))).toContain(
      'dimension ClusterName must be a root string of 1 to 1024 characters, got 7',
    );
    expect(emfProblems(broken({ _aws: { ...good._aws, Timestamp: '1' } }))).toEqual([
      'schema: /_aws/Timestamp must be integer',
    ]);
    expect(
      emfProblems(
        broken({
          _aws: {
            ...good._aws,
            CloudWatchMetrics: [{ ...directive, Metrics: [{ Name: 'CpuReserved', Unit: 'Cores' }] }],
          },
        }),
      ),
    ).toEqual([
      'schema: /_aws/CloudWatchMetrics/0/Metrics/0/Unit must be equal to one of the allowed values',
    ]);
    expect(
      emfProblems(
        broken({
          _aws: {
            ...good._aws,
            CloudWatchMetrics: [
              { ...directive, Dimensions: [Array.from({ length: 31 }, (_, i) => `D${i}`)] },
            ],
          },
        }),
      ),
    ).toEqual(['schema: /_aws/CloudWatchMetrics/0/Dimensions/0 must NOT have more than 30 items']);
  });
});

describe('createEmfEmitter', () => {
  it('writes one valid JSON line per event, ending in a newline', () => {
    const lines: string[] = [];
    const emitter = createEmfEmitter({ namespace: NS, containerMetrics: true, write: (l) => lines.push(l) });
    emitter.emit(fargateTask(), undefined, { dollarsPerHour: 0.0123425, estimatedDollarsSoFar: 0.000205708 });
    expect(lines.length).toBe(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ Type: 'Task', EstimatedCostDollars: 0.000205708 });
    for (const line of lines) {
      expect(line.endsWith('}\n')).toBe(true);
      expect(emfProblems(line.slice(0, -1))).toEqual([]);
    }
  });

  it.each(['', 'AWS/ECS', 'bad{ns}', 'x'.repeat(256), '   '])(
    'rejects the namespace %j with one message',
    (namespace) => {
      const create = () => createEmfEmitter({ namespace, containerMetrics: false, write: () => {} });
      expect(create).toThrow(
        `invalid EMF configuration: field "namespace" is ${describeFound(namespace)}; expected 1-255 characters of letters, digits, spaces and . _ # : / -, not starting with "AWS/"`,
      );
      expect(create).toThrow(EmfConfigError);
    },
  );

  it('rejects a namespace that is not a string, saying what it got', () => {
    const namespace = 42 as unknown as string;
    expect(() => createEmfEmitter({ namespace, containerMetrics: false, write: () => {} })).toThrow(
      new TypeError('EMF namespace must be a string (got 42 (number))'),
    );
  });

  it('accepts every namespace CloudWatch does, up to 255 characters', () => {
    for (const namespace of ['ECS/Taskscope', 'a', 'Team Web:prod/#1_x-y.z', 'x'.repeat(255)]) {
      const lines: string[] = [];
      createEmfEmitter({ namespace, containerMetrics: false, write: (l) => lines.push(l) }).emit(
        fargateTask(),
      );
      expect(lines[0]).toContain(`"Namespace":${JSON.stringify(namespace)}`);
    }
  });
});
