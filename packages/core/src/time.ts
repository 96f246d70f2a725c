import { type PayloadTime, parsePayloadTime } from '@taskscope/wire';

/**
 * parsePayloadTime, with a fast path for the one shape the agent writes: UTC, `Z`, 0 to 9
 * fraction digits, a year from 1970. Through wire's regex, string rebuild and Date.parse
 * each timestamp cost ~2.5 µs, and a container has five (read, preread, Created, Started,
 * Finished): 90 % of normalizeSnapshot. Reading the fields by char code and calling
 * Date.UTC gives the same PayloadTime (a property test holds the two equal); anything
 * outside the fast shape or outside the calendar (30 February, hour 24: wire rejects
 * what Date.UTC would roll over) goes to wire, which stays the definition.
 */
export function payloadTime(text: string): PayloadTime | undefined {
  const known = recentTimes.get(text);
  if (known !== undefined || recentTimes.has(text)) return known;
  const parsed = parseTime(text);
  if (recentTimes.size >= RECENT_TIMES_LIMIT) recentTimes.clear();
  recentTimes.set(text, parsed);
  return parsed;
}

/**
 * Timestamps parsed lately, by their text. A poll re-reads most of its timestamps: `preread`
 * is the previous poll's `read`, and the metadata's CreatedAt, StartedAt, FinishedAt and
 * PullStartedAt do not change, so on fargate-10 about 40 of a poll's 50 are repeats. The agent
 * runs with V8's optimizing compilers off (cli/src/commands/v8-flags.ts), where parsing them
 * again was 40 % of computeTaskMetrics. The results are immutable values of their text, so
 * the memo changes no output; it is emptied when full, which bounds it whatever the input.
 */
const recentTimes = new Map<string, PayloadTime | undefined>();
export const RECENT_TIMES_LIMIT = 512;

function parseTime(text: string): PayloadTime | undefined {
  const length = text.length;
  if (
    length < 20 ||
    length > 30 ||
    text.charCodeAt(length - 1) !== Z ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    (length > 20 && (length === 21 || text.charCodeAt(19) !== DOT))
  ) {
    return parsePayloadTime(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const fraction = length > 20 ? digits(text, 20, length - 1) : 0;
  if (
    // digits() is −1 for a non-digit; all values fit in 31 bits, so one OR finds any.
    (year | month | day | hour | minute | second | fraction) < 0 ||
    year < 1970 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return parsePayloadTime(text);
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const fractionDigits = length > 20 ? length - 21 : 0;
  return { epochSeconds: epochMs / 1000, nanos: fraction * POWERS_OF_TEN[9 - fractionDigits]! };
}

const Z = 90;
const DASH = 45;
const T = 84;
const COLON = 58;
const DOT = 46;
const POWERS_OF_TEN = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The decimal number in text[start, end), or −1 when a character is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
