import pg from 'pg';
import { FatalError, RetryableError, type Logger } from '../../../core/index.js';
import { clientConfig } from '../client-config.js';
import { describeTarget, quoteIdent, quoteTable } from '../connection.js';
import { toConnectorError } from '../errors.js';
import type { ParsedPostgresCdcOptions } from './options.js';

/** What the setup found out about the slot. */
export interface SlotState {
  /** The slot's `confirmed_flush_lsn` (`X/Y`), or undefined for a slot just created. */
  confirmedFlushLsn?: string;
  /** Backend pid of a connection that streams from the slot right now. */
  activePid?: number;
  created: boolean;
}

/**
 * Checks (and, where allowed, creates) what logical replication needs: `wal_level=logical`, the
 * publication, the slot. Every refusal names the grant or setting that is missing.
 */
export async function ensureReplicationSetup(options: ParsedPostgresCdcOptions, logger: Logger): Promise<SlotState> {
  const target = describeTarget(options.connectionString);
  const client = new pg.Client(clientConfig(options));
  try {
    await client.connect();
  } catch (err) {
    throw toConnectorError(err, `connect to PostgreSQL at ${target}`);
  }
  client.on('error', () => undefined); // a dropped idle connection surfaces on the next query
  try {
    const walLevel = (await client.query<{ wal_level: string }>('show wal_level')).rows[0]?.wal_level;
    if (walLevel !== 'logical') {
      throw new FatalError(
        `PostgreSQL at ${target} runs with wal_level=${walLevel}; change data capture needs wal_level=logical ` +
          `(ALTER SYSTEM SET wal_level = logical, then restart the server), or use the polling source`,
      );
    }
    await ensurePublication(client, options, target, logger);
    return await ensureSlot(client, options, target, logger);
  } catch (err) {
    throw toConnectorError(err, `prepare logical replication on ${target}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensurePublication(client: pg.Client, options: ParsedPostgresCdcOptions, target: string, logger: Logger): Promise<void> {
  const found = await client.query('select 1 from pg_publication where pubname = $1', [options.publication]);
  if (found.rowCount) return;
  const scope = options.tables ? `FOR TABLE ${options.tables.map((t) => quoteTable(t)).join(', ')}` : 'FOR ALL TABLES';
  const ddl = `CREATE PUBLICATION ${quoteIdent(options.publication)} ${scope}`;
  if (!options.createPublication) {
    throw new FatalError(
      `publication "${options.publication}" does not exist on ${target} and createPublication is false; ` + `an administrator can create it with: ${ddl}`,
    );
  }
  try {
    await client.query(ddl);
    logger.info({ publication: options.publication, scope }, 'created publication');
  } catch (err) {
    if ((err as { code?: string }).code === '42710') return; // created concurrently
    if ((err as { code?: string }).code === '42501') {
      const need = options.tables
        ? 'the CREATE privilege on the database and ownership of every listed table'
        : 'superuser (FOR ALL TABLES); or list the tables in "tables" and own them';
      throw new FatalError(
        `cannot create publication "${options.publication}" on ${target}: the role needs ${need}. ` + `Grant it, or have an administrator run: ${ddl}`,
        { cause: err },
      );
    }
    throw err;
  }
}

async function ensureSlot(client: pg.Client, options: ParsedPostgresCdcOptions, target: string, logger: Logger): Promise<SlotState> {
  const found = await client.query<{ plugin: string | null; database: string | null; confirmed: string | null; active_pid: number | null }>(
    `select plugin, database, confirmed_flush_lsn::text as confirmed, active_pid
       from pg_replication_slots where slot_name = $1`,
    [options.slot],
  );
  const slot = found.rows[0];
  if (slot) {
    if (slot.plugin !== 'pgoutput') {
      throw new FatalError(`replication slot "${options.slot}" on ${target} uses plugin ${slot.plugin ?? '(physical)'}, not pgoutput; pick another slot name`);
    }
    const db = (await client.query<{ db: string }>('select current_database() as db')).rows[0]?.db;
    if (slot.database !== db) {
      throw new FatalError(`replication slot "${options.slot}" belongs to database "${slot.database}", not "${db}"`);
    }
    const state: SlotState = { created: false };
    if (slot.confirmed) state.confirmedFlushLsn = slot.confirmed;
    if (slot.active_pid) state.activePid = slot.active_pid;
    return state;
  }
  const ddl = `SELECT pg_create_logical_replication_slot('${options.slot}', 'pgoutput')`;
  if (!options.createSlot) {
    throw new FatalError(`replication slot "${options.slot}" does not exist on ${target} and createSlot is false; an administrator can create it with: ${ddl}`);
  }
  try {
    const created = await client.query<{ lsn: string }>(`select lsn::text as lsn from pg_create_logical_replication_slot($1, 'pgoutput')`, [options.slot]);
    logger.info({ slot: options.slot, lsn: created.rows[0]?.lsn }, 'created replication slot');
    return { created: true, ...(created.rows[0] ? { confirmedFlushLsn: created.rows[0].lsn } : {}) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42710') return { created: false }; // created concurrently
    if (code === '42501') {
      throw new FatalError(
        `cannot create replication slot "${options.slot}" on ${target}: the role needs the REPLICATION attribute ` +
          `(ALTER ROLE <role> WITH REPLICATION), or an administrator can run: ${ddl}`,
        { cause: err },
      );
    }
    if (code === '53400') {
      throw new FatalError(`cannot create replication slot "${options.slot}" on ${target}: all replication slots are in use (raise max_replication_slots)`, {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Ends the connection that holds the slot. Only called while this run holds the source lease,
 * so the holder is a run that crashed or was frozen without closing its stream.
 */
export async function releaseActiveSlot(options: ParsedPostgresCdcOptions, pid: number, logger: Logger): Promise<void> {
  const client = new pg.Client(clientConfig(options));
  try {
    await client.connect();
    client.on('error', () => undefined);
    logger.warn({ slot: options.slot, pid }, 'replication slot held by a stale connection; ending it');
    await client.query('select pg_terminate_backend($1)', [pid]);
    // The slot is released when the old walsender has exited.
    for (let i = 0; i < 50; i++) {
      const res = await client.query('select active_pid from pg_replication_slots where slot_name = $1', [options.slot]);
      if (!res.rows[0]?.active_pid) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new RetryableError(`replication slot "${options.slot}" is still in use by pid ${pid}`);
  } catch (err) {
    if ((err as { code?: string }).code === '42501') {
      throw new RetryableError(
        `replication slot "${options.slot}" is held by pid ${pid} and this role may not end it ` +
          `(grant pg_signal_backend, or wait for wal_sender_timeout to free the slot)`,
        { cause: err },
      );
    }
    throw toConnectorError(err, `release replication slot "${options.slot}"`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
