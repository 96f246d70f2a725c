/*
 * A Server-Sent Events parser, per the WHATWG HTML standard's "Interpreting an event stream"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 * Hand-written because the SDK's one runtime dependency is valibot, and `EventSource` cannot
 * send an `Authorization` header, needs a DOM, and gives up for good on a 401 or a wrong
 * content type, where the SDK keeps retrying.
 *
 * It takes decoded text in chunks of any size (a chunk may end inside a line, inside a CRLF,
 * or inside an event) and calls back once per complete event.
 */

/** One dispatched event: what `MessageEvent` would carry. */
export interface ServerSentEvent {
  /** The `event:` field, or `message` when the event had none. */
  readonly type: string;
  /** The `data:` lines joined with `\n` (no trailing newline). */
  readonly data: string;
  /**
   * The last `id:` seen on this stream so far (it persists across events, as the standard
   * says); `''` when none was sent.
   */
  readonly lastEventId: string;
}

export interface SseParserHandlers {
  readonly onEvent: (event: ServerSentEvent) => void;
  /** A `retry:` field with only ASCII digits: the server's reconnection time, ms. */
  readonly onRetry?: (retryMs: number) => void;
}

export interface SseParser {
  /** Feeds the next piece of the decoded stream. */
  push(text: string): void;
  /**
   * The stream ended: an event that was not closed by a blank line is discarded, as the
   * standard says ("If the file ends in the middle of an event … not dispatched").
   */
  end(): void;
}

const BOM = '\uFEFF';

export function createSseParser(handlers: SseParserHandlers): SseParser {
  let started = false;
  /** The current line so far (a chunk can end anywhere in it). */
  let line = '';
  /** The previous chunk ended with CR: an LF that starts the next chunk belongs to it (CRLF). */
  let afterCr = false;
  let ended = false;
  let dataBuffer = '';
  let eventTypeBuffer = '';
  let lastEventIdBuffer = '';

  function dispatch(): void {
    // The standard's step 1 (set the last event ID) is the buffer itself, which persists.
    if (dataBuffer === '') {
      eventTypeBuffer = '';
      return;
    }
    const data = dataBuffer.endsWith('\n') ? dataBuffer.slice(0, -1) : dataBuffer;
    const type = eventTypeBuffer === '' ? 'message' : eventTypeBuffer;
    dataBuffer = '';
    eventTypeBuffer = '';
    handlers.onEvent({ type, data, lastEventId: lastEventIdBuffer });
  }

  function processLine(text: string): void {
    if (text === '') {
      dispatch();
      return;
    }
    if (text.startsWith(':')) return; // a comment (servers send them as keep-alives)
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventTypeBuffer = value;
        break;
      case 'data':
        dataBuffer += `${value}\n`;
        break;
      case 'id':
        // An id with NUL is ignored, so a bad id cannot reset the client's position.
        if (!value.includes('\0')) lastEventIdBuffer = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) handlers.onRetry?.(Number.parseInt(value, 10));
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  }

  return {
    push(text) {
      if (ended || text === '') return;
      let chunk = text;
      if (!started) {
        started = true;
        // One leading byte order mark is ignored (the decoder is told to keep it, so that
        // exactly one is stripped, here).
        if (chunk.startsWith(BOM)) chunk = chunk.slice(1);
      }
      let start = 0;
      if (afterCr && chunk.startsWith('\n')) start = 1;
      afterCr = false;
      for (let index = start; index < chunk.length; index += 1) {
        const char = chunk.charCodeAt(index);
        if (char !== 0x0a && char !== 0x0d) continue;
        processLine(line + chunk.slice(start, index));
        line = '';
        if (char === 0x0d) {
          if (index + 1 === chunk.length) afterCr = true;
          else if (chunk.charCodeAt(index + 1) === 0x0a) index += 1;
        }
        start = index + 1;
      }
      line += chunk.slice(start);
    },
    end() {
      ended = true;
      line = '';
      dataBuffer = '';
      eventTypeBuffer = '';
    },
  };
}
