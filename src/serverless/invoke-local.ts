// `osls invoke local` for functions bundled as ES modules: osls loads a handler with require()
// and looks for `<handler>.js` or `.cjs` only, so the plugin writes a small CommonJS file beside
// the `.mjs` bundle that imports it. The handler's module may keep sockets open (a client kept
// for warm invocations); on Lambda the sandbox is frozen, here the command would never end.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Writes `<handler>.cjs` next to `<handler>.mjs` under `buildDir` when only the ES module
 * exists; returns the path written, if any.
 *
 * @example
 * writeRequireShim('.esbuild/.build', 'functions/orders-sink.handler');
 */
export function writeRequireShim(buildDir: string, handler: string): string | undefined {
  const dot = handler.lastIndexOf('.');
  const base = join(buildDir, handler.slice(0, dot));
  const exportName = handler.slice(dot + 1);
  if (!existsSync(`${base}.mjs`) || existsSync(`${base}.js`) || existsSync(`${base}.cjs`)) return undefined;
  const shim = [
    "'use strict';",
    '// Lets `osls invoke local` (which require()s handlers) call the ES module bundle beside it.',
    `let loaded;`,
    `exports[${JSON.stringify(exportName)}] = async (event, context) => {`,
    `  loaded ??= import(${JSON.stringify(`./${basename(base)}.mjs`)});`,
    `  return (await loaded)[${JSON.stringify(exportName)}](event, context);`,
    '};',
    '',
  ].join('\n');
  writeFileSync(`${base}.cjs`, shim);
  return `${base}.cjs`;
}

/**
 * Ends the process once the invocation's output is written: right away when nothing else keeps
 * it alive, or after `graceMs` when the handler's module left sockets or timers open.
 */
export function exitWhenIdle(graceMs = 500): void {
  setTimeout(() => {
    process.stdout.write('', () => process.exit());
  }, graceMs).unref();
}
