import { loadFixture } from '@taskscope/fixtures';
import { thrownBy } from '@taskscope/test-support';
import { WireSchemaError } from '@taskscope/wire';
import { MockAgent } from 'undici';
import { afterEach, beforeEach, expect, test } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import * as errors from '../src/errors.js';
import { createMetadataClient, DEFAULT_USER_AGENT, type MetadataClient } from '../src/index.js';
import { rejectionOf } from './helpers.js';

const ORIGIN = 'http://169.254.170.2';
const V4_ID = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';
const STOPPED_ID = 'bae32def0ab64f06818e8862e58f8d6d-1585788040';
const FARGATE_TASK = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json');
const FARGATE_STATS = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json');
const JSON_HEADERS = { 'content-type': 'application/json' };

let agent: MockAgent;
let client: MetadataClient | undefined;

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  agent.assertNoPendingInterceptors();
  await agent.close();
});

function v4Client(): MetadataClient {
  client = createMetadataClient({
    env: { ECS_CONTAINER_METADATA_URI_V4: `${ORIGIN}/v4/${V4_ID}` },
    dispatcher: agent,
  });
  return client;
}

/** The next `GET /v4/<id>/task`, for a test to answer (`.reply`, `.replyWithError`, `.delay`). */
function interceptTask() {
  return agent.get(ORIGIN).intercept({ path: `/v4/${V4_ID}/task`, method: 'GET' });
}

function reply(
  path: string,
  status: number,
  body: string,
  headers: Record<string, string> = JSON_HEADERS,
): void {
  agent.get(ORIGIN).intercept({ path, method: 'GET' }).reply(status, body, { headers });
}

test('the User-Agent is taskscope/<package version> and JSON is asked for', async () => {
  expect(DEFAULT_USER_AGENT).toBe(`taskscope/${pkg.version}`);
  agent
    .get(ORIGIN)
    .intercept({
      path: `/v4/${V4_ID}/task`,
      method: 'GET',
      headers: { 'user-agent': `taskscope/${pkg.version}`, accept: 'application/json' },
    })
    .reply(200, FARGATE_TASK.text, { headers: JSON_HEADERS });
  const task = await v4Client().taskMetadata();
  expect(task.TaskARN).toBe((FARGATE_TASK.json as { TaskARN: string }).TaskARN);
});

test('v4: each method reads its path and returns the validated payload', async () => {
  const v4Container = loadFixture('awsdocs-amazon-ecs-developer-guide/v4-container-metadata.json');
  const tagged = loadFixture('awsdocs-amazon-ecs-developer-guide/v4-task-with-tags.json');
  const oneStats = loadFixture('awsdocs-amazon-ecs-developer-guide/rev-2020-09/v4-container-stats.json');
  reply(`/v4/${V4_ID}/task`, 200, FARGATE_TASK.text);
  reply(`/v4/${V4_ID}/taskWithTags`, 200, tagged.text);
  reply(`/v4/${V4_ID}/task/stats`, 200, FARGATE_STATS.text);
  reply(`/v4/${V4_ID}`, 200, v4Container.text);
  reply(`/v4/${V4_ID}/stats`, 200, oneStats.text);
  const c = v4Client();
  expect(c.endpoint).toEqual({
    baseUrl: `${ORIGIN}/v4/${V4_ID}`,
    version: 'v4',
    source: 'ECS_CONTAINER_METADATA_URI_V4',
  });
  expect((await c.taskMetadata()).Containers?.map((x) => x.Name)).toEqual([
    'nonessential',
    'prometheus',
    'ecs-exporter',
  ]);
  expect((await c.taskMetadataWithTags()).TaskTags).toEqual((tagged.json as { TaskTags: unknown }).TaskTags);
  const stats = await c.taskStats();
  expect(stats[STOPPED_ID]).toBeNull();
  expect(stats[V4_ID]?.cpu_stats.cpu_usage.total_usage).toBe(932439492);
  expect((await c.containerMetadata()).Name).toBe('curl');
  expect((await c.containerStats())?.cpu_stats.cpu_usage.total_usage).toBe(412520458);
});

