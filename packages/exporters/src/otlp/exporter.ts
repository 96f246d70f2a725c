import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonMetricExporter,
  OTLPMetricExporterBase,
  type OTLPMetricExporterOptions,
} from '@opentelemetry/exporter-metrics-otlp-http';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  type IExportMetricsServiceResponse,
  type ISerializer,
  MetricsExporterMetricsHelper,
  ProtobufMetricsSerializer,
} from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  type CollectionResult,
  type MetricProducer,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { TaskMetrics } from '@taskscope/core';
import type { TaskCostSample } from '../cost.js';
import { OTLP_SHUTDOWN_BUDGET_MS, type OtlpConfig, readOtlpConfig } from './config.js';
import { encodeMetricsRequest } from './protobuf.js';
import { type OtlpState, translateOtlp } from './translate.js';

/** Options of {@link createOtlpExporter}. */
export interface OtlpExporterOptions {
  /** The latest computed snapshot; read at each collection. */
  readonly getSnapshot: () => TaskMetrics | undefined;
  /** The task's price and cost now (the agent's cost meter), read at each collection. */
  readonly getCost?: () => TaskCostSample | undefined;
  /** The environment to read `OTEL_*` from (the agent passes `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called with each failed export (unreachable collector, HTTP 4xx/5xx, timeout). */
  readonly onError?: (error: Error) => void;
}

/** The running OTLP pipeline. */
export interface OtlpExporter {
  /** The settings read from the environment. */
  readonly config: OtlpConfig;
  /** Collect and export now. */
  forceFlush(): Promise<void>;
  /** Export a last time and stop; resolves within {@link OTLP_SHUTDOWN_BUDGET_MS} even when the collector is unreachable. */
  shutdown(): Promise<void>;
}

const SERVICE_NAME_DEFAULT = 'taskscope';
/** `ExportResultCode.SUCCESS` of @opentelemetry/core, which this package does not otherwise need. */
const EXPORT_SUCCESS = 0;

/** The library's protobuf serializer, after our encoder for the requests it covers (protobuf.ts). */
const PROTOBUF_SERIALIZER: ISerializer<ResourceMetrics, IExportMetricsServiceResponse> = {
  serializeRequest: (request) =>
    encodeMetricsRequest(request) ?? ProtobufMetricsSerializer.serializeRequest(request),
  deserializeResponse: (data) => ProtobufMetricsSerializer.deserializeResponse(data),
};

/**
 * @opentelemetry/exporter-metrics-otlp-proto 0.223's OTLPMetricExporter, built the way its
 * constructor builds itself (URL, headers and agent from the same legacy-options conversion),
 * with {@link PROTOBUF_SERIALIZER} in place of the library's serializer.
 */
function createProtobufExporter(options: OTLPMetricExporterOptions): PushMetricExporter {
  const delegate = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(options, 'METRICS', 'v1/metrics', { 'Content-Type': 'application/x-protobuf' }),
    PROTOBUF_SERIALIZER,
    'otlp_http_metric_exporter',
    MetricsExporterMetricsHelper,
    undefined,
  );
  return new OTLPMetricExporterBase(delegate, options);
}

function createPushExporter(config: OtlpConfig, timeoutMillis: number): PushMetricExporter {
  const options: OTLPMetricExporterOptions = {
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis,
    temporalityPreference:
      config.temporalityPreference === 'delta'
        ? AggregationTemporalityPreference.DELTA
        : config.temporalityPreference === 'lowmemory'
          ? AggregationTemporalityPreference.LOWMEMORY
          : AggregationTemporalityPreference.CUMULATIVE,
  };
  return config.protocol === 'http/json' ? new JsonMetricExporter(options) : createProtobufExporter(options);
}

/**
 * The reader's exporter: reports each failed export to `onError`, and can be swapped for one
 * with a shorter request timeout before the final export of shutdown (the OTLP transport's
 * retry timers are not unref'd, so a long timeout would hold the process after SIGTERM).
 */
