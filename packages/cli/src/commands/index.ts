import type { Command } from 'commander';
import type { CliIo } from '../main.js';
import { registerAgentCommand } from './agent.js';
import { registerDemoCommand } from './demo.js';
import { registerMockCommand } from './mock.js';
import { registerRecordCommand } from './record.js';

/** Each command lives in its own module and registers itself here. */
export function registerCommands(program: Command, io: CliIo): void {
  registerAgentCommand(program, io);
  registerDemoCommand(program, io);
  registerMockCommand(program, io);
  registerRecordCommand(program, io);
}
