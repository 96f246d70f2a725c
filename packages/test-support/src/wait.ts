export interface WaitOptions {
  /** Real time to wait before failing; default 15 s. */
  readonly timeoutMs?: number;
  /** Real time between probes; default 50 ms. */
  readonly intervalMs?: number;
  /** What was seen so far, for the failure message (e.g. a process's output). */
  readonly seen?: () => string;
}

/** The error a wait fails with at its deadline: it names what was awaited and what was seen so far. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/** Thrown by a probe when the awaited event can no longer happen (a process exited): the wait fails at once. */
export class WaitGaveUpError extends Error {
  override readonly name = 'WaitGaveUpError';
}

/** The last `maxChars` of `text`, marked when cut, for failure messages. */
export function tail(text: string, maxChars = 2000): string {
  return text.length <= maxChars ? text : `…${text.slice(-maxChars)}`;
}

/**
 * Polls `probe` until it returns something other than `undefined`, then returns it. Never
 * sleeps a fixed time for an outcome: under load a child process, a refresh or a scrape
 * takes as long as it takes (issue #9: a child mock took 16–22 s to print its URLs on a
 * busy 2-core machine), so the deadline is a last resort, and reaching it throws with what
 * was awaited, the probe's last error and what was seen, never a partial result.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof WaitGaveUpError) throw error;
      lastError = error;
    }
    if (performance.now() > deadline) {
      const reason = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      const seen = options.seen ? `; seen so far:\n${tail(options.seen())}` : '';
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${reason}${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
