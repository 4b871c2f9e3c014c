#!/usr/bin/env node
// The `interco` command: runs the built CLI (pnpm build makes dist/).
import '../dist/main.js';
