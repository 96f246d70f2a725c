import { createSseParser } from '@taskscope/sdk';
import { waitFor } from '@taskscope/test-support';

/** One Server-Sent Event as a browser's EventSource dispatches it. */
export interface StreamEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

export interface StreamReader {
  readonly response: Response;
  /** Every event so far, in arrival order. */
  readonly events: StreamEvent[];
  /** Everything received so far, comments and `retry:` included. */
  text(): string;
  /** Resolves with the events once there are `count` of them (real time: it waits for bytes, not a clock). */
  waitForEvents(count: number, what?: string): Promise<StreamEvent[]>;
  /** Resolves once the server has ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * Opens `/api/v1/stream` with fetch and parses it with the SDK's WHATWG event-stream parser,
 * reading as fast as the bytes come.
 */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<StreamReader> {
  const aborter = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: aborter.signal,
  });
  const events: StreamEvent[] = [];
  let all = '';
  // The SDK's parser (WHATWG rules): the stream is read the way the client reads it.
  const parser = createSseParser({
    onEvent: ({ type, data, lastEventId }) =>
      events.push({ event: type, id: lastEventId === '' ? undefined : lastEventId, data }),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        all += value;
        parser.push(value);
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    response,
    events,
    text: () => all,
    waitForEvents: (count, what = `${count} SSE events`) =>
      waitFor(what, () => (events.length >= count ? events.slice(0, count) : undefined), {
        intervalMs: 5,
        seen: () => `${events.length} events; last: ${events.at(-1)?.id}`,
      }),
    ended,
    close: () => aborter.abort(),
  };
}
