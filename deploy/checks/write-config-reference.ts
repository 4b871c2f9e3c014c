/**
 * Writes docs/configuration.md from the services' configuration schemas (`pnpm config-reference`).
 */
import { writeFileSync } from 'node:fs';
import { CONFIG_REFERENCE_PATH, configReference } from './config-reference.js';

writeFileSync(CONFIG_REFERENCE_PATH, configReference());
process.stdout.write(`wrote ${CONFIG_REFERENCE_PATH}\n`);
