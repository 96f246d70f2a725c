import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestHandler } from '../../src/http/handler.js';
import { type MockServer, startMockServer } from '../../src/http/server.js';
import {
  createAccountScrubber,
  formatRecordingHeader,
  formatRecordingLine,
  parseRecording,
} from '../../src/sources/recording.js';
import { createReplaySource } from '../../src/sources/replay-source.js';
import { fargate } from '../support/fixtures.js';
import { fetchText } from '../support/http.js';

const id = fargate.runningId;
/** The fixture's stats with a later `read`, standing in for the next refresh. */
const laterStats = fargate.stats.text.replaceAll('"read": "2025-', '"read": "2026-');
const container = JSON.stringify(
  (fargate.metadata.json as { Containers: Array<{ DockerId: string }> }).Containers[1],
);

const recordingText = [
  formatRecordingHeader('v4', new Date('2025-03-18T10:00:00Z')),
  formatRecordingLine({ offsetMs: 0, path: '', status: 200, text: container }),
  formatRecordingLine({ offsetMs: 1, path: '/task', status: 200, text: fargate.metadata.text }),
  formatRecordingLine({ offsetMs: 2, path: '/task/stats', status: 200, text: fargate.stats.text }),
  formatRecordingLine({ offsetMs: 10_000, path: '/task/stats', status: 200, text: laterStats }),
  formatRecordingLine({
    offsetMs: 20_000,
    path: '/task/stats',
    status: 429,
    text: 'You have reached maximum request limit.',
  }),
  '',
].join('\n');

describe('recording format', () => {
  it('writes JSON bodies as body (lossless) and other text as rawBody', () => {
    const line = formatRecordingLine({
      offsetMs: 12.4,
      path: '/task/stats',
      status: 200,
      text: '{"limit": 9223372036854771712}',
    });
    expect(line).toBe(
      '{"offsetMs":12,"path":"/task/stats","status":200,"body":{"limit":9223372036854771712}}',
    );
    expect(formatRecordingLine({ offsetMs: 0, path: '/x', status: 404, text: '404 page not found\n' })).toBe(
      '{"offsetMs":0,"path":"/x","status":404,"rawBody":"404 page not found\\n"}',
    );
  });

  it('rejects bad lines naming the line, field, value and what is allowed', () => {
    const header = formatRecordingHeader('v4', new Date(0));
    const cases: Array<[string, string]> = [
      [
        '',
        'recording line 1: the value is "" (string); expected a header line {"format":"taskscope-recording","version":1,…} (the file is empty)',
      ],
      [
        '{"format":"other","version":1,"api":"v4","recordedAt":"2025-01-01T00:00:00Z"}',
        'recording line 1 (the header): field "format" is "other" (string); expected one of "taskscope-recording"',
      ],
      [
        '{"format":"taskscope-recording","version":1,"api":"v5","recordedAt":"2025-01-01T00:00:00Z"}',
        'field "api" is "v5" (string); expected one of "v2", "v3", "v4"',
      ],
      [
        `${header}\nnot json`,
        'recording line 2: the value is "not json" (string); expected one JSON object per line (not JSON: ',
      ],
      [
        `${header}\n{"offsetMs":-1,"path":"/task","status":200,"body":{}}`,
        'recording line 2: field "offsetMs" is -1 (number); expected a value ≥ 0',
      ],
      [
        `${header}\n{"offsetMs":0,"path":"/metadata","status":200,"body":{}}`,
        'recording line 2: field "path" is "/metadata" (string); expected for v4 one of "", "/task"',
      ],
      [
        `${header}\n{"offsetMs":0,"path":"/task","status":200}`,
        'recording line 2: field "body" is missing; expected a JSON body, or "rawBody" with the text (exactly one of the two)',
      ],
      [
        `${header}\n{"offsetMs":0,"path":"/task","status":700,"body":{}}`,
        'field "status" is 700 (number); expected a value ≤ 599',
      ],
      [
        `${header}\n{"offsetMs":0,"path":"/task","status":200,"body":{},"extra":1}`,
        'recording line 2: field "extra" is 1 (number); expected no other keys (unknown: extra)',
      ],
      [
        // valibot's object schemas accept arrays; a recording line must still be an object.
        '[]',
        'recording line 1 (the header): the value is [] (array); expected an object',
      ],
      [
        '{"format":"taskscope-recording","version":1,"api":"v4","recordedAt":"yesterday"}',
        'recording line 1 (the header): field "recordedAt" is "yesterday" (string); expected an ISO 8601 time with a zone such as "2025-01-01T00:00:00.000Z"',
      ],
      [
        '{"format":"taskscope-recording","version":1,"api":"v4"}',
        'recording line 1 (the header): field "recordedAt" is missing; expected a string',
      ],
      [
        `${header}\n{"offsetMs":1.5,"path":"/task","status":200,"body":{}}`,
        'recording line 2: field "offsetMs" is 1.5 (number); expected an integer',
      ],
      [
        `${header}\n{"offsetMs":0,"path":"/task","status":200,"rawBody":5}`,
        'recording line 2: field "rawBody" is 5 (number); expected a string',
      ],
      [
        `${header}\n{"offsetMs":5,"path":"/task","status":200,"body":{}}\n{"offsetMs":4,"path":"/task","status":200,"body":{}}`,
        'recording line 3: field "offsetMs" is 4 (number); expected a value ≥ 5 (lines are in time order)',
      ],
    ];
    for (const [text, message] of cases) expect(() => parseRecording(text), message).toThrow(message);
  });

  it('scrubs account ids in ARNs and ECR hosts, keeping distinct accounts distinct', () => {
    const scrub = createAccountScrubber();
    const text =
      '{"TaskARN":"arn:aws:ecs:us-east-1:829490980523:task/c/1","Image":"111122223333.dkr.ecr.us-east-1.amazonaws.com/app","Role":"arn:aws:iam::829490980523:role/x","Port":123456789012}';
    expect(scrub(text)).toBe(
      '{"TaskARN":"arn:aws:ecs:us-east-1:000000000001:task/c/1","Image":"000000000002.dkr.ecr.us-east-1.amazonaws.com/app","Role":"arn:aws:iam::000000000001:role/x","Port":123456789012}',
    );
  });
});

