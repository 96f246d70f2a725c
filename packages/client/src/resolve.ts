import { type ApiVersion, apiVersionOf } from '@taskscope/wire';
import { MetadataConfigError } from './errors.js';

/** Where the metadata URL came from, in the order they are tried. */
export type MetadataEndpointSource =
  | 'flag'
  | 'ECS_CONTAINER_METADATA_URI_V4'
  | 'ECS_CONTAINER_METADATA_URI'
  | 'default';

/** A resolved task metadata endpoint. */
export interface MetadataEndpoint {
  /** Absolute base URL without a trailing slash, e.g. `http://169.254.170.2/v4/<id>`. */
  readonly baseUrl: string;
  readonly version: ApiVersion;
  readonly source: MetadataEndpointSource;
}

/** What {@link resolveMetadataEndpoint} reads. */
export interface ResolveMetadataEndpointOptions {
  /** An explicit URL (`--metadata-url`); wins over the environment. */
  readonly metadataUrl?: string | undefined;
  /** The environment to read; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The v2 endpoint: fixed, and identifies the task by the caller's IP (awsvpc only). */
export const DEFAULT_METADATA_URL = 'http://169.254.170.2/v2';

const ENV_SOURCES = ['ECS_CONTAINER_METADATA_URI_V4', 'ECS_CONTAINER_METADATA_URI'] as const;

/**
 * Picks the metadata endpoint as docs/contract.md "Metadata URL resolution" says, first match
 * wins: `metadataUrl`; `ECS_CONTAINER_METADATA_URI_V4`; `ECS_CONTAINER_METADATA_URI`;
 * `http://169.254.170.2/v2`. The version comes from the URL's path (`apiVersionOf`).
 * Throws {@link MetadataConfigError} (`TMDS_CONFIG`) naming the source and the bad value.
 */
export function resolveMetadataEndpoint(options: ResolveMetadataEndpointOptions = {}): MetadataEndpoint {
  if (options.metadataUrl !== undefined) {
    return { ...normalize(options.metadataUrl, '--metadata-url'), source: 'flag' };
  }
  const env = options.env ?? process.env;
  for (const name of ENV_SOURCES) {
    const value = env[name];
    // An empty variable (`docker run -e NAME=`) is the same as an unset one; ECS never sets it empty.
    if (value !== undefined && value.trim() !== '') return { ...normalize(value, name), source: name };
  }
  return { baseUrl: DEFAULT_METADATA_URL, version: 'v2', source: 'default' };
}

const URL_WORDS = 'an absolute http:// or https:// URL such as http://169.254.170.2/v4/<container-id>';

function normalize(value: string, setting: string): { baseUrl: string; version: ApiVersion } {
  const problem = (allowed: string) => new MetadataConfigError(setting, value, allowed);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw problem(URL_WORDS);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw problem(`${URL_WORDS} (the scheme ${url.protocol} is not HTTP)`);
  if (url.search !== '' || url.hash !== '') throw problem(`${URL_WORDS}, without a query or fragment`);
  // The real endpoint answers `//task` with a 301 (gorilla/mux SkipClean(false)), so the
  // base never ends in a slash and every relative path starts with one.
  const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return { baseUrl, version: apiVersionOf(baseUrl) };
}
