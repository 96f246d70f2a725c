import { InvalidArgumentError, Option } from 'commander';

/**
 * Exit code for bad flags, values, scenario files or recordings (contract.md, "CLI").
 * Commander's own usage errors are mapped to it too.
 */
export const USAGE_EXIT_CODE = 2;

/** A problem with what the user gave: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--cadence` → `TASKSCOPE_CADENCE`: every flag has one (contract.md, "CLI"). */
export function envNameOf(flag: string): string {
  return `TASKSCOPE_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

/**
 * An option that also reads `TASKSCOPE_<FLAG>`; the flag wins. `flags` is commander's
 * syntax, e.g. `--listen <host:port>`.
 */
export function option(flags: string, description: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  if (!long) throw new TypeError(`option ${flags} has no long flag`);
  return new Option(flags, description).env(envNameOf(long));
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `10s`, `1m`, `1.5h` → milliseconds. */
export function parseDurationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`expected a duration such as 500ms, 10s or 1m`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `HOST:PORT` (IPv6 hosts in brackets); port 0 picks a free port. */
export function parseHostPort(text: string): HostPort {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65_535)
    throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:9780, port 0 to 65535');
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function parseNonNegativeInteger(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return Number(text);
}
