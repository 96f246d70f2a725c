import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';

type Register = (program: Command, io: CliIo) => void;

/**
 * Every command, loaded on demand: `taskscope agent` must not load the mock, its scenario
 * engine and YAML parser (measured: 4 MB of a sidecar's RSS), nor `taskscope mock` the
 * OpenTelemetry SDK.
 */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<Register>>> = {
  agent: async () => (await import('./agent.js')).registerAgentCommand,
  dashboards: async () => (await import('./dashboards.js')).registerDashboardsCommand,
  demo: async () => (await import('./demo.js')).registerDemoCommand,
  inject: async () => (await import('./inject.js')).registerInjectCommand,
  mock: async () => (await import('./mock.js')).registerMockCommand,
  record: async () => (await import('./record.js')).registerRecordCommand,
  rightsize: async () => (await import('./rightsize.js')).registerRightsizeCommand,
  top: async () => (await import('./top.js')).registerTopCommand,
  validate: async () => (await import('./validate.js')).registerValidateCommand,
};

/**
 * Registers the command `argv` names, or every command when it names none (top-level
 * `--help`, a typo: commander then lists them all or suggests the closest).
 */
export async function registerCommands(program: Command, io: CliIo, argv: readonly string[]): Promise<void> {
  const first = argv[0];
  const names = first !== undefined && first in COMMAND_LOADERS ? [first] : Object.keys(COMMAND_LOADERS);
  for (const name of names) (await loadOrStand(name, COMMAND_LOADERS[name]!))(program, io);
}

/**
 * An install may leave a command's package out: the agent image drops @taskscope/dashboards
 * and its 11 MB Grafana SDK, which the sidecar never loads (docker/agent.Dockerfile). That
 * command then fails with one line saying so, instead of Node's stack trace, and `--help`
 * still lists every command. Any other load failure is a bug and propagates.
 */
async function loadOrStand(name: string, load: () => Promise<Register>): Promise<Register> {
  try {
    return await load();
  } catch (error) {
    const missing = /^Cannot find package '(@taskscope\/[^']+)'/.exec(
      error instanceof Error ? error.message : '',
    );
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND' || missing === null) throw error;
    return (program) => {
      program
        .command(name)
        .description(`not in this install (it leaves out ${missing[1]})`)
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          throw new UsageError(
            `${name} is not in this install: it leaves out ${missing[1]} (the taskscope image does); run npx taskscope ${name} where the whole CLI is installed`,
          );
        });
    };
  }
}
