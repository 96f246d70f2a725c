/**
 * A payload timestamp with full nanosecond precision. `read`/`preread` are RFC 3339 with
 * 0 to 9 fraction digits (Go trims trailing zeros), and `Date.parse` keeps only
 * milliseconds, so the fraction is kept separately (research/payloads.md §7).
 */
export interface PayloadTime {
  /** Whole seconds since the Unix epoch. */
  readonly epochSeconds: number;
  /** 0 to 999,999,999. */
  readonly nanos: number;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i;

/** Parses an RFC 3339 timestamp; `undefined` when it is not one. */
export function parsePayloadTime(text: string): PayloadTime | undefined {
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = match[2] ?? '';
  return { epochSeconds: ms / 1000, nanos: fraction === '' ? 0 : Number(fraction.padEnd(9, '0')) };
}

/**
 * A time at which a real sample can have been taken. Go's zero `time.Time`
 * (`0001-01-01T00:00:00Z`) marks "no previous sample" in `preread`, and the ECS agent's
 * synthetic test input uses 1969; neither is a sample time.
 */
export function isSampleTime(time: PayloadTime | undefined): time is PayloadTime {
  return time !== undefined && time.epochSeconds > 0;
}

/** `later − earlier` in seconds, exact to the nanosecond for any interval under 104 days. */
export function secondsBetween(earlier: PayloadTime, later: PayloadTime): number {
  return later.epochSeconds - earlier.epochSeconds + (later.nanos - earlier.nanos) / 1e9;
}

/** Milliseconds since the epoch (fraction kept), for exporters' timestamps. */
export function payloadTimeToMs(time: PayloadTime): number {
  return time.epochSeconds * 1000 + time.nanos / 1e6;
}

export function samePayloadTime(a: PayloadTime, b: PayloadTime): boolean {
  return a.epochSeconds === b.epochSeconds && a.nanos === b.nanos;
}
