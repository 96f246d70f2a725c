// One measured process: set up an OTLP metrics pipeline one way, let it settle, print its RSS.
// Run by otel-rss.mjs; never on its own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const scenario = process.argv[2];

async function sdkMetrics() {
  // The taskscope way, as the agent runs it: this package's exporter (sdk-metrics' reader and
  // the OTLP/HTTP exporters, no MeterProvider), from its build, set from the same OTEL_* as
  // NodeSDK below. Nothing is polled here, so there is no snapshot to export.
  const { createOtlpExporter } = await import('../dist/index.js');
  return createOtlpExporter({ getSnapshot: () => undefined, env: process.env });
}

async function sdkNode() {
  // The design card's way: NodeSDK reads OTEL_* itself (exporter, protocol, interval, resource).
  const require = createRequire(`${process.env.SDK_NODE_DIR}/package.json`);
  const { NodeSDK } = require('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  return sdk;
}

const keep =
  scenario === 'sdk-metrics' ? await sdkMetrics() : scenario === 'sdk-node' ? await sdkNode() : undefined;
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 2000));
globalThis.gc?.();
const status = readFileSync('/proc/self/status', 'utf8');
const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1]);
process.stdout.write(
  `${JSON.stringify({ scenario, rssKiB, heapUsedBytes: process.memoryUsage().heapUsed, kept: keep !== undefined })}\n`,
);
process.exit(0);
