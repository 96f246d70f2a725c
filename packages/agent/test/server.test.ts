import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createPrometheusEndpoint, type PrometheusEndpoint } from '@taskscope/exporters';
import { BUILT_IN_PRICES, type Recommendation } from '@taskscope/fargate';
import { ApiErrorSchema, type History, HistorySchema, type Snapshot, SnapshotSchema } from '@taskscope/sdk';
import { CHROMIUM_QUIET_FLAGS, createStopper, requireChromium, waitFor } from '@taskscope/test-support';
import pino from 'pino';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Clock,
  createAgentServer,
  createSnapshotFeed,
  createSnapshotStore,
  SSE_MAX_BUFFERED_BYTES,
  systemClock,
} from '../src/index.js';
import { FARGATE, twoPolls } from './helpers/payloads.js';
import { openStream } from './helpers/sse.js';

/*
 * The HTTP server on its own, fed cycle by cycle through the store (as the collector does):
 * the API's documents against the SDK's schema, history windows and errors, SSE catch-up and
 * the slow-client backlog, the dashboard page and the token.
 */

const { second: metrics } = twoPolls(FARGATE);
/** The captured task's newest read; cycle k is k refreshes (10 s) after it. */
const READ_MS = metrics.sample.readAtMs!;
const HISTORY_MS = 15 * 60_000;
const TOKEN = 'tok3n-s3cret';

const started = createStopper();
const tempDirs: string[] = [];
afterEach(async () => {
  await started.stopAll();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logLines(level: pino.LevelWithSilent = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

/** A dashboard build in a temp dir: one page, its script and style inline. */
const PAGE_SCRIPT = 'document.body.dataset.ready = "1";';
const PAGE_STYLE = 'body{font:14px system-ui}';
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>taskscope</title><style>${PAGE_STYLE}</style><script type="module" crossorigin>${PAGE_SCRIPT}</script></head><body></body></html>`;

function dashboardDir(html: string | null = PAGE): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskscope-dashboard-'));
  tempDirs.push(dir);
  if (html !== null) writeFileSync(join(dir, 'index.html'), html);
  return dir;
}

interface StartOptions {
  readonly authToken?: string;
  readonly prometheus?: PrometheusEndpoint | false;
  readonly heartbeatMs?: number;
  readonly historyMs?: number;
  readonly dashboardDir?: string;
  readonly logger?: pino.Logger;
}

async function start(options: StartOptions = {}) {
  // The server reads only the time of day: documents are made at now(), which publish moves.
  let nowMs = READ_MS - 60_000;
  const clock: Clock = { ...systemClock, now: () => nowMs };
  const store = createSnapshotStore();
  const feed = createSnapshotFeed({
    store,
    clock,
    historyMs: options.historyMs ?? HISTORY_MS,
    context: () => ({
      endpoint: { url: 'http://169.254.170.2/v4/abc', version: 'v4' },
      interval: { mode: 'auto' },
      cadence: { learned: true, cadenceMs: 10_000 },
      exporters: ['prometheus'],
    }),
  });
  const server = started.track(
    createAgentServer({
      store,
      feed,
      prometheus:
        options.prometheus === false
          ? undefined
          : (options.prometheus ?? createPrometheusEndpoint({ getSnapshot: store.latest })),
      authToken: options.authToken,
      logger: options.logger ?? pino({ level: 'silent' }),
      dashboardDir: options.dashboardDir ?? dashboardDir(),
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
      // Fixed, so the prices do not follow the machine the test runs on.
      pricing: { table: BUILT_IN_PRICES, platform: 'linux/x86_64' },
    }),
    (it) => it.close(),
  );
  const address = await server.listen('127.0.0.1', 0);
  let cycles = 0;
  /** Closes `count` more refresh cycles, 10 s apart on the clock and in `read`. */
  const publish = (count = 1) => {
    for (let i = 0; i < count; i++) {
      cycles += 1;
      nowMs += 10_000;
      const readAtMs = READ_MS + cycles * 10_000;
      // The captured numbers again, under the cycle's newest read.
      const cycle = { ...metrics, sample: { kind: cycles === 1 ? 'first' : 'fresh', readAtMs } } as const;
      store.recordSample(cycle, cycle.sample.kind, nowMs, readAtMs);
    }
  };
  /** The id of cycle k (1, 2, …). */
  const idOf = (k: number) => Math.floor(READ_MS + k * 10_000);
  return { store, feed, server, publish, idOf, url: `http://127.0.0.1:${address.port}` };
}

async function getJson<T>(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

/** A GET that leaves Content-Encoding alone (fetch would gunzip). */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * A stream client on a bare socket, paused until the test resumes it: a client that does not
 * read yet. Each event is one write, so its lines arrive whole between the chunk sizes.
 */
function rawStream(url: string, headers: Record<string, string> = {}) {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  socket.pause();
  socket.on('error', () => {});
  const ids: number[] = [];
  let partial = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('id: ')) ids.push(Number(line.slice(4)));
  });
  const request = Object.entries({ Host: 'agent', Accept: 'text/event-stream', ...headers }).map(
    ([name, value]) => `${name}: ${value}\r\n`,
  );
  socket.write(`GET /api/v1/stream HTTP/1.1\r\n${request.join('')}\r\n`);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed, ids };
}

