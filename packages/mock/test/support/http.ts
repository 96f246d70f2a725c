import { request } from 'undici';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}

/** One request over loopback with undici; the body read as text. */
export async function fetchText(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; headersTimeout?: number } = {},
): Promise<Reply> {
  const response = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.headers === undefined ? {} : { headers: init.headers }),
    ...(init.headersTimeout === undefined ? {} : { headersTimeout: init.headersTimeout }),
  });
  const text = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status: response.statusCode, headers, text };
}
