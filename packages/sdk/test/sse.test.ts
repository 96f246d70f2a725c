import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSseParser, type ServerSentEvent } from '../src/sse.ts';

/** Parses `chunks` as one stream; returns the events and the retry values, in order. */
function parse(...chunks: string[]): { events: ServerSentEvent[]; retries: number[] } {
  const events: ServerSentEvent[] = [];
  const retries: number[] = [];
  const parser = createSseParser({
    onEvent: (event) => events.push(event),
    onRetry: (ms) => retries.push(ms),
  });
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { events, retries };
}

describe('createSseParser (WHATWG event stream interpretation)', () => {
  it('dispatches an event with its type, id and data at the blank line', () => {
    expect(parse('event: snapshot\nid: 1767225600000\ndata: {"a":1}\n\n').events).toEqual([
      { type: 'snapshot', data: '{"a":1}', lastEventId: '1767225600000' },
    ]);
  });

  it('joins data lines with LF and drops the last one', () => {
    expect(parse('data: one\ndata: two\ndata:\ndata: four\n\n').events).toEqual([
      { type: 'message', data: 'one\ntwo\n\nfour', lastEventId: '' },
    ]);
  });

  it('strips exactly one space after the colon, and reads a field without a colon as empty', () => {
    expect(parse('data:x\n\ndata:  two spaces\n\ndata\ndata\n\n').events.map((event) => event.data)).toEqual([
      'x',
      ' two spaces',
      '\n',
    ]);
  });

  it('keeps colons in the value (JSON)', () => {
    expect(parse('data: {"a":{"b":"c:d"}}\n\n').events[0]?.data).toBe('{"a":{"b":"c:d"}}');
  });

  it('ignores comments, unknown fields and an event without data (whose type does not leak)', () => {
    const { events } = parse(': keep-alive\n\nevent: ping\n\nfoo: bar\ndata: x\n\n:\n');
    expect(events).toEqual([{ type: 'message', data: 'x', lastEventId: '' }]);
  });

  it('keeps the last id for later events, ignores one with NUL, and lets `id:` clear it', () => {
    const { events } = parse('id: 7\ndata: a\n\ndata: b\n\nid: 8\u00009\ndata: c\n\nid\ndata: d\n\n');
    expect(events.map((event) => [event.data, event.lastEventId])).toEqual([
      ['a', '7'],
      ['b', '7'],
      ['c', '7'],
      ['d', ''],
    ]);
  });

  it('reads `retry:` only when it is all ASCII digits', () => {
    expect(parse('retry: 2500\nretry: 1a\nretry: -5\nretry:\nretry: 1.5\nretry: 0\n').retries).toEqual([
      2500, 0,
    ]);
  });

  it('reads LF, CR and CRLF line ends, mixed', () => {
    const { events } = parse('data: a\r\ndata: b\rdata: c\n\r\nid: 1\rdata: d\r\r');
    expect(events).toEqual([
      { type: 'message', data: 'a\nb\nc', lastEventId: '' },
      { type: 'message', data: 'd', lastEventId: '1' },
    ]);
  });

  it('takes a CRLF split across chunks as one line end, not a blank line', () => {
    const { events } = parse('data: a\r', '\ndata: b\r', '\n\r', '\n');
    expect(events).toEqual([{ type: 'message', data: 'a\nb', lastEventId: '' }]);
  });

  it('takes a CR at a chunk end followed by another line as a line end', () => {
    expect(parse('data: a\r', 'data: b\r', '\r').events).toEqual([
      { type: 'message', data: 'a\nb', lastEventId: '' },
    ]);
  });

  it('ignores one leading byte order mark, even after an empty chunk, and only one', () => {
    expect(parse('', '\uFEFFdata: x\n\n').events.map((event) => event.data)).toEqual(['x']);
    // A second BOM is part of the first line's field name, which is then unknown.
    expect(parse('\uFEFF\uFEFFdata: x\n\ndata: y\n\n').events.map((event) => event.data)).toEqual(['y']);
    // A BOM later in the stream is data.
    expect(parse('data: a\n\n', 'data: \uFEFFb\n\n').events.map((event) => event.data)).toEqual([
      'a',
      '\uFEFFb',
    ]);
  });

  it('discards an event the stream ends in, and anything pushed after the end', () => {
    const events: ServerSentEvent[] = [];
    const parser = createSseParser({ onEvent: (event) => events.push(event) });
    parser.push('data: whole\n\ndata: half');
    parser.push('\n');
    parser.end();
    parser.push('\n\ndata: late\n\n');
    expect(events.map((event) => event.data)).toEqual(['whole']);
  });

  it('does not dispatch a last line that has no line end', () => {
    expect(parse('data: x\n\ndata: y\n').events.map((event) => event.data)).toEqual(['x']);
  });

  it('gives the same events however the stream is cut into chunks and whichever line ends it uses', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'é', ':', ' ', '{', '"', '😀', '\uFEFF', 'z') });
    const event = fc.record({
      type: fc.option(fc.constantFrom('snapshot', 'message', 'ping', 'a b'), { nil: undefined }),
      id: fc.option(fc.stringMatching(/^[0-9]{1,13}$/), { nil: undefined }),
      data: fc.array(line, { minLength: 1, maxLength: 4 }),
      comment: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.array(fc.constantFrom('\n', '\r', '\r\n'), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (events, lineEnds, cuts, bom) => {
          let lineNumber = 0;
          let previous = '';
          const end = () => {
            const chosen = lineEnds[lineNumber++ % lineEnds.length] as string;
            // CR then LF is one line end (CRLF); a blank line after a CR-ended line needs its own.
            previous = previous === '\r' && chosen === '\n' ? '\r\n' : chosen;
            return previous;
          };
          let text = bom ? '\uFEFF' : '';
          const expected: ServerSentEvent[] = [];
          let lastEventId = '';
          for (const sample of events) {
            if (sample.comment) text += `: keep-alive${end()}`;
            if (sample.type !== undefined) text += `event: ${sample.type}${end()}`;
            if (sample.id !== undefined) {
              text += `id: ${sample.id}${end()}`;
              lastEventId = sample.id;
            }
            for (const value of sample.data) text += `data: ${value}${end()}`;
            text += end();
            expected.push({ type: sample.type ?? 'message', data: sample.data.join('\n'), lastEventId });
          }
          const positions = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let from = 0;
          for (const position of positions) {
            chunks.push(text.slice(from, position));
            from = position;
          }
          chunks.push(text.slice(from));
          expect(parse(...chunks).events).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});
