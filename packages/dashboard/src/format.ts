/*
 * Human units for the page. Every formatter takes `number | null` because the schema's `null`
 * means "the payload did not report it": that renders as NOT_REPORTED, never as 0.
 * Numbers and units are joined by a no-break space so a narrow cell never splits them.
 */

export const NOT_REPORTED = 'not reported';

/** No-break space: "312 MiB" stays on one line. */
const NBSP = '\u00a0';

const IEC_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * `value` with three significant digits (at least none after the point, at most
 * `maxDecimals`), trailing zeros dropped: 0.412, 4.12, 41.2, 412, 4120.
 */
export function significant(value: number, maxDecimals = 3): string {
  const magnitude = Math.abs(value);
  const decimals =
    magnitude === 0 ? 0 : Math.min(maxDecimals, Math.max(0, 2 - Math.floor(Math.log10(magnitude))));
  const text = value.toFixed(decimals);
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  // -0.0001 rounds to "-0": a reading of nothing has no sign.
  return trimmed === '-0' ? '0' : trimmed;
}

/** IEC bytes: 512 B, 31.2 KiB, 312 MiB, 2 GiB. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return NOT_REPORTED;
  let value = bytes;
  let unit = 0;
  // Step up while the rounded figure would reach 1024 of this unit (1023.9 MiB → 1 GiB).
  while (unit < IEC_UNITS.length - 1 && Math.abs(Number(significant(value, 2))) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${significant(value, unit === 0 ? 0 : 2)}${NBSP}${IEC_UNITS[unit]}`;
}

/** A byte rate: 420 KiB/s. */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond)) return NOT_REPORTED;
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** CPU cores in use: 0.412, 1.25, 12.5. */
export function formatCores(cores: number | null): string {
  if (cores === null || !Number.isFinite(cores)) return NOT_REPORTED;
  return significant(cores);
}

/** A percentage with one decimal: 41.2 %. */
export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return NOT_REPORTED;
  const text = percent.toFixed(1);
  return `${text === '-0.0' ? '0.0' : text}${NBSP}%`;
}

/** A count (restarts, failures). */
export function formatCount(count: number | null): string {
  if (count === null || !Number.isFinite(count)) return NOT_REPORTED;
  return String(Math.round(count));
}

/** A duration in words: 850 ms, 4.2 s, 12 s, 3 min 5 s, 2 h 4 min. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NOT_REPORTED;
  const magnitude = Math.max(0, ms);
  if (magnitude < 1000) return `${Math.round(magnitude)}${NBSP}ms`;
  if (magnitude < 10_000) return `${(magnitude / 1000).toFixed(1)}${NBSP}s`;
  const totalSeconds = Math.round(magnitude / 1000);
  if (totalSeconds < 60) return `${totalSeconds}${NBSP}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}${NBSP}min ${totalSeconds % 60}${NBSP}s`;
  return `${Math.floor(totalMinutes / 60)}${NBSP}h ${totalMinutes % 60}${NBSP}min`;
}

/** US dollars: $0.0494 (under a dollar, four decimals, since task prices are cents an hour). */
export function formatDollars(dollars: number | null): string {
  if (dollars === null || !Number.isFinite(dollars)) return NOT_REPORTED;
  return `$${dollars < 1 ? dollars.toFixed(4) : dollars.toFixed(2)}`;
}

/** A task's vCPU size: 0.25 vCPU, 1 vCPU. */
export function formatVcpus(vcpus: number | null): string {
  if (vcpus === null || !Number.isFinite(vcpus)) return NOT_REPORTED;
  return `${significant(vcpus)}${NBSP}vCPU`;
}
