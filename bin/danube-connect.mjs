#!/usr/bin/env node
// The `danube-connect` command: the compiled CLI in dist/.
import { existsSync } from 'node:fs';

// The AWS SDK warns on every start that a future release will need Node 22; Lambda functions
// run on nodejs22.x, and this command's output is for its own messages.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('danube-connect: dist/ is missing; build the package first with `npm run build`\n');
  process.exit(1);
}
await (await import(main.href)).main(process.argv.slice(2));
