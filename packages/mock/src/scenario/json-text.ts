/*
 * A JSON serializer for payloads that carry integers above 2^53. The real endpoint writes
 * Go uint64 values such as the no-limit sentinel 9223372036854771712 exactly, and
 * `JSON.stringify` of a JavaScript number would print 9223372036854776000 (research/
 * payloads.md §8), so such values travel as {@link JsonInteger} and are written digit for
 * digit.
 */

/** An integer written verbatim, for values a `number` cannot hold exactly. */
export class JsonInteger {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new TypeError(`not an integer: ${digits}`);
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

/** Compact JSON text, as Go's `encoding/json` writes it; `undefined` members are skipped. */
export function toJsonText(value: JsonValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`not a JSON number: ${value}`);
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof JsonInteger) return value.digits;
  if (Array.isArray(value)) return `[${value.map((item) => toJsonText(item)).join(',')}]`;
  let out = '';
  for (const [key, member] of Object.entries(value as Record<string, JsonValue | undefined>)) {
    if (member === undefined) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${toJsonText(member)}`;
  }
  return `{${out}}`;
}

/** Whether the value holds a {@link JsonInteger} (then it cannot travel as a plain value). */
export function hasJsonInteger(value: JsonValue): boolean {
  if (value instanceof JsonInteger) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((member) => member !== undefined && hasJsonInteger(member));
}
