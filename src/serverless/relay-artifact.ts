import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerlessConfigError } from './options.js';
import { writeZip } from './zip.js';

/** The relay functions' handler: the one file of their artifact. */
export const RELAY_HANDLER = 'danube-relay.handler';
const BUNDLE = 'danube-relay.mjs';

/**
 * Writes the relay functions' deployment artifact (the relay's Lambda handler, bundled when the
 * package was built) into `outDir` and returns its path. The relay is not built from the
 * user's service, so it ships whole and the user's bundler never sees it.
 *
 * @example
 * const artifact = writeRelayArtifact(packageRoot, join(serviceDir, '.serverless'));
 */
export function writeRelayArtifact(packageRoot: string, outDir: string): string {
  const bundle = join(packageRoot, 'dist', 'relay-lambda', BUNDLE);
  if (!existsSync(bundle)) {
    throw new ServerlessConfigError(
      `the relay's Lambda bundle ${bundle} is missing: reinstall danube-connect-serverless (or run \`npm run build\` in its folder)`,
    );
  }
  const entries = [{ name: BUNDLE, data: readFileSync(bundle) }];
  if (existsSync(`${bundle}.map`)) entries.push({ name: `${BUNDLE}.map`, data: readFileSync(`${bundle}.map`) });
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'danube-relay.zip');
  writeFileSync(path, writeZip(entries));
  return path;
}
