/**
 * Above 2^53 a JSON number is no longer exact in JavaScript, and the only such values a
 * limit takes in real payloads are the "no limit" sentinels 2^63 − 4096 (cgroup v1,
 * Fargate) and 2^64 − 1 (cgroup v2, ECS Managed Instances). Counters never reach it in
 * practice (2^53 ns of CPU is 104 days of one core), and where they do the loss is one
 * part in 10^16.
 */
export const NO_LIMIT_THRESHOLD = 2 ** 53;

/** A limit as a finite positive number, or `undefined` for absent, zero or "no limit". */
export function effectiveLimit(value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!(value > 0) || value >= NO_LIMIT_THRESHOLD) return undefined;
  return value;
}

export const MIB = 1024 * 1024;