test('v4: an empty {} single-container stats answer is "no sample" (null)', async () => {
  reply(`/v4/${V4_ID}/stats`, 200, '{}');
  expect(await v4Client().containerStats()).toBeNull();
});

test('v3: the same relative paths under the v3 base', async () => {
  const id = '7b0b7f80-b4c5-4d7d-a1a0-1f4e6d3c5d2b';
  const v3Container = loadFixture('awsdocs-amazon-ecs-developer-guide/v3-container-metadata.json');
  reply(`/v3/${id}`, 200, v3Container.text);
  reply(`/v3/${id}/task/stats`, 200, loadFixture('influxdata-telegraf/cgroupv2/stats.json').text);
  client = createMetadataClient({
    env: { ECS_CONTAINER_METADATA_URI: `${ORIGIN}/v3/${id}` },
    dispatcher: agent,
  });
  expect(client.endpoint.version).toBe('v3');
  expect((await client.containerMetadata()).Name).toBe('nginx-curl');
  expect(Object.keys(await client.taskStats())).toEqual([
    'c69461b2c836cc3f0e3e5deb07b1f16e25f6009da2a48bb0adc7dd580befaf55',
  ]);
});

test('v2: the fixed base, task paths and containers by DockerId', async () => {
  const v2Task = loadFixture('awsdocs-amazon-ecs-developer-guide/v2-task-metadata.json');
  const nginx = '43481a6ce4842eec8fe72fc28500c6b52edcc0917f105b83379f88cac1ff3946';
  const stats = loadFixture('influxdata-telegraf/stats.golden');
  const app = 'fffe894e232d46c76475cfeabf4907f712e8b92618a37fca3ef0805bbbfb0299';
  reply('/v2/metadata', 200, v2Task.text);
  reply('/v2/metadataWithTags', 200, v2Task.text);
  reply('/v2/stats', 200, stats.text);
  reply(
    `/v2/metadata/${nginx}`,
    200,
    loadFixture('awsdocs-amazon-ecs-developer-guide/v3-container-metadata.json').text,
  );
  reply(`/v2/stats/${app}`, 200, JSON.stringify((stats.json as Record<string, unknown>)[app]));
  reply(`/v2/stats/${nginx}`, 200, 'null');
  client = createMetadataClient({ env: {}, dispatcher: agent });
  expect(client.endpoint).toEqual({ baseUrl: `${ORIGIN}/v2`, version: 'v2', source: 'default' });
  expect((await client.taskMetadata()).Family).toBe('nginx');
  expect((await client.taskMetadataWithTags()).Revision).toBe('5');
  expect(Object.keys(await client.taskStats())).toHaveLength(2);
  expect((await client.containerMetadata(nginx)).DockerId).toBe(nginx);
  expect((await client.containerStats(app))?.cpu_stats.cpu_usage.total_usage).toBe(65599511);
  // v2/v3 answer 200 `null` for a tracked container with no sample yet (docs/endpoint.md §5).
  expect(await client.containerStats(nginx)).toBeNull();
});

test('v2 has no calling container: a missing DockerId is a TMDS_CONFIG error, no request is made', async () => {
  client = createMetadataClient({ env: {}, dispatcher: agent });
  const error = await rejectionOf(client.containerStats());
  expect(error).toBeInstanceOf(errors.MetadataConfigError);
  expect(error.message).toBe(
    'containerStats() on the v2 endpoint http://169.254.170.2/v2 needs a DockerId: v2 has no "calling container" (v3 and v4 do)',
  );
  expect((await rejectionOf(client.containerMetadata(''))).code).toBe('TMDS_CONFIG');
});

