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

/**
 * Subscribes to an SSE stream over fetch and parses it per the WHATWG event-stream rules
 * (`event:`, `id:`, `data:` lines, blank line dispatches, `:` comments ignored).
 */
export async function subscribeSse(url: string): Promise<SseSubscription> {
  const aborter = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: aborter.signal });
  if (!response.ok || !response.body) throw new Error(`GET ${url} → ${response.status}`);
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.startsWith('text/event-stream'))
    throw new Error(`GET ${url}: content-type ${contentType}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let id: string | undefined;
  let data: string[] = [];
  const reader = response.body.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let newline = buffer.search(/\r\n|\n|\r/);
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (data.length > 0) {
              events.push({
                event,
                ...(id === undefined ? {} : { id }),
                data: data.join('\n'),
                receivedAtMs: Date.now(),
              });
            }
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
          newline = buffer.search(/\r\n|\n|\r/);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return { events, close: () => aborter.abort() };
}
