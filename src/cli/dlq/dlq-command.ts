// `danube-connect dlq`: look at a dead-letter topic and send its records back, against the
// embedded broker or a real Danube broker alike.
import { parseArgs } from 'node:util';
import { AdminError, DanubeAdmin } from '../../admin/index.js';
import { DanubeClient } from '../../client/index.js';
import { createLogger } from '../../core/logger.js';
import { ensureInspectionSubscription, INSPECTION_SUBSCRIPTION, openDeadLetterTopic, type RedriveOptions } from '../../dlq/index.js';
import { toJson } from '../admin/admin-cli.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, FILTER_HELP, FILTER_OPTIONS, parseFilter, positiveInt, resolveConnection } from './dlq-args.js';
import { listText, peekText, progressBar, redriveText, summaryText } from './dlq-output.js';
import { lambdaTarget, localFunctionTarget, type InvokeTarget } from './invoke-target.js';

const HELP = `usage: danube-connect dlq <command> TOPIC [options]

  summary TOPIC     counts of the records not yet redriven, by reason and by origin
  list TOPIC        one line per record: id, reason, origin, attempts, last failure, key, error
  peek TOPIC        whole records: the dead-letter envelope, attributes, a payload preview
                    (JSON pretty-printed, text as it is, binary as hex)
  redrive TOPIC     send the selected records back to their original topic (or --to TOPIC), or
                    hand them to a function (--function NAME of serverless.yml, --lambda NAME)
  init TOPIC        create the topic's inspection subscription (provisioning does it)

Looking never consumes: the records are read through the subscription "${INSPECTION_SUBSCRIPTION}"
without acks and given back when the read ends. A redrive acks each record once it is sent; a
rerun after a crash or Ctrl-C continues with the rest (a record sent just before the crash may be
sent twice, with the same x-danube-record-id). See docs/operating.md.

list / peek:
  --limit N           records shown (default 20 for list, 5 for peek)
  --bytes N           payload bytes a preview shows (default 4096)
redrive:
  --to TOPIC          publish to this topic instead of each record's original topic
  --function NAME     invoke this serverless.yml function here, as npm start runs it (--config FILE)
  --lambda NAME       invoke this deployed Lambda function (--region R, --endpoint URL)
  --dry-run           count what would be sent; send and ack nothing
  --rate N            at most N records per second
  --timeout-ms MS     time limit of one invocation (default 30000)

${FILTER_HELP}

${CONNECTION_HELP}
`;

const COMMANDS = ['summary', 'list', 'peek', 'redrive', 'init'] as const;

