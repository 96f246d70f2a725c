import { MetadataConfigError, resolveMetadataEndpoint } from '@taskscope/client';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { addSwitch, envNameOf, httpUrlArg, option } from '../options.js';
import { SORT_KEYS, type SortKey } from './top/render.js';
import type { ScreenStreams } from './top/screen.js';
import { renderOnce, runLive, type TopSource } from './top/session.js';

interface TopFlags {
  readonly agent?: string;
  readonly metadataUrl?: string;
  readonly authToken?: string;
  readonly sort: SortKey;
  readonly once?: boolean;
  readonly color?: boolean;
}

/** What `top` needs from its surroundings; injectable for tests. */
export interface TopCommandDeps {
  /** The terminal: process.stdout and process.stdin. */
  readonly streams: ScreenStreams;
  /** `NO_COLOR`, `TERM`, `COLUMNS` and the ECS metadata variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly agentSource: (url: string, token: string | undefined) => TopSource | Promise<TopSource>;
  readonly metadataSource: (
    url: string | undefined,
    env: Readonly<Record<string, string | undefined>>,
  ) => Promise<TopSource>;
}

const processDeps: TopCommandDeps = {
  streams: { output: process.stdout, input: process.stdin },
  env: process.env,
  // The sources load the SDK client and the agent only when top runs.
  agentSource: async (url, token) => (await import('./top/source.js')).agentSource(url, token),
  metadataSource: async (url, env) => (await import('./top/source.js')).metadataSource(url, env),
};

/** `taskscope top` (docs/contract.md, "taskscope top"). */
export function registerTopCommand(program: Command, io: CliIo, deps: TopCommandDeps = processDeps): void {
  const command = program
    .command('top')
    .description('a live table of a task, like docker stats: one row per container (q quits)')
    .addOption(
      option(
        'top',
        '--agent <url>',
        "read an agent's API, e.g. http://127.0.0.1:9780 (default: read the endpoint directly)",
      ).argParser(httpUrlArg("the agent's", 'http://127.0.0.1:9780')),
    )
    .addOption(
      option(
        'top',
        '--metadata-url <url>',
        'read this task metadata endpoint directly (default: ECS_CONTAINER_METADATA_URI_V4, then ECS_CONTAINER_METADATA_URI, then http://169.254.170.2/v2)',
      ).argParser(parseMetadataUrl),
    )
    .addOption(option('top', '--auth-token <token>', "the agent's --auth-token, with --agent"))
    .addOption(
      option('top', '--sort <key>', 'initial order; keys c m n t d change it')
        .choices(SORT_KEYS)
        .default('cpu' satisfies SortKey),
    );
  addSwitch(command, 'top', {
    flag: '--once',
    description: 'print one table after the first interval with rates and exit (scripts, no TTY)',
    oppositeDescription: 'the live screen (the default)',
  });
  addSwitch(command, 'top', {
    flag: '--no-color',
    description: 'plain text (also NO_COLOR)',
    oppositeDescription: 'colour even when stdout is not a terminal',
  });
  command.addHelpText(
    'after',
    '\nKeys: c cpu, m memory, n name, t network, d disk; q or Ctrl-C quits. "-" is a value the endpoint did not report.',
  );

  command.action(async (flags: TopFlags) => {
    const field = (key: keyof TopFlags, flag: string) =>
      command.getOptionValueSource(key) === 'env' ? envNameOf(flag, 'top') : flag;
    if (flags.agent !== undefined && flags.metadataUrl !== undefined) {
      throw new UsageError(
        `${field('agent', '--agent')} and ${field('metadataUrl', '--metadata-url')} cannot be combined; expected one: --agent reads an agent, --metadata-url the endpoint itself`,
      );
    }
    if (flags.authToken !== undefined && flags.agent === undefined) {
      throw new UsageError(
        `${field('authToken', '--auth-token')} is the token of an agent; expected it with --agent (reading the endpoint directly needs none)`,
      );
    }
    const { output } = deps.streams;
    const once = flags.once ?? false;
    if (!once && output.isTTY !== true) {
      throw new UsageError(
        'top: stdout is not a terminal; expected --once to print one table and exit (scripts, ECS Exec without a TTY)',
      );
    }
    const color = flags.color ?? colorByDefault(deps.env, output.isTTY === true);
    const source =
      flags.agent !== undefined
        ? await deps.agentSource(flags.agent, flags.authToken)
        : await deps.metadataSource(flags.metadataUrl, deps.env);
    try {
      if (once) {
        const lines = await renderOnce(source, {
          widthColumns: onceWidth(output, deps.env),
          sortKey: flags.sort,
          color,
        });
        io.stdout(`${lines.join('\n')}\n`);
      } else {
        await runLive(source, { streams: deps.streams, sortKey: flags.sort, color });
      }
    } finally {
      await source.close();
    }
  });
}

/** Colour on a terminal unless NO_COLOR (https://no-color.org: any non-empty value) or TERM=dumb. */
function colorByDefault(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  return isTTY && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

/** `--once`'s width: the terminal's, else `COLUMNS`, else the contract's 80. */
function onceWidth(
  output: ScreenStreams['output'],
  env: Readonly<Record<string, string | undefined>>,
): number {
  if (output.isTTY === true && output.columns) return output.columns;
  const columns = Number(env['COLUMNS']);
  return Number.isInteger(columns) && columns > 0 ? columns : 80;
}

/** The endpoint's base URL, checked as the agent checks its own (`resolveMetadataEndpoint`). */
function parseMetadataUrl(text: string): string {
  try {
    return resolveMetadataEndpoint({ metadataUrl: text }).baseUrl;
  } catch (error) {
    if (!(error instanceof MetadataConfigError)) throw error;
    throw new InvalidArgumentError(`expected ${error.allowed}`);
  }
}
