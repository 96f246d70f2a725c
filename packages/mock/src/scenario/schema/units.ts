import { parseDurationMs } from '@taskscope/input';

/*
 * Durations and byte sizes as scenario files write them. Durations use the CLI's syntax
 * (`500ms`, `10s`, `1m`, `1.5h`, docs/contract.md "CLI") or a bare number of milliseconds;
 * sizes take binary (KiB, MiB, GiB) and decimal (KB, MB, GB) suffixes because users copy
 * them from both `docker stats` (MiB) and CloudWatch (Bytes, MB).
 */

/**
 * `"10s"` → 10000 ms in the one duration grammar of @taskscope/input (whole ms), or a bare
 * non-negative number taken as ms, which scenario files have always accepted; `undefined`
 * otherwise.
 */
export function parseScenarioDurationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  return parseDurationMs(value);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/;
const SIZE_UNIT_BYTES = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
} as const;

/** `"64MiB"`, `"1.5GB"` or `1048576` → bytes; `undefined` when the text is not a size. */
export function parseBytes(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * SIZE_UNIT_BYTES[(match[2] ?? 'B') as keyof typeof SIZE_UNIT_BYTES];
}
