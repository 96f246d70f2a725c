import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../src/faults/fault-spec.js';
import { rollFaults } from '../../src/faults/roll-faults.js';
import { createRequestHandler } from '../../src/http/handler.js';
import { type MockServer, startMockServer } from '../../src/http/server.js';
import { createStaticSource } from '../../src/sources/static-source.js';
import { fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer(
    createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
    {
      throttle: false,
    },
  );
});
afterAll(() => mock.close());

const statsPath = `/v4/${fargate.runningId}/task/stats`;
const taskPath = `/v4/${fargate.runningId}/task`;
type Stats = Record<string, Record<string, unknown>>;
const running = (text: string) => (JSON.parse(text) as Stats)[fargate.runningId]!;

describe('fault SPEC parsing', () => {
  it('reads kind, glob and probability', () => {
    const fault = parseFault('500:/v4/*/task/stats@0.2');
    expect([fault.kind, fault.glob, fault.probability]).toEqual(['500', '/v4/*/task/stats', 0.2]);
    expect([fault.matches(statsPath), fault.matches(taskPath), fault.matches('/v4/a/b/task/stats')]).toEqual([
      true,
      false,
      false,
    ]);
    const slow = parseFault('slow=3s@0.05');
    expect([slow.kind, slow.delayMs, slow.probability, slow.glob]).toEqual(['slow', 3000, 0.05, undefined]);
    expect(parseFault('schema-drift=no-percpu:/v4/**').drifts).toEqual(['no-percpu']);
    expect(parseFault('reset:/v2/@(stats|metadata)').glob).toBe('/v2/@(stats|metadata)');
    expect(parseFault('timeout').matches('/anything/at/all')).toBe(true);
  });

  it('rejects a bad SPEC with one message naming the SPEC, the bad part and what is allowed', () => {
    const cases: Array<[string, string]> = [
      [
        'boom',
        'fault "boom": field "kind" is "boom" (string); expected 500, 503, 429, timeout, reset, malformed, slow=DUR',
      ],
      ['500@1.5', 'fault "500@1.5": field "probability" is "1.5" (string); expected a number from 0 to 1'],
      ['500@x', 'fault "500@x": field "probability" is "x" (string)'],
      [
        'slow=fast',
        'fault "slow=fast": field "slow duration" is "fast" (string); expected a duration such as 500ms',
      ],
      ['slow', 'fault "slow": field "slow duration" is "" (string)'],
      [
        '500:v4/task',
        'fault "500:v4/task": field "path glob" is "v4/task" (string); expected a glob of request paths starting with /',
      ],
      [
        'schema-drift=nope',
        'fault "schema-drift=nope": field "schema drift" is "nope" (string); expected one of no-system-cpu,',
      ],
      ['500=1', 'fault "500=1": field "kind" is "500=1" (string)'],
      ['', 'fault "": field "SPEC" is "" (string)'],
    ];
    for (const [spec, message] of cases) {
      expect(() => parseFault(spec), spec).toThrow(message);
      try {
        parseFault(spec);
      } catch (error) {
        expect((error as { code: string }).code).toBe('MOCK_FAULT');
      }
    }
  });

  it('fires with the given probability, the same way for the same seed', () => {
    const roll = (seed: number) => {
      const handler = createRequestHandler({
        source: createStaticSource({ taskMetadata: fargate.metadata.text, taskStats: fargate.stats.text }),
        throttle: false,
        faults: ['503@0.25'],
        seed,
      });
      return Array.from({ length: 2000 }, () => {
        const result = handler.handle({ method: 'GET', url: taskPath, remoteAddress: '127.0.0.1' });
        return result.type === 'response' ? result.status : 0;
      });
    };
    const a = roll(7);
    const share = a.filter((s) => s === 503).length / a.length;
    expect(share).toBeGreaterThan(0.21);
    expect(share).toBeLessThan(0.29);
    expect(roll(7)).toEqual(a);
    expect(roll(8)).not.toEqual(a);
  });

  it('combines slow, drift and malformed, and stops at the first terminal fault', () => {
    const faults = ['slow=100ms', 'schema-drift', 'malformed', '500', '503'].map(parseFault);
    const outcome = rollFaults(faults, '/x', Math.random);
    expect([outcome.terminal?.kind, outcome.delayMs, outcome.malformed, outcome.drifts.length]).toEqual([
      '500',
      100,
      true,
      5,
    ]);
  });
});

