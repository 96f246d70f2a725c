import { createStopper, REFUSED_PORT, waitFor } from '@taskscope/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTaskscopeClient,
  type Snapshot,
  type StreamState,
  type SubscribeOptions,
  type TaskscopeClient,
  TaskscopeClientError,
} from '../src/index.ts';
import { type AgentDouble, type AgentDoubleOptions, sseEvent, startAgentDouble } from './agent-double.ts';
import { sampleSnapshot } from './samples.ts';

const stopper = createStopper();
afterEach(() => stopper.stopAll());

async function agent(options: AgentDoubleOptions = {}): Promise<AgentDouble> {
  return stopper.track(await startAgentDouble(options), (double) => double.stop());
}

/** A subscription whose deliveries, errors and states the test reads; stopped after the test. */
function subscription(client: TaskscopeClient, options: SubscribeOptions = {}) {
  const controller = new AbortController();
  const snapshots: Snapshot[] = [];
  const errors: TaskscopeClientError[] = [];
  const states: StreamState[] = [];
  const done = client.subscribe((snapshot) => snapshots.push(snapshot), {
    signal: controller.signal,
    onError: (error) => errors.push(error),
    onState: (state) => states.push(state),
    ...options,
  });
  stopper.track(controller, async () => {
    controller.abort();
    await done;
  });
  return {
    controller,
    snapshots,
    errors,
    states,
    done,
    ids: () => snapshots.map((snapshot) => snapshot.id),
    /** Waits until `count` snapshots have arrived. */
    delivered: (count: number) =>
      waitFor(`${count} snapshots`, () => (snapshots.length >= count ? true : undefined), {
        seen: () =>
          `ids ${JSON.stringify(snapshots.map((snapshot) => snapshot.id))}, errors ${errors.map((error) => error.message).join(' | ')}`,
      }),
    erred: (count: number) =>
      waitFor(`${count} errors`, () => (errors.length >= count ? true : undefined), {
        seen: () => errors.map((error) => error.message).join(' | '),
      }),
  };
}

/** Has the double answer every request itself: `status`, with the body (of `contentType`) if any. */
function answerEvery(double: AgentDouble, status: number, contentType?: string, body?: string): void {
  double.takeover = (_request, response) => {
    response.writeHead(status, contentType === undefined ? {} : { 'content-type': contentType }).end(body);
    return true;
  };
}

async function rejection(promise: Promise<unknown>): Promise<TaskscopeClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TaskscopeClientError) return error;
    throw error;
  }
  throw new Error('expected the call to reject; it resolved');
}

