import type pg from 'pg';
import { FatalError, type Logger } from '../../../core/index.js';
import { toConnectorError } from '../errors.js';
import { decodeTuple, keyOf, type ChangeEvent, type Row } from './change.js';
import { formatLsn, parseLsn, pgTimestampToIso } from './lsn.js';
import type { ParsedPostgresCdcOptions } from './options.js';
import { decodePgOutput, type PgOutputMessage, type RelationMessage } from './pgoutput.js';
import { openReplication, type OpenedReplication } from './open.js';
import type { ReplicationFrame } from './frames.js';
import type { ReplicationStream } from './replication-stream.js';

/**
 * Where a CDC source stands. `lsn` is the end of the last transaction whose changes were all
 * published; it is what PostgreSQL is told it may forget. `partial` records how far into the
 * next, not yet finished, transaction the published changes reach, so a transaction larger than
 * one run is resumed rather than restarted forever.
 */
export interface CdcCheckpoint {
  lsn: string;
  partial?: { finalLsn: string; xid: number; changes: number };
}

/** A decoded change together with its stable identity and the checkpoint that covers it. */
export interface CapturedChange {
  event: ChangeEvent;
  /** Stable across replays: `<commit LSN>:<index in transaction>`. */
  id: string;
  checkpoint: CdcCheckpoint;
}

export interface ReadResult {
  changes: CapturedChange[];
  /** Covers everything read so far, including transactions that had no published change. */
  checkpoint: CdcCheckpoint;
  /** Everything committed before the run started has been read. */
  caughtUp: boolean;
}

interface OpenTransaction {
  xid: number;
  finalLsn: bigint;
  /** `finalLsn` as text, formatted once: every change of the transaction carries it. */
  commitLsn: string;
  commitTime: string;
  origin?: string;
  /** Changes seen so far in this transaction (including skipped ones). */
  index: number;
  /** Changes already published by an earlier run (from `partial`). */
  skip: number;
}

// XLogLongPageHeaderData is 40 bytes (the short header, 24, is smaller).
const PAGE_HEADER_MAX = 40n;

const HEARTBEAT_MS = 10_000;

// How often an idle reader asks the server how far it has sent (a keepalive answers).
const PROBE_INTERVAL_MS = 100;

/**
 * One streaming session on a logical replication slot: opened at the start of a run, read in
 * batches, told what was published, closed at the end of the run.
 *
 * @example
 * const session = await CdcSession.open(options, checkpoint, logger);
 * const { changes, checkpoint: next } = await session.read(signal);
 * // ... publish, commit `next` ...
 * session.confirm(next);
 * await session.close();
 */
export class CdcSession {
  private readonly relations = new Map<number, RelationMessage>();
  /** The row-key columns of each relation, worked out once per Relation message, not per change. */
  private readonly keyNames = new Map<number, readonly string[]>();
  private tx?: OpenTransaction;
  /** End of the last transaction fully read (published or skipped). */
  private readEnd: bigint;
  /** `readEnd` as text: every change's checkpoint carries it, and it moves once per transaction. */
  private readEndText: string;
  /** Last LSN confirmed to the server. */
  private confirmed: bigint;
  private lastReceived = 0n;
  private closed = false;
  private lastProbe = 0;
  private readonly heartbeat: NodeJS.Timeout;

  private readonly client: pg.Client;
  private readonly stream: ReplicationStream;
  /** WAL insert position when the run started: reading up to it means caught up. */
  private readonly target: bigint;
  private readonly blockSize: bigint;
  /** Primary key columns by relation id, for the tables published when the session opened. */
  private readonly primaryKeys: Map<number, string[]>;

