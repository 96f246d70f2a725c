import { oneOf, type Problem, problemsOf, safeParseInput } from '@taskscope/input';
import type { ApiVersion } from '@taskscope/wire';
import * as v from 'valibot';
import { RecordingError, unknownKeyMessage } from '../common/errors.js';
import { parseJsonLossless, stringifyJson } from '../common/json-text.js';

/*
 * The recording file (docs/contract.md, "Recording file (JSON Lines)"): a header line, then one
 * line per response with its offset from the start, the path relative to the API base, the
 * status and the body (`body` when it was JSON, `rawBody` when not). Bodies keep integers
 * above 2^53 exact.
 */

export const RECORDING_FORMAT = 'taskscope-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  readonly format: typeof RECORDING_FORMAT;
  readonly version: typeof RECORDING_VERSION;
  readonly api: ApiVersion;
  readonly recordedAt: string;
}

/** One recorded response; `body` is the lossless-parsed JSON, `rawBody` the text when it was not JSON. */
export type RecordingFrame = {
  /** 1-based line in the file. */
  readonly line: number;
  readonly offsetMs: number;
  readonly path: string;
  readonly status: number;
} & ({ readonly body: unknown } | { readonly rawBody: string });

export interface Recording {
  readonly header: RecordingHeader;
  readonly frames: readonly RecordingFrame[];
}

const API_VERSIONS = ['v2', 'v3', 'v4'] as const;

// valibot's object schemas take arrays (`typeof [] === 'object'`); a line must be a JSON object.
const jsonObject = v.custom<Record<string, unknown>>(
  (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
  'an object',
);

const HeaderFields = v.strictObject(
  {
    format: v.literal(RECORDING_FORMAT, oneOf([RECORDING_FORMAT])),
    version: v.literal(RECORDING_VERSION, oneOf([RECORDING_VERSION])),
    api: v.picklist(API_VERSIONS, oneOf(API_VERSIONS)),
    recordedAt: v.pipe(
      v.string(),
      v.isoTimestamp('an ISO 8601 time with a zone such as "2025-01-01T00:00:00.000Z"'),
    ),
  },
  unknownKeyMessage,
);

const HeaderSchema = v.pipe(jsonObject, HeaderFields);

const LineFields = v.strictObject(
  {
    offsetMs: v.pipe(v.number(), v.integer(), v.minValue(0)),
    path: v.string(),
    status: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)),
    body: v.optional(v.unknown()),
    rawBody: v.optional(v.string()),
  },
  unknownKeyMessage,
);
const LineSchema = v.pipe(jsonObject, LineFields);

const V3_V4_PATHS = ['', '/task', '/taskWithTags', '/stats', '/task/stats'];
const V2_PATH = /^\/(?:metadata|metadataWithTags|stats)$|^\/(?:metadata|stats)\/[^/]+$/;

/** Paths a recording may hold for an API version, in words, for error messages. */
function allowedPaths(api: ApiVersion): string {
  return api === 'v2'
    ? '"/metadata", "/metadataWithTags", "/stats", "/metadata/<id>" or "/stats/<id>"'
    : V3_V4_PATHS.map((p) => JSON.stringify(p)).join(', ');
}

export function isRecordablePath(api: ApiVersion, path: string): boolean {
  return api === 'v2' ? V2_PATH.test(path) : V3_V4_PATHS.includes(path);
}

/**
 * Parses and validates a recording. Every problem is a {@link RecordingError} naming the
 * line, the field, the value and what is allowed.
 */
