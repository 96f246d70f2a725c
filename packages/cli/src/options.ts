import {
  durationWords,
  HOST_PORT_WORDS,
  type HostPort,
  parseDurationMs,
  parseHostPort,
} from '@taskscope/input';
import { InvalidArgumentError, Option } from 'commander';

/*
 * The CLI turns text into typed options here, with @taskscope/input's grammars (the same
 * the agent and the mock read), and hands the libraries numbers and `{ host, port }`.
 */

/**
 * Exit code for bad flags, values, scenario files or recordings (docs/contract.md, "CLI"):
 * `exitCodeOf` of an input error. Commander's own usage errors are mapped to it too.
 */
export const USAGE_EXIT_CODE = 2;

/** `--cadence` → `TASKSCOPE_CADENCE`: every flag has one (docs/contract.md, "CLI"). */
export function envNameOf(flag: string): string {
  return `TASKSCOPE_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

/**
 * An option that also reads `TASKSCOPE_<FLAG>`; the flag wins. `flags` is commander's
 * syntax, e.g. `--listen <host:port>`.
 */
export function option(flags: string, description: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  // A TypeError: a flag without a long name is a bug in a command's definition.
  if (!long) throw new TypeError(`option ${flags} has no long flag`);
  return new Option(flags, description).env(envNameOf(long));
}

/** The longest duration a flag takes: a day (timers take at most 2^31-1 ms, about 24.8 days). */
const MAX_DURATION_MS = 86_400_000;

/**
 * A commander argParser: `500ms`, `10s`, `1m`, `1.5h` → whole milliseconds, 0 to 24h. The
 * command's library checks its own, narrower range (the mock's cadence) and names the field.
 */
export function durationArg(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined || ms > MAX_DURATION_MS)
    throw new InvalidArgumentError(`expected ${durationWords(0, MAX_DURATION_MS)}`);
  return ms;
}

/** A commander argParser: `HOST:PORT` (IPv6 hosts in brackets) → `{ host, port }`; port 0 picks a free port. */
export function hostPortArg(text: string): HostPort {
  const address = parseHostPort(text);
  if (address === undefined) throw new InvalidArgumentError(`expected ${HOST_PORT_WORDS}`);
  return address;
}

/** A commander argParser: a whole number ≥ 0. */
export function nonNegativeIntegerArg(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return Number(text);
}
