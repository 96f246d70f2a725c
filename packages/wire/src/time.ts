/**
 * A payload timestamp with full nanosecond precision. `read`/`preread` are RFC 3339 with
 * 0 to 9 fraction digits (Go trims trailing zeros), and `Date.parse` keeps only
 * milliseconds, so the fraction is kept separately (docs/endpoint.md §7).
 */
export interface PayloadTime {
  /** Whole seconds since the Unix epoch. */
  readonly epochSeconds: number;
  /** 0 to 999,999,999. */
  readonly nanos: number;
}

const RFC3339 =
  /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/**
 * Parses an RFC 3339 timestamp; `undefined` when it is not one. Calendar fields are checked
 * (no 30 February, no hour 24, no second 60: Go never emits a leap second) because
 * `Date.parse` would silently roll such values over into the next day or month.
 */
export function parsePayloadTime(text: string): PayloadTime | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHour, offsetMinute] =
    match as unknown as (string | undefined)[];
  const wallClock = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const wallMs = Date.parse(`${wallClock}Z`);
  // A rolled-over date prints differently from what was written.
  if (Number.isNaN(wallMs) || new Date(wallMs).toISOString().slice(0, 19) !== wallClock) return undefined;
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const hours = Number(offsetHour);
    const minutes = Number(offsetMinute);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return {
    epochSeconds: (wallMs - offsetMinutes * 60_000) / 1000,
    nanos: fraction === '' ? 0 : Number(fraction.padEnd(9, '0')),
  };
}

/**
 * A time at which a real sample can have been taken. Go's zero `time.Time`
 * (`0001-01-01T00:00:00Z`) marks "no previous sample" in `preread`, and the ECS agent's
 * synthetic test input uses 1969; neither is a sample time.
 */
export function isSampleTime(time: PayloadTime | undefined): time is PayloadTime {
  return time !== undefined && time.epochSeconds > 0;
}

/**
 * `later − earlier` in seconds, correctly rounded for any interval under 104 days: the
 * difference is formed as a whole number of nanoseconds (exact below 2^53 ns) and divided
 * once, so e.g. a Fargate `read − preread` of 10 s 941384 ns is exactly `10.000941384`.
 */
export function secondsBetween(earlier: PayloadTime, later: PayloadTime): number {
  return ((later.epochSeconds - earlier.epochSeconds) * 1e9 + (later.nanos - earlier.nanos)) / 1e9;
}

/** Milliseconds since the epoch (fraction kept), for exporters' timestamps. */
export function payloadTimeToMs(time: PayloadTime): number {
  return time.epochSeconds * 1000 + time.nanos / 1e6;
}

/** True when both name the same nanosecond: a repeated `read` is a duplicate sample. */
export function samePayloadTime(a: PayloadTime, b: PayloadTime): boolean {
  return a.epochSeconds === b.epochSeconds && a.nanos === b.nanos;
}
