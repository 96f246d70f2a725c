import { createMetadataClient } from '@taskscope/client';
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createRequestHandler } from '../../src/http/handler.js';
import { startMock } from '../../src/http/start-mock.js';
import { resolveSource } from '../../src/sources/resolve-source.js';

// The README's two ways to test code that uses undici's own request()/Pool, which msw does not see.
describe('for undici clients', () => {
  it('a loopback mock with startMock and a real client', async () => {
    const mock = await startMock({ scenario: 'fargate-web' });
    const client = createMetadataClient({ metadataUrl: mock.v4Urls['app'] });
    try {
      const task = await client.taskMetadata();
      expect(task.Containers?.map((c) => c.Name)).toEqual(['app', 'worker', 'taskscope']);
    } finally {
      await client.close();
      await mock.close();
    }
  });

  it('an undici MockAgent answering from the same request handler', async () => {
    const source = await resolveSource({ scenario: 'fargate-web' }, Date.now());
    const handler = createRequestHandler({ source });
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('http://169.254.170.2')
      .intercept({ path: () => true, method: () => true })
      .reply((request) => {
        const result = handler.handle({
          method: request.method,
          url: request.path,
          remoteAddress: '127.0.0.1',
        });
        if (result.type !== 'response') throw new Error(`fault ${result.type}`);
        return {
          statusCode: result.status,
          data: result.body,
          responseOptions: { headers: { ...result.headers } },
        };
      })
      .persist();
    const app = source.endpoints()[0]!;
    const client = createMetadataClient({
      metadataUrl: `http://169.254.170.2/v4/${app.endpointId}`,
      dispatcher: agent,
    });
    expect((await client.taskMetadata()).Family).toBe('web');
    const missing = await client.request('/nope');
    expect([missing.status, missing.text]).toEqual([404, '404 page not found\n']);
    await agent.close();
  });
});
