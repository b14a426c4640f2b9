#!/usr/bin/env node
// Runs a TypeScript entry point through tsx, so that the package works from a
// fresh clone without a build step: `node bin/run-ts.mjs path/to/file.ts args...`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that a future release will need Node 22; Lambda functions
// run on nodejs22.x, and this command's output is for its own messages.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: run-ts.mjs <file.ts> [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
await import(pathToFileURL(resolve(entry)).href);
