import { describe, expect, it } from 'vitest';
import { BinaryReader, decodePgOutput, PgOutputDecodeError } from '../../../../src/connectors/postgres/cdc/pgoutput.js';
import { encodeStandbyStatus, parseReplicationFrame } from '../../../../src/connectors/postgres/cdc/frames.js';
import { formatLsn, parseLsn, pgTimestampToIso } from '../../../../src/connectors/postgres/cdc/lsn.js';

/** Builds messages byte by byte, as the server lays them out (big-endian, NUL-terminated strings). */
class Bytes {
  private parts: Buffer[] = [];
  ch(c: string) {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  u8(n: number) {
    const b = Buffer.alloc(1);
    b.writeUInt8(n);
    this.parts.push(b);
    return this;
  }
  i16(n: number) {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  i32(n: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  u64(n: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    this.parts.push(b);
    return this;
  }
  str(s: string) {
    this.parts.push(Buffer.from(s + '\0', 'utf8'));
    return this;
  }
  text(s: string) {
    const t = Buffer.from(s, 'utf8');
    return this.ch('t').i32(t.length).raw(t);
  }
  raw(b: Buffer) {
    this.parts.push(b);
    return this;
  }
  get buf() {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

describe('pgoutput decoder', () => {
  it('decodes Begin, Commit, Origin and Type', () => {
    expect(decodePgOutput(new Bytes().ch('B').u64(0x16b374d848n).u64(1n).i32(771).buf)).toEqual({
      tag: 'begin',
      finalLsn: 0x16b374d848n,
      commitTime: 1n,
      xid: 771,
    });
    expect(decodePgOutput(new Bytes().ch('C').u8(0).u64(10n).u64(20n).u64(30n).buf)).toEqual({
      tag: 'commit',
      flags: 0,
      commitLsn: 10n,
      endLsn: 20n,
      commitTime: 30n,
    });
    expect(decodePgOutput(new Bytes().ch('O').u64(5n).str('east').buf)).toEqual({ tag: 'origin', originLsn: 5n, name: 'east' });
    expect(decodePgOutput(new Bytes().ch('Y').i32(16400).str('').str('mood').buf)).toEqual({ tag: 'type', typeOid: 16400, schema: 'pg_catalog', name: 'mood' });
  });

  it('decodes a Relation with key flags', () => {
    const msg = new Bytes().ch('R').i32(16385).str('public').str('orders').ch('d').i16(2).u8(1).str('id').i32(23).i32(-1).u8(0).str('note').i32(25).i32(-1).buf;
    expect(decodePgOutput(msg)).toEqual({
      tag: 'relation',
      relationId: 16385,
      schema: 'public',
      table: 'orders',
      replicaIdentity: 'd',
      columns: [
        { name: 'id', typeOid: 23, typeModifier: -1, isKey: true },
        { name: 'note', typeOid: 25, typeModifier: -1, isKey: false },
      ],
    });
  });

  it('decodes Insert, Update (with and without old tuple), Delete and Truncate tuples', () => {
    const insert = new Bytes().ch('I').i32(7).ch('N').i16(3).text('1').ch('n').ch('u').buf;
    expect(decodePgOutput(insert)).toEqual({
      tag: 'insert',
      relationId: 7,
      newTuple: [{ kind: 'text', text: '1' }, { kind: 'null' }, { kind: 'unchanged-toast' }],
    });
    const update = new Bytes().ch('U').i32(7).ch('K').i16(1).text('1').ch('N').i16(1).text('2').buf;
    expect(decodePgOutput(update)).toMatchObject({
      tag: 'update',
      oldKind: 'K',
      oldTuple: [{ kind: 'text', text: '1' }],
      newTuple: [{ kind: 'text', text: '2' }],
    });
    const plain = decodePgOutput(new Bytes().ch('U').i32(7).ch('N').i16(1).text('é').buf);
    expect(plain).toEqual({ tag: 'update', relationId: 7, newTuple: [{ kind: 'text', text: 'é' }] });
    expect(decodePgOutput(new Bytes().ch('D').i32(7).ch('O').i16(1).text('9').buf)).toMatchObject({ tag: 'delete', oldKind: 'O' });
    expect(decodePgOutput(new Bytes().ch('T').i32(2).u8(3).i32(7).i32(8).buf)).toEqual({
      tag: 'truncate',
      cascade: true,
      restartIdentity: true,
      relationIds: [7, 8],
    });
  });

  it('refuses truncated and unknown messages', () => {
    expect(() => decodePgOutput(new Bytes().ch('B').u64(1n).buf)).toThrow(PgOutputDecodeError);
    expect(() => decodePgOutput(new Bytes().ch('Z').buf)).toThrow(/unknown pgoutput message tag "Z"/);
    expect(() => decodePgOutput(new Bytes().ch('I').i32(1).ch('N').i16(1).ch('x').buf)).toThrow(/tuple column kind/);
  });
});

describe('BinaryReader', () => {
  it('reads big-endian integers at their extremes, signed and unsigned', () => {
    const b = Buffer.alloc(2 + 2 + 4 + 4 + 4 + 8 + 8 + 8 + 8);
    let o = b.writeInt16BE(-1, 0);
    o = b.writeInt16BE(32767, o);
    o = b.writeInt32BE(-2, o);
    o = b.writeInt32BE(2147483647, o);
    o = b.writeUInt32BE(0xffffffff, o);
    o = b.writeBigInt64BE(-3n, o);
    o = b.writeBigInt64BE(-(2n ** 63n), o);
    o = b.writeBigUInt64BE(2n ** 64n - 1n, o);
    b.writeBigUInt64BE(0x16b374d848n, o);
    const r = new BinaryReader(new Uint8Array(b));
    expect([r.int16(), r.int16(), r.int32(), r.int32(), r.uint32()]).toEqual([-1, 32767, -2, 2147483647, 0xffffffff]);
    expect([r.int64(), r.int64(), r.uint64(), r.uint64()]).toEqual([-3n, -(2n ** 63n), 2n ** 64n - 1n, 0x16b374d848n]);
    expect(r.remaining).toBe(0);
    expect(() => r.uint8()).toThrow(PgOutputDecodeError);
  });
});

describe('replication frames and LSNs', () => {
  it('parses XLogData and keepalive frames', () => {
    const data = parseReplicationFrame(new Bytes().ch('w').u64(1n).u64(2n).u64(3n).raw(Buffer.from('B')).buf);
    expect(data).toMatchObject({ type: 'xlogdata', walStart: 1n, walEnd: 2n, sendTime: 3n });
    expect(parseReplicationFrame(new Bytes().ch('k').u64(9n).u64(3n).u8(1).buf)).toEqual({ type: 'keepalive', walEnd: 9n, sendTime: 3n, replyRequested: true });
  });

  it('encodes a standby status update with flush = applied', () => {
    const buf = encodeStandbyStatus({ written: 0x20n, flushed: 0x10n, replyRequested: true, nowMs: Date.UTC(2000, 0, 1) + 1 });
    expect(buf.length).toBe(34);
    expect(buf.toString('latin1', 0, 1)).toBe('r');
    expect(buf.readBigUInt64BE(1)).toBe(0x20n);
    expect(buf.readBigUInt64BE(9)).toBe(0x10n);
    expect(buf.readBigUInt64BE(17)).toBe(0x10n);
    expect(buf.readBigInt64BE(25)).toBe(1000n);
    expect(buf.readUInt8(33)).toBe(1);
  });

  it('round-trips LSN text and converts protocol timestamps', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(parseLsn('0/0'))).toBe('0/0');
    expect(() => parseLsn('nope')).toThrow(/not an LSN/);
    expect(pgTimestampToIso(1_500_123n)).toBe('2000-01-01T00:00:01.500123Z');
  });
});
