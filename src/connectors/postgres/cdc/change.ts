import { decodeText, type JsonValue } from '../values.js';
import type { RelationMessage, TupleValue } from './pgoutput.js';

/** Stands for a TOASTed column an UPDATE did not change: PostgreSQL did not send its value. */
export const UNCHANGED_TOAST = Object.freeze({ $unchangedToast: true as const });

export type ColumnValue = JsonValue | typeof UNCHANGED_TOAST;
export type Row = Record<string, ColumnValue>;

export type ChangeOperation = 'insert' | 'update' | 'delete' | 'truncate';

/**
 * One row change (or one truncated table) as published: the record payload of the CDC source.
 *
 * @example
 * { "op": "update", "schema": "public", "table": "orders",
 *   "key": { "id": 7 }, "before": null, "after": { "id": 7, "status": "paid" },
 *   "lsn": "0/1A2B3C8", "commitLsn": "0/1A2B400", "commitTime": "2026-11-22T07:38:24.123456Z", "xid": 771 }
 */
export interface ChangeEvent {
  op: ChangeOperation;
  schema: string;
  table: string;
  /** Replica identity (primary key) values; null when the table has none or for a truncate. */
  key: Record<string, JsonValue> | null;
  /**
   * The row before: all columns with REPLICA IDENTITY FULL, only the key columns for a delete
   * (or a key-changing update) otherwise, null when PostgreSQL sent no old row.
   */
  before: Row | null;
  /** The row after an insert or update; null for delete and truncate. */
  after: Row | null;
  /** WAL position of this change. */
  lsn: string;
  /** WAL position of the transaction's commit record. */
  commitLsn: string;
  /** Commit time, ISO-8601 UTC with microseconds. */
  commitTime: string;
  xid: number;
  /** Replication origin, when the transaction was itself replicated from elsewhere. */
  origin?: string;
  /** Truncate options. */
  cascade?: boolean;
  restartIdentity?: boolean;
}

/**
 * Decodes a tuple against its relation; extra columns of an outdated relation are named by
 * position. With `keyOnly` (an old tuple of kind `K`), PostgreSQL sends every column but only
 * the key ones carry values, so only those are kept.
 */
export function decodeTuple(relation: RelationMessage, tuple: TupleValue[], keyOnly = false): Row {
  const row: Row = {};
  for (let i = 0; i < tuple.length; i++) {
    const column = relation.columns[i];
    if (keyOnly && !column?.isKey) continue;
    const name = column?.name ?? `column_${i + 1}`;
    const value = tuple[i]!;
    switch (value.kind) {
      case 'null':
        row[name] = null;
        break;
      case 'unchanged-toast':
        row[name] = UNCHANGED_TOAST;
        break;
      case 'text':
        row[name] = column ? decodeText(column.typeOid, value.text) : value.text;
        break;
      case 'binary':
        row[name] = Buffer.from(value.bytes).toString('base64');
        break;
    }
  }
  return row;
}

/**
 * The key of a row: its primary key columns when known, else the replica identity columns.
 * With REPLICA IDENTITY FULL every column is flagged as identity, so without a known primary
 * key such a table has no row key (null: changes are keyed by table).
 */
export function keyOf(relation: RelationMessage, row: Row | null, primaryKey?: readonly string[]): Record<string, JsonValue> | null {
  if (!row) return null;
  const names = primaryKey ?? (relation.replicaIdentity === 'f' ? [] : relation.columns.filter((c) => c.isKey).map((c) => c.name));
  if (names.length === 0) return null;
  const key: Record<string, JsonValue> = {};
  for (const name of names) {
    const value = row[name];
    if (value === undefined || (typeof value === 'object' && value !== null && '$unchangedToast' in value)) return null;
    key[name] = value as JsonValue;
  }
  return key;
}

/**
 * The routing key of a change: table plus key values, so all changes of one row go to one
 * partition in commit order (`public.orders:[7]`). A table without a key routes by table.
 */
export function routingKey(event: Pick<ChangeEvent, 'schema' | 'table' | 'key'>): string {
  const table = `${event.schema}.${event.table}`;
  return event.key ? `${table}:${JSON.stringify(Object.values(event.key))}` : table;
}