describe('HTTP paths', () => {
  it('answers /healthz always and /readyz only after the first successful poll', async () => {
    const { publish, url } = await start();
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const before = await fetch(`${url}/readyz`);
    expect(before.status).toBe(503);
    await before.text();
    publish();
    const after = await fetch(`${url}/readyz`);
    expect([after.status, await after.text()]).toEqual([200, 'ready\n']);
  });

  it('serves /metrics as text 0.0.4, and as OpenMetrics when Accept asks', async () => {
    const { publish, url } = await start();
    publish();
    const text = await fetch(`${url}/metrics`);
    expect(text.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await text.text()).toContain('ecs_task_cpu_limit_vcpus 0.25');
    const open = await fetch(`${url}/metrics`, {
      headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' },
    });
    expect(open.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect((await open.text()).trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('answers /metrics 404 with the reason when Prometheus is not among the exporters', async () => {
    const { url } = await start({ prometheus: false });
    const { status, body } = await getJson(`${url}/metrics`);
    expect(status).toBe(404);
    expect(body).toEqual({
      error: 'not found',
      message: 'the Prometheus exporter is off; add prometheus to --exporters',
    });
  });

  it('answers unknown paths 404 and other methods 405, in the API error shape', async () => {
    const { url } = await start();
    const api = await getJson(`${url}/api/v1/nope`);
    expect(api.status).toBe(404);
    expect(v.parse(ApiErrorSchema, api.body)).toEqual({
      error: 'not found',
      message: 'no such API path: /api/v1/nope',
      parameter: 'path',
      value: '/api/v1/nope',
      allowed: '/api/v1/snapshot, /api/v1/history, /api/v1/stream, /api/v1/rightsize',
    });
    const other = await getJson<{ error: string; value: string }>(`${url}/nope`);
    expect([other.status, other.body.error, other.body.value]).toEqual([404, 'not found', '/nope']);
    const refused = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('GET, HEAD');
    expect(v.is(ApiErrorSchema, await refused.json())).toBe(true);
    const head = await fetch(`${url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });
});

describe('/api/v1/snapshot', () => {
  it('serves the latest poll with the poll status of the moment, valid against the SDK schema', async () => {
    const { store, feed, publish, idOf, url } = await start();
    const empty = await getJson<Snapshot>(`${url}/api/v1/snapshot`);
    expect(v.parse(SnapshotSchema, empty.body)).toMatchObject({ id: null, task: null, containers: [] });
    expect(empty.body.poll.ready).toBe(false);
    publish(3);
    store.recordRequest('task_stats');
    const response = await getJson<Snapshot>(`${url}/api/v1/snapshot`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const snapshot = v.parse(SnapshotSchema, response.body);
    expect(snapshot.id).toBe(idOf(3));
    // The numbers of the latest cycle, as the stream sent them; the poll status of now.
    const published = feed.latest()!.snapshot;
    expect(snapshot.containers).toEqual(published.containers);
    expect(snapshot.totals).toEqual(published.totals);
    expect(snapshot.poll.requests).toEqual({ task: 0, task_stats: 1 });
    expect(published.poll.requests).toEqual({ task: 0, task_stats: 0 });
    expect(snapshot.poll.samples).toEqual({ fresh: 3, duplicate: 0 });
    expect(snapshot.containers.map((c) => [c.name, c.cpu.cores])).toEqual([
      ['nonessential', null],
      ['prometheus', 0.05],
      ['ecs-exporter', 0.05],
    ]);
  });
});

describe('/api/v1/history', () => {
  it('answers the cycles of the window, oldest first, each as the stream sent it', async () => {
    const { feed, publish, idOf, url } = await start();
    const sent: string[] = [];
    feed.subscribe((cycle) => sent.push(cycle.json()));
    publish(8);
    const all = await getJson<History>(`${url}/api/v1/history`);
    expect(all.headers.get('cache-control')).toBe('no-store');
    const history = v.parse(HistorySchema, all.body);
    expect([history.windowMs, history.retentionMs]).toEqual([HISTORY_MS, HISTORY_MS]);
    expect(history.snapshots.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(idOf));
    expect(history.snapshots.map((s) => JSON.stringify(s))).toEqual(sent);

    // The cycles made in the last 25 s of the clock: 10 s apart, the newest just now.
    const recent = v.parse(HistorySchema, (await getJson(`${url}/api/v1/history?window=25s`)).body);
    expect(recent.windowMs).toBe(25_000);
    expect(recent.snapshots.map((s) => s.id)).toEqual([6, 7, 8].map(idOf));
  });

  it('gzips it when the client takes gzip', async () => {
    const { publish, url } = await start();
    publish(30);
    const plain = await rawGet(`${url}/api/v1/history`);
    const zipped = await rawGet(`${url}/api/v1/history`, { 'accept-encoding': 'br;q=1, gzip;q=0.8' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    // The documents repeat the task's identity and names: a tenth of the size or less.
    expect(zipped.body.length).toBeLessThan(plain.body.length / 10);
    const refused = await rawGet(`${url}/api/v1/history`, { 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it.each([
    ['abc', 'not a duration'],
    ['20m', 'longer than --history'],
    ['500ms', 'shorter than 1s'],
    ['', 'empty'],
  ])('answers window=%s (%s) 400 with the parameter, the value and what is allowed', async (window) => {
    const { url } = await start();
    const { status, body } = await getJson(`${url}/api/v1/history?window=${window}`);
    expect(status).toBe(400);
    const allowed = "a duration from 1s to 15m (the agent's --history), such as 30s, 5m or 15m";
    expect(v.parse(ApiErrorSchema, body)).toEqual({
      error: 'bad request',
      message: `window is ${JSON.stringify(window)}; expected ${allowed}`,
      parameter: 'window',
      value: window,
      allowed,
    });
  });

  it('with --history 0 answers an empty history for any window', async () => {
    const { publish, url } = await start({ historyMs: 0 });
    publish(3);
    for (const query of ['', '?window=5m']) {
      const history = v.parse(HistorySchema, (await getJson(`${url}/api/v1/history${query}`)).body);
      expect(history).toEqual({
        schema: 'taskscope.snapshot/v1',
        windowMs: 0,
        retentionMs: 0,
        snapshots: [],
      });
    }
    expect((await getJson(`${url}/api/v1/history?window=soon`)).status).toBe(400);
  });
});

describe('/api/v1/rightsize', () => {
  it("answers the recommendation from the history's window, computed on request", async () => {
    const { publish, idOf, url } = await start();
    const before = await getJson(`${url}/api/v1/rightsize`);
    expect([before.status, before.body]).toEqual([
      503,
      {
        error: 'no data',
        message:
          "no refresh cycle with CPU and memory in the last 15m (0 in the history's window); the agent sizes from what it has seen, so wait for samples or ask for a longer window",
      },
    ]);
    publish(8);
    const { status, headers, body } = await getJson<Recommendation>(`${url}/api/v1/rightsize`);
    expect([status, headers.get('cache-control')]).toEqual([200, 'no-store']);
    // The captured task: 0.25 vCPU, two containers at 0.05 vCPU each, every cycle the same.
    // Already the smallest size: it stays.
    expect(body.recommended).toEqual(body.current);
    expect(body.current).toEqual({ cpu: '256', memory: '512', dollarsPerHour: 0.0123425 });
    expect(body).toMatchObject({
      observed: {
        cpuP50Vcpu: 0.1,
        cpuPercentileVcpu: 0.1,
        cpuPeakVcpu: 0.1,
        samples: 8,
        tasks: 1,
        windowStart: new Date(idOf(1)).toISOString(),
        windowEnd: new Date(idOf(8)).toISOString(),
      },
      percentile: 95,
      headroomPercent: 20,
      requiredCpuVcpu: 0.12,
      savingsDollarsPerMonth: 0,
      undersized: false,
      platform: 'linux/x86_64',
      region: 'us-east-1',
      pricedRegion: 'us-east-1',
    });
    expect(body.containers.map((c) => c.name)).toEqual(['prometheus', 'ecs-exporter']);
    expect(body.warnings).toEqual([
      'The window is 1m 10s of samples, shorter than an hour: the recommendation rests on little data.',
    ]);
    // The query narrows the window and sets the figures; the platform prices it.
    const narrowed = await getJson<Recommendation>(
      `${url}/api/v1/rightsize?window=25s&percentile=50&headroom=100&platform=linux/arm64`,
    );
    expect(narrowed.body).toMatchObject({
      observed: { samples: 3 },
      percentile: 50,
      headroomPercent: 100,
      requiredCpuVcpu: 0.2,
      platform: 'linux/arm64',
      recommended: { cpu: '256', dollarsPerHour: 0.009875 },
    });
  });

  it.each([
    ['window=20m', 'window', '20m', "a duration from 1s to 15m (the agent's --history)"],
    ['percentile=0', 'percentile', '0', 'a number above 0 and at most 100, such as 50, 95 or 99.9'],
    ['percentile=p95', 'percentile', 'p95', 'a number above 0 and at most 100, such as 50, 95 or 99.9'],
    ['headroom=-5', 'headroom', '-5', 'a percentage from 0 to 1000, such as 0, 20 or 50'],
    ['platform=macos', 'platform', 'macos', 'one of "linux/x86_64", "linux/arm64", "windows"'],
  ])('answers %s 400 naming the parameter', async (query, parameter, value, allowed) => {
    const { url } = await start();
    const { status, body } = await getJson(`${url}/api/v1/rightsize?${query}`);
    expect([status, v.parse(ApiErrorSchema, body)]).toEqual([
      400,
      {
        error: 'bad request',
        message: `${parameter} is ${JSON.stringify(value)}; expected ${allowed}`,
        parameter,
        value,
        allowed,
      },
    ]);
  });

  it('with --history 0 says there is nothing to size on', async () => {
    const { publish, url } = await start({ historyMs: 0 });
    publish(3);
    expect((await getJson(`${url}/api/v1/rightsize`)).status).toBe(503);
    const { body } = await getJson<{ allowed: string }>(`${url}/api/v1/rightsize?window=5m`);
    expect(body.allowed).toBe('nothing: history is off (--history 0), so the agent has no data to size on');
  });
});

describe('/api/v1/stream', () => {
  it('sends retry, the latest cycle, one event per cycle (none for a duplicate), and heartbeats', async () => {
    const { store, publish, idOf, url, server } = await start({ heartbeatMs: 40 });
    publish();
    const stream = await openStream(`${url}/api/v1/stream`);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await stream.waitForEvents(1);
    expect(stream.text().startsWith('retry: 3000\n\n')).toBe(true);
    expect(server.streamClients()).toBe(1);
    store.recordSample(metrics, 'duplicate', Date.now());
    publish(2);
    const events = await stream.waitForEvents(3);
    await waitFor('a heartbeat', () => (stream.text().includes(': heartbeat\n\n') ? true : undefined));
    expect(events.map((e) => [e.event, e.id])).toEqual([1, 2, 3].map((k) => ['snapshot', String(idOf(k))]));
    const last = v.parse(SnapshotSchema, JSON.parse(events[2]!.data));
    expect(last.id).toBe(idOf(3));
    expect(last.poll.samples).toEqual({ fresh: 3, duplicate: 1 });
    stream.close();
    await waitFor('the closed client to be forgotten', () =>
      server.streamClients() === 0 ? true : undefined,
    );
  });

  it('sends a client that reconnects with Last-Event-ID the cycles it missed, once, then live ones', async () => {
    const { publish, idOf, url } = await start();
    publish(2);
    const first = await openStream(`${url}/api/v1/stream`);
    await first.waitForEvents(1);
    publish();
    const seen = await first.waitForEvents(2);
    first.close();
    // Away for four cycles.
    publish(4);
    const again = await openStream(`${url}/api/v1/stream`, { 'last-event-id': seen[1]!.id! });
    await again.waitForEvents(4, 'the four missed cycles');
    publish();
    const events = await again.waitForEvents(5, 'the missed cycles and the next live one');
    expect(events.map((e) => e.id)).toEqual([4, 5, 6, 7, 8].map((k) => String(idOf(k))));
    expect(events.map((e) => v.parse(SnapshotSchema, JSON.parse(e.data)).id)).toEqual(
      [4, 5, 6, 7, 8].map(idOf),
    );
    publish();
    expect((await again.waitForEvents(6)).map((e) => e.id)).toEqual(
      [4, 5, 6, 7, 8, 9].map((k) => String(idOf(k))),
    );
    again.close();
  });

  it('paces a long catch-up by what the client reads, with live cycles after it, each once', async () => {
    // An hour of cycles: 10 MB of events, more than the kernel's socket buffers take.
    const { publish, idOf, url, server } = await start({ historyMs: 3_600_000 });
    publish(3_600);
    // A client that asks for them all and does not read yet.
    const client = rawStream(url, { 'Last-Event-ID': String(idOf(0)) });
    await waitFor('the client to be connected', () => (server.streamClients() === 1 ? true : undefined));
    // Were the history written at once, the next cycle would find MiBs waiting and drop it.
    publish(3);
    expect(server.streamClients()).toBe(1);
    client.socket.resume();
    const ids = await waitFor('the whole history and three live cycles', () =>
      client.ids.length >= 3_603 ? client.ids : undefined,
    );
    expect(ids).toEqual(Array.from({ length: 3_603 }, (_, i) => idOf(i + 1)));
    client.socket.destroy();
  });

  it('without history, a reconnecting client gets the latest cycle if it is newer than its last', async () => {
    const { publish, idOf, url } = await start({ historyMs: 0 });
    publish(3);
    const behind = await openStream(`${url}/api/v1/stream`, { 'last-event-id': String(idOf(1)) });
    expect((await behind.waitForEvents(1)).map((e) => e.id)).toEqual([String(idOf(3))]);
    behind.close();
    const current = await openStream(`${url}/api/v1/stream`, { 'last-event-id': String(idOf(3)) });
    publish();
    expect((await current.waitForEvents(1)).map((e) => e.id)).toEqual([String(idOf(4))]);
    current.close();
  });

  it(`drops a client that stops reading once ${SSE_MAX_BUFFERED_BYTES} bytes wait for it; the others keep receiving`, async () => {
    const { lines, logger } = logLines('warn');
    const { publish, url, server } = await start({ logger });
    publish();
    const reader = await openStream(`${url}/api/v1/stream`);
    await reader.waitForEvents(1);
    // A client that sends its request and never reads a byte of the answer.
    const stalled = rawStream(url);
    await waitFor('the stalled client to be connected', () =>
      server.streamClients() === 2 ? true : undefined,
    );
    // Until the kernel's socket buffers are full and the server's own backlog passes the limit.
    let published = 1;
    while (server.streamClients() === 2 && published < 40_000) {
      publish(10);
      published += 10;
      // Let the reading client read, as a real one on its own machine would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.streamClients()).toBe(1);
    // The server closed its socket: reading again, the client finds the end.
    stalled.socket.resume();
    await stalled.closed;
    const warning = lines.map((line) => JSON.parse(line)).find((l) => l.msg.includes('does not keep up'));
    expect(warning.bufferedBytes).toBeGreaterThan(SSE_MAX_BUFFERED_BYTES);
    // The reading client had every cycle, and still gets the next.
    publish();
    const events = await reader.waitForEvents(published + 1, 'every cycle on the reading client');
    expect(new Set(events.map((e) => e.id)).size).toBe(published + 1);
    reader.close();
  });

  it('ends open streams on close', async () => {
    const { url, server } = await start();
    const stream = await openStream(`${url}/api/v1/stream`);
    await waitFor('the client', () => (server.streamClients() === 1 ? true : undefined));
    await server.close();
    await stream.ended;
    expect(server.streamClients()).toBe(0);
  });
});

describe('the dashboard at /', () => {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('serves the built page with an ETag, no-cache and a CSP that allows only its own inline code', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toBe(PAGE);
    // The header as it goes on the wire.
    expect(response.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src ${hash(PAGE_SCRIPT)}; style-src ${hash(PAGE_STYLE)}; connect-src 'self'; ` +
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const etag = response.headers.get('etag')!;
    expect(etag).toBe(`"${createHash('sha256').update(PAGE).digest('base64url')}"`);
    const cached = await fetch(`${url}/`, { headers: { 'if-none-match': etag } });
    expect([cached.status, await cached.text()]).toEqual([304, '']);
    const head = await fetch(`${url}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([
      200,
      String(Buffer.byteLength(PAGE)),
      '',
    ]);
  });

  it('in a real Chromium, runs the page’s own inline script and style under that policy, and nothing else', async () => {
    const chromium = requireChromium();
    // The page reports in its DOM what the policy let it do.
    const probe = `<!doctype html><html><head><meta charset="utf-8"><style>body{color:rgb(1, 2, 3)}</style><script type="module">
const d = document.body.dataset;
d.ran = 'yes';
d.color = getComputedStyle(document.body).color;
try { eval('1'); d.eval = 'ran'; } catch { d.eval = 'refused'; }
const headers = { authorization: 'Bearer ${TOKEN}' };
try { d.self = String((await fetch('/api/v1/snapshot', { headers })).status); } catch { d.self = 'refused'; }
try { await fetch('http://127.0.0.2:9/'); d.other = 'fetched'; } catch { d.other = 'refused'; }
const injected = document.createElement('script');
injected.textContent = 'document.body.dataset.injected = "ran"';
document.body.append(injected);
d.done = 'yes';
</script></head><body></body></html>`;
    const { url } = await start({ authToken: TOKEN, dashboardDir: dashboardDir(probe) });
    const profile = mkdtempSync(join(tmpdir(), 'taskscope-chromium-'));
    tempDirs.push(profile);
    // The page is opened the way a link opens it.
    const { stdout } = await promisify(execFile)(chromium, [
      '--headless',
      ...CHROMIUM_QUIET_FLAGS,
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=5000',
      '--dump-dom',
      `${url}/?token=${TOKEN}`,
    ]);
    const body = /<body([^>]*)>/.exec(stdout)?.[1] ?? stdout;
    const seen = Object.fromEntries([...body.matchAll(/data-(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(seen).toEqual({
      ran: 'yes',
      color: 'rgb(1, 2, 3)',
      eval: 'refused',
      self: '200',
      other: 'refused',
      done: 'yes',
    });
  }, 60_000);

  it('answers 503 saying how to build it when the page is not built', async () => {
    const { url } = await start({ dashboardDir: dashboardDir(null) });
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toMatch(/^the dashboard was not built: .*index\.html is missing\. Run `npm run build`/);
  });
});

describe('--auth-token', () => {
  it('guards every path but /healthz with a bearer token; / also takes ?token=', async () => {
    const { url } = await start({ authToken: TOKEN });
    for (const path of [
      '/metrics',
      '/readyz',
      '/api/v1/snapshot',
      '/api/v1/history',
      '/api/v1/stream',
      '/api/v1/rightsize',
      '/',
      '/nope',
    ]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="taskscope"');
      expect(v.is(ApiErrorSchema, await response.json())).toBe(true);
    }
    for (const authorization of ['Bearer wrong', `Bearer ${TOKEN}2`, 'Basic dG9rM24=', TOKEN]) {
      const response = await fetch(`${url}/readyz`, { headers: { authorization } });
      expect(response.status, authorization).toBe(401);
      await response.text();
    }
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await health.text();
    const ok = await fetch(`${url}/api/v1/snapshot`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    await ok.text();

    // The page opened from a link: the token in its URL, on `/` only.
    const page = await fetch(`${url}/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
    for (const path of [
      '/?token=wrong',
      '/?token=',
      `/api/v1/snapshot?token=${TOKEN}`,
      `/metrics?token=${TOKEN}`,
    ]) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(401);
      await response.text();
    }
  });

  it('never writes the token of a URL into a log line', async () => {
    const { lines, logger } = logLines('debug');
    const failing = {
      ...createPrometheusEndpoint({ getSnapshot: () => undefined }),
      scrape: () => Promise.reject(new Error('scrape broke')),
    } as PrometheusEndpoint;
    const { url } = await start({ authToken: TOKEN, logger, prometheus: failing });
    for (const path of [`/api/v1/snapshot?token=${TOKEN}`, `/?x=1&token=${TOKEN}x`, `/?token=${TOKEN}1`]) {
      await (await fetch(`${url}${path}`)).text();
    }
    // A request that fails inside the server logs its URL: with the token in it too.
    const failed = await fetch(`${url}/metrics?token=${TOKEN}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(failed.status).toBe(500);
    await failed.text();
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; url?: string });
    expect(logged.filter((l) => l.msg === 'unauthorized request').map((l) => l.url)).toEqual([
      '/api/v1/snapshot?token=[REDACTED]',
      '/?x=1&token=[REDACTED]',
      '/?token=[REDACTED]',
    ]);
    expect(logged.find((l) => l.msg === 'request failed')?.url).toBe('/metrics?token=[REDACTED]');
    for (const line of lines) expect(line).not.toContain(TOKEN);
  });
});
