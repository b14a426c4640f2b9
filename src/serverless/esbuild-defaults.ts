// What a service needs from serverless-esbuild for Danube functions to run on Lambda, filled in
// by the plugin so that a user's serverless.yml needs no esbuild section at all. A key the user
// sets is never replaced.

/** The settings the plugin fills in (`custom.esbuild`). */
export const DANUBE_ESBUILD_DEFAULTS = Object.freeze({
  bundle: true,
  minify: true,
  // Error classes keep their names: Lambda reports them as the error type.
  keepNames: true,
  sourcemap: 'linked',
  // Maps without embedded sources: stack traces still point at the TypeScript lines.
  sourcesContent: false,
  format: 'esm',
  platform: 'node',
  outputFileExtension: '.mjs',
  // grpc-js and a few of its dependencies call require(); an ESM bundle has none unless we make one.
  banner: { js: "import { createRequire as __danubeCreateRequire } from 'node:module'; const require = __danubeCreateRequire(import.meta.url);" },
  // The AWS SDK v3 ships with the nodejs runtimes: keep it out of every bundle.
  exclude: ['@aws-sdk/*'],
});

/**
 * `custom.esbuild` with the Danube defaults under the user's own settings. A `config` file (the
 * plugin's other way of configuring esbuild) is left alone: it replaces `custom.esbuild` whole.
 *
 * @example
 * service.custom = { ...service.custom, esbuild: withEsbuildDefaults(service.custom?.esbuild) };
 */
export function withEsbuildDefaults(current: unknown): Record<string, unknown> {
  const user = current && typeof current === 'object' ? (current as Record<string, unknown>) : {};
  if (typeof user.config === 'string') return user;
  const merged: Record<string, unknown> = { ...DANUBE_ESBUILD_DEFAULTS, ...user };
  // The banner only makes sense for ESM output; a user who chose CommonJS has `require` already.
  if (user.format !== undefined && user.format !== 'esm' && user.banner === undefined) delete merged.banner;
  if (user.format !== undefined && user.format !== 'esm' && user.outputFileExtension === undefined) delete merged.outputFileExtension;
  return merged;
}
