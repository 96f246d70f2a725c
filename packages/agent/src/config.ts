import { resolveMetadataEndpoint } from '@taskscope/client';
import { EMF_NAMESPACE, readOtlpConfig } from '@taskscope/exporters';
import type { ApiVersion } from '@taskscope/wire';
import { z } from 'zod';
import { AgentConfigError } from './errors.js';

/** The exporters `--exporters` accepts (contract.md, "taskscope agent"). */
export const EXPORTER_NAMES = ['prometheus', 'otlp', 'emf'] as const;
export type ExporterName = (typeof EXPORTER_NAMES)[number];

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Polls closer than this only re-read the endpoint's cache and eat its 40 rps budget. */
export const MIN_INTERVAL_MS = 100;

/**
 * The flags of `taskscope agent` as the user typed them (strings; booleans for switches).
 * A flag left `undefined` falls back to its `TASKSCOPE_<FLAG>` variable, then its default.
 */
export interface AgentFlags {
  readonly metadataUrl?: string | undefined;
  readonly listen?: string | undefined;
  readonly interval?: string | undefined;
  readonly exporters?: string | undefined;
  readonly emfNamespace?: string | undefined;
  readonly emfContainerMetrics?: boolean | string | undefined;
  readonly taskLabels?: boolean | string | undefined;
  readonly authToken?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly requestTimeout?: string | undefined;
}

/** `auto` learns the endpoint's refresh cadence; `fixed` polls every `intervalMs`. */
export type PollInterval =
  | { readonly mode: 'auto' }
  | { readonly mode: 'fixed'; readonly intervalMs: number };

/** The validated, deep-frozen configuration `startAgent` runs with. */
export interface AgentConfig {
  readonly metadata: {
    /** Base URL of the endpoint family, e.g. `http://169.254.170.2/v4/<id>`. */
    readonly baseUrl: string;
    readonly version: ApiVersion;
    /** Where the URL came from: the flag or the environment variable that supplied it. */
    readonly source: string;
  };
  readonly listen: { readonly host: string; readonly port: number };
  readonly interval: PollInterval;
  readonly requestTimeoutMs: number;
  readonly exporters: readonly ExporterName[];
  readonly emf: { readonly namespace: string; readonly containerMetrics: boolean };
  readonly prometheus: { readonly taskLabels: boolean };
  /** When set, every HTTP path but `/healthz` requires `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  readonly logLevel: LogLevel;
  /** The `OTEL_*` variables, passed through to the OTLP exporter as they are. */
  readonly otelEnv: Readonly<Record<string, string>>;
}

export interface LoadAgentConfigOptions {
  readonly flags?: AgentFlags;
  /** Usually `process.env`: `TASKSCOPE_*`, `ECS_CONTAINER_METADATA_URI*` and `OTEL_*`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

type FlagKey = keyof AgentFlags;

const FLAG_NAMES: Record<FlagKey, string> = {
  metadataUrl: '--metadata-url',
  listen: '--listen',
  interval: '--interval',
  exporters: '--exporters',
  emfNamespace: '--emf-namespace',
  emfContainerMetrics: '--emf-container-metrics',
  taskLabels: '--task-labels',
  authToken: '--auth-token',
  logLevel: '--log-level',
  requestTimeout: '--request-timeout',
};

/** `--emf-namespace` → `TASKSCOPE_EMF_NAMESPACE` (contract.md: every flag has one). */
export function agentEnvNameOf(flag: string): string {
  return `TASKSCOPE_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `10s`, `1m`, `1.5h` → milliseconds; `undefined` when the text is not one. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

function duration(minMs: number, maxMs: number, allowed: string) {
  return z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: allowed });
      return z.NEVER;
    }
    return ms;
  });
}

const httpUrl = (example: string) =>
  z.string().refine(
    (text) => {
      try {
        const url = new URL(text);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: `expected an http:// or https:// URL such as ${example}` },
  );

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);
const bool = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false (also 1/0, yes/no, on/off)' });
  return z.NEVER;
});

const listen = z.string().transform((text, ctx) => {
  // IPv6 hosts in brackets, as in URLs: [::]:9780.
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65_535) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected HOST:PORT such as 0.0.0.0:9780 or [::]:9780, port 0 to 65535',
    });
    return z.NEVER;
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
});

const interval = z.string().transform((text, ctx): PollInterval => {
  if (text.trim().toLowerCase() === 'auto') return { mode: 'auto' };
  const ms = parseDurationMs(text);
  if (ms === undefined || ms < MIN_INTERVAL_MS || ms > 3_600_000) {
    ctx.addIssue({
      code: 'custom',
      message: `expected auto or a duration from ${MIN_INTERVAL_MS}ms to 1h, such as 500ms, 10s or 1m`,
    });
    return z.NEVER;
  }
  return { mode: 'fixed', intervalMs: ms };
});

const exporters = z.string().transform((text, ctx) => {
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(EXPORTER_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const what = unknown.length > 0 ? `${unknown.map((n) => `"${n}"`).join(', ')} is not an exporter; ` : '';
    ctx.addIssue({ code: 'custom', message: `${what}expected a comma list of ${EXPORTER_NAMES.join(', ')}` });
    return z.NEVER;
  }
  return [...new Set(names)] as ExporterName[];
});

