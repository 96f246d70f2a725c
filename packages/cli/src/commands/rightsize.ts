import { readFileSync } from 'node:fs';
import {
  HEADROOM_WORDS,
  PERCENTILE_WORDS,
  parseHeadroom,
  parsePercentile,
  parsePlatform,
  readPriceTableFile,
} from '@taskscope/agent';
import {
  BUILT_IN_PRICES,
  FARGATE_PLATFORMS,
  type FargatePlatform,
  isContainerName,
  type PriceTable,
  type Recommendation,
  repriceRecommendation,
} from '@taskscope/fargate';
import { oneOf } from '@taskscope/input';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { durationArgWithin, envNameOf, httpUrlArg, option } from '../options.js';
import { formatRecommendation } from './rightsize/format.js';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** The longest `--window`: a year, past any Prometheus retention worth sizing on. */
const MAX_WINDOW_MS = 365 * 86_400_000;

interface RightsizeFlags {
  readonly agent?: string;
  readonly authToken?: string;
  readonly prometheus?: string;
  readonly family?: string;
  readonly window?: number;
  readonly percentile: number;
  readonly headroom: number;
  readonly platform?: FargatePlatform;
  readonly prices?: string;
  readonly format: Format;
  readonly scrapeInterval?: number;
}

/** What `rightsize` asks its source for, once the flags are read. */
export interface RightsizeRequest {
  /** Absent: the source's default (the agent's 15m or its --history; Prometheus 7d). */
  readonly windowMs?: number;
  readonly percentile: number;
  readonly headroomPercent: number;
  readonly platform?: FargatePlatform;
}

/** The sources; injectable so tests can stand in for them. */
export interface RightsizeDeps {
  readonly fromAgent: (
    url: string,
    token: string | undefined,
    request: RightsizeRequest,
  ) => Promise<Recommendation>;
  readonly fromPrometheus: (
    url: string,
    family: string,
    request: RightsizeRequest & { readonly windowMs: number; readonly scrapeIntervalMs: number },
    prices: PriceTable,
  ) => Promise<Recommendation>;
}

const processDeps: RightsizeDeps = {
  fromAgent: async (url, token, request) =>
    (await import('./rightsize/agent.js')).fromAgent(url, token, request),
  fromPrometheus: async (url, family, request, prices) =>
    (await import('./rightsize/prometheus.js')).fromPrometheus(url, family, request, prices),
};

