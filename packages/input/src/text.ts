/*
 * The grammars of the values users type: durations, HOST:PORT and switches. One grammar each,
 * for flags, environment variables, scenario files, fault specs and the mock's control API alike.
 * Each parser returns `undefined` for text it does not read; callers say which field it was.
 */

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
// Days for Prometheus windows (`rightsize --window 7d`, docs/contract.md).
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `10s`, `1m`, `1.5h`, `7d` → whole milliseconds; `undefined` when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** 100 → `100ms`, 60000 → `1m`, 1500 → `1500ms`: the largest unit that writes `ms` whole. */
export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** `a duration from 100ms to 60s, such as 500ms, 10s or 1m`: what a duration field allows. */
export function durationWords(minMs: number, maxMs: number): string {
  return `a duration from ${formatDurationMs(minMs)} to ${formatDurationMs(maxMs)}, such as 500ms, 10s or 1m`;
}

/** A listen or connect address. `port` 0 asks the OS for a free port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

// IPv6 hosts in brackets, as in URLs: [::]:9780.
const HOST_PORT = /^(\[[^\]\s]+\]|[^:\s[\]]+):(\d{1,5})$/;

/** `127.0.0.1:9780`, `[::]:0` → host (brackets removed) and port; `undefined` when it is not HOST:PORT. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = HOST_PORT.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/** What a HOST:PORT field allows. */
export const HOST_PORT_WORDS = 'HOST:PORT such as 127.0.0.1:9780 or [::]:9780, port 0 to 65535';

/**
 * Why an address cannot be listened on, in words a user can act on, from the system's code (not
 * `listen EADDRNOTAVAIL: address not available`); the cause's own message for any other code.
 */
export function listenFailureWords(systemCode: string | undefined, cause: unknown): string {
  switch (systemCode) {
    case 'EADDRINUSE':
      return 'address in use (another process listens there)';
    case 'EADDRNOTAVAIL':
      return 'not an address of this host';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (ports below 1024 need privileges)';
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_AGAIN':
      return 'not an IP address or a host name that resolves';
    case 'EAFNOSUPPORT':
      return 'an address family this host does not support';
    default:
      return cause instanceof Error ? cause.message : String(cause);
  }
}

/**
 * The one-line message of a listen failure, the agent's and the mock's alike: `--listen
 * 127.0.0.1:9780: address in use (…); expected a free port on an address of this host (port 0
 * picks one)`. `field` is the setting that gave the address.
 */
export function listenFailureText(
  field: string,
  address: HostPort,
  systemCode: string | undefined,
  cause: unknown,
): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${field} ${host}:${address.port}: ${listenFailureWords(systemCode, cause)}; expected a free port on an address of this host (port 0 picks one)`;
}

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on']);
// An empty variable (`TASKSCOPE_NO_THROTTLE=`) is a switch left off, as POSIX shells write "unset".
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no', 'off', '']);

/** `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` (any case; empty is false); `undefined` for other text. */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** What a switch allows. */
export const BOOLEAN_WORDS = 'true or false (also 1/0, yes/no, on/off)';
