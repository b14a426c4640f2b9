import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importUserModule } from '../relay/invokers/import-module.js';
import type { Source } from '../source/define-source.js';
import { ServerlessConfigError } from '../serverless/options.js';
import type { LambdaHandler } from './lambda-invoke.js';

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** A function's module as serverless.yml names it (`functions/orders.handler`). */
export interface LoadedFunction {
  file: string;
  /** The handler export, if it is a function. */
  handler?: LambdaHandler;
  /** A `defineSource` result exported by the module, if any. */
  source?: Source;
  module: Record<string, unknown>;
}

/** `functions/example-sink.handler` → the file and the export name. */
export function resolveHandler(cwd: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new ServerlessConfigError(`handler "${handler}" must look like path/to/file.export`);
  const base = resolve(cwd, handler.slice(0, dot));
  const file = EXTENSIONS.map((ext) => `${base}${ext}`).find((f) => existsSync(f));
  if (!file) throw new ServerlessConfigError(`handler "${handler}": none of ${EXTENSIONS.map((e) => join(handler.slice(0, dot)) + e).join(', ')} exists`);
  return { file, exportName: handler.slice(dot + 1) };
}

function isSource(value: unknown): value is Source {
  const v = value as Partial<Source> | null;
  return !!v && typeof v === 'object' && typeof v.poll === 'function' && typeof v.name === 'string';
}

/**
 * Imports a function's module in this process (TypeScript through tsx, registered on first use).
 *
 * @example
 * const fn = await loadFunction(process.cwd(), 'functions/example-source.handler');
 */
export async function loadFunction(cwd: string, handler: string): Promise<LoadedFunction> {
  const { file, exportName } = resolveHandler(cwd, handler);
  const module = await importUserModule(pathToFileURL(file).href);
  const loaded: LoadedFunction = { file, module };
  const h = module[exportName];
  if (typeof h === 'function') loaded.handler = h as LambdaHandler;
  const source = Object.values(module).find(isSource);
  if (source) loaded.source = source;
  if (!loaded.handler && !loaded.source) throw new ServerlessConfigError(`${file}: no export "${exportName}" (a Lambda handler) and no source`);
  return loaded;
}