// CloudWatch's namespace rules (the EMF emitter's own schema); CloudWatch Logs drops EMF
// lines that break them without a word, so they are refused at start instead.
const emfNamespace = z.string().refine((ns) => EMF_NAMESPACE.safeParse(ns).success, {
  message:
    'expected 1 to 255 characters from A-Z a-z 0-9 . - _ / # : and space, not starting with AWS/ (reserved)',
});

// RFC 6750 b64token: what can travel in `Authorization: Bearer …` unquoted.
const authToken = z.string().refine((token) => /^[A-Za-z0-9\-._~+/]+=*$/.test(token), {
  message: 'expected a non-empty token of A-Z a-z 0-9 - . _ ~ + / (optionally ending in =)',
});

const logLevel = z
  .string()
  .transform((level) => level.trim().toLowerCase())
  .refine((level): level is LogLevel => (LOG_LEVELS as readonly string[]).includes(level), {
    message: `expected one of ${LOG_LEVELS.join(', ')}`,
  })
  .transform((level) => level as LogLevel);

const SETTINGS = {
  metadataUrl: httpUrl('http://169.254.170.2/v4/<container-id>').optional(),
  listen: listen.default({ host: '0.0.0.0', port: 9780 }),
  interval: interval.default({ mode: 'auto' }),
  exporters: exporters.default(['prometheus']),
  emfNamespace: emfNamespace.default('ECS/Taskscope'),
  emfContainerMetrics: bool.default(false),
  taskLabels: bool.default(false),
  authToken: authToken.optional(),
  logLevel: logLevel.default('info'),
  requestTimeout: duration(100, 60_000, 'expected a duration from 100ms to 60s, such as 500ms or 2s').default(
    2000,
  ),
} satisfies Record<FlagKey, z.ZodType>;

/**
 * Validates flags, `TASKSCOPE_*`, `ECS_CONTAINER_METADATA_URI*` and `OTEL_*` once, at start.
 * Throws one AgentConfigError naming every bad flag or variable, its value and what is allowed.
 */
export function loadAgentConfig({ flags = {}, env }: LoadAgentConfigOptions): Readonly<AgentConfig> {
  const problems: string[] = [];
  const values: Partial<Record<FlagKey, unknown>> = {};
  const failed = new Set<FlagKey>();

  for (const key of Object.keys(SETTINGS) as FlagKey[]) {
    const flag = FLAG_NAMES[key];
    const envName = agentEnvNameOf(flag);
    const fromFlag = flags[key];
    const raw = fromFlag !== undefined ? fromFlag : env[envName];
    const label = fromFlag !== undefined ? flag : envName;
    const result = SETTINGS[key].safeParse(raw);
    if (result.success) values[key] = result.data;
    else {
      failed.add(key);
      problems.push(describe(label, raw, result.error));
    }
  }

  const exporterNames = (values.exporters as ExporterName[] | undefined) ?? [];
  const otelEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('OTEL_') && value !== undefined) otelEnv[name] = value;
  }
  // Only an enabled OTLP exporter reads these; a stray OTEL_* meant for another process
  // must not stop a Prometheus-only agent. The exporter's reader stops at the first bad
  // value, so each variable is checked on its own to report them all, then together for the
  // rules that span two (an export timeout longer than the interval).
  if (exporterNames.includes('otlp')) {
    const before = problems.length;
    for (const [name, value] of Object.entries(otelEnv)) {
      const problem = otlpProblem({ [name]: value });
      if (problem !== undefined) problems.push(problem);
    }
    if (problems.length === before) {
      const problem = otlpProblem(otelEnv);
      if (problem !== undefined) problems.push(problem);
    }
  }

  const metadataUrl = values.metadataUrl as string | undefined;
  let metadata: AgentConfig['metadata'] | undefined;
  // The client's resolver checks ECS_CONTAINER_METADATA_URI_V4 / _URI and names them itself;
  // after a bad --metadata-url it would fall back to them, which would only confuse.
  if (!failed.has('metadataUrl')) {
    try {
      const flagSource = flags.metadataUrl !== undefined ? '--metadata-url' : 'TASKSCOPE_METADATA_URL';
      const resolved = resolveMetadataEndpoint({ metadataUrl: metadataUrl, env });
      metadata = {
        baseUrl: resolved.baseUrl,
        version: resolved.version,
        source: metadataUrl !== undefined ? flagSource : resolved.source,
      };
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }

  if (problems.length > 0 || metadata === undefined) throw new AgentConfigError(problems);

  const token = values.authToken as string | undefined;
  const config: AgentConfig = {
    metadata,
    listen: values.listen as AgentConfig['listen'],
    interval: values.interval as PollInterval,
    requestTimeoutMs: values.requestTimeout as number,
    exporters: exporterNames,
    emf: {
      namespace: values.emfNamespace as string,
      containerMetrics: values.emfContainerMetrics as boolean,
    },
    prometheus: { taskLabels: values.taskLabels as boolean },
    ...(token !== undefined ? { authToken: token } : {}),
    logLevel: values.logLevel as LogLevel,
    otelEnv,
  };
  return deepFreeze(config);
}

function otlpProblem(env: Record<string, string>): string | undefined {
  try {
    readOtlpConfig(env);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function describe(label: string, raw: unknown, error: z.ZodError): string {
  const message = error.issues[0]?.message ?? 'invalid value';
  // Never echo a secret back into logs or terminals.
  const shown = /AUTH_TOKEN|auth-token|HEADERS/.test(label) ? '"…"' : JSON.stringify(raw);
  return `${label} ${shown}: ${message}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