export async function runDlq(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    (command ? process.stdout : process.stderr).write(HELP);
    return command ? 0 : 2;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    process.stderr.write(`danube-connect dlq: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      ...FILTER_OPTIONS,
      ...CONNECTION_OPTIONS,
      limit: { type: 'string' },
      bytes: { type: 'string' },
      to: { type: 'string' },
      function: { type: 'string' },
      lambda: { type: 'string' },
      config: { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'dry-run': { type: 'boolean' },
      rate: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`danube-connect dlq ${command}: ${positionals.length ? `unexpected argument "${positionals[1]}"` : 'missing TOPIC'}\n`);
    return 2;
  }
  const topic = positionals[0]!;
  const targets = ['to', 'function', 'lambda'].filter((k) => values[k as 'to'] !== undefined);
  if (targets.length > 1) throw new Error(`--${targets.join(', --')}: give one destination at most`);
  const filter = parseFilter(values);
  const logger = createLogger({ name: 'danube-dlq', level: values['log-level'] as 'warn' });
  const conn = resolveConnection(values, process.env);
  const client = new DanubeClient({ serviceUrl: conn.serviceUrl, ...(conn.token ? { token: conn.token } : {}), logger });
  const admin = new DanubeAdmin({ adminUrl: conn.adminUrl, timeoutMs: 5_000, ...(conn.adminToken ? { token: conn.adminToken } : {}) });
  let target: InvokeTarget | undefined;
  try {
    if (command === 'init') return await init(admin, client, topic, values.json === true);
    const dlq = await openDeadLetterTopic(topic, {
      client,
      admin,
      logger,
      idleMs: positiveInt(values, 'idle-ms', 1_000),
      previewBytes: positiveInt(values, 'bytes', 4096),
    });
    if (command === 'summary') {
      const s = await dlq.summary(filter);
      process.stdout.write(values.json ? `${toJson(s)}\n` : summaryText(s));
      return 0;
    }
    if (command === 'list' || command === 'peek') {
      const all = await dlq.list(filter);
      const shown = all.slice(0, positiveInt(values, 'limit', command === 'list' ? 20 : 5));
      if (values.json) process.stdout.write(`${toJson({ topic, total: all.length, records: shown.map(jsonRecord) })}\n`);
      else process.stdout.write(command === 'list' ? listText(shown, all.length) : peekText(shown, all.length));
      return 0;
    }
    const timeoutMs = positiveInt(values, 'timeout-ms', 30_000);
    if (values.function)
      target = await localFunctionTarget(values.function, {
        config: values.config ?? 'serverless.yml',
        dataDir: values['data-dir'] ?? '.danube',
        timeoutMs,
        logger,
      });
    else if (values.lambda) {
      target = lambdaTarget(values.lambda, {
        timeoutMs,
        logger,
        ...(values.region ? { region: values.region } : {}),
        ...(values.endpoint ? { endpoint: values.endpoint } : {}),
      });
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const bar = process.stderr.isTTY && !values.json;
    // A progress bar needs the total: one look first (it gives every record back).
    const total = bar ? (await dlq.summary(filter)).total : 0;
    const options: RedriveOptions = {
      dryRun: values['dry-run'] === true,
      signal: stop.signal,
      ...(values.to ? { to: values.to } : {}),
      ...(target ? { invoke: target.invoke } : {}),
      ...(values.rate !== undefined ? { ratePerSecond: positiveInt(values, 'rate', 1) } : {}),
      ...(bar ? { onProgress: (p) => process.stderr.write(progressBar(p, Math.max(total, p.matched))) } : {}),
    };
    const summary = await dlq.redrive(filter, options);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (bar) process.stderr.write('\n');
    if (stop.signal.aborted) process.stderr.write('danube-connect dlq: stopped; run it again to continue with the rest\n');
    process.stdout.write(values.json ? `${toJson(summary)}\n` : redriveText(summary, topic));
    return summary.failed > 0 || stop.signal.aborted ? 1 : 0;
  } finally {
    await target?.close();
    admin.close();
    await client.close();
  }
}

async function init(admin: DanubeAdmin, client: DanubeClient, topic: string, json: boolean): Promise<number> {
  const namespace = topic.split('/')[1] ?? '';
  let partitions = (await admin.topics.list(namespace)).filter((t) => t.name === topic || t.name.startsWith(`${topic}-part-`));
  if (partitions.length === 0) {
    try {
      await admin.topics.create(topic, { dispatch: 'reliable' });
    } catch (err) {
      if (!(err instanceof AdminError && /already exists/.test(err.message))) throw err;
    }
    partitions = (await admin.topics.list(namespace)).filter((t) => t.name === topic || t.name.startsWith(`${topic}-part-`));
  }
  if (partitions.some((t) => t.dispatch !== 'reliable'))
    throw new Error(`${topic} is non-reliable: its records cannot be inspected (a dead-letter topic must be reliable)`);
  const created = await ensureInspectionSubscription(
    admin,
    client,
    topic,
    partitions.map((t) => t.name),
  );
  const message = created ? 'created: records dead-lettered from now on can be inspected and redriven' : 'exists already';
  process.stdout.write(
    json
      ? `${toJson({ topic, subscription: INSPECTION_SUBSCRIPTION, created })}\n`
      : `${topic}: inspection subscription ${INSPECTION_SUBSCRIPTION} ${message}\n`,
  );
  return 0;
}

/** A record as JSON: the payload as base64 beside its preview. */
function jsonRecord(r: Awaited<ReturnType<Awaited<ReturnType<typeof openDeadLetterTopic>>['list']>>[number]) {
  const { payload, ...rest } = r;
  return { ...rest, payloadBase64: Buffer.from(payload).toString('base64') };
}