function createSwitchableExporter(
  initial: PushMetricExporter,
  onError: ((error: Error) => void) | undefined,
) {
  let current = initial;
  const retired: PushMetricExporter[] = [];
  const exporter: PushMetricExporter = {
    export(metrics, resultCallback) {
      current.export(metrics, (result) => {
        if (result.code !== EXPORT_SUCCESS) {
          onError?.(result.error ?? new Error('OTLP export failed'));
        }
        resultCallback(result);
      });
    },
    forceFlush: () => current.forceFlush(),
    async shutdown() {
      await Promise.all([current, ...retired].map((e) => e.shutdown()));
    },
    selectAggregationTemporality: (type) => current.selectAggregationTemporality!(type),
  };
  return {
    exporter,
    swap(next: PushMetricExporter): void {
      retired.push(current);
      current = next;
    },
  };
}

/**
 * Push the task's metrics over OTLP/HTTP (protobuf by default, JSON on request) every
 * `OTEL_METRIC_EXPORT_INTERVAL`. The points come from a MetricProducer over
 * {@link translateOtlp} rather than observable instruments, because the SDK cannot give a
 * point its own start time (a container's `StartedAt`, moved on reset) nor its own timestamp
 * (the payload's `read`). The producer is bound to the reader directly, without a
 * MeterProvider, so the resource is built from the task identity at each collection — a
 * MeterProvider fixes its resource at construction, before the first poll has identified the task.
 */
export function createOtlpExporter(options: OtlpExporterOptions): OtlpExporter {
  const config = readOtlpConfig(options.env);
  const baseAttributes: Attributes = {
    ...config.resourceAttributes,
    'service.name': config.serviceName ?? config.resourceAttributes['service.name'] ?? SERVICE_NAME_DEFAULT,
  };
  let state: OtlpState | undefined;

  const producer: MetricProducer = {
    async collect(): Promise<CollectionResult> {
      const snapshot = options.getSnapshot();
      if (snapshot === undefined) {
        // No scope metrics: the reader skips the export instead of sending an empty request.
        return {
          resourceMetrics: { resource: resourceFromAttributes(baseAttributes), scopeMetrics: [] },
          errors: [],
        };
      }
      const translation = translateOtlp(snapshot, state, {
        temporality: config.temporality,
        nowMs: Date.now(),
        cost: options.getCost?.(),
      });
      state = translation.state;
      // The task's identity is detected data and wins over OTEL_RESOURCE_ATTRIBUTES, as the
      // spec ranks the environment below what the SDK is given; service.name stays the user's.
      const resource = defaultResource().merge(
        resourceFromAttributes({ ...baseAttributes, ...translation.resourceAttributes }),
      );
      const resourceMetrics: ResourceMetrics = {
        resource,
        scopeMetrics: translation.scopeMetrics.metrics.length > 0 ? [translation.scopeMetrics] : [],
      };
      return { resourceMetrics, errors: [] };
    },
  };

  const switchable = createSwitchableExporter(
    createPushExporter(config, config.requestTimeoutMs),
    options.onError,
  );
  const reader = new PeriodicExportingMetricReader({
    exporter: switchable.exporter,
    exportIntervalMillis: config.exportIntervalMs,
    exportTimeoutMillis: config.exportTimeoutMs,
  });
  reader.setMetricProducer(producer);

  let stopped: Promise<void> | undefined;
  return {
    config,
    forceFlush: () => reader.forceFlush({ timeoutMillis: config.exportTimeoutMs }),
    shutdown() {
      stopped ??= (async () => {
        // Leave half a second of the budget for the reader's own bookkeeping.
        switchable.swap(
          createPushExporter(config, Math.min(config.requestTimeoutMs, OTLP_SHUTDOWN_BUDGET_MS - 500)),
        );
        let timer: NodeJS.Timeout | undefined;
        const budget = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            options.onError?.(
              new Error(
                `OTLP shutdown gave up after ${OTLP_SHUTDOWN_BUDGET_MS} ms: the last export may be lost`,
              ),
            );
            resolve();
          }, OTLP_SHUTDOWN_BUDGET_MS);
          timer.unref();
        });
        try {
          await Promise.race([
            reader.shutdown({ timeoutMillis: OTLP_SHUTDOWN_BUDGET_MS }).catch((error: unknown) => {
              options.onError?.(error instanceof Error ? error : new Error(String(error)));
            }),
            budget,
          ]);
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopped;
    },
  };
}
