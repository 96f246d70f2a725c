import type { TaskMetrics } from '@taskscope/core';
import { SnapshotSchema } from '@taskscope/sdk';
import {
  createStopper,
  type EmfDocument,
  emfProblems,
  type OtlpReceiver,
  parseEmf,
  startOtlpReceiver,
  waitFor,
} from '@taskscope/test-support';
import * as v from 'valibot';
import { afterEach, expect, test } from 'vitest';
import { getText, parseExposition, postJson, select } from './helpers/http.js';
import { subscribeSse } from './helpers/sse.js';
import { startStack } from './helpers/stack.js';
import { STEADY_SCENARIO } from './helpers/steady-scenario.js';

/*
 * Issue #4: what the contract says about restarts, duplicate samples and `null`/`{}` stats,
 * checked in all three formats at once (Prometheus, OTLP, EMF), plus the validity of every
 * EMF line the agent writes to stdout.
 */

const started = createStopper();
afterEach(() => started.stopAll());

async function startAllFormats(
  scenario: string | object,
  cadenceMs: number,
  interval = '100ms',
  startTime?: string,
) {
  const receiver = started.track(await startOtlpReceiver(), (it) => it.close());
  const stack = started.track(
    await startStack({
      scenario,
      cadenceMs,
      ...(startTime === undefined ? {} : { startTime }),
      flags: { interval, exporters: 'prometheus,otlp,emf', emfContainerMetrics: true },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '300',
      },
    }),
    (it) => it.stop(),
  );
  return { stack, receiver };
}

function validEmf(lines: readonly string[]): EmfDocument[] {
  const problems = lines.flatMap((line, i) => emfProblems(line).map((p) => `line ${i + 1}: ${p}`));
  expect(problems).toEqual([]);
  return parseEmf(lines);
}

const containerEvents = (docs: readonly EmfDocument[], name: string) =>
  docs.filter((d) => d['Type'] === 'Container' && d['ContainerName'] === name);

test('every EMF line validates and the Task event carries the Container Insights figures', async () => {
  const { stack } = await startAllFormats(STEADY_SCENARIO, 250);
  await waitFor('five EMF task events', () =>
    stack.stdoutLines.filter((l) => l.includes('"Type":"Task"')).length >= 5 ? true : undefined,
  );
  const docs = validEmf(stack.stdoutLines);
  const task = docs.filter((d) => d['Type'] === 'Task').at(-1)!;
  const directive = task._aws.CloudWatchMetrics[0]!;
  expect(directive.Namespace).toBe('ECS/Taskscope');
  // Fargate's task metadata carries no ServiceName (docs/peers.md §1), so the
  // [ClusterName, ServiceName] set, which would name an unknown service, is left out.
  expect(directive.Dimensions).toEqual([['ClusterName'], ['ClusterName', 'TaskDefinitionFamily']]);
  expect(task).toMatchObject({ ClusterName: 'e2e', TaskDefinitionFamily: 'steady', LaunchType: 'FARGATE' });
  expect(task['ServiceName']).toBeUndefined();
  expect(Object.keys(task)).toContain('TaskId');
  const units = Object.fromEntries(directive.Metrics.map((m) => [m.Name, m.Unit]));
  expect(units).toMatchObject({
    CpuUtilized: 'None',
    CpuReserved: 'None',
    MemoryUtilized: 'Megabytes',
    MemoryReserved: 'Megabytes',
    NetworkRxBytes: 'Bytes/Second',
    NetworkTxBytes: 'Bytes/Second',
    StorageReadBytes: 'Bytes',
    StorageWriteBytes: 'Bytes',
    CpuUtilization: 'Percent',
  });
  // Constant load: 0.45 cores of a 1-vCPU task = 460.8 CPU units, 45 %; 1024 units reserved.
  expect(task['CpuUtilized']).toBeCloseTo(0.45 * 1024, 0);
  expect(task['CpuUtilization']).toBeCloseTo(45, 0);
  expect(task['CpuReserved']).toBe(1024);
  expect(task['MemoryReserved']).toBe(2048);
  const truth = await stack.truth();
  expect(task['NetworkRxBytes']).toBeCloseTo(truth.networks[0]!.rxBytesPerSecond, -1);
  // One Container event per container with stats, keyed by ContainerName.
  expect(containerEvents(docs, 'app').length).toBeGreaterThan(0);
  expect(containerEvents(docs, 'sidecar').length).toBeGreaterThan(0);
});

