// One measured process: set up an OTLP metrics pipeline one way, let it settle, print its RSS.
// Run by otel-rss.mjs; never on its own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const scenario = process.argv[2];
const exporterUrl = 'http://127.0.0.1:4318/v1/metrics'; // nothing is exported during the measurement

async function sdkMetrics() {
  // The taskscope way: sdk-metrics reader + the OTLP/HTTP exporters, built from the same pieces
  // as src/otlp/exporter.ts, + resources, no MeterProvider.
  const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { OTLPMetricExporterBase } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const { convertLegacyHttpOptions, createOtlpHttpExportDelegate } = await import(
    '@opentelemetry/otlp-exporter-base/node-http'
  );
  const { MetricsExporterMetricsHelper, ProtobufMetricsSerializer } = await import(
    '@opentelemetry/otlp-transformer'
  );
  const { resourceFromAttributes, defaultResource } = await import('@opentelemetry/resources');
  const options = { url: exporterUrl, timeoutMillis: 2000 };
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(options, 'METRICS', 'v1/metrics', { 'Content-Type': 'application/x-protobuf' }),
    ProtobufMetricsSerializer,
    'otlp_http_metric_exporter',
    MetricsExporterMetricsHelper,
    undefined,
  );
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporterBase(delegate, options),
    exportIntervalMillis: 60_000,
    exportTimeoutMillis: 2000,
  });
  reader.setMetricProducer({
    collect: async () => ({
      resourceMetrics: {
        resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'x' })),
        scopeMetrics: [],
      },
      errors: [],
    }),
  });
  return reader;
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