  private constructor(
    private readonly options: ParsedPostgresCdcOptions,
    opened: OpenedReplication,
    private readonly start: CdcCheckpoint,
    private readonly logger: Logger,
  ) {
    this.client = opened.client;
    this.stream = opened.stream;
    this.target = opened.target;
    this.blockSize = opened.blockSize;
    this.primaryKeys = opened.primaryKeys;
    this.readEnd = parseLsn(start.lsn);
    this.readEndText = formatLsn(this.readEnd);
    this.confirmed = this.readEnd;
    // While a batch is being published nobody reads the stream; a regular status update keeps
    // the server from ending the connection after wal_sender_timeout (60 s by default).
    this.heartbeat = setInterval(() => this.sendStatus(false), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Connects with `replication=database` and starts streaming after `from.lsn`. */
  static async open(options: ParsedPostgresCdcOptions, from: CdcCheckpoint, logger: Logger): Promise<CdcSession> {
    const opened = await openReplication(options, from.lsn);
    const session = new CdcSession(options, opened, from, logger);
    // Tell the server at once what an earlier run published, in case that run could not.
    session.sendStatus(false);
    logger.debug({ slot: options.slot, from: from.lsn, target: formatLsn(opened.target) }, 'replication started');
    return session;
  }

  /**
   * Reads until `maxBatchChanges` changes, `maxBatchWaitMs`, catching up (unless `follow`), or
   * the signal. Changes come in commit order; a transaction may be cut between two reads.
   */
  async read(signal: AbortSignal): Promise<ReadResult> {
    const changes: CapturedChange[] = [];
    const until = Date.now() + this.options.maxBatchWaitMs;
    let caughtUp = false;
    while (changes.length < this.options.maxBatchChanges && !signal.aborted) {
      if (!this.tx && this.reachedTarget() && !this.options.follow) {
        caughtUp = true;
        break;
      }
      const left = until - Date.now();
      if (left <= 0) break;
      let frame: ReplicationFrame | undefined;
      try {
        // Frames already received are taken without an await: a backlog arrives by the tens of
        // thousands per second, and a promise per frame showed in the profile of reading one.
        frame = this.stream.take() ?? (await this.stream.next(Math.min(left, PROBE_INTERVAL_MS)));
      } catch (err) {
        throw toConnectorError(err, `read the replication stream of slot "${this.options.slot}"`);
      }
      if (!frame) {
        this.probe();
        continue;
      }
      if (frame.walEnd > this.lastReceived) this.lastReceived = frame.walEnd;
      if (frame.type === 'keepalive') {
        // Everything before the server's send position has been sent to us; with no transaction
        // open and all of it handled, that position is safe to treat as read.
        if (!this.tx && frame.walEnd > this.readEnd) this.advanceReadEnd(frame.walEnd);
        if (frame.replyRequested) this.sendStatus(false);
        continue;
      }
      const message = decodePgOutput(frame.data);
      this.handle(message, frame.walStart, changes);
    }
    return { changes, checkpoint: this.checkpoint(), caughtUp };
  }

  /**
   * Read everything up to the start-of-run insert position. A record that ends exactly at a WAL
   * page boundary ends *before* that page's header, while the insert position points *after*
   * it: within one page header of a boundary counts as reached.
   */
  private reachedTarget(): boolean {
    if (this.readEnd >= this.target) return true;
    return this.readEnd % this.blockSize === 0n && this.target - this.readEnd <= PAGE_HEADER_MAX;
  }

  private advanceReadEnd(lsn: bigint): void {
    this.readEnd = lsn;
    this.readEndText = formatLsn(lsn);
  }

  /**
   * The columns of a row key: the primary key when known, else the replica identity columns
   * (none for REPLICA IDENTITY FULL, where every column is flagged). A primary key that no longer
   * matches the relation's columns (altered mid-stream) is ignored.
   */
  private rowKey(relation: RelationMessage): readonly string[] {
    let names = this.keyNames.get(relation.relationId);
    if (!names) {
      const pk = this.primaryKeys.get(relation.relationId);
      const pkHolds = pk !== undefined && pk.every((name) => relation.columns.some((c) => c.name === name));
      names = pkHolds ? pk : relation.replicaIdentity === 'f' ? [] : relation.columns.filter((c) => c.isKey).map((c) => c.name);
      this.keyNames.set(relation.relationId, names);
    }
    return names;
  }

  private handle(message: PgOutputMessage, walStart: bigint, out: CapturedChange[]): void {
    switch (message.tag) {
      case 'begin': {
        const partial = this.start.partial;
        const samePartial = partial !== undefined && parseLsn(partial.finalLsn) === message.finalLsn && partial.xid === message.xid;
        this.tx = {
          xid: message.xid,
          finalLsn: message.finalLsn,
          commitLsn: formatLsn(message.finalLsn),
          commitTime: pgTimestampToIso(message.commitTime),
          index: 0,
          // A transaction that ended before the start point was published by an earlier run.
          skip: message.finalLsn < parseLsn(this.start.lsn) ? Number.MAX_SAFE_INTEGER : samePartial ? partial.changes : 0,
        };
        return;
      }
      case 'commit':
        this.tx = undefined;
        if (message.endLsn > this.readEnd) this.advanceReadEnd(message.endLsn);
        return;
      case 'origin':
        if (this.tx) this.tx.origin = message.name;
        return;
      case 'relation':
        // Sent before the first change of a table in a session and again after its schema
        // changed: always replacing the entry is what picks up ALTER TABLE mid-stream.
        this.relations.set(message.relationId, message);
        this.keyNames.delete(message.relationId);
        return;
      case 'type':
      case 'message':
        return;
      case 'truncate':
        for (const relationId of message.relationIds) {
          this.emit(relationId, walStart, out, (relation) => ({
            op: 'truncate',
            key: null,
            before: null,
            after: null,
            cascade: message.cascade,
            restartIdentity: message.restartIdentity,
          }));
        }
        return;
      case 'insert':
        this.emit(message.relationId, walStart, out, (relation) => {
          const after = decodeTuple(relation, message.newTuple);
          return { op: 'insert', key: keyOf(relation, after, this.rowKey(relation)), before: null, after };
        });
        return;
      case 'update':
        this.emit(message.relationId, walStart, out, (relation) => {
          const after = decodeTuple(relation, message.newTuple);
          const before: Row | null = message.oldTuple ? decodeTuple(relation, message.oldTuple, message.oldKind === 'K') : null;
          return { op: 'update', key: keyOf(relation, after, this.rowKey(relation)) ?? keyOf(relation, before, this.rowKey(relation)), before, after };
        });
        return;
      case 'delete':
        this.emit(message.relationId, walStart, out, (relation) => {
          const before = decodeTuple(relation, message.oldTuple, message.oldKind === 'K');
          return { op: 'delete', key: keyOf(relation, before, this.rowKey(relation)), before, after: null };
        });
        return;
    }
  }

  private emit(relationId: number, walStart: bigint, out: CapturedChange[], build: (relation: RelationMessage) => ChangeBody): void {
    const tx = this.tx;
    if (!tx) throw new FatalError('replication stream sent a change outside a transaction');
    const relation = this.relations.get(relationId);
    if (!relation) throw new FatalError(`replication stream sent a change for unknown relation ${relationId}`);
    tx.index++;
    if (tx.index <= tx.skip) return;
    // Completed in place rather than spread into a new object: this runs for every change, and
    // the fields land in the same order either way.
    const event = build(relation) as ChangeEvent;
    event.schema = relation.schema;
    event.table = relation.table;
    event.lsn = formatLsn(walStart);
    event.commitLsn = tx.commitLsn;
    event.commitTime = tx.commitTime;
    event.xid = tx.xid;
    if (tx.origin !== undefined) event.origin = tx.origin;
    out.push({ event, id: `${tx.commitLsn}:${tx.index}`, checkpoint: this.checkpoint() });
  }

  /** The checkpoint covering everything read so far. */
  private checkpoint(): CdcCheckpoint {
    const checkpoint: CdcCheckpoint = { lsn: this.readEndText };
    if (this.tx) checkpoint.partial = { finalLsn: this.tx.commitLsn, xid: this.tx.xid, changes: this.tx.index };
    return checkpoint;
  }

  /**
   * Tells PostgreSQL that everything up to `checkpoint.lsn` is safely published: the slot's
   * `confirmed_flush_lsn` moves there and the server may recycle that WAL. Call only after the
   * broker accepted every record up to the checkpoint (and the checkpoint was committed).
   */
  confirm(checkpoint: CdcCheckpoint): void {
    const lsn = parseLsn(checkpoint.lsn);
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus(false);
  }

  private sendStatus(replyRequested: boolean): void {
    if (this.closed) return;
    const written = this.lastReceived > this.confirmed ? this.lastReceived : this.confirmed;
    this.stream.sendStatus({ written, flushed: this.confirmed, replyRequested });
  }

  // Nothing arrived for a while: ask for a keepalive, which carries the server's send position.
  private probe(): void {
    const now = Date.now();
    if (now - this.lastProbe < PROBE_INTERVAL_MS) return;
    this.lastProbe = now;
    this.sendStatus(true);
  }

  /** The LSN last confirmed to the server. */
  get confirmedLsn(): string {
    return formatLsn(this.confirmed);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends streaming and the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.heartbeat);
    this.sendStatus(false);
    this.closed = true;
    await this.stream.stop().catch(() => undefined);
    await this.client.end().catch(() => undefined);
    this.logger.debug({ slot: this.options.slot, confirmed: formatLsn(this.confirmed) }, 'replication stopped');
  }
}

/** What a change message says by itself; the session adds the table and transaction fields. */
type ChangeBody = Pick<ChangeEvent, 'op' | 'key' | 'before' | 'after' | 'cascade' | 'restartIdentity'>;