test('v4: another container by DockerId is found through the task; an unknown one is TMDS_NOT_FOUND', async () => {
  reply(`/v4/${V4_ID}/task`, 200, FARGATE_TASK.text);
  reply(`/v4/${V4_ID}/task/stats`, 200, FARGATE_STATS.text);
  reply(`/v4/${V4_ID}/task/stats`, 200, FARGATE_STATS.text);
  reply(`/v4/${V4_ID}/task`, 200, FARGATE_TASK.text);
  const c = v4Client();
  expect((await c.containerMetadata(STOPPED_ID)).KnownStatus).toBe('STOPPED');
  expect(await c.containerStats(STOPPED_ID)).toBeNull();
  const error = await rejectionOf(c.containerStats('0123'));
  expect(error).toBeInstanceOf(errors.MetadataNotFoundError);
  expect(error.message).toBe(
    `GET ${ORIGIN}/v4/${V4_ID}/task/stats: the task has no container with DockerId "0123"`,
  );
  expect((await rejectionOf(c.containerMetadata('0123'))).code).toBe('TMDS_NOT_FOUND');
});

test.each([
  // The real agent's error bodies are JSON strings (docs/endpoint.md §2).
  [
    500,
    `"Unable to get container stats for: ${V4_ID}"`,
    JSON_HEADERS,
    `Unable to get container stats for: ${V4_ID}`,
    true,
  ],
  [
    404,
    `"V4 task metadata handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: ${V4_ID}"`,
    JSON_HEADERS,
    `V4 task metadata handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: ${V4_ID}`,
    false,
  ],
  [400, '"Unable to get task arn from request"', JSON_HEADERS, 'Unable to get task arn from request', false],
  [404, '404 page not found\n', { 'content-type': 'text/plain; charset=utf-8' }, '404 page not found', false],
  [500, '{}', JSON_HEADERS, undefined, true],
  [503, '', JSON_HEADERS, undefined, true],
  [301, '', { location: '/v4/x/task' }, undefined, false],
] as const)(
  'HTTP %i %j is TMDS_HTTP_STATUS with the decoded detail',
  async (status, body, headers, detail, retryable) => {
    reply(`/v4/${V4_ID}/task/stats`, status, body, { ...headers });
    const error = (await rejectionOf(v4Client().taskStats())) as errors.MetadataHttpStatusError;
    expect(error).toBeInstanceOf(errors.MetadataHttpStatusError);
    expect(error).not.toBeInstanceOf(errors.MetadataThrottledError);
    expect(error.code).toBe('TMDS_HTTP_STATUS');
    expect(error.status).toBe(status);
    expect(error.body).toBe(body);
    expect(error.detail).toBe(detail);
    expect(error.retryable).toBe(retryable);
    expect(error.url).toBe(`${ORIGIN}/v4/${V4_ID}/task/stats`);
    expect(error.message).toBe(
      `GET ${ORIGIN}/v4/${V4_ID}/task/stats: HTTP ${status}${detail === undefined ? '' : `: ${detail}`}`,
    );
  },
);

test('HTTP 429 is TMDS_THROTTLED, still an HTTP status error, with Retry-After in ms', async () => {
  reply(`/v4/${V4_ID}/task`, 429, 'You have reached maximum request limit.', {
    'content-type': 'text/plain; charset=utf-8',
    'retry-after': '3',
    'x-rate-limit-limit': '40.00',
  });
  const later = new Date(Date.now() + 60_000).toUTCString();
  reply(`/v4/${V4_ID}/task`, 429, 'You have reached maximum request limit.', { 'retry-after': later });
  reply(`/v4/${V4_ID}/task`, 429, 'You have reached maximum request limit.', { 'retry-after': 'soon' });
  const c = v4Client();
  const first = (await rejectionOf(c.taskMetadata())) as errors.MetadataThrottledError;
  expect(first).toBeInstanceOf(errors.MetadataThrottledError);
  expect(first).toBeInstanceOf(errors.MetadataHttpStatusError);
  expect([first.code, first.status, first.detail, first.retryAfterMs, first.retryable]).toEqual([
    'TMDS_THROTTLED',
    429,
    'You have reached maximum request limit.',
    3000,
    true,
  ]);
  expect(first.headers['x-rate-limit-limit']).toBe('40.00');
  const dated = (await rejectionOf(c.taskMetadata())) as errors.MetadataThrottledError;
  expect(dated.retryAfterMs).toBeGreaterThan(55_000);
  expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
  expect(
    ((await rejectionOf(c.taskMetadata())) as errors.MetadataThrottledError).retryAfterMs,
  ).toBeUndefined();
});