test('a restart: Prometheus counter lower, OTLP start time moved, no EMF storage delta that interval', async () => {
  const { stack, receiver } = await startAllFormats(STEADY_SCENARIO, 250);
  const stream = await subscribeSse(`${stack.agent.url}api/v1/stream`);
  // Core's metrics of every sample, in-process: what the API does not carry (the reset flag,
  // the interval's byte deltas, each container's own `read`).
  const samples: TaskMetrics[] = [];
  const unsubscribe = stack.agent.store.subscribe((metrics) => samples.push(metrics));
  try {
    // Let the counters grow for a few refreshes first.
    await waitFor('three OTLP exports and some CPU time', async () => {
      const cpu = select(
        parseExposition(await getText(stack.agent.metricsUrl)),
        'ecs_container_cpu_usage_seconds_total',
        {
          container_name: 'app',
        },
      );
      return receiver.exports.length >= 3 && (cpu[0]?.value ?? 0) > 0.5 ? true : undefined;
    });
    const before = select(
      parseExposition(await getText(stack.agent.metricsUrl)),
      'ecs_container_cpu_usage_seconds_total',
      {
        container_name: 'app',
      },
    )[0]!.value;
    const restartsBefore = select(
      parseExposition(await getText(stack.agent.metricsUrl)),
      'ecs_container_restarts_total',
      {
        container_name: 'app',
      },
    )[0]?.value;
    const startBefore = appCpuTimeStart(receiver);

    expect(await postJson(`${stack.mock.url}/__taskscope/containers/app/restart`)).toBeLessThan(300);

    // The reset sample: no delta and no rate for its interval, never negative, never huge.
    const resetSample = await waitFor('a sample with the app reset', () =>
      samples.find((m) => m.containers.some((c) => c.name === 'app' && c.reset)),
    );
    const app = resetSample.containers.find((c) => c.name === 'app')!;
    expect(app.stats?.blockIo?.readBytesDelta).toBeUndefined();
    expect(app.stats?.cpu.cores).toBeUndefined();
    // The snapshot stream shows it: one more restart, and no rate for that interval (null, not 0).
    const resetEvent = await waitFor('a snapshot with the app restarted', () =>
      stream.events
        .map((e) => v.parse(SnapshotSchema, JSON.parse(e.data)))
        .find((snapshot) =>
          snapshot.containers.some((c) => c.name === 'app' && c.restarts === (restartsBefore ?? 0) + 1),
        ),
    );
    const appEvent = resetEvent.containers.find((c) => c.name === 'app')!;
    expect(resetEvent.id).toBe(Math.floor(resetSample.sample.readAtMs!));
    expect([appEvent.cpu.cores, appEvent.blockIo.readBytesPerSecond]).toEqual([null, null]);

    // Prometheus: the counter starts again from zero; restarts_total counts it.
    const after = select(
      parseExposition(await getText(stack.agent.metricsUrl)),
      'ecs_container_cpu_usage_seconds_total',
      {
        container_name: 'app',
      },
    )[0]!.value;
    expect(after).toBeLessThan(before);
    const restartsAfter = select(
      parseExposition(await getText(stack.agent.metricsUrl)),
      'ecs_container_restarts_total',
      {
        container_name: 'app',
      },
    )[0]!.value;
    expect(restartsAfter).toBe((restartsBefore ?? 0) + 1);

    // OTLP: a new cumulative run, with its start time moved forward.
    const startAfter = await waitFor('an OTLP export after the restart', () => {
      const start = appCpuTimeStart(receiver);
      return start !== undefined && start > startBefore! ? start : undefined;
    });
    expect(startAfter).toBeGreaterThan(startBefore!);

    // EMF: the app's Container event for the reset sample has no storage delta (and no CPU
    // rate); the sidecar's, unaffected, keeps its delta (bytes written in the interval).
    await waitFor('the EMF events of the reset sample', () =>
      containerEvents(parseEmf(stack.stdoutLines), 'app').some(
        (d) => d._aws.Timestamp === Math.floor(app.stats!.readAtMs),
      )
        ? true
        : undefined,
    );
    const docs = validEmf(stack.stdoutLines);
    const resetLine = containerEvents(docs, 'app').find(
      (d) => d._aws.Timestamp === Math.floor(app.stats!.readAtMs),
    )!;
    expect(resetLine['ContainerStorageReadBytes']).toBeUndefined();
    expect(resetLine['ContainerStorageWriteBytes']).toBeUndefined();
    expect(resetLine['ContainerCpuUtilized']).toBeUndefined();
    const sidecarReadMs = Math.floor(
      resetSample.containers.find((c) => c.name === 'sidecar')!.stats!.readAtMs,
    );
    const sidecarLine = containerEvents(docs, 'sidecar').find((d) => d._aws.Timestamp === sidecarReadMs);
    expect(sidecarLine?.['ContainerStorageWriteBytes']).toBeTypeOf('number');
  } finally {
    unsubscribe();
    stream.close();
  }
});

function appCpuTimeStart(receiver: OtlpReceiver): bigint | undefined {
  for (let i = receiver.exports.length - 1; i >= 0; i--) {
    for (const rm of receiver.exports[i]!.resourceMetrics) {
      for (const scope of rm.scopes) {
        const point = scope.metrics
          .find((m) => m.name === 'container.cpu.time')
          ?.points.find((p) => p.attributes['container.name'] === 'app');
        if (point) return point.startTimeUnixNano;
      }
    }
  }
  return undefined;
}

