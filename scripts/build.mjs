#!/usr/bin/env node
// Builds what the package ships: `tsc` writes dist/ (ESM, .d.ts, declaration and source maps),
// esbuild writes the files that must stand alone — the Serverless plugin as CommonJS (osls
// require()s its plugins) and the Lambda functions the plugin adds (relay, provisioning) as
// bundles it zips.
//
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when a source is newer than the last build
//   node scripts/build.mjs --clean      start from an empty dist/ (what `npm pack` ships)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const inputs = Math.max(
    newestMtime(join(root, 'src')),
    ...['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs),
  );
  if (statSync(stamp).mtimeMs >= inputs) process.exit(0);
}

const started = Date.now();
if (process.argv.includes('--clean')) rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// The web console's page (hand-written HTML, CSS and JS modules) is served as it is, from beside
// the compiled server.
rmSync(join(root, 'dist/console/assets'), { recursive: true, force: true });
cpSync(join(root, 'src/console/assets'), join(root, 'dist/console/assets'), { recursive: true });

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(root, 'src/serverless/plugin-entry.ts')],
  outfile: join(root, 'dist/serverless/plugin.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // osls require()s the file and expects the plugin class itself.
  footer: { js: 'module.exports = module.exports.default;' },
  logLevel: 'warning',
});
writeFileSync(
  join(root, 'dist/serverless/plugin.d.cts'),
  [
    '/** The Danube plugin for osls (Serverless Framework v3): `plugins: [danube-connect-serverless/serverless]`. */',
    'declare class DanubeServerless {',
    '  constructor(serverless: unknown, options?: Record<string, unknown>, utils?: unknown);',
    '  readonly hooks: Record<string, () => void | Promise<void>>;',
    '}',
    'export = DanubeServerless;',
    '',
  ].join('\n'),
);

// The functions the plugin adds to a service (the relay runs, the provisioning step): each is
// everything but the AWS SDK (the nodejs runtimes ship it) in one ESM file.
mkdirSync(join(root, 'dist/lambda'), { recursive: true });
await esbuild.build({
  entryPoints: { 'danube-relay': join(root, 'src/serverless/relay-handler.ts'), 'danube-provision': join(root, 'src/serverless/provision-handler.ts') },
  outdir: join(root, 'dist/lambda'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire as __danubeCreateRequire } from 'node:module'; const require = __danubeCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

writeFileSync(stamp, `${new Date().toISOString()}\n`);
process.stdout.write(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