describe('faults over HTTP', () => {
  it('500 and 503 answer a JSON string naming the fault; 429 answers like the throttle', async () => {
    for (const kind of ['500', '503']) {
      mock.setFaults([`${kind}:/v4/*/task/stats`]);
      const reply = await fetchText(mock.url + statsPath);
      expect([reply.status, reply.headers['content-type'], reply.headers['x-taskscope-fault']]).toEqual([
        Number(kind),
        'application/json',
        `${kind}:/v4/*/task/stats`,
      ]);
      expect(JSON.parse(reply.text)).toBe(`taskscope mock: injected fault ${kind}:/v4/*/task/stats`);
      expect((await fetchText(mock.url + taskPath)).status).toBe(200);
    }
    mock.setFaults(['429']);
    const limited = await fetchText(mock.url + taskPath);
    expect([limited.status, limited.headers['content-type'], limited.text]).toEqual([
      429,
      'text/plain; charset=utf-8',
      'You have reached maximum request limit.',
    ]);
  });

  it('timeout never answers and reset drops the connection', async () => {
    mock.setFaults(['timeout:/v4/*/task']);
    await expect(fetchText(mock.url + taskPath, { headersTimeout: 300 })).rejects.toMatchObject({
      code: 'UND_ERR_HEADERS_TIMEOUT',
    });
    mock.setFaults(['reset']);
    await expect(fetchText(mock.url + taskPath)).rejects.toMatchObject({
      code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/),
    });
  });

  it('malformed cuts the JSON short; slow delays the answer', async () => {
    mock.setFaults(['malformed']);
    const reply = await fetchText(mock.url + statsPath);
    expect(reply.status).toBe(200);
    expect(() => JSON.parse(reply.text)).toThrow(SyntaxError);
    expect(fargate.stats.text.startsWith(reply.text)).toBe(true);
    expect(reply.text.length).toBe(Math.floor(fargate.stats.text.length / 2));

    mock.setFaults(['slow=250ms:/v4/**']);
    const started = performance.now();
    const slow = await fetchText(mock.url + taskPath);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(slow.text).toBe(fargate.metadata.text);
  });

  it('schema-drift applies the shapes AWS has shipped', async () => {
    const drifted = async (spec: string) => {
      mock.setFaults([spec]);
      return running((await fetchText(mock.url + statsPath)).text);
    };
    const original = running(fargate.stats.text) as Record<string, Record<string, unknown>>;
    expect(original['cpu_stats']).toHaveProperty('system_cpu_usage');

    const noSystem = (await drifted('schema-drift=no-system-cpu')) as Record<string, Record<string, unknown>>;
    expect(noSystem['cpu_stats']).not.toHaveProperty('system_cpu_usage');
    expect(noSystem['cpu_stats']).not.toHaveProperty('online_cpus');
    expect(noSystem['precpu_stats']).not.toHaveProperty('system_cpu_usage');

    const legacy = await drifted('schema-drift=legacy-network');
    expect([legacy['networks'], legacy['network']]).toEqual([undefined, {}]);

    const zero = await drifted('schema-drift=zero-precpu');
    expect(zero['preread']).toBe('0001-01-01T00:00:00Z');
    expect(zero['precpu_stats']).toEqual({
      cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
      throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    });

    const blkio = (await drifted('schema-drift=cgroup2-blkio'))['blkio_stats'] as Record<string, unknown>;
    const ops = (blkio['io_service_bytes_recursive'] as Array<{ op: string }>).map((e) => e.op);
    expect(new Set(ops)).toEqual(new Set(['read', 'write']));
    expect(blkio['io_serviced_recursive']).toBeNull();

    const noPercpu = (await drifted('schema-drift=no-percpu'))['cpu_stats'] as Record<
      string,
      Record<string, unknown>
    >;
    expect(noPercpu['cpu_usage']).not.toHaveProperty('percpu_usage');

    expect(await drifted('schema-drift=empty-stats')).toEqual({});
    mock.setFaults(['schema-drift']);
    const all = await fetchText(mock.url + statsPath);
    // The stopped container's `null` stays; big integers survive the rewrite.
    expect((JSON.parse(all.text) as Stats)[fargate.stoppedId]).toBeNull();
    expect(all.text).toContain('9223372036854771712');
    const single = await fetchText(`${mock.url}/v4/${fargate.runningId}/stats`);
    expect(JSON.parse(single.text)).toHaveProperty('network', {});
    // Metadata is never drifted.
    expect((await fetchText(mock.url + taskPath)).text).toBe(fargate.metadata.text);
    mock.setFaults([]);
  });
});
