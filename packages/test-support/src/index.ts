export { requireBinary } from './binaries.js';
export { CHROMIUM_QUIET_FLAGS, requireChromium } from './chromium.js';
export { EMF_LINE_LIMIT_BYTES, type EmfDocument, emfProblems, parseEmf } from './emf.js';
export { zeroNetworkCounters } from './network.js';
export { OTLP_AWSVPC_METRICS, type OtlpContractKind } from './otlp-contract.js';
export {
  type AttributeValue,
  decodeOtlpMetrics,
  type OtlpExport,
  type OtlpMetric,
  type OtlpPoint,
  type OtlpReceiver,
  type OtlpResourceMetrics,
  startOtlpReceiver,
  TEMPORALITY,
} from './otlp-receiver.js';
export { MALFORMED_PAYLOAD_TIMES } from './payload-times.js';
export { listenOnLoopback, REFUSED_PORT } from './ports.js';
export { TEST_PRICE_TABLE } from './prices.js';
export { PROMETHEUS_APT_PACKAGE, promtoolCheckMetrics, runPromtool } from './promtool.js';
export { REPO_ROOT, type SourceProcess, spawnSource, TSX_LOADER } from './source-process.js';
export { createStopper, type Stopper } from './stopper.js';
export { thrownBy } from './thrown.js';
export { tail, WaitGaveUpError, type WaitOptions, WaitTimeoutError, waitFor } from './wait.js';
