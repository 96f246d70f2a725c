/*
 * The engine keeps every time as integer nanoseconds since the scenario origin, so payload
 * timestamps (RFC3339Nano, 9 fraction digits) and counter deltas stay exact.
 */

export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;
