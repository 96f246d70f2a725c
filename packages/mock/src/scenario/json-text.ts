/*
 * A JSON serializer for payloads that carry integers above 2^53. The real endpoint writes
 * Go uint64 values such as the no-limit sentinel 9223372036854771712 exactly, and
 * `JSON.stringify` of a JavaScript number would print 9223372036854776000 (research/
 * payloads.md §8), so such values travel as {@link JsonInteger} and are written digit for
 * digit.
 */

// A JsonInteger travels through the native serializer as a string holding NUL, which no
// payload string contains, and is then unquoted: native JSON.stringify is several times
// faster than a hand-written walk (JSON.rawJSON would do this, but not on Node 20).
const MARK = '\u0000int:';

/** An integer written verbatim, for values a `number` cannot hold exactly. */
export class JsonInteger {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`not an integer: ${digits}`);
  }

  /** What the native serializer writes before {@link toJsonText} unquotes it. */
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

const MARKED = /"\\u0000int:(-?\d+)"/g;

/** Compact JSON text, as Go's `encoding/json` writes it; `undefined` members are skipped. */
export function toJsonText(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000int:') ? text.replace(MARKED, '$1') : text;
}
