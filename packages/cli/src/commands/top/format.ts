/*
 * Numbers in the few characters a terminal column has. Every formatter takes a reported
 * value (`null` is "not reported") and returns its text; `null` becomes {@link NOT_REPORTED},
 * never 0. Each result fits the width its column gives it (see the limits in each comment).
 */

/** What a table cell shows for a value the payload did not report. */
export const NOT_REPORTED = '-';

/** What the header shows for a value the payload did not report. */
export const NOT_REPORTED_WORDS = 'n/r';

const BYTE_UNITS = ['B', 'K', 'M', 'G', 'T', 'P'] as const;

/**
 * Bytes (or bytes per second) in IEC units with one letter, at most 5 characters:
 * `980B`, `9.5K`, `620M`, `1.4G`. Below 10 of a unit one decimal, else whole; 1000 or more
 * of a unit is shown in the next (base 1024), so a value never takes four digits.
 */
export function compactBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return NOT_REPORTED;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  for (;;) {
    const text = unit === 0 || value >= 9.95 ? String(Math.round(value)) : value.toFixed(1);
    if (Number(text) < 1000 || unit === BYTE_UNITS.length - 1) return `${sign}${text}${BYTE_UNITS[unit]}`;
    value /= 1024;
    unit += 1;
  }
}

/** A count per second in SI units, at most 5 characters: `980`, `1.2K`, `45K`, `3.1M`. */
export function compactCount(count: number | null): string {
  if (count === null || !Number.isFinite(count)) return NOT_REPORTED;
  const units = ['', 'K', 'M', 'G'];
  let value = Math.abs(count);
  let unit = 0;
  for (;;) {
    const text = value >= 9.95 || unit === 0 ? String(Math.round(value)) : value.toFixed(1);
    if (Number(text) < 1000 || unit === units.length - 1)
      return `${count < 0 ? '-' : ''}${text}${units[unit]}`;
    value /= 1000;
    unit += 1;
  }
}

/** CPU cores, at most 5 characters: `0.450`, `1.23`, `12.3`, `123`. */
export function cores(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_REPORTED;
  const magnitude = Math.abs(value);
  if (magnitude < 0.9995) return value.toFixed(3);
  if (magnitude < 9.995) return value.toFixed(2);
  if (magnitude < 99.95) return value.toFixed(1);
  return magnitude < 99_999.5 ? String(Math.round(value)) : '>1e5';
}

/** A percentage, at most 5 characters: `0.4%`, `67.5%`, `100%`; a thousand or more is `>999%`. */
export function percent(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_REPORTED;
  if (Math.abs(value) < 99.95) return `${value.toFixed(1)}%`;
  return Math.abs(value) < 999.5 ? `${Math.round(value)}%` : '>999%';
}

/** Whole restarts, at most 4 characters: `0`, `12`, `999+`. */
export function restarts(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_REPORTED;
  return value > 999 ? '999+' : String(Math.round(value));
}

/** A task's vCPUs as the Fargate size says it: `0.25 vCPU`, `4 vCPU`. */
export function vcpus(value: number | null): string {
  return value === null ? `vCPU ${NOT_REPORTED_WORDS}` : `${trimNumber(value, 2)} vCPU`;
}

/** A task's memory as the Fargate size says it: `512 MiB`, `8 GiB`, `1.5 GiB`. */
export function memorySize(bytes: number | null): string {
  if (bytes === null) return `memory ${NOT_REPORTED_WORDS}`;
  const mib = bytes / 2 ** 20;
  return mib < 1024 ? `${trimNumber(mib, 0)} MiB` : `${trimNumber(mib / 1024, 2)} GiB`;
}

/** Dollars: four decimals below $10 (a task costs cents an hour), else two. */
export function dollars(value: number): string {
  return `$${value.toFixed(Math.abs(value) < 10 ? 4 : 2)}`;
}

/** Seconds: `0.4s`, `10s`, `2m05s`, `3h02m`. */
export function seconds(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NOT_REPORTED_WORDS;
  if (value < 9.95) return `${value.toFixed(1)}s`;
  if (value < 119.5) return `${Math.round(value)}s`;
  const wholeSeconds = Math.round(value);
  if (wholeSeconds < 3600) return `${Math.floor(wholeSeconds / 60)}m${pad2(wholeSeconds % 60)}s`;
  return `${Math.floor(wholeSeconds / 3600)}h${pad2(Math.floor((wholeSeconds % 3600) / 60))}m`;
}

/** The UTC time of day of an epoch-ms instant, `12:34:56Z`: when the shown sample was read. */
export function timeOfDay(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)}Z`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function trimNumber(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}
