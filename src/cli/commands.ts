// The sub-commands: a summary each for `--help`, and the module that runs it, loaded only when
// that command runs (so `--help` and each command load only what they need).
export interface Command {
  summary: string;
  load(): Promise<(args: string[]) => Promise<number>>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  broker: { summary: 'run the embedded Danube-compatible broker', load: async () => (await import('./broker-command.js')).runBroker },
  checkpoint: { summary: "read, set or reset a source's checkpoint", load: async () => (await import('./checkpoint-command.js')).runCheckpoint },
  dev: { summary: 'run serverless.yml locally: broker, DynamoDB, sources, relay, sinks (npm start)', load: async () => (await import('./dev-command.js')).runDev },
  invoke: { summary: 'run a source of the running `npm start` now', load: async () => (await import('./invoke-command.js')).runInvoke },
  relay: { summary: 'invoke sink functions per batch from Danube topics (ack on success)', load: async () => (await import('./relay-command.js')).runRelay },
};
