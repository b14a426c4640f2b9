import { FatalError, InvalidRecordError, RetryableError, type ConnectorError } from '../../core/index.js';

/** The fields of a PostgreSQL error the `pg` driver exposes. */
interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

function pgCode(err: unknown): string | undefined {
  const code = (err as PgErrorLike | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Network-level failures: the server is down, unreachable or went away.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/** True for a constraint or data error caused by one row's values (SQLSTATE classes 22 and 23). */
export function isRowDataError(err: unknown): boolean {
  const code = pgCode(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Wraps an error from PostgreSQL once, where it enters, as the connector error a runner acts on:
 * unreachable server, lost connection, serialization failures and server shutdown are retryable;
 * missing privileges, objects or authentication are fatal; everything else unknown is retryable
 * (a later run may well succeed), so nothing is skipped silently.
 *
 * @example
 * try { await pool.query(sql) } catch (err) { throw toConnectorError(err, 'insert into orders') }
 */
export function toConnectorError(err: unknown, doing: string, where?: string): ConnectorError {
  if (err instanceof FatalError || err instanceof RetryableError || err instanceof InvalidRecordError) return err;
  const code = pgCode(err);
  const at = where ? ` (${where})` : '';
  const text = `${doing}${at}: ${message(err)}`;
  if (code && NETWORK_CODES.has(code)) {
    return new RetryableError(`PostgreSQL unreachable while trying to ${text}`, { cause: err });
  }
  if (/timeout|Connection terminated/i.test(message(err)) && !code) {
    return new RetryableError(`PostgreSQL connection failed while trying to ${text}`, { cause: err });
  }
  if (!code) return new RetryableError(`failed to ${text}`, { cause: err });
  if (code === '42501') return new FatalError(`permission denied: cannot ${text}`, { cause: err });
  if (code === '28000' || code === '28P01') return new FatalError(`authentication failed: cannot ${text}`, { cause: err });
  if (code === '3D000') return new FatalError(`database does not exist: cannot ${text}`, { cause: err });
  if (code === '42P01' || code === '42703' || code === '42704') return new FatalError(`missing object: cannot ${text}`, { cause: err });
  if (code.startsWith('42')) return new FatalError(`invalid statement: cannot ${text}`, { cause: err });
  // 40001 serialization, 40P01 deadlock, 57P01 admin shutdown, 53xxx resources, 08xxx connection.
  return new RetryableError(`failed to ${text}`, { cause: err });
}
