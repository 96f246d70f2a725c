import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../../src/http/server.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { ec2, fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

let mock: MockServer;
let ec2Mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer(
    createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
    {
      throttle: false,
    },
  );
  ec2Mock = await startMockServer(
    createStaticSource({ taskMetadata: ec2.metadata.text, taskStats: ec2.stats.text }),
    {
      throttle: false,
    },
  );
});
afterAll(async () => {
  await mock.close();
  await ec2Mock.close();
});

const containers = () =>
  (fargate.metadata.json as { Containers: Array<{ DockerId: string; Name: string }> }).Containers;

describe('static payloads over every version', () => {
  it('serves task metadata and task stats byte for byte on v2, v3 and v4', async () => {
    for (const path of [
      '/v2/metadata',
      '/v2/metadata/',
      `/v3/${fargate.runningId}/task`,
      `/v4/${fargate.runningId}/task`,
    ]) {
      const reply = await fetchText(mock.url + path);
      expect([path, reply.status, reply.headers['content-type']]).toEqual([path, 200, 'application/json']);
      expect(reply.text).toBe(fargate.metadata.text);
    }
    for (const path of [
      '/v2/stats',
      '/v2/stats/',
      `/v3/${fargate.runningId}/task/stats`,
      `/v4/${fargate.runningId}/task/stats`,
    ]) {
      const reply = await fetchText(mock.url + path);
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(fargate.stats.text);
    }
  });

  it('cuts one container and its stats out of the payloads without losing 2^63 − 4096', async () => {
    const container = await fetchText(mock.v4Urls[fargate.runningName]!);
    expect(JSON.parse(container.text)).toEqual(containers().find((c) => c.DockerId === fargate.runningId));
    const stats = await fetchText(`${mock.v4Urls[fargate.runningName]}/stats`);
    expect(JSON.parse(stats.text)).toEqual(
      (fargate.stats.json as Record<string, unknown>)[fargate.runningId],
    );
    expect(stats.text).toContain('"limit":9223372036854771712');
    const v2 = await fetchText(`${mock.url}/v2/stats/${fargate.runningId}`);
    expect(v2.text).toBe(stats.text);
    const v2Container = await fetchText(`${mock.url}/v2/metadata/${fargate.runningId}`);
    expect(v2Container.text).toBe(container.text);
  });

  it('lists every container as an endpoint with its v3 and v4 URL, running ones first', () => {
    // The capture lists the STOPPED `nonessential` first; the first endpoint is the URL
    // `taskscope mock` prints, so it must name a container that runs.
    expect(mock.endpoints.map((e) => e.containerName)).toEqual([
      'prometheus',
      'ecs-exporter',
      'nonessential',
    ]);
    expect(mock.v4Urls['ecs-exporter']).toBe(`${mock.url}/v4/bae32def0ab64f06818e8862e58f8d6d-4159844948`);
    expect(mock.v3Urls['ecs-exporter']).toBe(`${mock.url}/v3/bae32def0ab64f06818e8862e58f8d6d-4159844948`);
  });

  it('answers single-container stats of a stopped container as each version does', async () => {
    const expected = JSON.stringify(`Unable to get container stats for: ${fargate.stoppedId}`);
    const cases: Array<[string, number]> = [
      [`/v2/stats/${fargate.stoppedId}`, 400],
      [`/v3/${fargate.stoppedId}/stats`, 400],
      [`/v4/${fargate.stoppedId}/stats`, 500],
    ];
    for (const [path, status] of cases) {
      const reply = await fetchText(mock.url + path);
      expect([path, reply.status, reply.headers['content-type'], reply.text]).toEqual([
        path,
        status,
        'application/json',
        expected,
      ]);
    }
    // The EC2 payload has `{}` for the stopped container; the answer is the same.
    const ec2Reply = await fetchText(`${ec2Mock.url}/v4/${ec2.stoppedId}/stats`);
    expect([ec2Reply.status, ec2Reply.text]).toEqual([
      500,
      JSON.stringify(`Unable to get container stats for: ${ec2.stoppedId}`),
    ]);
  });

  it('answers unknown ids with the real status and JSON-string body per version and path', async () => {
    const id = 'nope';
    const taskArn = `unable to get task arn from request: unable to get task Arn from v3 endpoint ID: ${id}`;
    const dockerId = `unable to get container ID from request: unable to get docker ID from v3 endpoint ID: ${id}`;
    const cases: Array<[string, number, string]> = [
      [`/v2/metadata/${id}`, 400, `Unable to generate metadata for container '${id}'`],
      [`/v2/stats/${id}`, 400, `Unable to get container stats for: ${id}`],
      [`/v3/${id}`, 500, `V3 container metadata handler: ${dockerId}`],
      [`/v3/${id}/task`, 500, `V3 task metadata handler: ${taskArn}`],
      [`/v3/${id}/taskWithTags`, 500, `V3 task metadata handler: ${taskArn}`],
      [`/v3/${id}/stats`, 400, `V3 container stats handler: ${taskArn}`],
      [`/v3/${id}/task/stats`, 400, `V3 task stats handler: ${taskArn}`],
      [`/v4/${id}`, 404, `V4 container metadata handler: ${dockerId}`],
      [`/v4/${id}/task`, 404, `V4 task metadata handler: ${taskArn}`],
      [`/v4/${id}/taskWithTags`, 404, `V4 task metadata handler: ${taskArn}`],
      [`/v4/${id}/stats`, 404, `V4 container stats handler: ${taskArn}`],
      [`/v4/${id}/task/stats`, 404, `V4 task stats handler: ${taskArn}`],
    ];
    for (const [path, status, message] of cases) {
      const reply = await fetchText(mock.url + path);
      expect([path, reply.status, reply.headers['content-type'], JSON.parse(reply.text)]).toEqual([
        path,
        status,
        'application/json',
        message,
      ]);
    }
  });

  it('serves taskWithTags and metadataWithTags from the task payload', async () => {
    for (const path of [
      '/v2/metadataWithTags',
      '/v2/metadataWithTags/',
      `/v4/${fargate.runningId}/taskWithTags`,
    ]) {
      const reply = await fetchText(mock.url + path);
      expect([path, reply.status]).toEqual([path, 200]);
      expect(reply.text).toBe(fargate.metadata.text);
    }
  });

  it('answers unknown paths with gorilla/mux 404 text', async () => {
    for (const path of [
      '/',
      '/v4',
      '/v1/metadata',
      `/v4/${fargate.runningId}/task/`,
      `/v4/${fargate.runningId}/tasks`,
      '/v2/metadata/a/b',
    ]) {
      const reply = await fetchText(mock.url + path);
      expect([path, reply.status, reply.headers['content-type'], reply.text]).toEqual([
        path,
        404,
        'text/plain; charset=utf-8',
        '404 page not found\n',
      ]);
    }
  });

  it('redirects unclean paths with 301 to the cleaned path, keeping the query', async () => {
    const reply = await fetchText(`${mock.url}//v4//${fargate.runningId}/./task?x=1`);
    expect(reply.status).toBe(301);
    expect(reply.headers['location']).toBe(`/v4/${fargate.runningId}/task?x=1`);
    const trailing = await fetchText(`${mock.url}/v2//metadata/`);
    expect(trailing.headers['location']).toBe('/v2/metadata/');
  });

  it('serves any HTTP method, as the agent registers routes without a method filter', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await fetchText(`${mock.url}/v4/${fargate.runningId}/task`, { method });
      expect([method, reply.status, reply.text]).toEqual([method, 200, fargate.metadata.text]);
    }
  });

  it('sends tollbooth rate-limit headers on every metadata response', async () => {
    const reply = await fetchText(`${mock.url}/nope`, { headers: { 'X-Forwarded-For': '10.0.0.9' } });
    expect(reply.headers['x-rate-limit-limit']).toBe('40.00');
    expect(reply.headers['x-rate-limit-duration']).toBe('1');
    expect(reply.headers['x-rate-limit-request-forwarded-for']).toBe('10.0.0.9');
    expect(reply.headers['x-rate-limit-request-remote-addr']).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
