import type { AddressInfo, Server } from 'node:net';

/**
 * A loopback port no connection to can succeed: port 0 means "any port" to bind(), so nothing
 * can ever listen on it, and Linux refuses a connection to it (ECONNREFUSED) at once. Tests
 * that need a refused or unreachable endpoint use it instead of a port that was free a moment
 * ago, which another test or process could bind before it is used (issue #9).
 */
export const REFUSED_PORT = 0;

/** Listens on 127.0.0.1:0 and resolves to the port the OS gave: nothing is reserved and freed first. */
export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
