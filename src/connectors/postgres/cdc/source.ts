import { RetryableError, SourceRecord, silentLogger, withoutUndefined, type Logger } from '../../../core/index.js';
import { RECORD_ID_ATTRIBUTE, defineSource, type PollContext, type PollResult, type Source, type SourceOptions } from '../../../source/index.js';
import { routingKey, type ChangeEvent } from './change.js';
import { parsePostgresCdcOptions, type ParsedPostgresCdcOptions, type PostgresCdcOptions } from './options.js';
import { CdcSession, type CdcCheckpoint } from './session.js';
import { ensureReplicationSetup, releaseActiveSlot } from './setup.js';

/** Source-level settings of the CDC source (see `defineSource`). */
export type PostgresCdcSourceOptions = PostgresCdcOptions &
  Pick<SourceOptions<CdcCheckpoint>, 'name' | 'topic' | 'route' | 'partitions' | 'dispatch' | 'deadLetterTopic' | 'retry'> & {
    /** Logs connection and slot events; polls also log through the runner's logger. */
    logger?: Logger;
    /**
     * `partition` (default): every partition gets its changes in commit order, truncates
     * included. `key`: only each row's changes keep their order; different rows are sent in
     * parallel, which is faster.
     */
    ordering?: 'partition' | 'key';
  };

/** A CDC source: a `Source` plus `close()` to end a replication session left open. */
export interface PostgresCdcSource extends Source<CdcCheckpoint> {
  close(): Promise<void>;
}

/** The `source` attribute of every record this source publishes. */
export const CDC_SOURCE_ATTRIBUTE = 'postgres-cdc';

// A session untouched for this long belongs to an earlier run (a frozen warm Lambda); the next
// run starts a fresh one, so its "caught up" target is current.
const STALE_SESSION_MS = 15_000;

/** Builds the record published for one change. */
export function changeRecord(source: string, id: string, event: ChangeEvent): SourceRecord {
  return SourceRecord.fromJson(event, {
    key: routingKey(event),
    attributes: {
      source: CDC_SOURCE_ATTRIBUTE,
      table: `${event.schema}.${event.table}`,
      op: event.op,
      lsn: event.lsn,
      [RECORD_ID_ATTRIBUTE]: `${source}@${id}`,
    },
  });
}

/**
 * PostgreSQL change data capture as a scheduled source: each run streams the changes committed
 * since the last run from a logical replication slot (`pgoutput`), publishes them in commit
 * order keyed by primary key, and only then lets PostgreSQL forget them (the slot's confirmed
 * LSN moves when the runner reports the batch's checkpoint committed, and again at the start
 * of the next run in case a run ended before it could).
 *
 * @example
 * export const source = postgresCdcSource({
 *   name: 'orders-cdc', topic: '/default/orders-changes', partitions: 4,
 *   connectionString: process.env.PG_URL!, tables: ['public.orders'],
 * });
 * // handler: runSource(source, { client, store, budgetMs })
 */
export function postgresCdcSource(input: PostgresCdcSourceOptions): PostgresCdcSource {
  const { name, topic, route, partitions, dispatch, deadLetterTopic, retry, logger: baseLogger, ordering, ...pgInput } = input;
  const options = parsePostgresCdcOptions(pgInput);
  const log = baseLogger ?? silentLogger;
  let session: CdcSession | undefined;
  let handedOut: string | undefined;
  let lastUsed = 0;

  const closeSession = async () => {
    const current = session;
    session = undefined;
    handedOut = undefined;
    await current?.close();
  };

  async function poll({ checkpoint, signal, logger }: PollContext<CdcCheckpoint>): Promise<PollResult<CdcCheckpoint>> {
    const committed = checkpoint ? JSON.stringify(checkpoint) : undefined;
    // Keep streaming only if what we handed out last was committed and the session is fresh;
    // anything else (a failed publish, a new run) restarts from the committed checkpoint.
    if (session && (committed !== handedOut || Date.now() - lastUsed > STALE_SESSION_MS || session.isClosed)) {
      await closeSession();
    }
    if (session && checkpoint) session.confirm(checkpoint);
    session ??= await openSession(options, checkpoint, logger ?? log);
    const current = session;
    const before = checkpoint ? JSON.stringify(checkpoint) : undefined;
    let records: SourceRecord[] = [];
    let next: CdcCheckpoint;
    let caughtUp: boolean;
    try {
      for (;;) {
        const result = await current.read(signal);
        records = result.changes.map((c) => changeRecord(name, c.id, c.event));
        next = result.checkpoint;
        caughtUp = result.caughtUp;
        // An empty, unchanged answer would end the run as idle; keep waiting unless caught up.
        if (records.length > 0 || caughtUp || signal.aborted || JSON.stringify(next) !== before) break;
      }
    } catch (err) {
      await closeSession();
      throw err;
    }
    lastUsed = Date.now();
    handedOut = JSON.stringify(next);
    return { records, checkpoint: next, done: caughtUp || signal.aborted };
  }

  // The runner calls this once the batch's checkpoint is committed, i.e. the broker accepted
  // every record up to it: only now may PostgreSQL forget those changes.
  function onCommitted(checkpoint: CdcCheckpoint): void {
    if (session && JSON.stringify(checkpoint) === handedOut) session.confirm(checkpoint);
  }

  const source = defineSource<CdcCheckpoint>({
    name,
    poll,
    ...withoutUndefined({ topic, route, partitions, dispatch, deadLetterTopic, retry }),
    ordering: ordering ?? 'partition',
    onCommitted,
    // However the run ended: stop streaming so the slot is free for the next run.
    onRunEnd: closeSession,
  });
  return Object.freeze({ ...source, close: closeSession });
}

async function openSession(options: ParsedPostgresCdcOptions, checkpoint: CdcCheckpoint | undefined, logger: Logger): Promise<CdcSession> {
  const slot = await ensureReplicationSetup(options, logger);
  if (slot.activePid !== undefined) {
    if (!options.takeOverActiveSlot) {
      throw new RetryableError(`replication slot "${options.slot}" is in use by pid ${slot.activePid}`);
    }
    await releaseActiveSlot(options, slot.activePid, logger);
  }
  const from: CdcCheckpoint = checkpoint ?? { lsn: slot.confirmedFlushLsn ?? '0/0' };
  return CdcSession.open(options, from, logger);
}
