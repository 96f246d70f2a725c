import { RightsizeError } from '../../errors.js';

/** What failed under fetch's "fetch failed": `connect ECONNREFUSED 127.0.0.1:9780`. */
function causeWords(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * One request of `rightsize` to its source (`who`: `the agent at …`, `Prometheus at …`): its
 * status and its body as JSON (undefined when it is not JSON), or a {@link RightsizeError}
 * (exit 1) saying why there is no answer.
 */
export async function fetchText(
  who: string,
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  fetchFn: typeof fetch,
): Promise<{ readonly status: number; readonly ok: boolean; readonly json: unknown }> {
  try {
    const response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, ok: response.ok, json };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : causeWords(error);
    throw new RightsizeError(`${who} cannot be reached (${reason})`, { cause: error });
  }
}
