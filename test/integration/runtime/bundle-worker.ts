import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * Bundles a fixture as a Worker module: ESM, no Node built-ins, Worker/browser package entries.
 * The fixtures import the package by name, as a user's Worker does (the built `dist/`).
 */
export async function bundleWorker(fixture: string): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
  });
  return result.outputFiles[0]!.text;
}
