import pg from 'pg';
import { FatalError, RetryableError } from '../../../core/index.js';
import { clientConfig } from '../client-config.js';
import { describeTarget } from '../connection.js';
import { toConnectorError } from '../errors.js';
import { parseLsn } from './lsn.js';
import type { ParsedPostgresCdcOptions } from './options.js';
import { ReplicationStream } from './replication-stream.js';

/** A replication connection that is streaming, and what was learnt before it started. */
export interface OpenedReplication {
  client: pg.Client;
  stream: ReplicationStream;
  /** WAL insert position just before streaming started. */
  target: bigint;
  /** `wal_block_size`, to recognise a position just past a page header. */
  blockSize: bigint;
  /** Primary key columns by relation id (the tables published right now). */
  primaryKeys: Map<number, string[]>;
}

/**
 * Opens a connection with `replication=database` and runs START_REPLICATION from `fromLsn`
 * (pgoutput, protocol 1). Refusals are turned into errors that name what is missing.
 */
export async function openReplication(options: ParsedPostgresCdcOptions, fromLsn: string): Promise<OpenedReplication> {
  const target = describeTarget(options.connectionString);
  const client = new pg.Client(clientConfig(options, { replication: 'database' } as Partial<pg.ClientConfig>));
  try {
    await client.connect();
  } catch (err) {
    if ((err as { code?: string }).code === '42501') {
      throw new FatalError(
        `cannot open a replication connection to ${target}: the role needs the REPLICATION attribute ` +
          `(ALTER ROLE <role> WITH REPLICATION), or use the polling source`,
        { cause: err },
      );
    }
    throw toConnectorError(err, `open a replication connection to ${target}`);
  }
  let failure: unknown;
  client.on('error', (err) => (failure ??= err));
  try {
    // The insert position, not the flush position: with synchronous_commit=off a commit is
    // visible before its WAL is flushed, and this run should still deliver it.
    const now = await client.query<{ lsn: string; block: number }>(
      `select pg_current_wal_insert_lsn()::text as lsn, current_setting('wal_block_size')::int as block`,
    );
    const primaryKeys = await loadPrimaryKeys(client, options.publication);
    const sql = `START_REPLICATION SLOT "${options.slot}" LOGICAL ${fromLsn} ` + `(proto_version '1', publication_names '${options.publication}')`;
    const stream = client.query(new ReplicationStream(sql));
    await stream.started;
    return { client, stream, target: parseLsn(now.rows[0]!.lsn), blockSize: BigInt(now.rows[0]!.block), primaryKeys };
  } catch (err) {
    await client.end().catch(() => undefined);
    const code = (err as { code?: string }).code;
    if (code === '55006') {
      throw new RetryableError(`replication slot "${options.slot}" is in use by another connection`, { cause: err });
    }
    if (code === '42704') {
      throw new FatalError(`replication slot "${options.slot}" or publication "${options.publication}" does not exist on ${target}`, { cause: err });
    }
    throw toConnectorError(failure ?? err, `start replication from slot "${options.slot}" on ${target}`);
  }
}

/**
 * Primary keys of the published tables. A replication connection speaks only the simple query
 * protocol, so the publication name (a checked identifier) is inlined.
 */
async function loadPrimaryKeys(client: pg.Client, publication: string): Promise<Map<number, string[]>> {
  const result = await client.query<{ relid: string; cols: string }>(
    `select i.indrelid::oid::text as relid, json_agg(a.attname order by k.ord)::text as cols
       from pg_index i
       cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indisprimary and i.indrelid in (
        select format('%I.%I', schemaname, tablename)::regclass from pg_publication_tables where pubname = '${publication}')
      group by i.indrelid`,
  );
  return new Map(result.rows.map((r) => [Number(r.relid), JSON.parse(r.cols) as string[]]));
}
