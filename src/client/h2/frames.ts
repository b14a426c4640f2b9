// HTTP/2 framing (RFC 9113 §4, §6): the frame types, flags, settings and error codes a gRPC
// client needs, and writers of the small control frames.

export const FRAME_HEADER_BYTES = 9;
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const enum FrameType {
  DATA = 0x0,
  HEADERS = 0x1,
  PRIORITY = 0x2,
  RST_STREAM = 0x3,
  SETTINGS = 0x4,
  PUSH_PROMISE = 0x5,
  PING = 0x6,
  GOAWAY = 0x7,
  WINDOW_UPDATE = 0x8,
  CONTINUATION = 0x9,
}

export const enum Flag {
  END_STREAM = 0x1,
  ACK = 0x1,
  END_HEADERS = 0x4,
  PADDED = 0x8,
  PRIORITY = 0x20,
}

export const enum Setting {
  HEADER_TABLE_SIZE = 0x1,
  ENABLE_PUSH = 0x2,
  MAX_CONCURRENT_STREAMS = 0x3,
  INITIAL_WINDOW_SIZE = 0x4,
  MAX_FRAME_SIZE = 0x5,
  MAX_HEADER_LIST_SIZE = 0x6,
}

export const enum ErrorCode {
  NO_ERROR = 0x0,
  PROTOCOL_ERROR = 0x1,
  INTERNAL_ERROR = 0x2,
  FLOW_CONTROL_ERROR = 0x3,
  SETTINGS_TIMEOUT = 0x4,
  STREAM_CLOSED = 0x5,
  FRAME_SIZE_ERROR = 0x6,
  REFUSED_STREAM = 0x7,
  CANCEL = 0x8,
  COMPRESSION_ERROR = 0x9,
  CONNECT_ERROR = 0xa,
  ENHANCE_YOUR_CALM = 0xb,
  INADEQUATE_SECURITY = 0xc,
  HTTP_1_1_REQUIRED = 0xd,
}

/** RFC 9113 §6.5.2 initial values, what a peer has until its SETTINGS say otherwise. */
export const DEFAULT_WINDOW = 65_535;
export const DEFAULT_MAX_FRAME = 16_384;
export const MAX_WINDOW = 2 ** 31 - 1;
export const MAX_STREAM_ID = 2 ** 31 - 1;

/** Writes a frame header at `offset`. */
export function writeFrameHeader(buf: Buffer, offset: number, length: number, type: number, flags: number, streamId: number): void {
  buf[offset] = (length >>> 16) & 0xff;
  buf[offset + 1] = (length >>> 8) & 0xff;
  buf[offset + 2] = length & 0xff;
  buf[offset + 3] = type;
  buf[offset + 4] = flags;
  buf.writeUInt32BE(streamId, offset + 5);
}

export function settingsFrame(settings: ReadonlyArray<readonly [Setting, number]>): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + settings.length * 6);
  writeFrameHeader(buf, 0, settings.length * 6, FrameType.SETTINGS, 0, 0);
  settings.forEach(([id, value], i) => {
    buf.writeUInt16BE(id, FRAME_HEADER_BYTES + i * 6);
    buf.writeUInt32BE(value, FRAME_HEADER_BYTES + i * 6 + 2);
  });
  return buf;
}

export const SETTINGS_ACK = (() => {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  writeFrameHeader(buf, 0, 0, FrameType.SETTINGS, Flag.ACK, 0);
  return buf;
})();

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  writeFrameHeader(buf, 0, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  buf.writeUInt32BE(increment, FRAME_HEADER_BYTES);
  return buf;
}

export function pingFrame(payload: Uint8Array, ack: boolean): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8);
  writeFrameHeader(buf, 0, 8, FrameType.PING, ack ? Flag.ACK : 0, 0);
  buf.set(payload.subarray(0, 8), FRAME_HEADER_BYTES);
  return buf;
}

export function rstStreamFrame(streamId: number, code: ErrorCode): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
  writeFrameHeader(buf, 0, 4, FrameType.RST_STREAM, 0, streamId);
  buf.writeUInt32BE(code, FRAME_HEADER_BYTES);
  return buf;
}

export function goawayFrame(lastStreamId: number, code: ErrorCode): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8);
  writeFrameHeader(buf, 0, 8, FrameType.GOAWAY, 0, 0);
  buf.writeUInt32BE(lastStreamId, FRAME_HEADER_BYTES);
  buf.writeUInt32BE(code, FRAME_HEADER_BYTES + 4);
  return buf;
}
