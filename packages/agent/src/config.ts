import { readFileSync } from 'node:fs';
import { MetadataConfigError, resolveMetadataEndpoint } from '@taskscope/client';
import { EMF_NAMESPACE, OtlpConfigError, readOtlpConfig } from '@taskscope/exporters';
import type { PriceTable } from '@taskscope/fargate';
import {
  booleanWord,
  deepFreeze,
  durationText,
  durationWords,
  formatDurationMs,
  hostPortText,
  type Problem,
  parseDurationMs,
  safeParseInput,
  summarizeIssues,
} from '@taskscope/input';
import type { ApiVersion } from '@taskscope/wire';
import * as v from 'valibot';
import { AgentConfigError } from './errors.js';
import { readPriceTableFile } from './prices-file.js';

/** The exporters `--exporters` accepts (docs/contract.md, "taskscope agent"). */
export const EXPORTER_NAMES = ['prometheus', 'otlp', 'emf'] as const;
export type ExporterName = (typeof EXPORTER_NAMES)[number];

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Polls closer than this only re-read the endpoint's cache and eat its 40 rps budget. */
export const MIN_INTERVAL_MS = 100;
/** Polls further apart than this miss whole task lifetimes. */
export const MAX_INTERVAL_MS = 3_600_000;

/** `--history` default: what the dashboard, `top`, SSE catch-up and `rightsize` look back on. */
export const DEFAULT_HISTORY_MS = 15 * 60_000;
/** The shortest `--history` other than 0 (off). */
export const MIN_HISTORY_MS = 10_000;
/**
 * The longest `--history`: 6 h is 21,600 cycles at EC2's 1 s refresh (about 27 MiB for 10
 * containers, 1.3 KB a cycle; README, "History") and 2,160 at Fargate's 10 s. A sidecar is
 * given 128 to 512 MiB; a longer look back belongs in Prometheus or CloudWatch.
 */
export const MAX_HISTORY_MS = 6 * 3_600_000;

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
  readonly history?: string | undefined;
  /** A price table file (JSON) replacing the built-in one. */
  readonly prices?: string | undefined;
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
  readonly listen: {
    readonly host: string;
    readonly port: number;
    /** The setting that gave it (`--listen`, `TASKSCOPE_LISTEN`), for a listen failure's message; default `--listen`. */
    readonly setting?: string;
  };
  readonly interval: PollInterval;
  readonly requestTimeoutMs: number;
  /** `--history`: how far back the in-memory history reaches, ms; 0 keeps none. */
  readonly historyMs: number;
  readonly exporters: readonly ExporterName[];
  readonly emf: { readonly namespace: string; readonly containerMetrics: boolean };
  readonly prometheus: { readonly taskLabels: boolean };
  /** When set, every HTTP path but `/healthz` requires `Authorization: Bearer <token>`. */
  readonly authToken?: string;
  readonly logLevel: LogLevel;
  /** The `OTEL_*` variables, passed through to the OTLP exporter as they are. */
  readonly otelEnv: Readonly<Record<string, string>>;
  /** The price table of the cost meter; default `@taskscope/fargate`'s built-in on-demand one. */
  readonly prices?: PriceTable;
}

export interface ReadAgentConfigOptions {
  readonly flags?: AgentFlags;
  /** Usually `process.env`: `TASKSCOPE_*`, `ECS_CONTAINER_METADATA_URI*` and `OTEL_*`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads `--prices FILE`; default the file system's. */
  readonly readFile?: (path: string) => string;
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
  history: '--history',
  prices: '--prices',
};

/** `--emf-namespace` → `TASKSCOPE_EMF_NAMESPACE` (docs/contract.md: every flag has one). */
export function agentEnvNameOf(flag: string): string {
  return `TASKSCOPE_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

const httpUrl = (example: string) =>
  v.pipe(v.string(), v.check(isHttpUrl, `an http:// or https:// URL such as ${example}`));

const interval = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }): PollInterval => {
    const text = dataset.value;
    if (text.trim().toLowerCase() === 'auto') return { mode: 'auto' };
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
      addIssue({ message: `auto or ${durationWords(MIN_INTERVAL_MS, MAX_INTERVAL_MS)}` });
      return NEVER;
    }
    return { mode: 'fixed', intervalMs: ms };
  }),
);

