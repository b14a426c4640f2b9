import { BinaryReader, PgOutputDecodeError } from './pgoutput.js';
import { pgTimestampFromMs } from './lsn.js';

/**
 * The streaming-replication frames carried in CopyData messages once START_REPLICATION is
 * running (PostgreSQL manual, "Streaming Replication Protocol").
 */

/** `w`: a chunk of decoded WAL; `data` is one pgoutput message. */
export interface XLogDataFrame {
  type: 'xlogdata';
  /** WAL position of the change this message describes. */
  walStart: bigint;
  /** The server's current end of WAL. */
  walEnd: bigint;
  sendTime: bigint;
  data: Uint8Array;
}

/** `k`: the primary's keepalive; `walEnd` is what it has sent so far. */
export interface KeepaliveFrame {
  type: 'keepalive';
  walEnd: bigint;
  sendTime: bigint;
  replyRequested: boolean;
}

export type ReplicationFrame = XLogDataFrame | KeepaliveFrame;

/** Parses one CopyData payload from the server. */
export function parseReplicationFrame(chunk: Uint8Array): ReplicationFrame {
  const r = new BinaryReader(chunk);
  const kind = r.char();
  if (kind === 'w') {
    return { type: 'xlogdata', walStart: r.uint64(), walEnd: r.uint64(), sendTime: r.int64(), data: r.rest() };
  }
  if (kind === 'k') {
    return { type: 'keepalive', walEnd: r.uint64(), sendTime: r.int64(), replyRequested: r.uint8() === 1 };
  }
  throw new PgOutputDecodeError(`unknown replication frame ${JSON.stringify(kind)}`);
}

export interface StandbyStatus {
  /** Last WAL position received. */
  written: bigint;
  /**
   * Last position durably handled by the client. For a logical slot this becomes its
   * `confirmed_flush_lsn`: PostgreSQL never sends anything committed before it again.
   */
  flushed: bigint;
  /** Ask the server to answer at once with a keepalive (used to learn how far it has sent). */
  replyRequested?: boolean;
  nowMs?: number;
}

/** Encodes an `r` standby status update (34 bytes). */
export function encodeStandbyStatus(status: StandbyStatus): Buffer {
  const buf = Buffer.alloc(34);
  buf.write('r', 0, 'latin1');
  buf.writeBigUInt64BE(status.written, 1);
  buf.writeBigUInt64BE(status.flushed, 9);
  buf.writeBigUInt64BE(status.flushed, 17); // applied = flushed: a client has no separate apply step
  buf.writeBigInt64BE(pgTimestampFromMs(status.nowMs ?? Date.now()), 25);
  buf.writeUInt8(status.replyRequested ? 1 : 0, 33);
  return buf;
}