test('polling faster than the refresh: duplicates are counted, and no EMF line repeats a sample', async () => {
  // The task started a minute ago, so every fresh sample the agent sees has container stats
  // and therefore an EMF Task event (a sample with no stats has no `read` and writes none).
  const startTime = new Date(Date.now() - 60_000).toISOString();
  const { stack } = await startAllFormats(STEADY_SCENARIO, 1000, '100ms', startTime);
  await waitFor('three refreshes and many duplicates', async () => {
    const s = await stack.snapshot();
    return s.poll.samples.fresh >= 3 && s.poll.samples.duplicate >= 10 ? true : undefined;
  });
  // The counters and the EMF lines must be read at one moment: read apart, a refresh in
  // between made them disagree (issue #9). The agent counts a sample and writes its EMF lines in
  // one synchronous step, so when no line arrived while the scrape was in flight, the lines so
  // far are exactly those of the samples the scrape counted.
  const { fresh, duplicates, lines } = await waitFor(
    'a scrape during which the agent wrote no EMF line',
    async () => {
      const linesBefore = stack.stdoutLines.length;
      const samples = select(
        parseExposition(await getText(stack.agent.metricsUrl)),
        'taskscope_samples_total',
      );
      if (stack.stdoutLines.length !== linesBefore) return undefined;
      return {
        fresh: samples.find((s) => s.labels.result === 'fresh')!.value,
        duplicates: samples.find((s) => s.labels.result === 'duplicate')!.value,
        lines: stack.stdoutLines.slice(0, linesBefore),
      };
    },
  );
  expect(duplicates).toBeGreaterThanOrEqual(10);
  // One Task event per distinct `read`: duplicates write nothing.
  const docs = validEmf(lines);
  const taskTimestamps = docs.filter((d) => d['Type'] === 'Task').map((d) => d._aws.Timestamp);
  expect(new Set(taskTimestamps).size).toBe(taskTimestamps.length);
  expect(taskTimestamps).toHaveLength(fresh);
  // Duplicates keep growing while no new line appears between refreshes.
  const later = await waitFor('more duplicates', async () => {
    const s = await stack.snapshot();
    return s.poll.samples.duplicate > duplicates ? s : undefined;
  });
  expect(later.poll.samples.duplicate).toBeGreaterThan(duplicates);
});

test('null and {} stats: ecs_container_info only, no OTLP container points, no EMF Container event', async () => {
  const { stack, receiver } = await startAllFormats('stopped-container', 500);
  await waitFor('two OTLP exports and two refreshes', async () =>
    receiver.exports.length >= 2 && (await stack.snapshot()).poll.samples.fresh >= 2 ? true : undefined,
  );
  // Core's metrics, in-process: which containers had stats, and when they finished.
  const metrics = stack.agent.store.latest()!;
  const withoutStats = metrics.containers.filter((c) => c.stats === undefined).map((c) => c.name);
  const withStats = metrics.containers.filter((c) => c.stats !== undefined).map((c) => c.name);
  // The scenario's PULLED and exited containers, as `null` (v2/v3) or `{}` (v4).
  expect(withoutStats.length).toBeGreaterThanOrEqual(2);
  expect(withStats.length).toBeGreaterThanOrEqual(1);
  // The API lists such a container with every number "not reported".
  const snapshot = await stack.snapshot();
  for (const name of withoutStats) {
    const container = snapshot.containers.find((c) => c.name === name)!;
    expect(
      [container.cpu.cores, container.memory.workingSetBytes, container.blockIo.writeBytesPerSecond],
      name,
    ).toEqual([null, null, null]);
  }

  const exposition = parseExposition(await getText(stack.agent.metricsUrl));
  for (const name of withoutStats) {
    const series = exposition.filter((s) => s.labels.container_name === name).map((s) => s.name);
    expect(series, name).toEqual(['ecs_container_info']);
  }
  for (const name of withStats) {
    expect(
      select(exposition, 'ecs_container_cpu_usage_seconds_total', { container_name: name }),
    ).toHaveLength(1);
  }

  const pointsFor = (name: string) =>
    receiver.exports.flatMap((e) =>
      e.resourceMetrics.flatMap((rm) =>
        rm.scopes.flatMap((s) =>
          s.metrics.flatMap((m) => m.points.filter((p) => p.attributes['container.name'] === name)),
        ),
      ),
    );
  // The exited container may have been sampled in the few ms it ran: only what was read after
  // it finished must carry nothing (a PULLED container never ran: nothing at all).
  const finishedAtMs = (name: string) => metrics.containers.find((c) => c.name === name)?.finishedAtMs ?? 0;
  for (const name of withoutStats) {
    const afterNs = BigInt(Math.ceil(finishedAtMs(name))) * 1_000_000n;
    expect(
      pointsFor(name).filter((p) => p.timeUnixNano > afterNs),
      name,
    ).toEqual([]);
  }
  for (const name of withStats) expect(pointsFor(name).length, name).toBeGreaterThan(0);

  const docs = validEmf(stack.stdoutLines);
  for (const name of withoutStats) {
    const events = containerEvents(docs, name).filter(
      (d) => (d['_aws'] as { Timestamp: number }).Timestamp > finishedAtMs(name),
    );
    expect(events, name).toEqual([]);
  }
  for (const name of withStats) expect(containerEvents(docs, name).length, name).toBeGreaterThan(0);
});
