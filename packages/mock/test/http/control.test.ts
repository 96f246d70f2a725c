import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/http/server.js';
import { startMock } from '../../src/http/start-mock.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer(
    createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
    {
      faults: ['503:/v2/**'],
    },
  );
});
afterAll(() => mock.close());

describe('control API under /__taskscope/', () => {
  it('replaces the fault set with POST /faults and lists it with GET', async () => {
    expect(JSON.parse((await fetchText(`${mock.url}/__taskscope/faults`)).text)).toEqual(['503:/v2/**']);
    expect((await fetchText(`${mock.url}/v2/metadata`)).status).toBe(503);
    const set = await fetchText(`${mock.url}/__taskscope/faults`, {
      method: 'POST',
      body: '["500:/v4/*/task@1"]',
    });
    expect([set.status, JSON.parse(set.text)]).toEqual([200, ['500:/v4/*/task@1']]);
    expect((await fetchText(`${mock.url}/v2/metadata`)).status).toBe(200);
    expect((await fetchText(`${mock.url}/v4/${fargate.runningId}/task`)).status).toBe(500);
    await fetchText(`${mock.url}/__taskscope/faults`, { method: 'POST', body: '[]' });
    expect((await fetchText(`${mock.url}/v4/${fargate.runningId}/task`)).status).toBe(200);
  });

  it('rejects a bad fault set with 400 and one message, keeping the old set', async () => {
    await fetchText(`${mock.url}/__taskscope/faults`, { method: 'POST', body: '["reset:/v2/stats"]' });
    const cases: Array<[string, string]> = [
      ['["500","nope@0.5"]', 'fault "nope@0.5": field "kind" is "nope" (string)'],
      ['{"faults":[]}', 'faults: the body is not an array of strings'],
      ['[500]', 'faults: the body is not an array of strings'],
      ['not json', 'faults: the body is not JSON; expected a JSON array of fault SPEC strings'],
    ];
    for (const [body, message] of cases) {
      const reply = await fetchText(`${mock.url}/__taskscope/faults`, { method: 'POST', body });
      expect([reply.status, reply.headers['content-type']]).toEqual([400, 'application/json']);
      expect(JSON.parse(reply.text)).toContain(message);
    }
    expect(JSON.parse((await fetchText(`${mock.url}/__taskscope/faults`)).text)).toEqual(['reset:/v2/stats']);
    mock.setFaults([]);
  });

  it('caps request bodies at 64 KiB with 413', async () => {
    const big = JSON.stringify(Array.from({ length: 7000 }, () => '500:/v4/x'));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const reply = await fetchText(`${mock.url}/__taskscope/faults`, { method: 'POST', body: big });
    expect([reply.status, JSON.parse(reply.text)]).toEqual([413, 'request body is larger than 65536 bytes']);
    expect(JSON.parse((await fetchText(`${mock.url}/__taskscope/faults`)).text)).toEqual([]);
  });

  it('answers 404 for truth and restart on a source without them, and for unknown control paths', async () => {
    const truth = await fetchText(`${mock.url}/__taskscope/truth`);
    expect([truth.status, JSON.parse(truth.text)]).toEqual([
      404,
      'this source has no ground truth: only scenario sources know it, not static or replay',
    ]);
    const restart = await fetchText(`${mock.url}/__taskscope/containers/prometheus/restart`, {
      method: 'POST',
    });
    expect(restart.status).toBe(404);
    expect((await fetchText(`${mock.url}/__taskscope/nope`)).status).toBe(404);
    const wrongMethod = await fetchText(`${mock.url}/__taskscope/truth`, { method: 'DELETE' });
    expect([wrongMethod.status, wrongMethod.headers['allow']]).toEqual([405, 'GET']);
    expect(mock.truth()).toBeUndefined();
    expect(mock.restart('prometheus')).toBe(false);
  });

  it('is neither throttled nor faulted and carries no rate-limit headers', async () => {
    mock.setFaults(['500']);
    const replies = await Promise.all(
      Array.from({ length: 80 }, () => fetchText(`${mock.url}/__taskscope/faults`)),
    );
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies[0]!.headers['x-rate-limit-limit']).toBeUndefined();
    mock.setFaults([]);
  });
});

describe('restart on a scenario source', () => {
  const START = '2025-06-01T00:00:00Z';
  type Container = { StartedAt: string; RestartCount?: number };

  it('gives a new StartedAt to every container and RestartCount + 1 only where a restart policy is', async () => {
    let nowMs = Date.parse(START) + 42_000;
    const scenario = await startMock({ scenario: 'fargate-web', startTime: START, now: () => nowMs });
    const read = async (name: string) =>
      JSON.parse((await fetchText(scenario.v4Urls[name]!)).text) as Container;
    const before = { app: await read('app'), worker: await read('worker') };
    nowMs += 1_000;
    for (const name of ['app', 'worker']) {
      const reply = await fetchText(`${scenario.url}/__taskscope/containers/${name}/restart`, {
        method: 'POST',
      });
      expect(reply.status).toBe(200);
    }
    const after = { app: await read('app'), worker: await read('worker') };
    // app has no restart policy: like the real endpoint, no RestartCount at all.
    expect(after.app.StartedAt).not.toBe(before.app.StartedAt);
    expect([before.app.RestartCount, after.app.RestartCount]).toEqual([undefined, undefined]);
    expect(after.worker.StartedAt).not.toBe(before.worker.StartedAt);
    expect([before.worker.RestartCount, after.worker.RestartCount]).toEqual([0, 1]);
    await scenario.close();
  });

  it('is documented as it behaves: RestartCount + 1 only with a restart policy', () => {
    const contract = readFileSync(new URL('../../../../docs/contract.md', import.meta.url), 'utf8');
    const restart = /`POST \/containers\/<name>\/restart`\n?\(([^)]*)\)/.exec(contract)?.[1] ?? '';
    expect(restart.replace(/\s+/g, ' ')).toContain('`RestartCount`+1 for a container with a restart policy');
    expect(restart.replace(/\s+/g, ' ')).toContain('omits `RestartCount` for a container without one');
  });
});
