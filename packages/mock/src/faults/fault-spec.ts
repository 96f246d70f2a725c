import { parseDurationMs } from '@taskscope/input';
import picomatch from 'picomatch';
import { FaultSpecError } from '../common/errors.js';
import { DEFAULT_DRIFTS, SCHEMA_DRIFTS, type SchemaDrift } from './schema-drift.js';

/*
 * Fault SPEC (docs/contract.md, "taskscope mock"): `KIND[:PATH_GLOB][@PROBABILITY]`.
 * The glob is matched with picomatch against the request path (no query); `*` stays within
 * one path segment, `**` crosses them. Without a glob a fault applies to every metadata
 * path; the control API under /__taskscope/ is never faulted.
 */

export type FaultKind = '500' | '503' | '429' | 'timeout' | 'reset' | 'malformed' | 'slow' | 'schema-drift';

export interface Fault {
  /** The SPEC as written. */
  readonly spec: string;
  readonly kind: FaultKind;
  /** `undefined` = every path. */
  readonly glob: string | undefined;
  /** 0..1; 1 when the SPEC has none. */
  readonly probability: number;
  /** `slow=DUR` only. */
  readonly delayMs: number;
  /** `schema-drift[=NAME]` only. */
  readonly drifts: readonly SchemaDrift[];
  matches(path: string): boolean;
}

const ALLOWED_KINDS = `500, 503, 429, timeout, reset, malformed, slow=DUR (e.g. slow=3s), schema-drift or schema-drift=NAME (${SCHEMA_DRIFTS.join(', ')})`;
/** Characters that make a trailing `@…` part of a glob (extglob `@(a|b)`), not a probability. */
const PROBABILITY_SUFFIX = /@([^@/()|*?[\]{}]*)$/;

/** Parses one SPEC; throws {@link FaultSpecError} naming the SPEC, the bad part and what is allowed. */
export function parseFault(spec: string): Fault {
  const text = spec.trim();
  const fail = (part: string, value: string, allowed: string): never => {
    throw new FaultSpecError(spec, { field: part, value, allowed });
  };
  if (text === '') fail('SPEC', spec, `KIND[:PATH_GLOB][@PROBABILITY] with KIND one of ${ALLOWED_KINDS}`);

  let rest = text;
  let probability = 1;
  const suffix = PROBABILITY_SUFFIX.exec(rest);
  if (suffix) {
    const raw = suffix[1]!;
    const value = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value >= 0 && value <= 1)) fail('probability', raw, 'a number from 0 to 1, e.g. @0.2');
    probability = value;
    rest = rest.slice(0, suffix.index);
  }

  const colon = rest.indexOf(':');
  const kindText = colon === -1 ? rest : rest.slice(0, colon);
  let glob: string | undefined;
  if (colon !== -1) {
    glob = rest.slice(colon + 1);
    if (!glob.startsWith('/'))
      fail('path glob', glob, 'a glob of request paths starting with /, e.g. /v4/*/task/stats');
  }

  let kind: FaultKind;
  let delayMs = 0;
  let drifts: readonly SchemaDrift[] = [];
  const [name, argument] = splitOnce(kindText, '=');
  switch (name) {
    case '500':
    case '503':
    case '429':
    case 'timeout':
    case 'reset':
    case 'malformed':
      if (argument !== undefined) fail('kind', kindText, ALLOWED_KINDS);
      kind = name;
      break;
    case 'slow': {
      // The one duration grammar (@taskscope/input), as --cadence and scenario files read it.
      const ms = argument === undefined ? undefined : parseDurationMs(argument);
      if (ms === undefined)
        return fail('slow duration', argument ?? '', 'a duration such as 500ms, 3s or 1m');
      kind = 'slow';
      delayMs = ms;
      break;
    }
    case 'schema-drift':
      kind = 'schema-drift';
      if (argument === undefined) drifts = DEFAULT_DRIFTS;
      else if ((SCHEMA_DRIFTS as readonly string[]).includes(argument)) drifts = [argument as SchemaDrift];
      else fail('schema drift', argument, `one of ${SCHEMA_DRIFTS.join(', ')}`);
      break;
    default:
      return fail('kind', kindText, ALLOWED_KINDS);
  }

  let isMatch: (path: string) => boolean = () => true;
  if (glob !== undefined) {
    try {
      isMatch = picomatch(glob, { dot: true });
    } catch (error) {
      fail('path glob', glob, `a valid glob (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { spec, kind, glob, probability, delayMs, drifts, matches: isMatch };
}

/** Parses every SPEC; the first bad one throws. */
export function parseFaults(specs: readonly string[]): Fault[] {
  return specs.map(parseFault);
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
