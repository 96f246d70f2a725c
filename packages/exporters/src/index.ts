export type { TaskCostSample } from './cost.js';
export {
  createEmfEmitter,
  EMF_NAMESPACE,
  EmfConfigError,
  type EmfEmitter,
  type EmfEmitterOptions,
} from './emf/emitter.js';
export {
  EMF_MAX_DIMENSION_NAME_CHARS,
  EMF_MAX_DIMENSION_VALUE_CHARS,
  EMF_MAX_DIMENSIONS_PER_SET,
  type EmfDropCounts,
  isDimensionName,
  isDimensionValue,
} from './emf/limits.js';
export {
  EMF_MAX_DIMENSION_KEYS,
  EMF_MAX_LINE_BYTES,
  EMF_MAX_METRICS_PER_DIRECTIVE,
  type EmfEvent,
  type EmfMetricDefinition,
  type EmfPollScope,
  type EmfTranslateOptions,
  type EmfUnit,
  translateEmf,
} from './emf/translate.js';
export { EXPORTERS_ERROR_CODES, type ExportersErrorCode } from './errors.js';
export {
  OTLP_CONFIG_SOURCE,
  OTLP_SHUTDOWN_BUDGET_MS,
  type OtlpConfig,
  OtlpConfigError,
  readOtlpConfig,
} from './otlp/config.js';
export type { OtlpExporter, OtlpExporterOptions } from './otlp/exporter.js';
export { createOtlpExporter } from './otlp/lazy.js';
export { OTLP_SCOPE } from './otlp/scope.js';
export {
  OTLP_METRICS,
  type OtlpState,
  type OtlpTemporality,
  type OtlpTranslateOptions,
  type OtlpTranslation,
  taskResourceAttributes,
  translateOtlp,
} from './otlp/translate.js';
export {
  createPrometheusEndpoint,
  type PrometheusEndpoint,
  type PrometheusEndpointOptions,
  type PrometheusScrape,
} from './prometheus/endpoint.js';
export { type ExpositionFormat, negotiateExposition } from './prometheus/negotiate.js';
export { createSelfTelemetry, type SelfTelemetry } from './prometheus/self-telemetry.js';
export {
  PROMETHEUS_FAMILIES,
  type PrometheusFamily,
  type PrometheusSample,
  type PrometheusTranslateOptions,
  TASK_LABEL_NAMES,
  translatePrometheus,
} from './prometheus/translate.js';