test('a truncated body is TMDS_MALFORMED_JSON with a preview of what arrived', async () => {
  const truncated = FARGATE_STATS.text.slice(0, 300);
  reply(`/v4/${V4_ID}/task/stats`, 200, truncated);
  const error = (await rejectionOf(v4Client().taskStats())) as errors.MetadataMalformedJsonError;
  expect(error).toBeInstanceOf(errors.MetadataMalformedJsonError);
  expect(error.code).toBe('TMDS_MALFORMED_JSON');
  expect(error.status).toBe(200);
  expect(error.preview).toBe(`${truncated.slice(0, 117)}...`);
  expect(error.cause).toBeInstanceOf(SyntaxError);
  expect(error.message).toMatch(
    new RegExp(`^GET ${ORIGIN}/v4/${V4_ID}/task/stats: the body is not JSON \\(.+\\); it starts "\\{`),
  );
});

test('an empty 200 body is malformed JSON, not "no sample"', async () => {
  reply(`/v4/${V4_ID}/stats`, 200, '');
  const error = (await rejectionOf(v4Client().containerStats())) as errors.MetadataMalformedJsonError;
  expect([error.code, error.preview]).toEqual(['TMDS_MALFORMED_JSON', '']);
});

test('a payload of the wrong shape is TMDS_SCHEMA wrapping the WireSchemaError, path kept', async () => {
  // A stats entry that is no object is not the document: the poll fails. (A bad field inside
  // an entry costs only that field: the test below.)
  const drifted = structuredClone(FARGATE_STATS.json) as Record<string, unknown>;
  drifted[V4_ID] = 'None';
  reply(`/v4/${V4_ID}/task/stats`, 200, JSON.stringify(drifted));
  const error = (await rejectionOf(v4Client().taskStats())) as errors.MetadataSchemaError;
  expect(error).toBeInstanceOf(errors.MetadataSchemaError);
  expect(error.code).toBe('TMDS_SCHEMA');
  expect(error.path).toBe(V4_ID);
  expect(error.cause).toBeInstanceOf(WireSchemaError);
  expect(error.message).toBe(
    `GET ${ORIGIN}/v4/${V4_ID}/task/stats: task stats: field "${V4_ID}" is "None" (string); expected an object (a container's stats) or null`,
  );
  expect(error.retryable).toBe(false);
});

test('a wrong-typed stats field costs only itself: onFieldIssue is told with the URL, for task and container stats', async () => {
  const drifted = structuredClone(FARGATE_STATS.json) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  drifted[V4_ID]!['blkio_stats']!['io_service_bytes_recursive'] = 'None';
  reply(`/v4/${V4_ID}/task/stats`, 200, JSON.stringify(drifted));
  reply(`/v4/${V4_ID}/stats`, 200, JSON.stringify(drifted[V4_ID]));
  const told: { path: string; value: unknown; expected: string; cost: string; url: string }[] = [];
  client = createMetadataClient({
    env: { ECS_CONTAINER_METADATA_URI_V4: `${ORIGIN}/v4/${V4_ID}` },
    dispatcher: agent,
    onFieldIssue: ({ path, value, expected, cost }, url) => told.push({ path, value, expected, cost, url }),
  });
  const stats = await client.taskStats();
  // The container keeps its CPU and memory; only the list is left out.
  const entry = stats[V4_ID]!;
  expect(entry.cpu_stats.cpu_usage.total_usage).toBe(
    (FARGATE_STATS.json as Record<string, { cpu_stats: { cpu_usage: { total_usage: number } } }>)[V4_ID]!
      .cpu_stats.cpu_usage.total_usage,
  );
  expect(entry.memory_stats?.usage).toBeGreaterThan(0);
  expect(entry.blkio_stats).not.toHaveProperty('io_service_bytes_recursive');
  const one = await client.containerStats();
  expect(one?.blkio_stats).not.toHaveProperty('io_service_bytes_recursive');
  expect(told).toEqual([
    {
      path: `${V4_ID}.blkio_stats.io_service_bytes_recursive`,
      value: 'None',
      expected: 'an array',
      cost: 'field',
      url: `${ORIGIN}/v4/${V4_ID}/task/stats`,
    },
    {
      path: 'blkio_stats.io_service_bytes_recursive',
      value: 'None',
      expected: 'an array',
      cost: 'field',
      url: `${ORIGIN}/v4/${V4_ID}/stats`,
    },
  ]);
});

