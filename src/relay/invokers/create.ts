import type { FunctionConfig } from '../config-schema.js';
import { createHttpInvoker } from './http.js';
import { createLambdaInvoker } from './lambda.js';
import { createLocalInvoker } from './local.js';
import type { Invoker } from './types.js';

/**
 * Builds the invoker a binding's `function` section describes.
 *
 * @example
 * const invoker = createInvoker({ type: 'http', url: 'https://sink.example.com', secret, timeoutMs: 30_000 });
 */
export function createInvoker(fn: FunctionConfig, options: { baseDir?: string } = {}): Invoker {
  switch (fn.type) {
    case 'lambda':
      return createLambdaInvoker(fn);
    case 'http': {
      const { type: _type, ...http } = fn;
      return createHttpInvoker(http);
    }
    case 'local':
      return createLocalInvoker({ ...fn, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  }
}
