#!/usr/bin/env node
import { main } from './main.js';

const exitCode = await main(process.argv.slice(2));
// Long-running commands own their shutdown and exit themselves; this is for the rest.
process.exitCode = exitCode;
