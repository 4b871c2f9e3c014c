#!/usr/bin/env node
/** `pnpm demo`: three sample transfers through the CLI, against the local stack (README.md). */
import { demoMain } from './demo-main.js';

process.exitCode = await demoMain(process.argv.slice(2), process.env);
