import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerlessConfigError } from './options.js';
import { writeZip } from './zip.js';

/**
 * The functions the plugin adds to a service, whose code ships with the package (bundled when
 * the package was built) instead of being built from the user's service: the relay run and the
 * provisioning step. Each is one file, `<name>.mjs`, with its handler `handler`.
 */
export const BUNDLED_FUNCTIONS = Object.freeze({ relay: 'danube-relay', provision: 'danube-provision' });

export type BundledFunction = keyof typeof BUNDLED_FUNCTIONS;

/** The handler string of a bundled function (its artifact holds only its file). */
export function bundledHandler(fn: BundledFunction): string {
  return `${BUNDLED_FUNCTIONS[fn]}.handler`;
}

/**
 * Writes a bundled function's deployment artifact into `outDir` and returns its path. The user's
 * bundler never sees that code, so `package.individually` and esbuild settings make no
 * difference to it.
 *
 * @example
 * const artifact = writeBundledArtifact(packageRoot, 'relay', join(serviceDir, '.serverless'));
 */
export function writeBundledArtifact(packageRoot: string, fn: BundledFunction, outDir: string): string {
  const name = BUNDLED_FUNCTIONS[fn];
  const bundle = join(packageRoot, 'dist', 'lambda', `${name}.mjs`);
  if (!existsSync(bundle)) {
    throw new ServerlessConfigError(
      `the ${fn} function's bundle ${bundle} is missing: reinstall danube-connect-serverless (or run \`npm run build\` in its folder)`,
    );
  }
  const entries = [{ name: `${name}.mjs`, data: readFileSync(bundle) }];
  if (existsSync(`${bundle}.map`)) entries.push({ name: `${name}.mjs.map`, data: readFileSync(`${bundle}.map`) });
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `${name}.zip`);
  writeFileSync(path, writeZip(entries));
  return path;
}
