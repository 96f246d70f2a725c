// RSS of an idle process holding an OTLP metrics pipeline: @opentelemetry/sdk-node versus
// sdk-metrics used directly (what packages/exporters does). Prints medians and ratios measured
// in this run. sdk-node is not a dependency of this repo; install it outside the repo first:
//   mkdir -p /tmp/taskscope-sdk-node && cd /tmp/taskscope-sdk-node && npm init -y >/dev/null &&
//   npm install --no-audit --no-fund @opentelemetry/sdk-node@0.223.0 @opentelemetry/api@1.9.1
// then, after `npm run build` (the child loads this package's dist):
//   node packages/exporters/bench/otel-rss.mjs [runs]   (SDK_NODE_DIR overrides the folder)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sdkNodeDir = process.env.SDK_NODE_DIR ?? '/tmp/taskscope-sdk-node';
if (!existsSync(`${sdkNodeDir}/node_modules/@opentelemetry/sdk-node`)) {
  console.error(
    `@opentelemetry/sdk-node is not installed in ${sdkNodeDir}; see the comment at the top of this file`,
  );
  process.exit(1);
}
const runs = Number(process.argv[2] ?? 5);
const child = fileURLToPath(new URL('./otel-rss-child.mjs', import.meta.url));
// Node 20 loads NODE_EXTRA_CA_CERTS eagerly at start (docs/decisions.md §1); an ECS task has none.
const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
const childEnv = {
  ...env,
  SDK_NODE_DIR: sdkNodeDir,
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const scenario of ['bare-node', 'sdk-metrics', 'sdk-node']) {
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const out = execFileSync(process.execPath, ['--expose-gc', child, scenario], {
      env: childEnv,
      encoding: 'utf8',
    });
    samples.push(JSON.parse(out.trim().split('\n').at(-1)).rssKiB);
  }
  results[scenario] = { medianMiB: median(samples) / 1024, samplesKiB: samples };
}
const base = results['bare-node'].medianMiB;
const metrics = results['sdk-metrics'].medianMiB;
const node = results['sdk-node'].medianMiB;
console.log(`node ${process.version}, ${runs} runs each, VmRSS after gc + 2 s idle (median)`);
for (const [scenario, r] of Object.entries(results)) {
  console.log(
    `${scenario.padEnd(12)} ${r.medianMiB.toFixed(1).padStart(6)} MiB   [${r.samplesKiB.join(', ')}] KiB`,
  );
}
console.log(`sdk-node / sdk-metrics RSS ratio: ${(node / metrics).toFixed(2)}`);
console.log(
  `over bare node: sdk-metrics +${(metrics - base).toFixed(1)} MiB, sdk-node +${(node - base).toFixed(1)} MiB`,
);
