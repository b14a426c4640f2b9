/**
 * PostgreSQL log sequence numbers (LSN) and replication-protocol timestamps.
 *
 * An LSN is a 64-bit WAL position, written `X/Y` (upper and lower 32 bits in hex); it is kept
 * as a `bigint` here because positions pass 2^53 on long-lived servers.
 */

/** `'16/B374D848'` → `0x16B374D848n`; throws on anything else. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
  if (!match) throw new TypeError(`not an LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** `0x16B374D848n` → `'16/B374D848'` (PostgreSQL's own spelling). */
export function formatLsn(lsn: bigint): string {
  const hi = (lsn >> 32n) & 0xffffffffn;
  const lo = lsn & 0xffffffffn;
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}

// The replication protocol counts microseconds from 2000-01-01 00:00:00 UTC.
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const PG_EPOCH_US = BigInt(PG_EPOCH_MS) * 1000n;

/** Microseconds since the PostgreSQL epoch → ISO-8601 with microseconds (`2026-11-22T07:38:24.123456Z`). */
export function pgTimestampToIso(micros: bigint): string {
  const unixMicros = micros + PG_EPOCH_US;
  const ms = unixMicros / 1000n;
  const rest = Number(((unixMicros % 1000n) + 1000n) % 1000n);
  const iso = new Date(Number(ms)).toISOString(); // ...sss Z
  return `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** Microseconds since the PostgreSQL epoch for a wall-clock time in ms (for status updates). */
export function pgTimestampFromMs(ms: number): bigint {
  return (BigInt(Math.floor(ms)) - BigInt(PG_EPOCH_MS)) * 1000n;
}
