// RSS an idle process pays for undici: its package index (fetch, WebSocket, EventSource,
// caches, mock utilities…) against the lib files packages/client/src/undici.ts loads (Pool
// and the request API, which bring the error classes). Prints medians and the difference measured in this run.
//   node packages/client/bench/undici-rss.mjs [runs]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 7);
const child = fileURLToPath(new URL('./undici-rss-child.mjs', import.meta.url));
// Node 20 loads NODE_EXTRA_CA_CERTS eagerly at start (docs/decisions.md §1); an ECS task has none.
const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SCENARIOS = ['bare-node', 'undici-index', 'client-deep'];
const results = Object.fromEntries(SCENARIOS.map((scenario) => [scenario, []]));
for (let i = 0; i < runs; i += 1) {
  // Interleaved, so a busy moment on the machine does not land on one scenario only.
  for (const scenario of SCENARIOS) {
    const out = execFileSync(process.execPath, ['--expose-gc', child, scenario], { env, encoding: 'utf8' });
    results[scenario].push(JSON.parse(out.trim().split('\n').at(-1)).rssKiB);
  }
}
const mib = (scenario) => median(results[scenario]) / 1024;
console.log(`node ${process.version}, ${runs} runs each, VmRSS after gc + 1.5 s idle (median)`);
for (const [scenario, samples] of Object.entries(results)) {
  console.log(
    `${scenario.padEnd(13)} ${mib(scenario).toFixed(1).padStart(6)} MiB   [${samples.join(', ')}] KiB`,
  );
}
const index = mib('undici-index') - mib('bare-node');
const deep = mib('client-deep') - mib('bare-node');
console.log(
  `over bare node: undici index +${index.toFixed(1)} MiB, client's lib files +${deep.toFixed(1)} MiB (saves ${(index - deep).toFixed(1)} MiB)`,
);
