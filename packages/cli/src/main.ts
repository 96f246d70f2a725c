import { exitCodeOf, isTaskscopeError } from '@taskscope/input';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { type CliIo, processIo } from './io.js';
import { USAGE_EXIT_CODE } from './options.js';

// Tests and embedders import the io type from here, as before io.ts held it.
export type { CliIo } from './io.js';
export { processIo } from './io.js';

/** The program with the command `argv` names registered (every command when it names none). */
export async function createProgram(argv: readonly string[] = [], io: CliIo = processIo): Promise<Command> {
  const program = new Command('taskscope')
    .description('Observability for ECS and Fargate tasks, from the task metadata endpoint')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  await registerCommands(program, io, argv);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
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
    await (await createProgram(argv, io)).parseAsync([...argv], { from: 'user' });
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
