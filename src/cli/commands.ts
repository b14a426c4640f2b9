// The sub-commands: a summary each for `--help`, and the module that runs it, loaded only when
// that command runs (so `--help` and each command load only what they need).
export interface Command {
  summary: string;
  load(): Promise<(args: string[]) => Promise<number>>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  broker: { summary: 'run the embedded Danube-compatible broker', load: async () => (await import('./broker-command.js')).runBroker },
  brokers: {
    summary: 'brokers of a Danube cluster (admin API): list, leader, unload, activate',
    load: async () => (await import('./admin/namespaces-command.js')).runBrokers,
  },
  checkpoint: { summary: "read, set or reset a source's checkpoint", load: async () => (await import('./checkpoint-command.js')).runCheckpoint },
  dlq: {
    summary: 'dead letters: summary, list, peek, redrive (back to their topic or to a function), init',
    load: async () => (await import('./dlq/dlq-command.js')).runDlq,
  },
  console: {
    summary: 'the web console for a relay and broker running elsewhere (read-only by default)',
    load: async () => (await import('./console-command.js')).runConsole,
  },
  dev: {
    summary: 'run serverless.yml locally: broker, DynamoDB, sources, relay, sinks (npm start)',
    load: async () => (await import('./dev-command.js')).runDev,
  },
  invoke: { summary: 'run a source of the running `npm start` now', load: async () => (await import('./invoke-command.js')).runInvoke },
  namespaces: {
    summary: 'namespaces on a Danube broker (admin API): list, create, delete, policies',
    load: async () => (await import('./admin/namespaces-command.js')).runNamespaces,
  },
  provision: {
    summary: 'create the topics and relay subscriptions a relay configuration needs',
    load: async () => (await import('./provision-command.js')).runProvision,
  },
  relay: { summary: 'invoke sink functions per batch from Danube topics (ack on success)', load: async () => (await import('./relay-command.js')).runRelay },
  subscriptions: {
    summary: 'subscriptions on a Danube broker (admin API): list, unsubscribe, get, set',
    load: async () => (await import('./admin/subscriptions-command.js')).runSubscriptions,
  },
  token: { summary: 'mint a JWT for a broker started with --jwt-secret (local use)', load: async () => (await import('./token-command.js')).runToken },
  topics: {
    summary: 'topics on a Danube broker (admin API): list, create, describe, delete, unload',
    load: async () => (await import('./admin/topics-command.js')).runTopics,
  },
};