describe('replay', () => {
  it('time mode serves the frame recorded at the elapsed time and holds the last', () => {
    let nowMs = 5_000_000;
    const handler = createRequestHandler({
      source: createReplaySource(recordingText, { mode: 'time', startTimeMs: nowMs }),
      throttle: false,
      now: () => nowMs,
    });
    const get = (path: string) => {
      const result = handler.handle({ method: 'GET', url: path, remoteAddress: '127.0.0.1' });
      if (result.type !== 'response') throw new Error(result.type);
      return result;
    };
    const stats = `/v4/${id}/task/stats`;
    expect(get(stats).body).toContain('"read":"2025-');
    nowMs += 9_999;
    expect(get(stats).body).toContain('"read":"2025-');
    nowMs += 1;
    expect(get(stats).body).toContain('"read":"2026-');
    nowMs += 10_000;
    const throttled = get(stats);
    expect([throttled.status, throttled.headers['Content-Type'], throttled.body]).toEqual([
      429,
      'text/plain; charset=utf-8',
      'You have reached maximum request limit.',
    ]);
    nowMs += 1_000_000;
    expect(get(stats).status).toBe(429);
  });

  it('request mode serves one frame per request of a path', () => {
    const handler = createRequestHandler({
      source: createReplaySource(recordingText, { mode: 'request' }),
      throttle: false,
    });
    const statuses = Array.from({ length: 4 }, () => {
      const result = handler.handle({
        method: 'GET',
        url: `/v4/${id}/task/stats`,
        remoteAddress: '127.0.0.1',
      });
      return result.type === 'response' ? [result.status, result.body.includes('"read":"2026-')] : [];
    });
    expect(statuses).toEqual([
      [200, false],
      [200, true],
      [429, false],
      [429, false],
    ]);
  });

  it('replays a v2 recording: containers by id, and 404-style answers for what was never recorded', () => {
    const v2 = [
      formatRecordingHeader('v2', new Date(0)),
      formatRecordingLine({ offsetMs: 0, path: '/metadata', status: 200, text: fargate.metadata.text }),
      formatRecordingLine({
        offsetMs: 0,
        path: `/stats/${id}`,
        status: 200,
        text: '{"read":"2025-01-01T00:00:00Z","cpu_stats":{}}',
      }),
      formatRecordingLine({
        offsetMs: 0,
        path: `/stats/${fargate.stoppedId}`,
        status: 400,
        text: `"Unable to get container stats for: ${fargate.stoppedId}"`,
      }),
    ].join('\n');
    const handler = createRequestHandler({ source: createReplaySource(v2), throttle: false });
    const get = (path: string) => {
      const result = handler.handle({ method: 'GET', url: path, remoteAddress: '10.0.0.5' });
      return result.type === 'response' ? [result.status, result.headers['Content-Type'], result.body] : [];
    };
    expect(get(`/v2/stats/${id}`)).toEqual([
      200,
      'application/json',
      '{"read":"2025-01-01T00:00:00Z","cpu_stats":{}}',
    ]);
    expect(get(`/v2/stats/${fargate.stoppedId}`)).toEqual([
      400,
      'application/json',
      JSON.stringify(`Unable to get container stats for: ${fargate.stoppedId}`),
    ]);
    expect(JSON.parse(get(`/v4/${id}`)[2] as string)).toEqual(JSON.parse(container));
    // No task stats were recorded: the v2 task-level error, naming the caller's IP.
    expect(get('/v2/stats')).toEqual([
      400,
      'application/json',
      JSON.stringify("Unable to get task arn from request: unable to associate '10.0.0.5' with task"),
    ]);
    expect(get(`/v4/${id}/task/stats`)[0]).toBe(404);
  });

  describe('over HTTP', () => {
    let mock: MockServer;
    beforeAll(async () => {
      mock = await startMockServer(createReplaySource(recordingText, { mode: 'request' }), {
        throttle: false,
      });
    });
    afterAll(() => mock.close());

    it('serves recorded bodies with big integers intact, and derives other containers', async () => {
      const stats = await fetchText(`${mock.url}/v4/${id}/task/stats`);
      expect(JSON.parse(stats.text)).toEqual(fargate.stats.json);
      expect(stats.text).toContain('9223372036854771712');
      expect(JSON.parse((await fetchText(`${mock.url}/v4/${id}`)).text)).toEqual(JSON.parse(container));
      // No own frames for ecs-exporter: cut out of the task frames.
      const other = 'bae32def0ab64f06818e8862e58f8d6d-4159844948';
      const otherStats = await fetchText(`${mock.url}/v4/${other}/stats`);
      expect(JSON.parse(otherStats.text)).toEqual((fargate.stats.json as Record<string, unknown>)[other]);
      const stopped = await fetchText(`${mock.url}/v4/${fargate.stoppedId}/stats`);
      expect(stopped.status).toBe(500);
      // v2 and v3 paths answer from the same frames.
      expect(JSON.parse((await fetchText(`${mock.url}/v2/metadata`)).text)).toEqual(fargate.metadata.json);
      expect((await fetchText(`${mock.url}/v3/${fargate.stoppedId}/stats`)).status).toBe(400);
      expect(mock.endpoints.map((e) => e.containerName)).toEqual([
        'nonessential',
        'prometheus',
        'ecs-exporter',
      ]);
    });
  });
});

describe('a recording the replay cannot serve', () => {
  const header = formatRecordingHeader('v4', new Date('2025-01-01T00:00:00Z'));
  const line = (path: string, status: number, text: string) =>
    formatRecordingLine({ offsetMs: 0, path, status, text });
  it('is refused (MOCK_RECORDING) when it has no responses, only error responses, or no container id', () => {
    const cases: Array<[string, string]> = [
      [`${header}\n`, 'recording: field "responses" is 0 (number); expected at least one recorded response'],
      [
        `${header}\n${line('', 404, 'not found')}\n${line('/task', 500, 'boom')}\n`,
        'recording: field "responses" is "2 with status 404, 500" (string); expected at least one 200 response',
      ],
      [
        `${header}\n${line('/task', 200, '{"Cluster":"c","Containers":[{"Name":"app"}]}')}\n`,
        'recording: field "container id" is missing; expected a DockerId to serve under',
      ],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        createReplaySource(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'MOCK_RECORDING', origin: 'input' });
      expect((error as Error).message).toContain(message);
    }
  });
});
