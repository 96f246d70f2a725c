export { type ApiVersion, apiVersionOf, type EndpointPaths, endpointPaths } from './endpoints.js';
export { WIRE_ERROR_CODES, type WireErrorCode, type WirePayloadKind, WireSchemaError } from './errors.js';
export { effectiveLimit, MIB, NO_LIMIT_THRESHOLD } from './limits.js';
export {
  isEmptyStats,
  type MetadataParseOptions,
  type ParseOptions,
  parseContainerMetadata,
  parseContainerStats,
  parseTaskMetadata,
  parseTaskStats,
  type WireFieldIssue,
} from './parse.js';
export * from './schemas.js';
export {
  isSampleTime,
  type PayloadTime,
  parsePayloadTime,
  payloadTimeToMs,
  samePayloadTime,
  secondsBetween,
} from './time.js';
