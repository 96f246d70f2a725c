import { resolveMetadataEndpoint } from '@taskscope/client';
import { EMF_NAMESPACE, readOtlpConfig } from '@taskscope/exporters';
import { describeFound, safeParseInput, summarizeIssues } from '@taskscope/input';
import type { ApiVersion } from '@taskscope/wire';
import * as v from 'valibot';
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

// Each check's message says what is allowed; `describe` puts "expected" in front of it.
function duration(minMs: number, maxMs: number, allowed: string) {
  return v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const ms = parseDurationMs(dataset.value);
      if (ms === undefined || ms < minMs || ms > maxMs) {
        addIssue({ message: allowed });
        return NEVER;
      }
      return ms;
    }),
  );
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

const httpUrl = (example: string) =>
  v.pipe(v.string(), v.check(isHttpUrl, `an http:// or https:// URL such as ${example}`));

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', '']);
// Switches arrive as booleans from commander and as words from TASKSCOPE_* variables.
const bool = v.pipe(
  v.union([v.boolean(), v.string()]),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const value = dataset.value;
    if (typeof value === 'boolean') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    addIssue({ message: 'true or false (also 1/0, yes/no, on/off)' });
    return NEVER;
  }),
);

const listen = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    // IPv6 hosts in brackets, as in URLs: [::]:9780.
    const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(dataset.value.trim());
    const port = match ? Number(match[2]) : Number.NaN;
    if (!match || port > 65_535) {
      addIssue({ message: 'HOST:PORT such as 0.0.0.0:9780 or [::]:9780, port 0 to 65535' });
      return NEVER;
    }
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  }),
);

const interval = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }): PollInterval => {
    const text = dataset.value;
    if (text.trim().toLowerCase() === 'auto') return { mode: 'auto' };
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < MIN_INTERVAL_MS || ms > 3_600_000) {
      addIssue({
        message: `auto or a duration from ${MIN_INTERVAL_MS}ms to 1h, such as 500ms, 10s or 1m`,
      });
      return NEVER;
    }
    return { mode: 'fixed', intervalMs: ms };
  }),
);

const exporters = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }): ExporterName[] => {
    const names = dataset.value
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    const unknown = names.filter((name) => !(EXPORTER_NAMES as readonly string[]).includes(name));
    if (names.length === 0 || unknown.length > 0) {
      const allowed = `a comma list of ${EXPORTER_NAMES.join(', ')}`;
      // Naming the stranger first says which part of a long list to fix.
      addIssue({
        message:
          unknown.length > 0
            ? `${unknown.map((n) => `"${n}"`).join(', ')} is not an exporter; expected ${allowed}`
            : allowed,
      });
      return NEVER;
    }
    return [...new Set(names)] as ExporterName[];
  }),
);

// CloudWatch's namespace rules (the EMF emitter's own schema); CloudWatch Logs drops EMF
// lines that break them without a word, so they are refused at start instead.
const emfNamespace = v.pipe(
  v.string(),
  v.check(
    (ns) => v.is(EMF_NAMESPACE, ns),
    '1 to 255 characters from A-Z a-z 0-9 . - _ / # : and space, not starting with AWS/ (reserved)',
  ),
);

// RFC 6750 b64token: what can travel in `Authorization: Bearer …` unquoted.
const authToken = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'a non-empty token of A-Z a-z 0-9 - . _ ~ + / (optionally ending in =)'),
);

const logLevel = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`),
);

// valibot runs a default through its schema, so defaults are written as a user would type them.
const SETTINGS = {
  metadataUrl: v.optional(httpUrl('http://169.254.170.2/v4/<container-id>')),
  listen: v.optional(listen, '0.0.0.0:9780'),
  interval: v.optional(interval, 'auto'),
  exporters: v.optional(exporters, 'prometheus'),
  emfNamespace: v.optional(emfNamespace, 'ECS/Taskscope'),
  emfContainerMetrics: v.optional(bool, false),
  taskLabels: v.optional(bool, false),
  authToken: v.optional(authToken),
  logLevel: v.optional(logLevel, 'info'),
  requestTimeout: v.optional(
    duration(100, 60_000, 'a duration from 100ms to 60s, such as 500ms or 2s'),
    '2s',
  ),
} satisfies Record<FlagKey, v.GenericSchema>;

type Settings = { [K in FlagKey]: v.InferOutput<(typeof SETTINGS)[K]> };

/**
 * Validates flags, `TASKSCOPE_*`, `ECS_CONTAINER_METADATA_URI*` and `OTEL_*` once, at start.
 * Throws one AgentConfigError naming every bad flag or variable, its value and what is allowed.
 */
export function loadAgentConfig({ flags = {}, env }: LoadAgentConfigOptions): Readonly<AgentConfig> {
  const problems: string[] = [];
  // Filled key by key below; complete (but for the optional ones) once `problems` is empty.
  const values: Partial<Record<FlagKey, unknown>> = {};
  const failed = new Set<FlagKey>();

  for (const key of Object.keys(SETTINGS) as FlagKey[]) {
    const flag = FLAG_NAMES[key];
    const envName = agentEnvNameOf(flag);
    const fromFlag = flags[key];
    const raw = fromFlag !== undefined ? fromFlag : env[envName];
    const label = fromFlag !== undefined ? flag : envName;
    const result = safeParseInput(SETTINGS[key], raw);
    if (result.success) values[key] = result.output;
    else {
      failed.add(key);
      problems.push(describe(label, raw, result.issues));
    }
  }
  const settings = values as Partial<Settings>;

  const exporterNames = settings.exporters ?? [];
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

  const metadataUrl = settings.metadataUrl;
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

  // No problems: every setting parsed, so only the optional ones can be undefined.
  const { authToken: token, ...ok } = settings as Settings;
  const config: AgentConfig = {
    metadata,
    listen: ok.listen,
    interval: ok.interval,
    requestTimeoutMs: ok.requestTimeout,
    exporters: exporterNames,
    emf: { namespace: ok.emfNamespace, containerMetrics: ok.emfContainerMetrics },
    prometheus: { taskLabels: ok.taskLabels },
    ...(token !== undefined ? { authToken: token } : {}),
    logLevel: ok.logLevel,
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

function describe(label: string, raw: unknown, issues: readonly v.BaseIssue<unknown>[]): string {
  const { expected } = summarizeIssues(issues, raw);
  // Never echo a secret back into logs or terminals. Values from flags and variables are
  // strings (or switches), shown as typed; anything else came from a JS caller.
  const shown = /AUTH_TOKEN|auth-token/.test(label)
    ? '"…"'
    : typeof raw === 'string' || typeof raw === 'boolean'
      ? JSON.stringify(raw)
      : describeFound(raw);
  // The summary drops a leading "expected"; a message that explains the value before saying
  // what is allowed (`"statsd" is not an exporter; expected …`) keeps its own.
  return `${label} ${shown}: ${/\bexpected\b/.test(expected) ? expected : `expected ${expected}`}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
