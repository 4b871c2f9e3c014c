#!/usr/bin/env node
/** `pnpm dev`: the whole stack on this machine, supervised until Ctrl-C / SIGTERM (README.md). */
import { devMain } from './dev-main.js';

process.exitCode = await devMain(process.argv.slice(2), process.env);
