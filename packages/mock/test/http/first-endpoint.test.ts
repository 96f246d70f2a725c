import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/http/start-mock.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { ec2, fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

/*
 * `taskscope mock` prints the first endpoint's v3/v4 URL: it must name a container that
 * runs, even when the payload or the scenario lists an exited one first.
 */
describe('the first endpoint is a running container', () => {
  it.each([
    ['Fargate', fargate],
    ['EC2', ec2],
  ])('with captured %s payloads that list the STOPPED container first', async (_, capture) => {
    const mock = await startMock({ taskMetadata: capture.metadata.text, taskStats: capture.stats.text });
    const first = mock.endpoints[0]!;
    expect(first.dockerId).not.toBe(capture.stoppedId);
    const container = JSON.parse((await fetchText(mock.v4Urls[first.containerName]!)).text) as {
      KnownStatus: string;
    };
    expect(container.KnownStatus).toBe('RUNNING');
    expect(mock.endpoints).toHaveLength(3);
    await mock.close();
  });

  it('with a scenario that lists an exited init container first', async () => {
    const scenario = parseScenarioText(
      `task: { cluster: c, family: f, revision: 1, region: us-east-1, accountId: "123456789012", launchType: FARGATE, cpu: 0.25, memory: 512 }
containers:
  - { name: init, image: busybox, essential: false, state: STOPPED, exitCode: 0 }
  - { name: app, image: busybox }`,
      'yaml',
    );
    const mock = await startMock({
      scenario,
      now: () => Date.parse('2025-06-01T00:00:05Z'),
      startTime: '2025-06-01T00:00:00Z',
    });
    expect(mock.endpoints.map((e) => e.containerName)).toEqual(['app', 'init']);
    expect(mock.restart('app')).toBe(true);
    await mock.close();
  });
});
