import { ConfigError } from '../../core/errors.js';

const TYPESCRIPT = /\.[cm]?tsx?$/;
let typescriptLoader: Promise<void> | undefined;

/**
 * Imports a user module by URL or package name. A TypeScript file is loaded through tsx, which a
 * project that keeps its handlers in TypeScript installs itself (the package does not carry a
 * compiler at run time); without it the error says what to install.
 *
 * @example
 * const mod = await importUserModule(pathToFileURL('functions/orders-sink.ts').href);
 */
export async function importUserModule(url: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(new URL(url, 'file:///').pathname)) await (typescriptLoader ??= registerTypeScript(url));
  return (await import(url)) as Record<string, unknown>;
}

async function registerTypeScript(url: string): Promise<void> {
  // Already running under tsx (`node --import tsx`) or vitest, which compile TypeScript themselves.
  if (process.execArgv.some((a) => a.includes('tsx')) || '__vitest_worker__' in globalThis) return;
  let api: { register(): unknown };
  try {
    // Named through a variable so that bundlers leave tsx out of a bundle that includes the relay.
    const loader = 'tsx/esm/api';
    api = (await import(loader)) as { register(): unknown };
  } catch (err) {
    typescriptLoader = undefined;
    throw new ConfigError(
      `${url} is TypeScript, and loading it needs tsx: run \`npm install --save-dev tsx\` in your project, or point the handler at compiled JavaScript`,
      [],
      { cause: err },
    );
  }
  api.register();
}
