// `danube-connect checkpoint get|set|reset NAME`: read or change a source's checkpoint.
import { parseArgs } from 'node:util';
import { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { LeaseHeldError } from '../checkpoint/errors.js';
import { DEFAULT_CHECKPOINT_TABLE } from '../checkpoint/table.js';
import { checkpointKey, type CheckpointState } from '../checkpoint/types.js';
import { stringifyJson } from '../core/bytes.js';
import { DANUBE_ENV, LOCAL_AWS, needsLocalAwsCredentials } from '../core/environment.js';
import { DEFAULT_SERVICE } from '../source/run-options.js';

const HELP = `usage: danube-connect checkpoint <get|set|reset> NAME [JSON] [options]

  get NAME               print the checkpoint, its version and lease of source NAME
  set NAME JSON          store JSON as the checkpoint (the next run resumes from it)
  reset NAME             forget the checkpoint (the next run starts from the source's beginning)

  --service S            checkpoint key prefix (default $${DANUBE_ENV.service} or "${DEFAULT_SERVICE}")
  --partition P          input partition of the source, if it is run per partition
  --table T              DynamoDB table (default $${DANUBE_ENV.checkpointTable} or "${DEFAULT_CHECKPOINT_TABLE}")
  --endpoint URL         DynamoDB endpoint (default $${DANUBE_ENV.dynamoDbEndpoint} or AWS)
  --region R             AWS region (default from the AWS environment)
  --force                set/reset even while a run holds the lease (that run then fails to commit)

set and reset are refused while a run holds a live lease on the checkpoint, unless --force.
`;

/** What `get` prints: the row, with times as ISO strings and the version as a string. */
function view(state: CheckpointState, now: number): Record<string, unknown> {
  const live = state.leaseOwner !== undefined && (state.leaseUntil ?? 0) > now;
  return {
    key: state.key,
    checkpoint: state.checkpoint ?? null,
    version: state.version.toString(),
    updatedAt: state.updatedAt === undefined ? null : new Date(state.updatedAt).toISOString(),
    lease: state.leaseOwner === undefined ? null : { owner: state.leaseOwner, until: new Date(state.leaseUntil ?? 0).toISOString(), live },
  };
}

export async function runCheckpoint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      partition: { type: 'string' },
      table: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [action, name, json, ...extra] = positionals;
  const wantsJson = action === 'set';
  if (!action || !['get', 'set', 'reset'].includes(action) || !name || (wantsJson ? json === undefined : json !== undefined) || extra.length > 0) {
    process.stderr.write(HELP);
    return 2;
  }
  let value: unknown;
  if (wantsJson) {
    try {
      value = JSON.parse(json!);
    } catch (err) {
      process.stderr.write(`danube-connect checkpoint: the checkpoint must be JSON: ${(err as Error).message}\n`);
      return 2;
    }
  }

  const env = process.env;
  const endpoint = values.endpoint ?? env[DANUBE_ENV.dynamoDbEndpoint];
  const key = checkpointKey({
    service: values.service ?? env[DANUBE_ENV.service] ?? DEFAULT_SERVICE,
    source: name,
    ...(values.partition !== undefined ? { partition: values.partition } : {}),
  });
  const store = new DynamoDbCheckpointStore({
    tableName: values.table ?? env[DANUBE_ENV.checkpointTable] ?? DEFAULT_CHECKPOINT_TABLE,
    ...(endpoint ? { endpoint } : {}),
    ...(needsLocalAwsCredentials(endpoint, env) ? LOCAL_AWS : {}),
    ...(values.region ? { region: values.region } : {}),
  });
  try {
    if (action === 'get') {
      const state = await store.get(key);
      if (!state) {
        process.stderr.write(`no checkpoint stored for ${key} (table ${store.tableName})\n`);
        return 1;
      }
      process.stdout.write(`${stringifyJson(view(state, Date.now()), 2)}\n`);
      return 0;
    }
    const state = action === 'set' ? await store.set(key, value, { force: values.force }) : await store.reset(key, { force: values.force });
    const held = state.leaseOwner !== undefined && (state.leaseUntil ?? 0) > Date.now();
    process.stderr.write(
      `${action === 'set' ? 'checkpoint set' : 'checkpoint reset'} for ${key}: version ${state.version}` +
        (held ? ` (forced: the run of ${state.leaseOwner} can no longer commit)` : '') +
        '\n',
    );
    process.stdout.write(`${stringifyJson(view(state, Date.now()), 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof LeaseHeldError) {
      process.stderr.write(
        `danube-connect checkpoint: refused: ${err.message} (a run is in progress).\n` +
          `Wait until it ends, or pass --force (that run will then fail to commit and stop).\n`,
      );
      return 1;
    }
    throw err;
  } finally {
    store.close();
  }
}
