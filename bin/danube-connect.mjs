#!/usr/bin/env node
// The `danube-connect` command. Runs the TypeScript sources through tsx so that
// a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that a future release will need Node 22; Lambda functions
// run on nodejs22.x, and this command's output is for its own messages.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
