import { lstat, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixture } from '@taskscope/fixtures';
import { parseRecording, startMock } from '@taskscope/mock';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../test/capture-io.js';
import { main } from '../main.js';

/*
 * The recording writer writes one file, --out, and nothing else (docs/security.md): ids from
 * the payload never become paths (of the endpoint or on disk), and a symlink at --out is
 * replaced, not written through.
 */

const metadata = loadFixture('prometheus-community-ecs_exporter/fargate_task_metadata.json');
const stats = loadFixture('prometheus-community-ecs_exporter/fargate_task_stats.json');
const callerId = 'bae32def0ab64f06818e8862e58f8d6d-1819985369';

describe('taskscope record, hostile input', () => {
  it('does not capture a DockerId that is not an id: no request leaves the per-container paths', async () => {
    const hostile = ['../../../v4/x/task', 'a/b', '%2e%2e%2fstats', '..', 'id?x=1'];
    const task = JSON.parse(metadata.text) as { Containers: { DockerId: string }[] };
    hostile.forEach((id, i) => {
      task.Containers.push({ ...task.Containers[i % task.Containers.length]!, DockerId: id });
    });
    const source = await startMock({ taskMetadata: JSON.stringify(task), taskStats: stats.text });
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-record-'));
    const out = join(dir, 'rec.jsonl');
    const { io, stderr } = captureIo();
    expect(
      await main(['record', '--from', source.v2Url, '--out', out, '--count', '2', '--interval', '10ms'], io),
    ).toBe(0);
    const paths = parseRecording(await readFile(out, 'utf8')).frames.map((f) => f.path);
    const real = JSON.parse(metadata.text).Containers.map(
      (c: { DockerId: string }) => c.DockerId,
    ) as string[];
    const perSample = ['/metadata', '/stats', ...real.flatMap((id) => [`/metadata/${id}`, `/stats/${id}`])];
    expect(paths).toEqual([...perSample, ...perSample]);
    // Once per id, the first sample only, each id quoted as JSON (no terminal escapes).
    expect(stderr().trim().split('\n')).toEqual(
      hostile.map(
        (id) =>
          `record: not capturing container ${JSON.stringify(id)} of ${source.v2Url}/metadata: a DockerId is letters, digits, . _ - (at most 128)`,
      ),
    );
    expect(await readdir(dir)).toEqual(['rec.jsonl']);
    await source.close();
  });

  it('replaces a symlink at --out with the recording; the file it pointed at is left as it was', async () => {
    const source = await startMock({ taskMetadata: metadata.text, taskStats: stats.text });
    const dir = await mkdtemp(join(tmpdir(), 'taskscope-record-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'taskscope-victim-'));
    const victim = join(elsewhere, 'precious.txt');
    await writeFile(victim, 'not yours\n');
    const out = join(dir, 'rec.jsonl');
    await symlink(victim, out);
    const { io, stderr } = captureIo();
    expect(
      await main(['record', '--from', `${source.url}/v4/${callerId}`, '--out', out, '--count', '1'], io),
    ).toBe(0);
    expect(stderr()).toBe('');
    expect(await readFile(victim, 'utf8')).toBe('not yours\n');
    expect((await lstat(out)).isSymbolicLink()).toBe(false);
    expect(parseRecording(await readFile(out, 'utf8')).frames).toHaveLength(4);
    expect([await readdir(dir), await readdir(elsewhere)]).toEqual([['rec.jsonl'], ['precious.txt']]);
    await source.close();
  });
});
