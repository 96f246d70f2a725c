#!/usr/bin/env node
import { armProcessShutdown } from './commands/signals.js';

const argv = process.argv.slice(2);
// The long-running commands exit 0 on SIGTERM from any moment of their start (docs/contract.md):
// the handlers come before the CLI's other modules load, which takes 0.4 s (2 s under load).
if (argv[0] === 'agent' || argv[0] === 'mock' || argv[0] === 'demo') armProcessShutdown();
const { main } = await import('./main.js');
const exitCode = await main(argv);
// Long-running commands own their shutdown and exit themselves; this is for the rest.
process.exitCode = exitCode;
