import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/http/start-mock.js';
import { fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

type Stats = Record<string, { read: string; preread: string } | null>;
type Metadata = { Containers: { Name: string; KnownStatus: string; StartedAt?: string }[] };

describe('runningForMs: a task that has been running a while', () => {
  it('serves RUNNING containers started that long ago, each stats entry with a previous sample', async () => {
    const nowMs = Date.parse('2025-06-01T12:00:00Z');
    const mock = await startMock({ scenario: 'fargate-web', runningForMs: 45_000, now: () => nowMs });
    const id = mock.endpoints[0]!.endpointId;
    const metadata = JSON.parse((await fetchText(`${mock.url}/v4/${id}/task`)).text) as Metadata;
    for (const c of metadata.Containers) {
      expect([c.Name, c.KnownStatus]).toEqual([c.Name, 'RUNNING']);
      const startedAgoMs = nowMs - Date.parse(c.StartedAt!);
      expect(startedAgoMs).toBeGreaterThanOrEqual(45_000);
      expect(startedAgoMs).toBeLessThan(45_500);
    }
    const stats = JSON.parse((await fetchText(`${mock.url}/v4/${id}/task/stats`)).text) as Stats;
    expect(Object.keys(stats)).toHaveLength(3);
    for (const entry of Object.values(stats)) {
      expect(entry).not.toBeNull();
      expect(entry!.preread).not.toBe('0001-01-01T00:00:00Z');
      expect(Date.parse(entry!.read) - Date.parse(entry!.preread)).toBeGreaterThan(9_000);
    }
    await mock.close();
  });

  it('is rejected with startTime, with a source other than a scenario, and when negative', async () => {
    const cases: Array<[Parameters<typeof startMock>[0], string]> = [
      [{ runningForMs: 1000, startTime: '2025-06-01T00:00:00Z' }, 'nothing when startTime is set'],
      [
        { runningForMs: 1000, taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text },
        'nothing unless the source is a scenario',
      ],
      [{ runningForMs: -1 }, 'a number of ms ≥ 0'],
    ];
    for (const [options, allowed] of cases) {
      await expect(startMock(options)).rejects.toThrow(allowed);
    }
  });
});
