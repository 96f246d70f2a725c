import fc from 'fast-check';
import * as v from 'valibot';
import { expect, test } from 'vitest';
import {
  BOOLEAN_WORDS,
  booleanWord,
  deepFreeze,
  durationText,
  durationWords,
  formatDurationMs,
  HOST_PORT_WORDS,
  hostPortText,
  INPUT_PARSE_CONFIG,
  listenFailureText,
  parseBoolean,
  parseDurationMs,
  parseHostPort,
  summarizeIssues,
} from '../src/index.js';

test.each<[string, number]>([
  ['500ms', 500],
  ['10s', 10_000],
  ['1m', 60_000],
  ['1.5h', 5_400_000],
  [' 2s ', 2000],
  ['10 s', 10_000],
  ['0.5ms', 1],
  ['0ms', 0],
  ['7d', 604_800_000],
])('duration %j → %j ms', (text, ms) => {
  expect(parseDurationMs(text)).toBe(ms);
});

test.each(['10', '-1s', '1w', 'fast', '', '1e3ms'])('%j is not a duration', (text) => {
  expect(parseDurationMs(text)).toBeUndefined();
});

test('formatted durations read back to the same milliseconds', () => {
  expect([100, 1500, 60_000, 90_000, 3_600_000, 604_800_000, 90_000_000].map(formatDurationMs)).toEqual([
    '100ms',
    '1500ms',
    '1m',
    '90s',
    '1h',
    '7d',
    '25h',
  ]);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 * 3_600_000 }), (ms) => {
      expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
    }),
  );
  expect(durationWords(100, 60_000)).toBe('a duration from 100ms to 1m, such as 500ms, 10s or 1m');
});

test.each<[string, { host: string; port: number }]>([
  ['127.0.0.1:9780', { host: '127.0.0.1', port: 9780 }],
  ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
  ['[::]:9780', { host: '::', port: 9780 }],
  ['[::1]:65535', { host: '::1', port: 65535 }],
  ['localhost:80', { host: 'localhost', port: 80 }],
  ['999.1.1.1:80', { host: '999.1.1.1', port: 80 }],
])('HOST:PORT %j', (text, expected) => {
  expect(parseHostPort(text)).toEqual(expected);
});

test.each(['nowhere', ':80', 'host:65536', 'host:123456', '::1:80', 'a b:80', 'host:-1'])(
  '%j is not HOST:PORT',
  (text) => {
    expect(parseHostPort(text)).toEqual(undefined);
  },
);

test.each(['true', 'TRUE', '1', 'yes', 'on'])('switch %j is on', (text) => {
  expect(parseBoolean(text)).toBe(true);
});

test.each(['false', '0', 'No', 'off', ''])('switch %j is off', (text) => {
  expect(parseBoolean(text)).toBe(false);
});

test.each(['banana', '2'])('%j is not a switch', (text) => {
  expect(parseBoolean(text)).toBeUndefined();
});

function expected(schema: v.GenericSchema, input: unknown): string {
  const result = v.safeParse(schema, input, INPUT_PARSE_CONFIG);
  if (result.success) throw new Error(`${JSON.stringify(input)} parsed`);
  return summarizeIssues(result.issues, input).expected;
}

test('the valibot schemas parse the same grammars and say what is allowed', () => {
  expect(v.parse(durationText(100, 60_000), '2s')).toBe(2000);
  expect(expected(durationText(100, 60_000), '50ms')).toBe(durationWords(100, 60_000));
  expect(expected(durationText(100, 60_000), 'soon')).toBe(durationWords(100, 60_000));
  expect(expected(durationText(1, 2, 'one or two ms'), '3ms')).toBe('one or two ms');
  expect(v.parse(hostPortText(), '[::]:1')).toEqual({ host: '::', port: 1 });
  expect(expected(hostPortText(), 'x')).toBe(HOST_PORT_WORDS);
  expect(v.parse(booleanWord(), 'off')).toBe(false);
  expect(v.parse(booleanWord(), true)).toBe(true);
  expect(expected(booleanWord(), 'banana')).toBe(BOOLEAN_WORDS);
});

test('deepFreeze freezes every level and returns its argument', () => {
  const value = { a: { b: [{ c: 1 }] } };
  expect(deepFreeze(value)).toBe(value);
  expect(Object.isFrozen(value.a.b[0])).toBe(true);
  expect(deepFreeze(null)).toBeNull();
});

test.each<[string | undefined, string]>([
  ['EADDRINUSE', '--listen [::1]:9780: address in use (another process listens there)'],
  ['EAI_AGAIN', '--listen [::1]:9780: not an IP address or a host name that resolves'],
  // A code without words: the system's own message.
  ['EMFILE', '--listen [::1]:9780: too many open files'],
])('a listen failure with %s says why in one line', (systemCode, text) => {
  expect(
    listenFailureText('--listen', { host: '::1', port: 9780 }, systemCode, new Error('too many open files')),
  ).toBe(`${text}; expected a free port on an address of this host (port 0 picks one)`);
});
