// The `danube-connect` command. The only place in the package that exits the process.
import { COMMANDS } from './commands.js';

function usage(): string {
  const lines = Object.entries(COMMANDS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => `  ${name.padEnd(14)} ${c.summary}`);
  return ['usage: danube-connect <command> [options]', '', 'commands:', ...lines, ''].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    process.exit(name ? 0 : 2);
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`danube-connect: unknown command "${name}"\n\n${usage()}`);
    process.exit(2);
  }
  try {
    const run = await command.load();
    const code = await run(rest);
    process.exitCode = code;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`danube-connect ${name}: ${message}\n`);
    if (process.env.DANUBE_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exit(1);
  }
}
