export type {
  ApiVersion,
  ContainerMetadata,
  ContainerStats,
  TaskMetadata,
  TaskStats,
} from '@taskscope/wire';
export {
  createMetadataClient,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type MetadataClient,
  type MetadataClientOptions,
  type MetadataRequestOptions,
  type MetadataResponse,
} from './client.js';
export {
  METADATA_CLIENT_ERROR_CODES,
  MetadataClientError,
  type MetadataClientErrorCode,
  MetadataConfigError,
  MetadataConnectionError,
  MetadataHttpStatusError,
  MetadataMalformedJsonError,
  MetadataNotFoundError,
  MetadataSchemaError,
  MetadataThrottledError,
  MetadataTimeoutError,
} from './errors.js';
export {
  DEFAULT_METADATA_URL,
  type MetadataEndpoint,
  type MetadataEndpointSource,
  type ResolveMetadataEndpointOptions,
  resolveMetadataEndpoint,
} from './resolve.js';
