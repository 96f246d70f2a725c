import { delay, type HttpHandler, HttpResponse, http } from 'msw';
import { type MockSourceOptions, resolveSourceSync } from '../sources/resolve-source.js';
import { type MockControls, mockControls } from './controls.js';
import { createRequestHandler, type RequestHandlerOptions } from './handler.js';

/** The link-local address tasks reach the endpoint at (docs/endpoint.md §1). */
export const METADATA_ORIGIN = 'http://169.254.170.2';

export interface MetadataHandlersOptions extends MockSourceOptions, Omit<RequestHandlerOptions, 'source'> {
  /** Origin to intercept; default `http://169.254.170.2`. */
  readonly origin?: string;
}

/** msw handlers plus the URLs and test controls of the mock behind them. */
export interface MetadataMock extends MockControls {
  readonly handlers: HttpHandler[];
  readonly origin: string;
}

/**
 * The mock endpoint as msw handlers, driven by the same request handler and sources as the
 * HTTP server. msw intercepts global `fetch` and `node:http`, not undici's own
 * `request()`/`Pool` (see README).
 */
export function createMetadataMock(options: MetadataHandlersOptions = {}): MetadataMock {
  const origin = (options.origin ?? METADATA_ORIGIN).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const source = resolveSourceSync(options, now());
  const handler = createRequestHandler({ ...options, source, now });

  const all = http.all(`${origin}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const body = handler.isControlPath(url.pathname) ? await request.text() : undefined;
    const result = handler.handle({
      method: request.method,
      url: url.pathname + url.search,
      // msw has no socket: every caller is one client, as all containers of an awsvpc task are.
      remoteAddress: '127.0.0.1',
      forwardedFor: request.headers.get('x-forwarded-for') ?? '',
      ...(body === undefined ? {} : { body }),
    });
    if (result.delayMs > 0) await delay(result.delayMs);
    if (result.type === 'timeout') await delay('infinite');
    if (result.type !== 'response') return HttpResponse.error();
    return new HttpResponse(result.body === '' ? null : result.body, {
      status: result.status,
      headers: result.headers,
    });
  });

  return { handlers: [all], origin, ...mockControls(origin, handler) };
}

/**
 * msw handlers for the task metadata endpoint at `http://169.254.170.2`:
 * `setupServer(...createMetadataHandlers({ scenario: 'fargate-web' }))`.
 */
export function createMetadataHandlers(options: MetadataHandlersOptions = {}): HttpHandler[] {
  return createMetadataMock(options).handlers;
}
