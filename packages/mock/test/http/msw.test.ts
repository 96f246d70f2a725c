import { createMetadataClient } from '@taskscope/client';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetadataHandlers, createMetadataMock } from '../../src/msw.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { fargate } from '../support/fixtures.js';

/** "App code": what a service does with global fetch and the env var ECS injects. */
async function memoryLimitMiB(): Promise<number> {
  const response = await fetch(`${process.env.ECS_CONTAINER_METADATA_URI_V4}/task`);
  const task = (await response.json()) as { Limits: { Memory: number } };
  return task.Limits.Memory;
}

describe('msw handlers (the README example)', () => {
  const server = setupServer(...createMetadataHandlers({ scenario: 'fargate-web' }));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('answers app code that uses global fetch against 169.254.170.2', async () => {
    const mock = createMetadataMock({ scenario: 'fargate-web' });
    server.use(...mock.handlers);
    process.env.ECS_CONTAINER_METADATA_URI_V4 = mock.v4Urls['app'];
    expect(mock.v4Urls['app']).toMatch(/^http:\/\/169\.254\.170\.2\/v4\//);
    expect(await memoryLimitMiB()).toBe(2048);
  });

  it('answers @taskscope/client too: its own transport is node:http, which msw intercepts', async () => {
    const mock = createMetadataMock({ scenario: 'fargate-web' });
    server.use(...mock.handlers);
    const client = createMetadataClient({ metadataUrl: mock.v4Urls['app'] });
    try {
      const task = await client.taskMetadata();
      expect(task.Containers?.map((c) => c.Name)).toEqual(['app', 'worker', 'taskscope']);
      const stats = await client.taskStats();
      const ids = task.Containers!.map((c) => c.DockerId!);
      expect(Object.keys(stats).sort()).toEqual([...ids].sort());
      const reads = Object.values(stats).map((entry) => (entry === null ? null : typeof entry.read));
      expect(reads.every((read) => read === null || read === 'string')).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('msw handlers share the server behaviour', () => {
  const mock = createMetadataMock({
    taskMetadata: fargate.metadata.text,
    taskStats: fargate.stats.text,
    origin: 'http://metadata.test',
    // A frozen clock: the throttle's bucket does not refill between requests.
    now: () => 1_750_000_000_000,
  });
  const server = setupServer(...mock.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('serves payloads, real error codes, 404 text, redirects and throttling', async () => {
    const stats = await fetch(`http://metadata.test/v4/${fargate.runningId}/task/stats`);
    expect([stats.status, stats.headers.get('content-type')]).toEqual([200, 'application/json']);
    expect(await stats.text()).toBe(fargate.stats.text);
    const unknown = await fetch('http://metadata.test/v4/nope/task');
    expect([unknown.status, await unknown.json()]).toEqual([
      404,
      'V4 task metadata handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: nope',
    ]);
    const missing = await fetch('http://metadata.test/v9');
    expect([missing.status, await missing.text()]).toEqual([404, '404 page not found\n']);
    const redirected = await fetch(`http://metadata.test//v4//${fargate.runningId}/task`, {
      redirect: 'manual',
    });
    expect([redirected.status, redirected.headers.get('location')]).toEqual([
      301,
      `/v4/${fargate.runningId}/task`,
    ]);
    const statuses = [];
    for (let i = 0; i < 61; i++)
      statuses.push((await fetch(`http://metadata.test/v4/${fargate.runningId}`)).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
  });

  it('injects faults, reset included, and takes control requests', async () => {
    const set = await fetch('http://metadata.test/__taskscope/faults', {
      method: 'POST',
      body: '["reset:/v2/**","503:/v4/*/task"]',
    });
    expect(set.status).toBe(200);
    await expect(fetch('http://metadata.test/v2/metadata')).rejects.toThrow(TypeError);
    expect((await fetch(`http://metadata.test/v4/${fargate.runningId}/task`)).status).toBe(503);
    mock.setFaults([]);
    expect((await fetch(`http://metadata.test/v4/${fargate.runningId}/task`)).status).toBe(200);
    expect((await fetch('http://metadata.test/__taskscope/truth')).status).toBe(404);
  });

  it('is the package export @taskscope/mock/msw', async () => {
    const viaExport = await import('@taskscope/mock/msw');
    expect(viaExport.createMetadataHandlers).toBe(createMetadataHandlers);
  });

  it('rejects a scenario file path, which needs loading first', () => {
    expect(() => createMetadataHandlers({ scenario: './my.yaml' })).toThrow(
      'mock options: field "scenario" is "./my.yaml" (string); expected a built-in (fargate-web, fargate-10, ec2-bridge, ec2-cgroup2, fargate-windows, stopped-container) or a Scenario value; for a file, pass await loadScenario(file)',
    );
    const source = createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text });
    expect(() => createMetadataHandlers({ source, scenario: 'x' })).toThrow(
      'mock options: field "source" is {} (object); expected nothing when scenario is set (choose one source: scenario, taskMetadata with taskStats, replay or source)',
    );
  });
});
