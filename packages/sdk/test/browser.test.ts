/*
 * The client in a real browser: the SDK bundled with esbuild for the browser platform (as a
 * page's build would), loaded by a page the loopback agent serves, in headless Chromium. The
 * page reads the snapshot and the history, follows the stream from a Last-Event-ID, and
 * catches a 401; it shows what it got and posts it back to the agent, which the test waits for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHROMIUM_QUIET_FLAGS, createStopper, requireChromium, waitFor } from '@taskscope/test-support';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgentDouble } from './agent-double.ts';
import { sampleSnapshot } from './samples.ts';

const ENTRY = new URL('../src/index.ts', import.meta.url).pathname;

/** What a page's bundler makes of the SDK: minified ESM for browsers, valibot tree-shaken in. */
async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: new URL('.', import.meta.url).pathname, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>taskscope sdk</title>
<pre id="out">running</pre>
<script type="module">
  import { createTaskscopeClient } from '/sdk.js';
  const lines = [];
  try {
    // A relative base URL: the agent that served the page. The page's own fetch, passed in,
    // must be called without another \`this\` ("Illegal invocation").
    const client = createTaskscopeClient({ baseUrl: '/', token: 's3cret', fetch: window.fetch });
    const snapshot = await client.snapshot();
    lines.push('snapshot ' + snapshot.id + ' ' + snapshot.containers.map((c) => c.name).join(','));
    const history = await client.history({ window: '5m' });
    lines.push('history ' + history.snapshots.map((s) => s.id).join(','));
    const controller = new AbortController();
    const ids = [];
    const states = [];
    await client.subscribe(
      (s) => {
        ids.push(s.id);
        if (ids.length === 2) controller.abort();
      },
      { signal: controller.signal, lastEventId: '1000', onState: (s) => states.push(s.state) },
    );
    lines.push('stream ' + ids.join(',') + ' ' + states.join(','));
    try {
      await createTaskscopeClient({ baseUrl: '/', token: 'wrong' }).snapshot();
    } catch (error) {
      lines.push(error.name + ' ' + error.code + ' ' + error.status + ' ' + error.body.error);
    }
  } catch (error) {
    lines.push('failed: ' + error);
  }
  document.getElementById('out').textContent = lines.join('\\n');
  await fetch('/__result', { method: 'POST', body: JSON.stringify(lines) });
</script>
`;

const stopper = createStopper();
afterEach(() => stopper.stopAll());

/**
 * Opens `url` in headless Chromium, which stays up until stopped (after the test). Its own
 * process group, so stopping it ends its renderer and zygote children too.
 */
function openInChromium(chromium: string, url: string): { output: () => string } {
  const profile = stopper.track(mkdtempSync(join(tmpdir(), 'taskscope-sdk-chromium-')), (dir) =>
    rmSync(dir, { recursive: true, force: true }),
  );
  const args = ['--headless', ...CHROMIUM_QUIET_FLAGS, `--user-data-dir=${profile}`, url];
  const child = spawn(chromium, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stopper.track(child, async (started) => {
    if (started.exitCode === null && started.signalCode === null && started.pid !== undefined) {
      process.kill(-started.pid, 'SIGKILL');
    }
    await exited;
  });
  return { output: () => output };
}

describe('in a browser', () => {
  it('the client reads the snapshot, the history and the stream in headless Chromium', async () => {
    const chromium = requireChromium();
    const sdk = await bundle(`export * from ${JSON.stringify(ENTRY)};`);
    const double = stopper.track(await startAgentDouble({ token: 's3cret' }), (started) => started.stop());
    for (const id of [1000, 2000, 3000]) double.record(sampleSnapshot(id));
    let result: string[] | undefined;
    double.takeover = (request, response, path) => {
      if (path === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
      else if (path === '/sdk.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
      else if (path === '/__result') {
        let body = '';
        request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          result = JSON.parse(body);
          response.writeHead(204).end();
        });
      } else return false;
      return true;
    };
    const browser = openInChromium(chromium, `${double.baseUrl}/`);
    // The page posts what it saw when it is done: wait for that, not for a time.
    const lines = await waitFor('the page’s result', () => result, {
      timeoutMs: 60_000,
      seen: browser.output,
    });
    expect(lines).toEqual([
      'snapshot 3000 app,worker,taskscope',
      'history 1000,2000,3000',
      'stream 2000,3000 connecting,open',
      'TaskscopeClientError HTTP 401 UNAUTHORIZED',
    ]);
    const stream = double.streamRequests()[0];
    expect(stream?.headers).toMatchObject({ authorization: 'Bearer s3cret', 'last-event-id': '1000' });
  }, 90_000);
});

describe('bundle size', () => {
  it('the client, minified and gzipped with valibot, stays under 8 KiB', async () => {
    const client = await bundle(`export { createTaskscopeClient } from ${JSON.stringify(ENTRY)};`);
    const gzippedBytes = gzipSync(client, { level: 9 }).length;
    // Measured 5,458 bytes (esbuild 0.28.2, es2022); the schema is about half of it.
    expect(gzippedBytes).toBeGreaterThan(3 * 1024);
    expect(gzippedBytes).toBeLessThan(8 * 1024);
    // Nothing of Node made it in.
    expect(client).not.toMatch(/\bnode:|require\(/);
  });
});
