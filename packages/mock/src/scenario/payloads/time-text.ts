import { NS_PER_MS, NS_PER_S } from '../engine/nanoseconds.js';

/*
 * Payload timestamps. The endpoint writes Go's RFC3339Nano: UTC, 0 to 9 fraction digits
 * with trailing zeros trimmed (`…32.51467703Z` has 8), no fraction at all on a whole
 * second, and Go's zero time for "no previous sample" (docs/endpoint.md §5, §7). The
 * engine keeps times as integer nanoseconds since the scenario origin, so they are exact.
 */

/** Go's zero `time.Time`: `preread` of a first sample. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** The RFC3339Nano text of `originMs` (an integer) plus `offsetNs` (an integer, may be negative). */
export function formatPayloadTime(originMs: number, offsetNs: number): string {
  const originSeconds = Math.floor(originMs / 1000);
  const nsIntoSecond = (originMs - originSeconds * 1000) * NS_PER_MS + offsetNs;
  const carrySeconds = Math.floor(nsIntoSecond / NS_PER_S);
  const nanos = nsIntoSecond - carrySeconds * NS_PER_S;
  const whole = new Date((originSeconds + carrySeconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0) return `${whole}Z`;
  return `${whole}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

/** The same instant in ms since the epoch (fraction kept, as `payloadTimeToMs` gives it). */
export function payloadTimeMs(originMs: number, offsetNs: number): number {
  return originMs + offsetNs / NS_PER_MS;
}

/** Whole-second RFC 3339 text (ClockDrift's `ReferenceTimestamp`). */
export function formatWholeSeconds(epochMs: number): string {
  return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}
