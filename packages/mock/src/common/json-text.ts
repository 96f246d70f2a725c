/*
 * JSON that keeps integers above 2^53 exact. Real stats carry the "no limit" sentinels
 * 9223372036854771712 (Fargate cgroup v1) and 18446744073709551615 (cgroup v2), and
 * `JSON.parse` rounds both (research/payloads.md §8). The AWS docs fixture shows what a
 * float round trip does to them (`9223372036854772000`), so the mock never re-serialises
 * a captured number through a double.
 */

/** Prefix of the string that stands in for a big integer while the value is in memory. */
const MARK = '\u0000#';
/** A string token, or an integer of 16+ digits that is not part of a longer number. */
const BIG_INTEGER_TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])(-?\d{16,})(?![\d.eE])/g;
const MARKED = /"\\u0000#(-?\d+)"/g;

/**
 * Parses JSON text; integers of 16 or more digits become marker strings that
 * {@link stringifyJson} writes back as the same digits. Throws `SyntaxError` like `JSON.parse`.
 */
export function parseJsonLossless(text: string): unknown {
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  return JSON.parse(
    text.replace(BIG_INTEGER_TOKEN, (token, digits?: string) =>
      digits === undefined ? token : `"\\u0000#${digits}"`,
    ),
  );
}

/**
 * Compact JSON for a value from {@link parseJsonLossless} or a source: marker strings and
 * `bigint`s are written as bare integers.
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
  return text.includes('\\u0000#') ? text.replace(MARKED, '$1') : text;
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
