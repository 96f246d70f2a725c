import { type MockSourceOptions, resolveSource } from '../sources/resolve-source.js';
import { type MockServer, type MockServerOptions, startMockServer } from './server.js';

/** Options of {@link startMock}: what to serve, and how. */
export interface StartMockOptions extends MockSourceOptions, MockServerOptions {}

/**
 * Starts a mock task metadata endpoint (v2, v3 and v4 on one port) on a free loopback port
 * unless `listen` says otherwise. Resolves once it listens; `close()` stops it.
 *
 * @example
 * const mock = await startMock({ scenario: 'fargate-web', throttle: false });
 * process.env.ECS_CONTAINER_METADATA_URI_V4 = mock.v4Urls.app;
 * await mock.close();
 */
export async function startMock(options: StartMockOptions = {}): Promise<MockServer> {
  const now = options.now ?? Date.now;
  const source = await resolveSource(options, now());
  return startMockServer(source, { ...options, now });
}
