/**
 * Decoder of the `pgoutput` logical replication messages, protocol version 1, as documented in
 * the PostgreSQL manual ("Logical Replication Message Formats"). Each message is the payload of
 * one XLogData frame; integers are big-endian, strings are NUL-terminated UTF-8.
 */

/** One column of a relation as announced by a Relation message. */
export interface RelationColumn {
  name: string;
  typeOid: number;
  typeModifier: number;
  /** Part of the replica identity (normally the primary key). */
  isKey: boolean;
}

export interface RelationMessage {
  tag: 'relation';
  relationId: number;
  schema: string;
  table: string;
  /** `d` default (primary key), `n` nothing, `f` full, `i` index. */
  replicaIdentity: string;
  columns: RelationColumn[];
}

/** A column value as sent: SQL NULL, an unchanged TOASTed value that was not sent, or text/binary. */
export type TupleValue = { kind: 'null' } | { kind: 'unchanged-toast' } | { kind: 'text'; text: string } | { kind: 'binary'; bytes: Uint8Array };

export interface BeginMessage {
  tag: 'begin';
  finalLsn: bigint;
  commitTime: bigint;
  xid: number;
}
export interface CommitMessage {
  tag: 'commit';
  flags: number;
  commitLsn: bigint;
  endLsn: bigint;
  commitTime: bigint;
}
export interface OriginMessage {
  tag: 'origin';
  originLsn: bigint;
  name: string;
}
export interface TypeMessage {
  tag: 'type';
  typeOid: number;
  schema: string;
  name: string;
}
export interface InsertMessage {
  tag: 'insert';
  relationId: number;
  newTuple: TupleValue[];
}
export interface UpdateMessage {
  tag: 'update';
  relationId: number;
  /** `K`: only the replica identity columns changed; `O`: the whole old row (REPLICA IDENTITY FULL). */
  oldKind?: 'K' | 'O';
  oldTuple?: TupleValue[];
  newTuple: TupleValue[];
}
export interface DeleteMessage {
  tag: 'delete';
  relationId: number;
  oldKind: 'K' | 'O';
  oldTuple: TupleValue[];
}
export interface TruncateMessage {
  tag: 'truncate';
  cascade: boolean;
  restartIdentity: boolean;
  relationIds: number[];
}
export interface LogicalMessage {
  tag: 'message';
  transactional: boolean;
  lsn: bigint;
  prefix: string;
  content: Uint8Array;
}

export type PgOutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage;

/** Thrown for a message that does not follow the documented layout. */
export class PgOutputDecodeError extends Error {
  override readonly name = 'PgOutputDecodeError';
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A cursor over one message. Integers are read from the bytes directly: a reader is made for
 * every message of a replication stream, and a DataView per message was a measurable part of
 * reading a backlog.
 */
export class BinaryReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new PgOutputDecodeError(`message truncated: needs ${n} more bytes at offset ${this.offset}`);
    }
  }

  uint8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  char(): string {
    return String.fromCharCode(this.uint8());
  }

  int16(): number {
    this.need(2);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 2;
    return ((b[o]! << 24) | (b[o + 1]! << 16)) >> 16;
  }

  int32(): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }

  uint32(): number {
    return this.int32() >>> 0;
  }

  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  uint64(): bigint {
    const hi = this.uint32();
    const lo = this.uint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  cstring(): string {
    const end = this.bytes.indexOf(0, this.offset);
    if (end < 0) throw new PgOutputDecodeError(`unterminated string at offset ${this.offset}`);
    const text = decoder.decode(this.bytes.subarray(this.offset, end));
    this.offset = end + 1;
    return text;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const slice = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return slice;
  }

  rest(): Uint8Array {
    return this.take(this.remaining);
  }
}

function readTuple(r: BinaryReader): TupleValue[] {
  const count = r.int16();
  const values: TupleValue[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const kind = r.char();
    switch (kind) {
      case 'n':
        values[i] = { kind: 'null' };
        break;
      case 'u':
        values[i] = { kind: 'unchanged-toast' };
        break;
      case 't':
        values[i] = { kind: 'text', text: decoder.decode(r.take(r.int32())) };
        break;
      case 'b':
        values[i] = { kind: 'binary', bytes: r.take(r.int32()) };
        break;
      default:
        throw new PgOutputDecodeError(`unknown tuple column kind ${JSON.stringify(kind)}`);
    }
  }
  return values;
}

function readRelation(r: BinaryReader): RelationMessage {
  const relationId = r.uint32();
  const schema = r.cstring() || 'pg_catalog'; // an empty namespace means pg_catalog
  const table = r.cstring();
  const replicaIdentity = r.char();
  const count = r.int16();
  const columns: RelationColumn[] = [];
  for (let i = 0; i < count; i++) {
    const flags = r.uint8();
    const name = r.cstring();
    const typeOid = r.uint32();
    const typeModifier = r.int32();
    columns.push({ name, typeOid, typeModifier, isKey: (flags & 1) === 1 });
  }
  return { tag: 'relation', relationId, schema, table, replicaIdentity, columns };
}

function readOldKind(kind: string): 'K' | 'O' {
  if (kind === 'K' || kind === 'O') return kind;
  throw new PgOutputDecodeError(`expected old tuple marker K or O, got ${JSON.stringify(kind)}`);
}

/**
 * Decodes one pgoutput message (the XLogData payload).
 *
 * @example
 * const msg = decodePgOutput(frame.data);
 * if (msg.tag === 'insert') handleInsert(msg.relationId, msg.newTuple);
 */
export function decodePgOutput(bytes: Uint8Array): PgOutputMessage {
  const r = new BinaryReader(bytes);
  const tag = r.char();
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.uint64(), commitTime: r.int64(), xid: r.uint32() };
    case 'C':
      return { tag: 'commit', flags: r.uint8(), commitLsn: r.uint64(), endLsn: r.uint64(), commitTime: r.int64() };
    case 'O':
      return { tag: 'origin', originLsn: r.uint64(), name: r.cstring() };
    case 'R':
      return readRelation(r);
    case 'Y':
      return { tag: 'type', typeOid: r.uint32(), schema: r.cstring() || 'pg_catalog', name: r.cstring() };
    case 'I': {
      const relationId = r.uint32();
      const marker = r.char();
      if (marker !== 'N') throw new PgOutputDecodeError(`insert: expected N, got ${JSON.stringify(marker)}`);
      return { tag: 'insert', relationId, newTuple: readTuple(r) };
    }
    case 'U': {
      const relationId = r.uint32();
      let marker = r.char();
      const message: UpdateMessage = { tag: 'update', relationId, newTuple: [] };
      if (marker === 'K' || marker === 'O') {
        message.oldKind = marker;
        message.oldTuple = readTuple(r);
        marker = r.char();
      }
      if (marker !== 'N') throw new PgOutputDecodeError(`update: expected N, got ${JSON.stringify(marker)}`);
      message.newTuple = readTuple(r);
      return message;
    }
    case 'D': {
      const relationId = r.uint32();
      const oldKind = readOldKind(r.char());
      return { tag: 'delete', relationId, oldKind, oldTuple: readTuple(r) };
    }
    case 'T': {
      const count = r.int32();
      const options = r.uint8();
      const relationIds: number[] = [];
      for (let i = 0; i < count; i++) relationIds.push(r.uint32());
      return { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationIds };
    }
    case 'M': {
      const flags = r.uint8();
      const lsn = r.uint64();
      const prefix = r.cstring();
      const content = r.take(r.int32());
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content };
    }
    default:
      throw new PgOutputDecodeError(`unknown pgoutput message tag ${JSON.stringify(tag)}`);
  }
}
