import { parsePayloadTime, secondsBetween } from '@taskscope/wire';
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/http/start-mock.js';
import { fetchText } from '../support/http.js';

const START = '2025-06-01T00:00:00Z';
const startMs = Date.parse(START);

type StatsMap = Record<string, Record<string, unknown> | null>;

/** A mock serving `scenario` from START, at the time `now` says. */
function serveScenario(
  scenario: string,
  now: () => number,
  options: { seed?: number; throttle?: boolean } = {},
) {
  return startMock({ scenario, startTime: START, now, ...options });
}

describe('scenario sources over HTTP', () => {
  it('gives the same bytes for the same seed and start time, and other bytes for another seed', async () => {
    const serve = async (seed: number) => {
      const mock = await serveScenario('fargate-web', () => startMs + 35_000, { seed });
      const id = mock.endpoints[0]!.endpointId;
      const paths = [
        '/v2/metadata',
        '/v2/stats',
        `/v3/${id}`,
        `/v4/${id}/task`,
        `/v4/${id}/task/stats`,
        `/v4/${id}/stats`,
      ];
      const bodies = await Promise.all(paths.map(async (path) => (await fetchText(mock.url + path)).text));
      await mock.close();
      return bodies;
    };
    const [a, b, c] = [await serve(3), await serve(3), await serve(4)];
    expect(b).toEqual(a);
    expect(c[4]).not.toBe(a[4]);
  });

  it('repeats `read` between refreshes and moves it by the cadence at each refresh', async () => {
    let nowMs = startMs + 15_000;
    const mock = await serveScenario('fargate-web', () => nowMs, { throttle: false });
    const url = `${mock.v4Urls['app']}/stats`;
    const read = async () => (JSON.parse((await fetchText(url)).text) as { read: string }).read;
    const first = await read();
    nowMs += 1_000;
    expect(await read()).toBe(first);
    nowMs += 10_000;
    const next = await read();
    expect(secondsBetween(parsePayloadTime(first)!, parsePayloadTime(next)!)).toBeCloseTo(10, 1);
    await mock.close();
  });

  it('shows non-running containers as null on v2/v3 task stats and answers their /stats with the version error', async () => {
    const mock = await serveScenario('stopped-container', () => startMs + 25_000);
    const task = JSON.parse((await fetchText(`${mock.url}/v2/metadata`)).text) as {
      Containers: Array<{ Name: string; DockerId: string; KnownStatus: string }>;
    };
    const stats = JSON.parse((await fetchText(`${mock.url}/v2/stats`)).text) as StatsMap;
    for (const container of task.Containers) {
      if (container.KnownStatus === 'RUNNING') expect(stats[container.DockerId]).toHaveProperty('read');
      else expect(stats[container.DockerId] ?? null).toBeNull();
    }
    const stopped = mock.endpoints.find((e) => e.containerName === 'migrate')!;
    const v4 = await fetchText(`${mock.url}/v4/${stopped.endpointId}/stats`);
    expect([v4.status, JSON.parse(v4.text)]).toEqual([
      500,
      `Unable to get container stats for: ${stopped.dockerId}`,
    ]);
    const v2 = await fetchText(`${mock.url}/v2/stats/${stopped.dockerId}`);
    expect(v2.status).toBe(400);
    await mock.close();
  });

  it('serves the ground truth, consistent with the CPU the payload implies', async () => {
    const mock = await serveScenario('fargate-web', () => startMs + 45_000);
    const reply = await fetchText(`${mock.url}/__taskscope/truth`);
    expect(reply.status).toBe(200);
    const truth = JSON.parse(reply.text) as { containers: Array<{ dockerId: string; cpuCores: number }> };
    expect(truth).toEqual(JSON.parse(JSON.stringify(mock.truth())));
    expect(truth.containers.length).toBeGreaterThan(0);
    const stats = JSON.parse((await fetchText(`${mock.v4Urls['app']}/task/stats`)).text) as Record<
      string,
      {
        read: string;
        preread: string;
        cpu_stats: { cpu_usage: { total_usage: number } };
        precpu_stats: { cpu_usage: { total_usage: number } };
      }
    >;
    for (const container of truth.containers) {
      const entry = stats[container.dockerId]!;
      const seconds = secondsBetween(parsePayloadTime(entry.preread)!, parsePayloadTime(entry.read)!);
      const cores =
        (entry.cpu_stats.cpu_usage.total_usage - entry.precpu_stats.cpu_usage.total_usage) / 1e9 / seconds;
      expect(Math.abs(cores - container.cpuCores)).toBeLessThanOrEqual(
        1e-6 * Math.max(1, container.cpuCores),
      );
    }
    await mock.close();
  });

  it('restarts a container from the first moment the mock serves', async () => {
    // The clock does not move: the restart comes at the scenario's origin itself.
    const mock = await serveScenario('fargate-web', () => startMs);
    const reply = await fetchText(`${mock.url}/__taskscope/containers/worker/restart`, { method: 'POST' });
    expect([reply.status, JSON.parse(reply.text)]).toEqual([200, { restarted: 'worker' }]);
    expect(mock.restart('app')).toBe(true);
    const worker = JSON.parse((await fetchText(mock.v4Urls['worker']!)).text) as {
      KnownStatus: string;
      RestartCount?: number;
    };
    expect([worker.KnownStatus, worker.RestartCount]).toEqual(['RUNNING', 1]);
    await mock.close();
  });

  it('answers 409 for a known container that is not running', async () => {
    const mock = await serveScenario('stopped-container', () => startMs + 5_000);
    const reply = await fetchText(`${mock.url}/__taskscope/containers/migrate/restart`, { method: 'POST' });
    expect([reply.status, JSON.parse(reply.text)]).toEqual([
      409,
      'container "migrate" is not running (STOPPED); only a running container can be restarted',
    ]);
    await mock.close();
  });

  it('restarts a container through the control API and 404s an unknown name', async () => {
    let nowMs = startMs + 30_000;
    const mock = await serveScenario('fargate-web', () => nowMs);
    const before = JSON.parse((await fetchText(mock.v4Urls['worker']!)).text) as {
      StartedAt: string;
      RestartCount?: number;
    };
    nowMs += 5_000;
    const restart = await fetchText(`${mock.url}/__taskscope/containers/worker/restart`, { method: 'POST' });
    expect([restart.status, JSON.parse(restart.text)]).toEqual([200, { restarted: 'worker' }]);
    const after = JSON.parse((await fetchText(mock.v4Urls['worker']!)).text) as {
      StartedAt: string;
      RestartCount?: number;
    };
    expect(after.StartedAt).not.toBe(before.StartedAt);
    expect(after.RestartCount).toBe((before.RestartCount ?? 0) + 1);
    const unknown = await fetchText(`${mock.url}/__taskscope/containers/nope/restart`, { method: 'POST' });
    expect([unknown.status, JSON.parse(unknown.text)]).toEqual([
      404,
      'no container named "nope"; known: app, worker, taskscope',
    ]);
    await mock.close();
  });
});
