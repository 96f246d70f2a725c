import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';

/*
 * undici's package index loads fetch, WebSocket, EventSource, the caches, the interceptors
 * and the mock utilities: +18 MiB RSS in an idle process, against +9 MiB for the lib files
 * the client needs, Pool and the request API (which load the error classes); measured by
 * bench/undici-rss.mjs. Those files are loaded directly, which works because undici 7.30.2
 * has no "exports" map. This relies on undici's file layout: the exact pin in package.json
 * must move together with these paths (test/undici.test.ts loads each one and checks it
 * against the index, so a version that moves them fails the tests, not production).
 *
 * They are the same module instances the index re-exports (Node caches CommonJS modules by
 * file), so a MockAgent or Agent from 'undici' interoperates, and the errors our Pool throws
 * are instances of `undici.errors.*` (client.ts maps them by their `code`, which also holds
 * for a dispatcher of another undici version). Types come from the index: `import type` is
 * erased at run time.
 */
const require = createRequire(import.meta.url);

/** undici's `Pool` class (lib/dispatcher/pool.js). */
export const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool.js');

type RequestFunction = (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/**
 * The index installs `request`, `stream`… on `Dispatcher.prototype` as it loads; without it our
 * Pool has only `dispatch`. undici's own request API (lib/api/api-request.js) is called with
 * the Pool as `this` instead of patching a prototype shared with the rest of the process.
 */
const requestApi: RequestFunction = require('undici/lib/api/api-request.js');

/**
 * `dispatcher.request(options)`: the dispatcher's own method when it has one (anything built
 * from undici's index, such as an injected MockAgent or Agent, possibly of another undici
 * version), else undici's request API on it (our Pool while the index is not loaded).
 */
export function requestThrough(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return typeof dispatcher.request === 'function'
    ? dispatcher.request(options)
    : requestApi.call(dispatcher, options);
}