export function parseRecording(text: string, origin = 'recording'): Recording {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, problems: readonly Problem[], cause?: unknown, header = false): never => {
    throw new RecordingError(origin, line, problems, { ...(cause === undefined ? {} : { cause }), header });
  };
  const parseLine = (index: number): unknown => {
    try {
      return parseJsonLossless(lines[index]!);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return fail(
        index + 1,
        [{ field: '', value: lines[index], allowed: `one JSON object per line (not JSON: ${reason})` }],
        error,
      );
    }
  };

  const first = lines.findIndex((line) => line.trim() !== '');
  if (first === -1) {
    fail(1, [
      {
        field: '',
        value: text,
        allowed: `a header line {"format":"${RECORDING_FORMAT}","version":1,…} (the file is empty)`,
      },
    ]);
  }
  const headerValue = parseLine(first);
  const header = safeParseInput(HeaderSchema, headerValue);
  if (!header.success)
    return fail(first + 1, problemsOf(header.issues, headerValue, [], HeaderFields), undefined, true);
  const api = header.output.api;

  const frames: RecordingFrame[] = [];
  let previousOffsetMs = 0;
  for (let index = first + 1; index < lines.length; index++) {
    if (lines[index]!.trim() === '') continue;
    const lineNo = index + 1;
    const value = parseLine(index);
    const parsed = safeParseInput(LineSchema, value);
    if (!parsed.success) return fail(lineNo, problemsOf(parsed.issues, value, [], LineFields));
    const entry = parsed.output;
    const hasBody = Object.hasOwn(value as object, 'body');
    if (hasBody === (entry.rawBody !== undefined)) {
      fail(lineNo, [
        hasBody
          ? {
              field: 'rawBody',
              value: entry.rawBody,
              allowed: 'nothing when "body" is set (exactly one of the two)',
            }
          : {
              field: 'body',
              value: undefined,
              allowed: 'a JSON body, or "rawBody" with the text (exactly one of the two)',
            },
      ]);
    }
    if (!isRecordablePath(api, entry.path)) {
      fail(lineNo, [{ field: 'path', value: entry.path, allowed: `for ${api} one of ${allowedPaths(api)}` }]);
    }
    if (entry.offsetMs < previousOffsetMs) {
      fail(lineNo, [
        {
          field: 'offsetMs',
          value: entry.offsetMs,
          allowed: `a value ≥ ${previousOffsetMs} (lines are in time order)`,
        },
      ]);
    }
    previousOffsetMs = entry.offsetMs;
    const base = { line: lineNo, offsetMs: entry.offsetMs, path: entry.path, status: entry.status };
    frames.push(
      hasBody ? { ...base, body: (value as { body: unknown }).body } : { ...base, rawBody: entry.rawBody! },
    );
  }
  return { header: header.output, frames };
}

/** The header line, without the newline. */
export function formatRecordingHeader(api: ApiVersion, recordedAt: Date): string {
  return JSON.stringify({
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    api,
    recordedAt: recordedAt.toISOString(),
  });
}

/** One response line, without the newline: `body` when `text` is JSON (kept lossless), else `rawBody`. */
export function formatRecordingLine(frame: {
  offsetMs: number;
  path: string;
  status: number;
  text: string;
}): string {
  const head = `{"offsetMs":${Math.max(0, Math.round(frame.offsetMs))},"path":${JSON.stringify(frame.path)},"status":${frame.status}`;
  let body: string | undefined;
  try {
    body = frame.text.trim() === '' ? undefined : stringifyJson(parseJsonLossless(frame.text));
  } catch {
    body = undefined;
  }
  return body === undefined ? `${head},"rawBody":${JSON.stringify(frame.text)}}` : `${head},"body":${body}}`;
}

/** The paths `taskscope record` captures per sample (v2 adds each container's `/metadata/<id>` and `/stats/<id>`). */
export function recordedPaths(api: ApiVersion, dockerIds: readonly string[] = []): string[] {
  if (api !== 'v2') return ['', '/task', '/stats', '/task/stats'];
  return ['/metadata', '/stats', ...dockerIds.flatMap((id) => [`/metadata/${id}`, `/stats/${id}`])];
}

/**
 * Replaces 12-digit AWS account ids wherever they are an ARN's account segment
 * (`arn:aws:ecs:us-east-1:123456789012:task/…`) or an ECR registry host
 * (`123456789012.dkr.ecr.…`). Distinct accounts stay distinct (`000000000001`, `…002`, in
 * order of appearance) so a recording still shows which resources share an account.
 */
export function createAccountScrubber(): (text: string) => string {
  const replacements = new Map<string, string>();
  const replace = (account: string): string => {
    let out = replacements.get(account);
    if (out === undefined) {
      out = String(replacements.size + 1).padStart(12, '0');
      replacements.set(account, out);
    }
    return out;
  };
  return (text) =>
    text
      .replace(
        /(arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:)(\d{12})(?=[:/])/g,
        (_m, prefix: string, account: string) => prefix + replace(account),
      )
      .replace(/(?<![\d])(\d{12})(?=\.dkr\.ecr\.)/g, (account: string) => replace(account));
}
