import * as v from 'valibot';
import {
  BOOLEAN_WORDS,
  durationWords,
  HOST_PORT_WORDS,
  type HostPort,
  parseBoolean,
  parseDurationMs,
  parseHostPort,
} from './text.js';

/*
 * valibot schemas for the grammars of `text.ts`, for config and scenario schemas. Each failing
 * check's message is what the field allows, so a summary says `expected <that>`.
 */

/** Text such as `10s` → milliseconds within `minMs`…`maxMs`. */
export function durationText(minMs: number, maxMs: number, allowed = durationWords(minMs, maxMs)) {
  return v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const ms = parseDurationMs(dataset.value);
      if (ms === undefined || ms < minMs || ms > maxMs) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return ms;
    }),
  );
}

/** `HOST:PORT` text → {@link HostPort}. */
export function hostPortText() {
  return v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }): HostPort => {
      const address = parseHostPort(dataset.value);
      if (address === undefined) {
        addIssue({ message: HOST_PORT_WORDS });
        return NEVER;
      }
      return address;
    }),
  );
}

/** A switch: a boolean as such (from a flag) or a word (from an environment variable). */
export function booleanWord() {
  return v.pipe(
    v.union([v.boolean(), v.string()]),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const value = dataset.value;
      if (typeof value === 'boolean') return value;
      const parsed = parseBoolean(value);
      if (parsed === undefined) {
        addIssue({ message: BOOLEAN_WORDS });
        return NEVER;
      }
      return parsed;
    }),
  );
}
