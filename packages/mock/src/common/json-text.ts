/*
 * JSON that keeps integers above 2^53 exact. Real stats carry the "no limit" sentinels
 * 9223372036854771712 (Fargate cgroup v1, a Go uint64) and 18446744073709551615 (cgroup
 * v2), and `JSON.parse` rounds both (docs/endpoint.md §8). The AWS docs fixture shows
 * what a float round trip does to them (`9223372036854772000`), so the mock never
 * re-serialises a captured number through a double, and the scenario engine writes its
 * own big integers as {@link JsonInteger}s.
 *
 * One marker carries a big integer through the native serializer: a string starting with
 * NUL, which no payload string contains, that {@link stringifyJson} unquotes afterwards.
 * Native JSON.stringify is several times faster than a hand-written walk (JSON.rawJSON
 * would do this, but not on Node 20).
 */

/** Prefix of the string that stands in for a big integer while the value is in memory. */
const MARK = '\u0000#';
/** A string token, or an integer of 16+ digits that is not part of a longer number. */
const BIG_INTEGER_TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{16,})(?![\d.eE])/g;
/** The marker as JSON.stringify escapes it. */
const MARK_TEXT = '\\u0000#';
const MARKED = /"\\u0000#(-?\d+)"/g;

/** An integer written verbatim, for values a `number` cannot hold exactly. */
export class JsonInteger {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`not an integer: ${digits}`);
  }

  /** What the native serializer writes before {@link stringifyJson} unquotes it. */
  toJSON(): string {
    return `${MARK}${this.digits}`;
  }
}

/** 2^63 − 4096: cgroup v1's "no limit" (Fargate `memory_stats.limit`). */
export const CGROUP_V1_NO_LIMIT = new JsonInteger('9223372036854771712');
/** 2^64 − 1: cgroup v2's "max" as Docker reports it. */
export const CGROUP_V2_NO_LIMIT = new JsonInteger('18446744073709551615');

/** A value built from plain JSON values and {@link JsonInteger}s. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonInteger
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

/**
 * Parses JSON text; integers of 16 or more digits become marker strings that
 * {@link stringifyJson} writes back as the same digits. Throws `SyntaxError` like `JSON.parse`.
 */
export function parseJsonLossless(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return JSON.parse(
    text.replace(BIG_INTEGER_TOKEN, (token, digits?: string) =>
      digits === undefined ? token : `"${MARK_TEXT}${digits}"`,
    ),
  );
}

/**
 * Compact JSON, as Go's `encoding/json` writes it, for a value from
 * {@link parseJsonLossless}, a source or the scenario engine: marker strings,
 * {@link JsonInteger}s and `bigint`s are written as bare integers; `undefined` members are
 * skipped.
 */
export function stringifyJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // BigInt is the only value JSON.stringify rejects that a payload can hold.
    if (!(error instanceof TypeError)) throw error;
    text = JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? `${MARK}${item.toString()}` : item,
    );
  }
  if (text === undefined) return 'null';
  return text.includes(MARK_TEXT) ? text.replace(MARKED, '$1') : text;
}

/** A cheap test for "this text is a JSON value" used to pick a Content-Type for raw bodies. */
export function looksLikeJson(text: string): boolean {
  const start = text.trimStart()[0];
  if (start === undefined) return false;
  if ('{["-0123456789'.includes(start)) {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }
  const trimmed = text.trim();
  return trimmed === 'null' || trimmed === 'true' || trimmed === 'false';
}