describe('snapshot() and history()', () => {
  it('reads the snapshot with the bearer token, under the base URL’s path prefix', async () => {
    const double = await agent({ token: 's3cret', prefix: '/taskscope' });
    double.record(sampleSnapshot(1_767_225_600_000));
    // No trailing slash: the prefix is still kept.
    const client = createTaskscopeClient({ baseUrl: double.baseUrl, token: 's3cret' });
    const snapshot = await client.snapshot();
    expect(snapshot.id).toBe(1_767_225_600_000);
    expect(snapshot.task?.identity.family).toBe('fargate-web');
    expect(snapshot.totals?.memoryWorkingSetBytes).toBe(512 * 1024 * 1024);
    expect(double.requests).toHaveLength(1);
    expect(double.requests[0]).toMatchObject({
      method: 'GET',
      url: '/taskscope/api/v1/snapshot',
      headers: { authorization: 'Bearer s3cret', accept: 'application/json' },
    });
  });

  it('sends the history window as given, or milliseconds as `<n>ms`', async () => {
    const double = await agent();
    double.record(sampleSnapshot(1000));
    double.record(sampleSnapshot(11_000));
    const client = createTaskscopeClient({ baseUrl: `${double.baseUrl}/` });
    const history = await client.history({ window: '5m' });
    expect(history.snapshots.map((snapshot) => snapshot.id)).toEqual([1000, 11_000]);
    await client.history({ window: 90_000 });
    await client.history();
    expect(double.requests.map((request) => request.url)).toEqual([
      '/api/v1/history?window=5m',
      '/api/v1/history?window=90000ms',
      '/api/v1/history',
    ]);
  });

  it('maps an API error to HTTP with the status and the JSON body', async () => {
    const double = await agent();
    const client = createTaskscopeClient({ baseUrl: double.baseUrl });
    const error = await rejection(client.history({ window: '5 minutes' }));
    expect(error.code).toBe('HTTP');
    expect(error.status).toBe(400);
    expect(error.body).toEqual({
      error: 'BAD_PARAMETER',
      message: 'window is "5 minutes"; expected a duration such as 500ms, 10s or 1m',
      parameter: 'window',
      value: '5 minutes',
      allowed: 'a duration such as 500ms, 10s or 1m',
    });
    expect(error.message).toBe(
      `GET ${double.baseUrl}/api/v1/history?window=5+minutes: 400 Bad Request: window is "5 minutes"; expected a duration such as 500ms, 10s or 1m`,
    );
  });

  it('maps a missing or wrong token to HTTP 401 with the body', async () => {
    const double = await agent({ token: 's3cret' });
    double.record(sampleSnapshot());
    const error = await rejection(
      createTaskscopeClient({ baseUrl: double.baseUrl, token: 'wrong' }).snapshot(),
    );
    expect([error.code, error.status, error.body?.error]).toEqual(['HTTP', 401, 'UNAUTHORIZED']);
  });

  it('maps a non-JSON error page (a proxy’s) to HTTP without a body, quoting the page', async () => {
    const double = await agent();
    answerEvery(double, 502, 'text/html', '<html><body>Bad gateway</body></html>\n');
    const error = await rejection(createTaskscopeClient({ baseUrl: double.baseUrl }).snapshot());
    expect([error.code, error.status, error.body]).toEqual(['HTTP', 502, undefined]);
    expect(error.message).toBe(
      `GET ${double.baseUrl}/api/v1/snapshot: 502 Bad Gateway: "<html><body>Bad gateway</body></html>"`,
    );
  });

  it('rejects a document that breaks the schema with SCHEMA, naming the field', async () => {
    const double = await agent();
    const broken = sampleSnapshot() as unknown as { containers: { memory: { limitBytes: unknown } }[] };
    broken.containers[0]!.memory.limitBytes = '2147483648';
    double.record(broken as unknown as Snapshot);
    const error = await rejection(createTaskscopeClient({ baseUrl: double.baseUrl }).snapshot());
    expect(error.code).toBe('SCHEMA');
    expect(error.message).toBe(
      `GET ${double.baseUrl}/api/v1/snapshot: the snapshot is not a taskscope.snapshot/v1 document: containers[0].memory.limitBytes: expected number but received "2147483648"`,
    );
  });

  it('with validate: false, returns the document as sent', async () => {
    const double = await agent();
    const sent = { ...sampleSnapshot(), containers: 'not an array', addedLater: 1 };
    double.record(sent as unknown as Snapshot);
    const snapshot = await createTaskscopeClient({ baseUrl: double.baseUrl, validate: false }).snapshot();
    expect(snapshot).toEqual(sent);
  });

  it('rejects a body that is not JSON with SCHEMA', async () => {
    const double = await agent();
    answerEvery(double, 200, 'application/json', '{"schema":"taskscope.snap');
    const error = await rejection(createTaskscopeClient({ baseUrl: double.baseUrl }).snapshot());
    expect(error.code).toBe('SCHEMA');
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/snapshot: the snapshot is not JSON \(.+\): "\{\\"schema\\":\\"taskscope\.snap"$/,
    );
  });

  it('gives up after timeoutMs with TIMEOUT when the agent does not answer', async () => {
    const double = await agent();
    double.takeover = () => true; // never answers
    const error = await rejection(
      createTaskscopeClient({ baseUrl: double.baseUrl, timeoutMs: 100 }).snapshot(),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe(`GET ${double.baseUrl}/api/v1/snapshot: no answer in time`);
  });

  it('stops with ABORTED when the caller’s signal aborts', async () => {
    const double = await agent();
    double.takeover = () => true; // never answers
    const controller = new AbortController();
    const call = createTaskscopeClient({ baseUrl: double.baseUrl }).history({ signal: controller.signal });
    await waitFor('the request to arrive', () => (double.requests.length === 1 ? true : undefined));
    controller.abort();
    const error = await rejection(call);
    expect(error.code).toBe('ABORTED');
  });

  it('reports a refused connection as NETWORK with the reason', async () => {
    const error = await rejection(
      createTaskscopeClient({ baseUrl: `http://127.0.0.1:${REFUSED_PORT}/` }).snapshot(),
    );
    expect(error.code).toBe('NETWORK');
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:0\/api\/v1\/snapshot: fetch failed: .*ECONNREFUSED/,
    );
  });

  it('says what is wrong with a bad base URL, window or timeout', async () => {
    expect(() => createTaskscopeClient({ baseUrl: 'localhost:9780' })).toThrow(
      'baseUrl is "localhost:9780"; expected an http: or https: URL such as http://127.0.0.1:9780/',
    );
    expect(() => createTaskscopeClient({ baseUrl: 'not a url' })).toThrow(
      'baseUrl is "not a url"; expected an absolute http(s) URL such as http://127.0.0.1:9780/',
    );
    expect(() => createTaskscopeClient({ baseUrl: 'http://127.0.0.1:9780', timeoutMs: 0 })).toThrow(
      'timeoutMs is 0; expected a number of milliseconds > 0',
    );
    const client = createTaskscopeClient({ baseUrl: 'http://127.0.0.1:9780' });
    await expect(client.history({ window: -5 })).rejects.toThrow(
      "history(): window is -5; expected a duration such as '5m', '30s' or '500ms', or a number of milliseconds ≥ 0",
    );
  });
});

