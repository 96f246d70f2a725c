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
 * Opens `/api/v1/stream` with fetch and parses it by the WHATWG event-stream rules (`event:`,
 * `id:`, `data:` lines, a blank line dispatches, `:` comments ignored), reading as fast as the
 * bytes come.
 */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<StreamReader> {
  const aborter = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: aborter.signal,
  });
  const events: StreamEvent[] = [];
  let all = '';
  let buffer = '';
  let event = 'message';
  let id: string | undefined;
  let data: string[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        all += value;
        buffer += value;
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (data.length > 0) events.push({ event, id, data: data.join('\n') });
            event = 'message';
            data = [];
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = text;
            else if (field === 'data') data.push(text);
            else if (field === 'id') id = text;
          }
          newline = buffer.indexOf('\n');
        }
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
