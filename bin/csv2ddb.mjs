#!/usr/bin/env node
// The CLI is TypeScript run as is: tsx compiles it on the fly, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
await runCli();
