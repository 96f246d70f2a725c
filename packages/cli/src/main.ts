import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { USAGE_EXIT_CODE, UsageError } from './options.js';

/** Where the CLI writes; injectable so tests read what a user would see. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

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
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await (await createProgram(argv, io)).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version surface as "errors" with exit code 0.
      return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    }
    if (error instanceof UsageError) {
      io.stderr(`taskscope: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    io.stderr(`taskscope: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
