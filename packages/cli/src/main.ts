import { exitCodeOf, isTaskscopeError } from '@taskscope/input';
import { Command, CommanderError } from 'commander';
// src/main.ts and dist/main.js are both one level below the package's manifest. A JSON import,
// not createRequire: a bundler inlines it, where a require call is left to run time and
// would resolve from the bundle's own directory.
import manifest from '../package.json' with { type: 'json' };
import { COMMAND_LOADERS, registerCommands } from './commands/index.js';
import { type CliIo, processIo } from './io.js';
import { USAGE_EXIT_CODE } from './options.js';

// Tests and embedders import the io type from here, as before io.ts held it.
export type { CliIo } from './io.js';
export { processIo } from './io.js';

const { version } = manifest;

/** The program with the command `argv` names registered (every command when it names none). */
export async function createProgram(argv: readonly string[] = [], io: CliIo = processIo): Promise<Command> {
  const program = new Command('taskscope')
    .description('Observability for ECS and Fargate tasks, from the task metadata endpoint')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  await registerCommands(program, io, argv);
  const commands = program.commands.map((command) => command.name());
  program.exitOverride(
    explainUnknown(
      io,
      `commands: ${commands.join(', ')}; options: --version, --help; taskscope --help tells more`,
    ),
  );
  for (const command of descendantsOf(program)) {
    const name = commandPath(command);
    const flags = [...command.options.map((option) => option.long), '--help'].filter(Boolean);
    const subcommands = command.commands.map((sub) => sub.name());
    const allowed =
      subcommands.length > 0
        ? `commands of ${name}: ${subcommands.join(', ')}; taskscope ${name} --help tells more`
        : `options of ${name}: ${flags.join(', ')}; taskscope ${name} --help tells more`;
    command
      .exitOverride(explainUnknown(io, allowed))
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  }
  return program;
}

/** Every command below `program`, subcommands (`dashboards grafana`) included. */
function descendantsOf(program: Command): Command[] {
  return program.commands.flatMap((command) => [command, ...descendantsOf(command)]);
}

/** `dashboards grafana` for a subcommand, `top` for a command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * After commander's own "unknown command/option" line (with its "Did you mean …?"), a line
 * with what exists: a typo's fix is then on screen whether or not commander found a near match.
 */
function explainUnknown(io: CliIo, allowed: string): (error: CommanderError) => never {
  return (error) => {
    if (error.code === 'commander.unknownCommand' || error.code === 'commander.unknownOption')
      io.stderr(`${allowed}\n`);
    throw error;
  };
}

/**
 * What commander is to parse. A first word that is no command (`taskscope top --help`) is
 * parsed alone, so commander reports it as unknown rather than printing the top-level help
 * for the `--help` after it and exiting 0.
 */
function argumentsToParse(argv: readonly string[]): string[] {
  const [first, second] = argv;
  // `taskscope help top` the same.
  if (first === 'help' && second !== undefined && !(second in COMMAND_LOADERS)) return [second];
  if (first === undefined || first.startsWith('-') || first in COMMAND_LOADERS || first === 'help')
    return [...argv];
  return [first];
}

/**
 * Runs the CLI and resolves to the exit code for a command that finished. Long-running
 * commands (agent, mock, demo) resolve only when stopped.
 *
 * Exit codes follow the error's origin (`exitCodeOf`): 2 for the user's input, 1 for the
 * world. A TaskscopeError is expected, so it prints as `taskscope: <message>` without a
 * stack; anything else is a bug, printed with its stack, exit 1.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await (await createProgram(argv, io)).parseAsync(argumentsToParse(argv), { from: 'user' });
    return 0;
  } catch (error) {
    return reportFailure(error, io);
  }
}

/**
 * Prints a failure of `main` and returns its exit code, by the error's structure alone:
 * commander's (already printed) → 2, or 0 for --help/--version; a TaskscopeError → its
 * message without a stack, exit 2 for input and 1 for the world; anything else is a bug →
 * its stack, exit 1.
 */
export function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // --help and --version surface as "errors" with exit code 0.
    return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  }
  if (isTaskscopeError(error)) {
    io.stderr(`taskscope: ${error.message}\n`);
    return exitCodeOf(error);
  }
  io.stderr(`taskscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return exitCodeOf(error);
}
