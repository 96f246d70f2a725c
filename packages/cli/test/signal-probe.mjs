/*
 * Preloaded (NODE_OPTIONS=--import) into a `taskscope agent` child by the SIGTERM test: sends
 * the process a real SIGTERM at one moment of its start, chosen by TASKSCOPE_TEST_SIGTERM_AT,
 * so the test waits for that event rather than guessing a time:
 * - `armed`: right after the process adds its first SIGTERM listener;
 * - `v8-flags`: when the agent sets its V8 flags;
 * - `listen`: when a server starts to listen.
 * Plain JavaScript: it loads before tsx.
 */
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import v8 from 'node:v8';

const at = process.env.TASKSCOPE_TEST_SIGTERM_AT;
let sent = false;
const sigterm = () => {
  if (sent) return;
  sent = true;
  // The test measures from this line to the exit.
  process.stderr.write('signal-probe: SIGTERM sent\n');
  process.kill(process.pid, 'SIGTERM');
};

if (at === 'armed') {
  const on = process.on;
  process.on = function (event, listener) {
    const result = on.call(this, event, listener);
    if (event === 'SIGTERM') sigterm();
    return result;
  };
  process.addListener = process.on;
}
if (at === 'v8-flags') {
  const set = v8.setFlagsFromString;
  v8.setFlagsFromString = (flags) => {
    sigterm();
    return set(flags);
  };
  syncBuiltinESMExports();
}
if (at === 'listen') {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    sigterm();
    return listen.apply(this, args);
  };
}
