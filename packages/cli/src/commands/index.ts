import type { Command } from 'commander';
import type { CliIo } from '../main.js';

/** Each command lives in its own module and registers itself here. */
export function registerCommands(_program: Command, _io: CliIo): void {}