test('a bad Health key costs only itself: onFieldIssue is told with the URL, the rest is returned', async () => {
  const task = structuredClone(FARGATE_TASK.json) as { Containers: { Health?: unknown; DockerId: string }[] };
  task.Containers[0]!.Health = { status: 'HEALTHY', exitCode: 'one' };
  reply(`/v4/${V4_ID}/task`, 200, JSON.stringify(task));
  reply(`/v4/${V4_ID}/task`, 200, JSON.stringify(task));
  const told: { path: string; value: unknown; expected: string; url: string }[] = [];
  client = createMetadataClient({
    env: { ECS_CONTAINER_METADATA_URI_V4: `${ORIGIN}/v4/${V4_ID}` },
    dispatcher: agent,
    onFieldIssue: ({ path, value, expected }, url) => told.push({ path, value, expected, url }),
  });
  const metadata = await client.taskMetadata();
  expect(metadata.Containers![0]!.Health).toEqual({ status: 'HEALTHY' });
  expect(told).toEqual([
    {
      path: 'Containers.0.Health.exitCode',
      value: 'one',
      expected: 'a number',
      url: `${ORIGIN}/v4/${V4_ID}/task`,
    },
  ]);
  // Without the option the same answer parses the same, silently.
  await client.close();
  client = v4Client();
  expect((await client.taskMetadata()).Containers![0]!.Health).toEqual({ status: 'HEALTHY' });
});

test('request() returns any status as received, with the JSON when there is some', async () => {
  reply(`/v4/${V4_ID}/stats`, 500, `"Unable to get container stats for: ${V4_ID}"`);
  reply(`/v4/${V4_ID}/task`, 429, 'You have reached maximum request limit.', {
    'content-type': 'text/plain',
  });
  reply(`/v4/${V4_ID}/task/stats`, 200, 'null');
  const c = v4Client();
  const failed = await c.request('/stats');
  expect(failed).toMatchObject({
    url: `${ORIGIN}/v4/${V4_ID}/stats`,
    status: 500,
    text: `"Unable to get container stats for: ${V4_ID}"`,
    json: `Unable to get container stats for: ${V4_ID}`,
  });
  expect(failed.headers['content-type']).toBe('application/json');
  expect(failed.durationMs).toBeGreaterThanOrEqual(0);
  const throttled = await c.request('/task');
  expect(throttled.status).toBe(429);
  expect('json' in throttled).toBe(false);
  const nullBody = await c.request('/task/stats');
  expect('json' in nullBody).toBe(true);
  expect(nullBody.json).toBeNull();
  await expect(c.request('task')).rejects.toThrow('relativePath must be "" or start with "/"; got "task"');
});

test('a transport error from the dispatcher is TMDS_CONNECTION with the cause kept', async () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 169.254.170.2:80'), { code: 'ECONNREFUSED' });
  interceptTask().replyWithError(refused);
  const error = await rejectionOf(v4Client().taskMetadata());
  expect(error).toBeInstanceOf(errors.MetadataConnectionError);
  expect(error.message).toBe(
    `GET ${ORIGIN}/v4/${V4_ID}/task: connect ECONNREFUSED 169.254.170.2:80 (ECONNREFUSED)`,
  );
  expect(error.cause).toBe(refused);
  expect(error.retryable).toBe(true);
});

