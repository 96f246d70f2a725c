/*
 * The server side of the throughput benchmark, in its own process: `mock` serves the
 * fargate-web scenario with throttling off; `bare` serves the very same bytes from a bare
 * node:http handler, the baseline. Prints `{"url":…,"path":…,"bytes":…}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMock } from '../src/http/start-mock.js';

const mode = process.argv[2];
// Start the scenario a minute back so every container has a sample to serve.
const mock = await startMock({ scenario: 'fargate-web', throttle: false, startTime: Date.now() - 60_000 });
const path = `/v4/${mock.endpoints[0]!.endpointId}/task/stats`;
const sample = await fetch(mock.url + path);
const body = Buffer.from(await sample.arrayBuffer());

let url = mock.url;
if (mode === 'bare') {
  await mock.close();
  const contentType = sample.headers.get('content-type') ?? 'application/json';
  const server = createServer({ keepAlive: true }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
} else if (mode !== 'mock') {
  throw new Error(`server-child: mode must be mock or bare, got ${mode}`);
}
process.on('SIGTERM', () => process.exit(0));
process.stdout.write(`${JSON.stringify({ url, path, bytes: body.length })}\n`);
