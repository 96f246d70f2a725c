import type { Command } from 'commander';
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
  for (const name of names) (await COMMAND_LOADERS[name]!())(program, io);
}
