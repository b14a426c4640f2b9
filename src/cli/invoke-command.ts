// `danube-connect invoke SOURCE`: runs a source of the running `npm start` now.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `usage: danube-connect invoke NAME [--data-dir DIR]

Runs the scheduled function NAME (its serverless.yml key or its source name) of the
\`npm start\` running in this directory now, and prints what the run reported.
`;

export async function runInvoke(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const file = join(resolve(values['data-dir'] ?? '.danube'), 'dev.json');
  let info: { url: string };
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as { url: string };
  } catch {
    throw new Error(`no running \`npm start\` found (${file} is missing): start it first`);
  }
  let res: Response;
  try {
    res = await fetch(`${info.url}/invoke/${encodeURIComponent(positionals[0]!)}`, { method: 'POST', signal: AbortSignal.timeout(15 * 60_000) });
  } catch (err) {
    throw new Error(`the \`npm start\` recorded in ${file} does not answer (${(err as Error).message}); is it still running?`);
  }
  const body = await res.text();
  process.stdout.write(body);
  return res.ok ? 0 : 1;
}
