import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture } from '@taskscope/fixtures';
import { createReplaySource, parseRecording, startMock } from '@taskscope/mock';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';

const metadata = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json');
const stats = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json');
const callerId = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';

afterEach(() => {
  for (const name of Object.keys(process.env)) if (name.startsWith('TASKSCOPE_')) delete process.env[name];
});

describe('taskscope record', () => {
  it('records a running mock over loopback, scrubs account ids, and the replay serves the same bodies', async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const out = join(await mkdtemp(join(tmpdir(), 'taskscope-record-')), 'rec.jsonl');
    const { io, stdout, stderr } = captureIo();
    const code = await main(
      ['record', '--from', source.v4Urls['prometheus']!, '--out', out, '--count', '2', '--interval', '20ms'],
      io,
    );
    expect([code, stderr()]).toEqual([0, '']);
    expect(stdout()).toBe(`recorded 8 responses from ${source.v4Urls['prometheus']} to ${out}\n`);

    const text = await readFile(out, 'utf8');
    const recording = parseRecording(text);
    expect(recording.header.api).toBe('v4');
    expect(recording.frames.map((f) => f.path)).toEqual([
      '',
      '/task',
      '/stats',
      '/task/stats',
      '',
      '/task',
      '/stats',
      '/task/stats',
    ]);
    expect(recording.frames[4]!.offsetMs).toBeGreaterThanOrEqual(20);
    expect(text).not.toContain('829490980523');
    expect(text).toContain(
      'arn:aws:ecs:us-east-1:000000000001:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d',
    );
    expect(text).toContain('9223372036854771712');

    const replay = await startMock({ replay: text, replayMode: 'request' });
    for (const path of ['', '/task', '/stats', '/task/stats']) {
      const [recorded, replayed] = await Promise.all([
        request(`${source.url}/v4/${callerId}${path}`).then((r) => r.body.text()),
        request(`${replay.url}/v4/${callerId}${path}`).then((r) => r.body.text()),
      ]);
      // The replay answers the scrubbed body; undo the scrub to compare with the source.
      expect(JSON.parse(replayed.replaceAll('000000000001', '829490980523'))).toEqual(JSON.parse(recorded));
    }
    expect(
      createReplaySource(text)
        .endpoints()
        .map((e) => e.containerName),
    ).toEqual(['nonessential', 'prometheus', 'ecs-exporter']);
    await Promise.all([source.close(), replay.close()]);
  });

  it('keeps account ids with --keep-ids and captures each container by id on v2', async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const out = join(await mkdtemp(join(tmpdir(), 'taskscope-record-')), 'rec.jsonl');
    const { io } = captureIo();
    expect(
      await main(['record', '--from', source.v2Url, '--out', out, '--count', '1', '--keep-ids'], io),
    ).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).toContain('829490980523');
    const recording = parseRecording(text);
    expect(recording.header.api).toBe('v2');
    expect(recording.frames.map((f) => `${f.path} ${f.status}`)).toEqual([
      '/metadata 200',
      '/stats 200',
      '/metadata/bae32def0ab64f06818e8862e58f8d6d-1585788040 200',
      '/stats/bae32def0ab64f06818e8862e58f8d6d-1585788040 400',
      '/metadata/bae32def0ab64f06818e8862e58f8d6d-1819985369 200',
      '/stats/bae32def0ab64f06818e8862e58f8d6d-1819985369 200',
      '/metadata/bae32def0ab64f06818e8862e58f8d6d-4159844948 200',
      '/stats/bae32def0ab64f06818e8862e58f8d6d-4159844948 200',
    ]);
    await source.close();
  });

  it("scrubs account ids unless --keep-ids or TASKSCOPE_RECORD_KEEP_IDS is on, the flag winning; ignores the agent's variables", async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-record-'));
    // The agent's variables, as an image or shell that runs the agent holds them: never read by record.
    process.env['TASKSCOPE_INTERVAL'] = 'auto';
    process.env['TASKSCOPE_KEEP_IDS'] = 'true';
    let n = 0;
    const keptIds = async (args: string[]): Promise<boolean> => {
      const out = join(dir, `rec-${n++}.jsonl`);
      const { io, stderr } = captureIo();
      const code = await main(
        ['record', '--from', source.v4Urls['prometheus']!, '--out', out, '--count', '1', ...args],
        io,
      );
      expect([args, code, stderr()]).toEqual([args, 0, '']);
      return (await readFile(out, 'utf8')).includes('829490980523');
    };
    expect(await keptIds([])).toBe(false);
    for (const word of ['false', '0', 'no', 'off', '']) {
      process.env['TASKSCOPE_RECORD_KEEP_IDS'] = word;
      expect([word, await keptIds([])]).toEqual([word, false]);
      expect([word, await keptIds(['--keep-ids'])]).toEqual([word, true]);
    }
    process.env['TASKSCOPE_RECORD_KEEP_IDS'] = 'yes';
    expect(await keptIds([])).toBe(true);
    expect(await keptIds(['--no-keep-ids'])).toBe(false);
    await source.close();
  });

  it('fails (exit 1, one line, nothing left behind) when the endpoint does not answer 200 or cannot be reached', async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-record-'));
    const cases: Array<[string, RegExp]> = [
      // A wrong base URL: the mock answers 404 for a container id it does not know.
      [
        `${source.url}/v4/nope`,
        /^taskscope: record: http:\/\/.+\/v4\/nope: answered 404; expected 200 .*nothing written to .*\n$/,
      ],
      [`${source.url}/v9`, /answered 404; expected 200/],
      // Port 0: nothing can listen there, the connection is refused at once.
      ['http://127.0.0.1:0/v4/x', /^taskscope: record: http:\/\/127\.0\.0\.1:0\/v4\/x: .*ECONNREFUSED.*\n$/],
    ];
    for (const [from, message] of cases) {
      const out = join(dir, 'rec.jsonl');
      const { io, stdout, stderr } = captureIo();
      expect([
        from,
        await main(['record', '--from', from, '--out', out, '--count', '2', '--interval', '10ms'], io),
      ]).toEqual([from, 1]);
      expect(stderr()).toMatch(message);
      expect(stderr().trim().split('\n')).toHaveLength(1);
      expect(stdout()).toBe('');
      expect(await readdir(dir)).toEqual([]);
    }
    await source.close();
  });

  it('replaces --out only once the recording is complete', async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-record-'));
    const out = join(dir, 'rec.jsonl');
    await writeFile(out, 'the previous recording\n');
    const { io } = captureIo();
    expect(await main(['record', '--from', `${source.url}/v4/nope`, '--out', out, '--count', '1'], io)).toBe(
      1,
    );
    expect([await readFile(out, 'utf8'), await readdir(dir)]).toEqual([
      'the previous recording\n',
      ['rec.jsonl'],
    ]);
    expect(
      await main(['record', '--from', source.v4Urls['prometheus']!, '--out', out, '--count', '1'], io),
    ).toBe(0);
    expect(parseRecording(await readFile(out, 'utf8')).frames).toHaveLength(4);
    expect(await readdir(dir)).toEqual(['rec.jsonl']);
    await source.close();
  });

  it('rejects bad flags with exit 2, and an unreachable endpoint with exit 1 and one line', async () => {
    const cases: Array<[string[], string]> = [
      [['--out', '/tmp/x.jsonl'], `error: required option '--from <url>' not specified`],
      [
        ['--from', 'not a url', '--out', '/tmp/x.jsonl'],
        `option '--from <url>' argument 'not a url' is invalid. expected an http URL`,
      ],
      [
        ['--from', 'http://127.0.0.1:1/v4/x', '--out', '/tmp/x.jsonl', '--count', '0'],
        `option '--count <n>' argument '0' is invalid. expected a whole number ≥ 1`,
      ],
      [
        ['--from', 'http://127.0.0.1:1/v4/x', '--out', '/tmp/x.jsonl', '--interval', 'often'],
        `option '--interval <duration>' argument 'often' is invalid`,
      ],
      [
        ['--from', 'http://127.0.0.1:1/v4/x', '--out', '/nonexistent-dir/x.jsonl'],
        '--out /nonexistent-dir/x.jsonl: cannot be written (ENOENT)',
      ],
    ];
    for (const [args, message] of cases) {
      const { io, stderr } = captureIo();
      expect(await main(['record', ...args], io)).toBe(2);
      expect(stderr()).toContain(message);
    }
    const out = join(await mkdtemp(join(tmpdir(), 'taskscope-record-')), 'rec.jsonl');
    const { io, stderr } = captureIo();
    expect(
      await main(['record', '--from', 'http://127.0.0.1:59999/v4/x', '--out', out, '--count', '1'], io),
    ).toBe(1);
    expect(stderr()).toMatch(/^taskscope: record: http:\/\/127\.0\.0\.1:59999\/v4\/x: .*\n$/);
  });
});