describe('subscribe()', () => {
  it('delivers each snapshot event in order, with the bearer token, and says when it is open', async () => {
    const double = await agent({ token: 's3cret' });
    const client = createTaskscopeClient({ baseUrl: double.baseUrl, token: 's3cret' });
    const live = subscription(client);
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.publish(sampleSnapshot(1000));
    double.publish(sampleSnapshot(11_000));
    await live.delivered(2);
    expect(live.ids()).toEqual([1000, 11_000]);
    expect(live.snapshots[1]?.containers.map((container) => container.name)).toEqual([
      'app',
      'worker',
      'taskscope',
    ]);
    expect(live.states).toEqual([{ state: 'connecting' }, { state: 'open' }]);
    expect(live.errors).toEqual([]);
    expect(double.streamRequests()[0]?.headers).toMatchObject({
      authorization: 'Bearer s3cret',
      accept: 'text/event-stream',
    });
    expect(double.streamRequests()[0]?.headers['last-event-id']).toBeUndefined();
  });

  it('reconnects after the agent drops the connection mid-event, with Last-Event-ID, and delivers the missed events once', async () => {
    // The double replays inclusively, so the reconnect also re-sends the last event delivered.
    const double = await agent({ replayInclusive: true });
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }));
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.publish(sampleSnapshot(1000));
    double.publish(sampleSnapshot(2000));
    await live.delivered(2);
    // Kept in history while the client does not see them (its connection is about to die) …
    double.record(sampleSnapshot(3000));
    double.record(sampleSnapshot(4000));
    // … and half of 3000 on the wire when the connection drops: that half must not be delivered.
    double.writeRaw(sseEvent(sampleSnapshot(3000)).slice(0, 120));
    double.dropStreams();
    await live.delivered(4);
    await waitFor('the second stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.publish(sampleSnapshot(5000));
    await live.delivered(5);
    expect(live.ids()).toEqual([1000, 2000, 3000, 4000, 5000]);
    const [first, second] = double.streamRequests();
    expect(first?.headers['last-event-id']).toBeUndefined();
    expect(second?.headers['last-event-id']).toBe('2000');
    expect(live.errors.map((error) => error.code)).toEqual(['NETWORK']);
    expect(live.errors[0]?.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stream: /);
    const retrying = live.states.find((state) => state.state === 'retrying');
    // The double's `retry: 5`: the first delay is drawn from [2.5, 5] ms.
    expect(retrying).toMatchObject({ state: 'retrying', attempt: 1 });
    expect(retrying?.state === 'retrying' && retrying.delayMs >= 3 && retrying.delayMs <= 5).toBe(true);
  });

  it('resumes after lastEventId, sending it on the first connection', async () => {
    const double = await agent();
    for (const id of [1000, 2000, 3000]) double.record(sampleSnapshot(id));
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }), { lastEventId: '1000' });
    await live.delivered(2);
    expect(live.ids()).toEqual([2000, 3000]);
    expect(double.streamRequests()[0]?.headers['last-event-id']).toBe('1000');
  });

  it('never delivers an id at or below the last delivered one, whatever the agent sends', async () => {
    const double = await agent();
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }));
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    for (const id of [1000, 3000, 2000, 3000, 4000]) double.publish(sampleSnapshot(id));
    await waitFor('4000', () => (live.ids().includes(4000) ? true : undefined));
    expect(live.ids()).toEqual([1000, 3000, 4000]);
  });

  it('reports an event with bad JSON or a bad field and goes on with the next', async () => {
    const double = await agent();
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }));
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.writeRaw('event: snapshot\nid: 1000\ndata: {"schema": "taskscope.snapshot/v1", \n\n');
    const wrong = { ...sampleSnapshot(2000), poll: { ...sampleSnapshot(2000).poll, ready: 'yes' } };
    double.writeRaw(`event: snapshot\nid: 2000\ndata: ${JSON.stringify(wrong)}\n\n`);
    double.writeRaw(': keep-alive\n\nevent: ping\ndata: {}\n\n');
    double.publish(sampleSnapshot(3000));
    await live.delivered(1);
    expect(live.ids()).toEqual([3000]);
    expect(live.errors.map((error) => error.code)).toEqual(['SCHEMA', 'SCHEMA']);
    expect(live.errors[0]?.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stream event 1000: the snapshot is not JSON \(/,
    );
    expect(live.errors[1]?.message).toMatch(
      /event 2000: the snapshot is not a taskscope\.snapshot\/v1 document: poll\.ready: expected boolean but received "yes"$/,
    );
    // The stream stayed up throughout.
    expect(double.streamRequests()).toHaveLength(1);
  });

  it.each([401, 403, 404])(
    'reports a %i from the stream and keeps retrying until the agent answers',
    async (status) => {
      const double = await agent();
      let refusals = 0;
      double.takeover = (_request, response, path) => {
        if (path !== '/api/v1/stream' || refusals >= 2) return false;
        refusals += 1;
        response
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'NO', message: `refused ${refusals}` }));
        return true;
      };
      double.record(sampleSnapshot(1000));
      // Fast retries: the first delay is the server's `retry:`, which a refusal does not carry.
      const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }), {
        lastEventId: '0',
        maxRetryMs: 20,
      });
      await live.delivered(1);
      expect(live.ids()).toEqual([1000]);
      expect(live.errors.map((error) => [error.code, error.status, error.body?.message])).toEqual([
        ['HTTP', status, 'refused 1'],
        ['HTTP', status, 'refused 2'],
      ]);
      expect(double.streamRequests()).toHaveLength(3);
      expect(live.states.map((state) => state.state)).toEqual([
        'connecting',
        'retrying',
        'connecting',
        'retrying',
        'connecting',
        'open',
      ]);
    },
  );

  it('reports a page that is not an event stream and retries', async () => {
    const double = await agent();
    let pages = 0;
    double.takeover = (_request, response, path) => {
      if (path !== '/api/v1/stream' || pages >= 1) return false;
      pages += 1;
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
      return true;
    };
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }), { maxRetryMs: 20 });
    await waitFor('the second stream to open', () => (double.openStreams() === 1 ? true : undefined));
    expect(live.errors.map((error) => error.message)).toEqual([
      `GET ${double.baseUrl}/api/v1/stream: content-type is "text/html"; expected text/event-stream (is the URL the agent's?)`,
    ]);
  });

  it('ends when the signal aborts, closing the connection', async () => {
    const double = await agent();
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }));
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    live.controller.abort();
    await expect(live.done).resolves.toBeUndefined();
    await waitFor('the agent to see the stream close', () => (double.openStreams() === 0 ? true : undefined));
    expect(live.errors).toEqual([]);
    expect(double.streamRequests()).toHaveLength(1);
  });

  it('ends when the signal aborts while it waits to retry', async () => {
    const double = await agent();
    answerEvery(double, 503);
    const live = subscription(createTaskscopeClient({ baseUrl: double.baseUrl }), { maxRetryMs: 60_000 });
    await waitFor('a retry', () =>
      live.states.some((state) => state.state === 'retrying') ? true : undefined,
    );
    live.controller.abort();
    await expect(live.done).resolves.toBeUndefined();
    expect(live.errors.map((error) => error.status)).toEqual([503]);
  });

  it('makes no request when the signal has already aborted', async () => {
    const double = await agent();
    await createTaskscopeClient({ baseUrl: double.baseUrl }).subscribe(() => {}, {
      signal: AbortSignal.abort(),
    });
    expect(double.requests).toEqual([]);
  });

  it('rejects with the error the caller’s own callback throws, and closes the stream', async () => {
    const double = await agent();
    const client = createTaskscopeClient({ baseUrl: double.baseUrl });
    const bug = new Error('a bug in onSnapshot');
    const done = client.subscribe(() => {
      throw bug;
    });
    await waitFor('the stream to open', () => (double.openStreams() === 1 ? true : undefined));
    double.publish(sampleSnapshot(1000));
    await expect(done).rejects.toBe(bug);
    await waitFor('the agent to see the stream close', () => (double.openStreams() === 0 ? true : undefined));
  });
});