/** Prometheus's default window (docs/contract.md): a week, the cycle of most services' load. */
export const PROMETHEUS_WINDOW_MS = 7 * 86_400_000;
/** Prometheus's own default `scrape_interval`. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 60_000;

/** `taskscope rightsize` (docs/contract.md, "taskscope rightsize"). */
export function registerRightsizeCommand(program: Command, io: CliIo, deps = processDeps): void {
  const command = program
    .command('rightsize')
    .description(
      'the smallest valid Fargate size for what a task (or every task of a family) used, and what it saves',
    )
    .addOption(
      option(
        'rightsize',
        '--agent <url>',
        "one task, from that agent's history, e.g. http://127.0.0.1:9780",
      ).argParser(httpUrlArg("the agent's", 'http://127.0.0.1:9780')),
    )
    .addOption(option('rightsize', '--auth-token <token>', "the agent's --auth-token, with --agent"))
    .addOption(
      option(
        'rightsize',
        '--prometheus <url>',
        "every task of --family, from Prometheus's history of the agent's series, e.g. http://127.0.0.1:9090",
      ).argParser(httpUrlArg("Prometheus's", 'http://127.0.0.1:9090')),
    )
    .addOption(
      option('rightsize', '--family <name>', 'the task-definition family, with --prometheus').argParser(
        parseFamily,
      ),
    )
    .addOption(
      option(
        'rightsize',
        '--window <duration>',
        'the observation window (default 15m for --agent, 7d for --prometheus)',
      ).argParser(durationArgWithin(1_000, MAX_WINDOW_MS)),
    )
    .addOption(
      option('rightsize', '--percentile <n>', 'the percentile of CPU that must fit')
        .argParser(parsedArg(parsePercentile, PERCENTILE_WORDS))
        .default(95),
    )
    .addOption(
      option('rightsize', '--headroom <pct>', 'added above the percentile and above peak memory')
        .argParser(parsedArg(parseHeadroom, HEADROOM_WORDS))
        .default(20),
    )
    .addOption(
      option(
        'rightsize',
        '--platform <platform>',
        `the platform to price: ${FARGATE_PLATFORMS.join(', ')} (default the task's)`,
      ).argParser(parsedArg(parsePlatform, oneOf(FARGATE_PLATFORMS))),
    )
    .addOption(
      option('rightsize', '--prices <file>', 'a JSON price table replacing the built-in on-demand one'),
    )
    .addOption(
      option(
        'rightsize',
        '--scrape-interval <duration>',
        "Prometheus's scrape interval of the agents, with --prometheus (default 1m): rate() reads 4 of them",
      ).argParser(durationArgWithin(1_000, 3_600_000)),
    )
    .addOption(
      option('rightsize', '--format <format>', 'text, or json: the one object scripts read')
        .argParser(
          parsedArg(
            (text) => ((FORMATS as readonly string[]).includes(text) ? (text as Format) : undefined),
            oneOf(FORMATS),
          ),
        )
        .default('text' satisfies Format),
    );

  command.action(async (flags: RightsizeFlags) => {
    const field = (key: keyof RightsizeFlags, flag: string) =>
      command.getOptionValueSource(key) === 'env' ? envNameOf(flag, 'rightsize') : flag;
    if ((flags.agent === undefined) === (flags.prometheus === undefined))
      throw new UsageError(
        flags.agent === undefined
          ? 'rightsize needs a source; expected --agent URL (one task) or --prometheus URL --family NAME (every task of a family)'
          : `${field('agent', '--agent')} and ${field('prometheus', '--prometheus')} cannot be combined; expected one: --agent reads one agent, --prometheus a family`,
      );
    const only = (key: keyof RightsizeFlags, flag: string, source: string, why: string) => {
      if (flags[key] !== undefined)
        throw new UsageError(`${field(key, flag)} ${why}; expected it with ${source} only`);
    };
    if (flags.agent !== undefined) {
      only('family', '--family', '--prometheus', 'names the family Prometheus is asked about');
      only('scrapeInterval', '--scrape-interval', '--prometheus', "is Prometheus's scrape interval");
    } else {
      only('authToken', '--auth-token', '--agent', 'is the token of an agent');
      if (flags.family === undefined)
        throw new UsageError(
          '--prometheus needs --family NAME; expected the task-definition family whose tasks to size, such as web',
        );
    }
    const prices =
      flags.prices === undefined
        ? undefined
        : readPriceTableFile(flags.prices, field('prices', '--prices'), (path) => readFileSync(path, 'utf8'));
    const request: RightsizeRequest = {
      ...(flags.window === undefined ? {} : { windowMs: flags.window }),
      percentile: flags.percentile,
      headroomPercent: flags.headroom,
      ...(flags.platform === undefined ? {} : { platform: flags.platform }),
    };
    let recommendation: Recommendation;
    if (flags.agent !== undefined) {
      recommendation = await deps.fromAgent(flags.agent, flags.authToken, request);
      // The agent sized it; the user's own table prices it.
      if (prices !== undefined) recommendation = repriceRecommendation(recommendation, prices);
    } else {
      recommendation = await deps.fromPrometheus(
        flags.prometheus!,
        flags.family!,
        {
          ...request,
          windowMs: flags.window ?? PROMETHEUS_WINDOW_MS,
          scrapeIntervalMs: flags.scrapeInterval ?? DEFAULT_SCRAPE_INTERVAL_MS,
        },
        prices ?? BUILT_IN_PRICES,
      );
    }
    const source =
      flags.agent !== undefined
        ? `the agent at ${flags.agent}`
        : `family ${flags.family} in ${flags.prometheus}`;
    io.stdout(
      flags.format === 'json'
        ? `${JSON.stringify(recommendation, null, 2)}\n`
        : formatRecommendation(recommendation, source),
    );
  });
}

/** A commander argParser from one of the shared parsers and the words of what it takes. */
function parsedArg<T>(parse: (text: string) => T | undefined, allowed: string): (text: string) => T {
  return (text) => {
    const value = parse(text);
    if (value === undefined) throw new InvalidArgumentError(`expected ${allowed}`);
    return value;
  };
}

/** A family is named as a container is: "up to 255 letters, numbers, hyphens, and underscores". */
function parseFamily(text: string): string {
  if (!isContainerName(text))
    throw new InvalidArgumentError(
      'expected a task-definition family: up to 255 letters, digits, hyphens and underscores',
    );
  return text;
}