const history = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }): number => {
    const text = dataset.value.trim();
    // `0` is the contract's word for off; a duration of zero (`0s`, `0m`) says the same.
    const ms = text === '0' ? 0 : parseDurationMs(text);
    if (ms === undefined || (ms !== 0 && (ms < MIN_HISTORY_MS || ms > MAX_HISTORY_MS))) {
      addIssue({
        message: `0 (off) or a duration from ${formatDurationMs(MIN_HISTORY_MS)} to ${formatDurationMs(MAX_HISTORY_MS)}, such as 5m, 15m or 1h`,
      });
      return NEVER;
    }
    return ms;
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
      // Naming the stranger says which part of a long list to fix.
      addIssue({
        message:
          unknown.length > 0 ? `${allowed} (${unknown.map((n) => `"${n}"`).join(', ')} is not one)` : allowed,
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
  listen: v.optional(hostPortText(), '0.0.0.0:9780'),
  interval: v.optional(interval, 'auto'),
  exporters: v.optional(exporters, 'prometheus'),
  emfNamespace: v.optional(emfNamespace, 'ECS/Taskscope'),
  emfContainerMetrics: v.optional(booleanWord(), false),
  taskLabels: v.optional(booleanWord(), false),
  authToken: v.optional(authToken),
  logLevel: v.optional(logLevel, 'info'),
  requestTimeout: v.optional(durationText(100, 60_000), '2s'),
  history: v.optional(history, formatDurationMs(DEFAULT_HISTORY_MS)),
  prices: v.optional(v.pipe(v.string(), v.minLength(1, 'the path of a JSON price table'))),
} satisfies Record<FlagKey, v.GenericSchema>;

type Settings = { [K in FlagKey]: v.InferOutput<(typeof SETTINGS)[K]> };

/**
 * Reads the agent's configuration from what the user typed: flags (as commander gives them),
 * `TASKSCOPE_*`, `ECS_CONTAINER_METADATA_URI*` and `OTEL_*`, once, at start. Returns the typed,
 * deep-frozen {@link AgentConfig} that `startAgent` runs with. Throws one
 * {@link AgentConfigError} naming every bad flag or variable (the one that supplied the
 * value), its value and what is allowed.
 */
export function readAgentConfig({
  flags = {},
  env,
  readFile = (path) => readFileSync(path, 'utf8'),
}: ReadAgentConfigOptions): Readonly<AgentConfig> {
  const problems: Problem[] = [];
  // Filled key by key below; complete (but for the optional ones) once `problems` is empty.
  const values: Partial<Record<FlagKey, unknown>> = {};
  const failed = new Set<FlagKey>();

  for (const key of Object.keys(SETTINGS) as FlagKey[]) {
    const flag = FLAG_NAMES[key];
    const envName = agentEnvNameOf(flag);
    const fromFlag = flags[key];
    const raw = fromFlag !== undefined ? fromFlag : env[envName];
    const field = fromFlag !== undefined ? flag : envName;
    const result = safeParseInput(SETTINGS[key], raw);
    if (result.success) values[key] = result.output;
    else {
      failed.add(key);
      const { expected } = summarizeIssues(result.issues, raw);
      // Never echo a secret back into logs or terminals: the token is shown as an ellipsis.
      problems.push({
        field,
        value: key === 'authToken' && raw !== undefined ? '…' : raw,
        allowed: expected,
      });
    }
  }
  const settings = values as Partial<Settings>;

  const exporterNames = settings.exporters ?? [];
  const otelEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('OTEL_') && value !== undefined) otelEnv[name] = value;
  }
  // Only an enabled OTLP exporter reads these; a stray OTEL_* meant for another process
  // must not stop a Prometheus-only agent. The reader reports every bad variable at once.
  if (exporterNames.includes('otlp')) {
    try {
      readOtlpConfig(otelEnv);
    } catch (error) {
      if (!(error instanceof OtlpConfigError)) throw error;
      problems.push(...error.problems);
    }
  }

  const metadataUrl = settings.metadataUrl;
  let metadata: AgentConfig['metadata'] | undefined;
  // The client's resolver checks ECS_CONTAINER_METADATA_URI_V4 / _URI and names them itself;
  // after a bad --metadata-url it would fall back to them, which would only confuse.
  if (!failed.has('metadataUrl')) {
    const flagSource = flags.metadataUrl !== undefined ? '--metadata-url' : 'TASKSCOPE_METADATA_URL';
    try {
      const resolved = resolveMetadataEndpoint({ metadataUrl: metadataUrl, env });
      metadata = {
        baseUrl: resolved.baseUrl,
        version: resolved.version,
        source: metadataUrl !== undefined ? flagSource : resolved.source,
      };
    } catch (error) {
      if (!(error instanceof MetadataConfigError)) throw error;
      // The resolver calls an explicit URL `--metadata-url`; it may have come from the variable.
      for (const problem of error.problems) {
        problems.push(problem.field === '--metadata-url' ? { ...problem, field: flagSource } : problem);
      }
    }
  }

  if (problems.length > 0 || metadata === undefined) throw new AgentConfigError(problems);

  // No problems: every setting parsed, so only the optional ones can be undefined.
  const { authToken: token, prices: pricesPath, ...ok } = settings as Settings;
  // Read once the rest is known good: a bad file is then its own one clear message.
  const prices =
    pricesPath === undefined
      ? undefined
      : readPriceTableFile(
          pricesPath,
          flags.prices !== undefined ? '--prices' : agentEnvNameOf('--prices'),
          readFile,
        );
  const config: AgentConfig = {
    metadata,
    listen: {
      ...ok.listen,
      setting:
        flags.listen === undefined && env[agentEnvNameOf('--listen')] !== undefined
          ? agentEnvNameOf('--listen')
          : '--listen',
    },
    interval: ok.interval,
    requestTimeoutMs: ok.requestTimeout,
    historyMs: ok.history,
    exporters: exporterNames,
    emf: { namespace: ok.emfNamespace, containerMetrics: ok.emfContainerMetrics },
    prometheus: { taskLabels: ok.taskLabels },
    ...(token !== undefined ? { authToken: token } : {}),
    logLevel: ok.logLevel,
    otelEnv,
    ...(prices !== undefined ? { prices } : {}),
  };
  return deepFreeze(config);
}
