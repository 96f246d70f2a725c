import * as v from 'valibot';
import { parseBytes, parseScenarioDurationMs } from './units.js';

/*
 * Building blocks of the scenario file's schemas. Every message is the "allowed" part of
 * the one-line error: summarizeIssues passes a schema's own message through as is, so no
 * library wording reaches the user.
 */

export function isPlainRecord(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** The `message` a schema was built with, when it is text (the field's "allowed" words). */
function messageOf(schema: v.GenericSchema): string | undefined {
  return 'message' in schema && typeof schema.message === 'string' ? schema.message : undefined;
}

/**
 * A strict object: unknown keys are errors, so a typo never passes silently. A missing
 * field is reported with that field's own words, an unknown one as such.
 */
export function strictFields<const TEntries extends v.ObjectEntries>(entries: TEntries, allowed: string) {
  return v.strictObject(entries, (issue) => {
    const key = issue.path?.[0]?.key;
    if (typeof key !== 'string') return allowed;
    const field = Object.hasOwn(entries, key) ? entries[key] : undefined;
    if (field === undefined) return 'no such field (check the spelling against SCENARIOS.md)';
    const words = messageOf(field);
    return words === undefined ? 'a value (required)' : `a value (required): ${words}`;
  });
}

/** {@link strictFields} that refuses arrays: valibot's object schemas take them, and `host: []` must not pass as `{}`. */
export function fields<const TEntries extends v.ObjectEntries>(entries: TEntries, allowed: string) {
  return v.pipe(v.custom<Record<string, unknown>>(isPlainRecord, allowed), strictFields(entries, allowed));
}

export const durationMs = (allowed: string, minimumMs = 0) =>
  v.pipe(
    v.union([v.string(), v.number()], allowed),
    v.rawTransform<string | number, number>(({ dataset, addIssue, NEVER }) => {
      const ms = parseScenarioDurationMs(dataset.value);
      if (ms === undefined || ms < minimumMs || (minimumMs > 0 && ms === 0)) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return ms;
    }),
  );

export const bytes = (allowed: string) =>
  v.pipe(
    v.union([v.string(), v.number()], allowed),
    v.rawTransform<string | number, number>(({ dataset, addIssue, NEVER }) => {
      const parsed = parseBytes(dataset.value);
      if (parsed === undefined) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return parsed;
    }),
  );

export const text = (allowed: string) => v.pipe(v.string(allowed), v.minLength(1, allowed));
/** A safe integer; `allowed` words both checks. */
export const int = (allowed: string) => v.pipe(v.number(allowed), v.safeInteger(allowed));
export const intFrom = (minimum: number, maximum: number, allowed: string) =>
  v.pipe(int(allowed), v.minValue(minimum, allowed), v.maxValue(maximum, allowed));
export const matching = (pattern: RegExp, allowed: string) =>
  v.pipe(v.string(allowed), v.regex(pattern, allowed));
export const flag = v.boolean('true or false');
const STRING_MAP = 'a map of string keys to string values';
export const stringMap = v.pipe(
  v.custom<Record<string, unknown>>(isPlainRecord, STRING_MAP),
  v.record(v.string(), v.string('a string value (quote numbers and booleans in YAML)'), STRING_MAP),
);

export type ValueSchema = v.GenericSchema<unknown, number>;

export const DURATION_TEXT = 'a duration such as "500ms", "10s", "5m", "1h" or a number of milliseconds';
export const POSITIVE_DURATION_TEXT = `${DURATION_TEXT}, above 0`;
