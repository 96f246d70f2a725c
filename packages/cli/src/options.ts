import {
  BOOLEAN_WORDS,
  durationWords,
  formatProblem,
  HOST_PORT_WORDS,
  type HostPort,
  parseBoolean,
  parseDurationMs,
  parseHostPort,
} from '@taskscope/input';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from './errors.js';

/*
 * The CLI turns text into typed options here, with @taskscope/input's grammars (the same
 * the agent and the mock read), and hands the libraries numbers and `{ host, port }`.
 */

/**
 * Exit code for bad flags, values, scenario files or recordings (docs/contract.md, "CLI"):
 * `exitCodeOf` of an input error. Commander's own usage errors are mapped to it too.
 */
export const USAGE_EXIT_CODE = 2;

/** The commands that take flags. */
export type CommandName =
  | 'agent'
  | 'mock'
  | 'record'
  | 'top'
  | 'validate'
  | 'inject'
  | 'rightsize'
  | 'dashboards';

/**
 * A flag's environment variable (docs/contract.md, "CLI"). The agent, the sidecar a task
 * definition configures through its `environment`, reads `TASKSCOPE_<FLAG>` (`--listen` →
 * `TASKSCOPE_LISTEN`). Every other command reads `TASKSCOPE_<COMMAND>_<FLAG>` (`mock
 * --listen` → `TASKSCOPE_MOCK_LISTEN`) and never the agent's: a shell or an image that sets
 * `TASKSCOPE_INTERVAL=auto` for the agent must not change what `record` or `mock` do.
 */
export function envNameOf(flag: string, command: CommandName = 'agent'): string {
  const name = flag
    .replace(/^--/, '')
    .replace(/[^a-z0-9]+/gi, '_')
    .toUpperCase();
  return command === 'agent' ? `TASKSCOPE_${name}` : `TASKSCOPE_${command.toUpperCase()}_${name}`;
}

/** The long flag of commander's `flags` syntax (`--listen <host:port>` → `--listen`). */
function longFlagOf(flags: string): string {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  // A TypeError: a flag without a long name is a bug in a command's definition.
  if (!long) throw new TypeError(`option ${flags} has no long flag`);
  return long;
}

/**
 * An option of `command` that takes a value and also reads its variable ({@link envNameOf});
 * the flag wins. `flags` is commander's syntax, e.g. `--listen <host:port>`. Switches are
 * {@link addSwitch}'s: commander turns a boolean on for any value of its variable.
 */
export function option(command: CommandName, flags: string, description: string): Option {
  if (!/[<[]/.test(flags)) throw new TypeError(`option ${flags} takes no value: use addSwitch`);
  return new Option(flags, description).env(envNameOf(longFlagOf(flags), command));
}

/** A switch of a command: `--keep-ids` and `--no-keep-ids`, or `--no-throttle` and `--throttle`. */
export interface SwitchSpec {
  /** The contract's flag, e.g. `--keep-ids` or `--no-throttle`; its variable is named after it. */
  readonly flag: string;
  readonly description: string;
  /** What the opposite flag (`--no-keep-ids`, `--throttle`) says it does. */
  readonly oppositeDescription: string;
}

// The switches of each command, for the preAction hook that reads their variables.
const SWITCHES = new WeakMap<Command, { key: string; envName: string; flagValue: boolean }[]>();

/**
 * Adds a switch and its opposite (`--x` and `--no-x`) to `command`, so a flag can turn off
 * what a variable turned on: the flag wins. Unless `readsEnv` is false (the agent reads its
 * own variables), the variable named after the contract's flag is read before the action,
 * with @taskscope/input's switch words (true/false, 1/0, yes/no, on/off, empty is false);
 * anything else stops the command with exit 2, naming the variable, its value and the words.
 * The attribute is the positive name (`keepIds`, `throttle`); with neither flag nor
 * variable it is left undefined, and the command applies its default.
 */
export function addSwitch(
  command: Command,
  name: CommandName,
  spec: SwitchSpec,
  options: { readonly readsEnv?: boolean } = {},
): Command {
  const negated = spec.flag.startsWith('--no-');
  const positive = negated ? `--${spec.flag.slice('--no-'.length)}` : spec.flag;
  const negative = `--no-${positive.slice(2)}`;
  const envName = envNameOf(spec.flag, name);
  const described = `${spec.description} (env: ${envName}=true|false)`;
  const [first, second] = negated
    ? [new Option(negative, described), new Option(positive, spec.oppositeDescription)]
    : [new Option(positive, described), new Option(negative, spec.oppositeDescription)];
  command.addOption(first).addOption(second);
  // Both options share one attribute; commander sets no default when both are defined.
  command.setOptionValueWithSource(first.attributeName(), undefined, 'default');
  if (options.readsEnv === false) return command;
  const switches = SWITCHES.get(command) ?? [];
  if (switches.length === 0) {
    SWITCHES.set(command, switches);
    command.hook('preAction', (self) => readSwitchVariables(self, process.env));
  }
  // The variable says what the contract's flag says: TASKSCOPE_MOCK_NO_THROTTLE=true is --no-throttle.
  switches.push({ key: first.attributeName(), envName, flagValue: !negated });
  return command;
}

/** Sets each switch not given as a flag from its variable, if set; throws a UsageError for a bad word. */
function readSwitchVariables(command: Command, env: Readonly<Record<string, string | undefined>>): void {
  for (const { key, envName, flagValue } of SWITCHES.get(command) ?? []) {
    if (command.getOptionValueSource(key) === 'cli') continue;
    const text = env[envName];
    if (text === undefined) continue;
    const on = parseBoolean(text);
    if (on === undefined)
      throw new UsageError(formatProblem({ field: envName, value: text, allowed: BOOLEAN_WORDS }));
    command.setOptionValueWithSource(key, on ? flagValue : !flagValue, 'env');
  }
}

/** The longest duration a flag takes: a day (timers take at most 2^31-1 ms, about 24.8 days). */
const MAX_DURATION_MS = 86_400_000;

/**
 * A commander argParser: `500ms`, `10s`, `1m`, `1.5h` → whole milliseconds, 0 to 24h. The
 * command's library checks its own, narrower range (the mock's cadence) and names the field.
 */
export function durationArg(text: string): number {
  return durationArgWithin(0, MAX_DURATION_MS)(text);
}

/** A commander argParser of a duration from `minMs` to `maxMs` (the mock's `--cadence`: 100ms to 60s). */
export function durationArgWithin(minMs: number, maxMs: number): (text: string) => number {
  return (text) => {
    const ms = parseDurationMs(text);
    if (ms === undefined || ms < minMs || ms > maxMs)
      throw new InvalidArgumentError(`expected ${durationWords(minMs, maxMs)}`);
    return ms;
  };
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

/**
 * A commander argParser of an http:// or https:// URL (`--agent`, `--prometheus`), as `URL.href`;
 * `whose` and `example` make the message: `expected the agent's http:// or https:// URL, such as …`.
 */
export function httpUrlArg(whose: string, example: string): (text: string) => string {
  return (text) => {
    const url = URL.canParse(text.trim()) ? new URL(text.trim()) : undefined;
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
      throw new InvalidArgumentError(`expected ${whose} http:// or https:// URL, such as ${example}`);
    return url.href;
  };
}
