import { createSseParser } from '@taskscope/sdk';

/** One Server-Sent Event with the local time it arrived. */
export interface SseEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: string;
  readonly receivedAtMs: number;
}

export interface SseSubscription {
  readonly events: readonly SseEvent[];
  close(): void;
}

/** Subscribes to an SSE stream over fetch, parsed by the SDK's WHATWG event-stream parser. */
export async function subscribeSse(url: string): Promise<SseSubscription> {
  const aborter = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: aborter.signal });
  if (!response.ok || !response.body) throw new Error(`GET ${url} → ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream'))
    throw new Error(`GET ${url}: content-type ${contentType}`);
  const events: SseEvent[] = [];
  // The SDK's parser (WHATWG rules): the stream is read the way the client reads it.
  const parser = createSseParser({
    onEvent: ({ type, data, lastEventId }) =>
      events.push({
        event: type,
        ...(lastEventId === '' ? {} : { id: lastEventId }),
        data,
        receivedAtMs: Date.now(),
      }),
  });
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, close: () => aborter.abort() };
}
