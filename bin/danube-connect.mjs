#!/usr/bin/env node
// The `danube-connect` command. Runs the TypeScript sources through tsx so that
// a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
