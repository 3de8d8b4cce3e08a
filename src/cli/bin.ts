#!/usr/bin/env node
// The entry point of the bundled CLI (dist/cli.mjs, `bin` in package.json), built by scripts/build-cli.ts.
import { runCli } from './main.ts';

await runCli();
