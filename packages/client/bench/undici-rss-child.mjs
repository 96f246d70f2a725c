// One measurement for undici-rss.mjs: load what the scenario names, settle, print VmRSS.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const scenario = process.argv[2];
let held;
if (scenario === 'undici-index') {
  held = await import('undici');
} else if (scenario === 'client-deep') {
  // The modules packages/client/src/undici.ts loads, nothing else.
  held = [require('undici/lib/dispatcher/pool.js'), require('undici/lib/api/api-request.js')];
} else if (scenario !== 'bare-node') {
  throw new Error(`unknown scenario ${scenario}`);
}
globalThis.gc();
await sleep(1500);
globalThis.gc();
const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
console.log(JSON.stringify({ scenario, rssKiB, held: held !== undefined }));