test("the caller's AbortSignal wins: its reason is thrown unchanged", async () => {
  interceptTask().reply(200, FARGATE_TASK.text).delay(500);
  const controller = new AbortController();
  const reason = new Error('shutting down');
  const pending = v4Client().taskMetadata({ signal: controller.signal });
  setTimeout(() => controller.abort(reason), 20);
  await expect(pending).rejects.toBe(reason);
  interceptTask().reply(200, FARGATE_TASK.text);
  await v4Client().taskMetadata();
});

test('a signal aborted before the call rejects with its reason; a long-lived signal keeps no listeners', async () => {
  const aborted = new AbortController();
  const reason = new Error('already stopping');
  aborted.abort(reason);
  await expect(v4Client().taskMetadata({ signal: aborted.signal })).rejects.toBe(reason);

  // The agent passes one shutdown signal to every poll: each call must remove what it added.
  const shutdown = new AbortController();
  const added: unknown[] = [];
  const removed: unknown[] = [];
  shutdown.signal.addEventListener = ((_type: string, listener: unknown) => added.push(listener)) as never;
  shutdown.signal.removeEventListener = ((_type: string, listener: unknown) =>
    removed.push(listener)) as never;
  for (let i = 0; i < 3; i++) {
    interceptTask().reply(200, FARGATE_TASK.text);
    await v4Client().taskMetadata({ signal: shutdown.signal });
  }
  expect(added).toHaveLength(3);
  expect(removed).toEqual(added);
});

test('a delayed mock answer past timeoutMs is TMDS_TIMEOUT', async () => {
  interceptTask().reply(200, FARGATE_TASK.text).delay(300);
  const error = await rejectionOf(v4Client().taskMetadata({ timeoutMs: 30 }));
  expect(error.code).toBe('TMDS_TIMEOUT');
  expect([error.origin, error.exitCode]).toEqual(['world', 1]);
  expect(error.message).toBe(`GET ${ORIGIN}/v4/${V4_ID}/task: no complete response within 30 ms`);
});

test.each([
  [{ timeoutMs: 0 }, 'field "timeoutMs" is 0 (number); expected a positive number of milliseconds'],
  [
    { timeoutMs: Number.NaN },
    'field "timeoutMs" is NaN (number); expected a positive number of milliseconds',
  ],
  [{ connections: 1.5 }, 'field "connections" is 1.5 (number); expected a positive integer'],
  [
    { keepAliveTimeoutMs: -1 },
    'field "keepAliveTimeoutMs" is -1 (number); expected a positive number of milliseconds',
  ],
])('option %j is a TMDS_CONFIG error', (options, message) => {
  const caught = thrownBy(() => createMetadataClient({ env: {}, dispatcher: agent, ...options }));
  expect(caught).toBeInstanceOf(errors.MetadataConfigError);
  const error = caught as errors.MetadataConfigError;
  expect([error.code, error.message, error.setting, error.value]).toEqual([
    'TMDS_CONFIG',
    message,
    Object.keys(options)[0],
    Object.values(options)[0],
  ]);
});

test('close() leaves an injected dispatcher open; the closed client refuses new calls', async () => {
  const c = v4Client();
  await c.close();
  await c.close();
  const error = await rejectionOf(c.taskMetadata());
  expect([error.code, error.message]).toEqual([
    'TMDS_CONNECTION',
    `GET ${ORIGIN}/v4/${V4_ID}/task: the client is closed`,
  ]);
  reply(`/v4/${V4_ID}/task`, 200, FARGATE_TASK.text);
  expect((await v4Client().taskMetadata()).Family).toBe('prom-ecs-exporter-sandbox-main-fargate');
});

test.each([
  [Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), 'TMDS_TIMEOUT'],
  [Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'TMDS_CONNECTION'],
  [new Error('something undici did not name'), 'TMDS_CONNECTION'],
])('dispatcher error %s is %s', async (cause, code) => {
  interceptTask().replyWithError(cause);
  const error = await rejectionOf(v4Client().taskMetadata());
  expect(error.code).toBe(code);
  if (code === 'TMDS_CONNECTION') {
    expect(error.cause).toBe(cause);
    expect(error.message.startsWith(`GET ${ORIGIN}/v4/${V4_ID}/task: ${cause.message}`)).toBe(true);
  }
});
