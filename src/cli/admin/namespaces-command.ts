// `danube-connect namespaces ...` and `danube-connect brokers ...` through the admin API.
import type { BrokerSummary } from '../../admin/index.js';
import { runGroup, table, type Subcommand } from './admin-cli.js';

export const NAMESPACE_COMMANDS: Record<string, Subcommand> = {
  list: {
    usage: '',
    summary: 'namespaces of the cluster',
    args: [],
    run: async (admin) => (await admin.namespaces.list()).map((name) => ({ name })),
    text: (rows: Array<{ name: string }>) => table(rows, ['name']),
  },
  create: {
    usage: 'NAMESPACE',
    summary: 'create a namespace',
    args: ['NAMESPACE'],
    async run(admin, [ns]) {
      await admin.namespaces.create(ns!);
      return { created: ns };
    },
    text: (r: { created: string }) => `created namespace ${r.created}\n`,
  },
  delete: {
    usage: 'NAMESPACE',
    summary: 'delete an empty namespace',
    args: ['NAMESPACE'],
    async run(admin, [ns]) {
      await admin.namespaces.delete(ns!);
      return { deleted: ns };
    },
    text: (r: { deleted: string }) => `deleted namespace ${r.deleted}\n`,
  },
  policies: {
    usage: 'NAMESPACE',
    summary: 'policies (limits) of a namespace',
    args: ['NAMESPACE'],
    run: (admin, [ns]) => admin.namespaces.policies(ns!),
    text: (p: Record<string, unknown>) =>
      Object.entries(p)
        .map(([k, v]) => `${k.padEnd(32)} ${String(v)}`)
        .join('\n') + '\n',
  },
};

export const BROKER_COMMANDS: Record<string, Subcommand> = {
  list: {
    usage: '',
    summary: 'brokers of the cluster with their URLs, role and state',
    args: [],
    run: (admin) => admin.brokers.list(),
    text: (rows: BrokerSummary[]) => table(rows as never, ['id', 'url', 'adminUrl', 'role', 'status']),
  },
  leader: {
    usage: '',
    summary: 'id of the leader broker',
    args: [],
    run: async (admin) => ({ leader: await admin.brokers.leader() }),
    text: (r: { leader: string }) => `${r.leader}\n`,
  },
  unload: {
    usage: 'BROKER_ID [--dry-run]',
    summary: 'move every topic off a broker (it stays draining until activated)',
    args: ['BROKER_ID'],
    options: { 'dry-run': { type: 'boolean' } },
    run: (admin, [id], values) => admin.brokers.unload(id!, { dryRun: values['dry-run'] === true }),
  },
  activate: {
    usage: 'BROKER_ID',
    summary: 'mark a broker active again',
    args: ['BROKER_ID'],
    async run(admin, [id]) {
      await admin.brokers.activate(id!);
      return { activated: id };
    },
    text: (r: { activated: string }) => `broker ${r.activated} is active\n`,
  },
};

export const runNamespaces = (args: string[]): Promise<number> => runGroup('namespaces', NAMESPACE_COMMANDS, args);
export const runBrokers = (args: string[]): Promise<number> => runGroup('brokers', BROKER_COMMANDS, args);
