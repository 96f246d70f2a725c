/**
 * `@taskscope/mock/msw`: the mock endpoint as msw handlers. A separate entry so that
 * importing `@taskscope/mock` never loads msw (an optional peer dependency).
 */
export {
  createMetadataHandlers,
  createMetadataMock,
  METADATA_ORIGIN,
  type MetadataHandlersOptions,
  type MetadataMock,
} from './http/msw-handlers.js';
