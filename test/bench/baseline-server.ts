import { createServer } from 'node:http';

/*
 * Baseline 1 of the agent bench: a bare node:http server, the least a Node process that
 * serves /metrics can cost. The agent's RSS is compared with this one's.
 */
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening ${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
