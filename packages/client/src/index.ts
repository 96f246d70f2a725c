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
// Every export of errors.ts is public: the error classes, their codes and the code type.
export * from './errors.js';
export {
  DEFAULT_METADATA_URL,
  type MetadataEndpoint,
  type MetadataEndpointSource,
  type ResolveMetadataEndpointOptions,
  resolveMetadataEndpoint,
} from './resolve.js';
