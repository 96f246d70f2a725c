import { computeTaskMetrics } from '@taskscope/core';
import { createPrometheusEndpoint } from '@taskscope/exporters';
import { loadFixture } from '@taskscope/fixtures';
import { parseTaskMetadata, parseTaskStats } from '@taskscope/wire';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentServer,
  type AgentSnapshot,
  createAgentServer,
  createSnapshotStore,
  SNAPSHOT_SCHEMA,
} from '../src/index.js';

const metrics = computeTaskMetrics({
  metadata: parseTaskMetadata(
    loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json').json,
  ),
  stats: parseTaskStats(loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json').json),
}).metrics;

let server: AgentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: { authToken?: string; prometheus?: boolean; heartbeatMs?: number } = {}) {
  const store = createSnapshotStore();
  const prometheus = createPrometheusEndpoint({ getSnapshot: store.latest });
  const snapshot = (): AgentSnapshot => ({
    schema: SNAPSHOT_SCHEMA,
    generatedAt: new Date().toISOString(),
    status: {
      ...store.status(),
      endpoint: { url: 'http://169.254.170.2/v4/x', version: 'v4' },
      interval: { mode: 'auto' },
      exporters: ['prometheus'],
    },
    metrics: store.latest() ?? null,
  });
  server = createAgentServer({
    store,
    snapshot,
    prometheus: options.prometheus === false ? undefined : prometheus,
    authToken: options.authToken,
    logger: pino({ level: 'silent' }),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  const address = await server.listen('127.0.0.1', 0);
  return { store, url: `http://127.0.0.1:${address.port}`, server };
}

describe('HTTP paths', () => {
  it('answers /healthz always and /readyz only after the first successful poll', async () => {
    const { store, url } = await start();
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    await before.text();
    store.recordSample(metrics, 'first', Date.now());
    const after = await fetch(`${url}/readyz`);
    expect([after.status, await after.text()]).toEqual([200, 'ready\n']);
  });

  it('serves /metrics as text 0.0.4, and as OpenMetrics when Accept asks', async () => {
    const { store, url } = await start();
    store.recordSample(metrics, 'first', Date.now());
    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await text.text();
    expect(body).toContain('ecs_task_cpu_limit_vcpus 0.25');
    const open = await fetch(`${url}/metrics`, {
      headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
    });
    expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect((await open.text()).trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('answers /metrics 404 with the reason when Prometheus is not among the exporters', async () => {
    const { url } = await start({ prometheus: false });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'not found',
      message: 'the Prometheus exporter is off; add prometheus to --exporters',
    });
  });

  it('serves the snapshot document with the status and the latest metrics', async () => {
    const { store, url } = await start();
    const empty = (await (await fetch(`${url}/api/v1/snapshot`)).json()) as AgentSnapshot;
    expect(empty.metrics).toBeNull();
    expect(empty.status.ready).toBe(false);
    store.recordRequest('task_stats');
    store.recordSample(metrics, 'first', Date.parse('2025-02-27T05:22:50Z'));
    const response = await fetch(`${url}/api/v1/snapshot`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const snapshot = (await response.json()) as AgentSnapshot;
    expect(snapshot.schema).toBe('taskscope.snapshot/v1');
    expect(snapshot.status).toMatchObject({
      ready: true,
      lastSuccessAt: '2025-02-27T05:22:50.000Z',
      requests: { task: 0, task_stats: 1 },
      samples: { fresh: 1, duplicate: 0 },
    });
    expect(snapshot.metrics).toEqual(JSON.parse(JSON.stringify(metrics)));
  });

  it('renders / as an escaped HTML page with links to the API', async () => {
    const { store, url } = await start();
    store.recordSample(metrics, 'first', Date.now());
    const response = await fetch(`${url}/`);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    const html = await response.text();
    for (const container of metrics.containers) expect(html).toContain(`<td>${container.name}</td>`);
    expect(html).toContain('href="api/v1/snapshot"');
  });

  it('answers unknown paths 404 and other methods 405 with Allow', async () => {
    const { url } = await start();
    const missing = await fetch(`${url}/nope`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'not found', path: '/nope' }]);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.text();
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });
});

describe('--auth-token', () => {
  it('guards every path but /healthz with a bearer token', async () => {
    const { url } = await start({ authToken: 'tok3n' });
    for (const path of ['/metrics', '/readyz', '/api/v1/snapshot', '/api/v1/stream', '/', '/nope']) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="taskscope"');
      await response.text();
    }
    for (const authorization of ['Bearer wrong', 'Bearer tok3n2', 'Basic dG9rM24=', 'tok3n']) {
      const response = await fetch(`${url}/readyz`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      await response.text();
    }
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await health.text();
    const ok = await fetch(`${url}/api/v1/snapshot`, { headers: { authorization: 'Bearer tok3n' } });
    expect(ok.status).toBe(200);
    await ok.text();
  });
});

describe('/api/v1/stream', () => {
  it('sends the current snapshot, one event per fresh sample, heartbeats, and forgets closed clients', async () => {
    const { store, url, server } = await start({ heartbeatMs: 40 });
    store.recordSample(metrics, 'first', Date.now());
    const aborter = new AbortController();
    const response = await fetch(`${url}/api/v1/stream`, { signal: aborter.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (predicate: (text: string) => boolean) => {
      while (!predicate(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += value;
      }
    };
    await until((t) => t.includes('\n\n') && t.split('event: snapshot').length === 2);
    expect(text.startsWith('retry: 3000\n\n')).toBe(true);
    expect(server.streamClients()).toBe(1);

    store.recordSample(metrics, 'duplicate', Date.now());
    store.recordSample(metrics, 'fresh', Date.now());
    await until((t) => t.split('event: snapshot').length === 3 && t.endsWith('\n\n'));
    await until((t) => t.includes(': heartbeat\n\n'));
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('event: snapshot'))
      .map((block) => block.split('\n'));
    // Two events: the duplicate sent none.
    expect(events.map((lines) => lines[1])).toEqual(['id: 1', 'id: 2']);
    const last = JSON.parse(events[1]![2]!.slice('data: '.length)) as AgentSnapshot;
    expect(last.status.samples).toEqual({ fresh: 2, duplicate: 1 });
    expect(last.metrics?.identity.taskArn).toBe(metrics.identity.taskArn);

    aborter.abort();
    await expect.poll(() => server.streamClients()).toBe(0);
  });

  it('ends open streams on close', async () => {
    const { url, server: agentServer } = await start();
    const response = await fetch(`${url}/api/v1/stream`);
    const reader = response.body!.getReader();
    await reader.read();
    await agentServer.close();
    server = undefined;
    for (;;) if ((await reader.read()).done) break;
    expect(agentServer.streamClients()).toBe(0);
  });
});
