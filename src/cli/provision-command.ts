// `danube-connect provision`: the provisioning step as a one-shot command (a container task, a CI
// job, or by hand before starting a relay against an existing broker).
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DanubeAdmin } from '../admin/index.js';
import { DanubeClient } from '../client/client.js';
import { createLogger } from '../core/logger.js';
import { TRANSFORM_NAMES } from '../core/transforms.js';
import { parseRelayConfig } from '../relay/index.js';
import { adminUrlFor, provisionBindings } from '../serverless/provision.js';

const HELP = `usage: danube-connect provision --config relay.json|relay.yaml [options]

Creates every topic (with its partitions and dispatch strategy), dead-letter topic and relay
subscription (with its unacked window and ack timeout) that the relay configuration names, and
leaves what exists as it is. Run it before sources publish: a subscription only sees what is
published after it exists.

  --config FILE        the relay configuration (e.g. .serverless/danube-relay.json)
  --service-url URL    Danube service URL (default: $DANUBE_SERVICE_URL, else config "serviceUrl")
  --admin-url URL      the broker's admin API (default: $DANUBE_ADMIN_URL, else the service URL's host, port 50051)
  --json               print the report as JSON
  --log-level L        trace|debug|info|warn|error|silent (default warn)

Environment: DANUBE_TOKEN (JWT for both APIs; needs ManageTopic, Lookup and Consume on the topics).
`;

export async function runProvision(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      'service-url': { type: 'string' },
      'admin-url': { type: 'string' },
      json: { type: 'boolean' },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`danube-connect provision: --config is required\n\n${HELP}`);
    return 2;
  }
  const path = resolve(values.config);
  const { config } = parseRelayConfig(readFileSync(path, 'utf8'), {
    format: extname(path) === '.json' ? 'json' : 'yaml',
    env: process.env,
    knownTransforms: TRANSFORM_NAMES,
  });
  const serviceUrl = values['service-url'] ?? process.env.DANUBE_SERVICE_URL ?? config.serviceUrl;
  if (!serviceUrl) throw new Error('no service URL: give --service-url, set DANUBE_SERVICE_URL, or put "serviceUrl" in the config');
  const adminUrl = values['admin-url'] ?? process.env.DANUBE_ADMIN_URL ?? adminUrlFor(serviceUrl);
  const token = process.env.DANUBE_TOKEN || undefined;
  const logger = createLogger({ name: 'danube-provision', level: values['log-level'] as 'warn' });
  const admin = new DanubeAdmin({ adminUrl, ...(token ? { token } : {}) });
  const client = new DanubeClient({ serviceUrl, ...(token ? { token } : {}), logger });
  try {
    const report = await provisionBindings(config.bindings, { admin, client, logger });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const t of report.topics) {
        process.stdout.write(
          `${t.topic}: ${t.created ? 'created' : 'exists'} (${t.dispatch}, ${t.partitions.length === 1 && t.partitions[0] === t.topic ? 'no partitions' : `${t.partitions.length} partitions`})\n`,
        );
        for (const s of t.subscriptions) {
          const settings = s.maxUnackedMessages === undefined ? '' : `; maxUnackedMessages ${s.maxUnackedMessages}, ackTimeoutMs ${s.ackTimeoutMs}`;
          process.stdout.write(`  subscription ${s.subscription} (binding ${s.binding}): ${s.created ? 'created' : 'exists'}${settings}\n`);
        }
      }
      for (const d of report.deadLetterTopics) process.stdout.write(`${d}: created (dead-letter topic)\n`);
      for (const d of report.inspectionSubscriptions) process.stdout.write(`${d}: inspection subscription danube-dlq-inspect created\n`);
      for (const w of report.warnings) process.stdout.write(`warning: ${w}\n`);
    }
    return 0;
  } finally {
    admin.close();
    await client.close();
  }
}
