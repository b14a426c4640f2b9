import { InvalidRecordError, type SinkRecord } from '../../../core/index.js';
import type { ColumnMapping, ColumnType } from './options.js';

/** Reads one mapped value out of a record: `undefined` when the path finds nothing. */
export type ValueGetter = (record: SinkRecord, payload: () => unknown) => unknown;

/** `$.a.b[0]` / `a.b[0]` → `['a', 'b', 0]`; `$` → `[]`. */
export function parsePath(path: string): (string | number)[] {
  const body = path === '$' ? '' : path.startsWith('$.') ? path.slice(2) : path;
  const parts: (string | number)[] = [];
  for (const segment of body.split('.').filter((s) => s !== '')) {
    const match = /^([^[\]]*)((\[\d+\])*)$/.exec(segment);
    if (!match) throw new TypeError(`bad path segment ${JSON.stringify(segment)} in ${path}`);
    if (match[1]) parts.push(match[1]);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/** Compiles a mapping's `from` into a getter. */
export function compileGetter(from: string): ValueGetter {
  if (from.startsWith('@')) {
    const field = from.slice(1);
    if (field.startsWith('attributes.')) {
      const attribute = field.slice('attributes.'.length);
      return (record) => record.attributes[attribute];
    }
    switch (field) {
      case 'id':
        return (record) => record.id;
      case 'topic':
        return (record) => record.logicalTopic;
      case 'offset':
        return (record) => record.offset.toString();
      case 'publishTime':
        return (record) => new Date(record.publishTime).toISOString();
      case 'key':
        return (record) => record.routingKey;
      default:
        throw new TypeError(`unknown record field ${from}`);
    }
  }
  const parts = parsePath(from);
  return (_record, payload) => {
    let value: unknown = payload();
    for (const part of parts) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string | number, unknown>)[part];
    }
    return value;
  };
}

/**
 * The SQL parameter for a JSON value under a column type. Objects and arrays become JSON text
 * (pg would otherwise write a JavaScript array as a PostgreSQL array); `bytea` takes base64.
 */
export function toParameter(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  switch (type) {
    case 'json':
    case 'jsonb':
      return JSON.stringify(value);
    case 'bytea':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(JSON.stringify(value));
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      // Numbers are taken as milliseconds since the epoch, as Danube and JavaScript count time.
      return typeof value === 'number' ? new Date(value).toISOString() : String(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/** One record turned into the row values of the mapped columns (plus the id when configured). */
export interface MappedRow {
  record: SinkRecord;
  values: unknown[];
}

/**
 * Maps records to rows; a record that cannot be mapped (payload not JSON, a required value
 * missing) is an {@link InvalidRecordError} for that record alone.
 */
export function mapRecords(records: SinkRecord[], columns: Required<ColumnMapping>[], withId: boolean): { rows: MappedRow[]; invalid: InvalidRecordError[] } {
  const getters = columns.map((c) => compileGetter(c.from));
  const needsPayload = columns.some((c) => !c.from.startsWith('@'));
  const rows: MappedRow[] = [];
  const invalid: InvalidRecordError[] = [];
  for (const record of records) {
    try {
      let parsed: unknown;
      let ready = false;
      const payload = () => {
        if (!ready) {
          parsed = record.json();
          ready = true;
        }
        return parsed;
      };
      if (needsPayload) payload();
      const values = columns.map((column, i) => {
        // The whole payload into a json column: its text is already JSON, no need to re-encode.
        if (column.from === '$' && (column.type === 'json' || column.type === 'jsonb')) return record.text();
        const value = getters[i]!(record, payload);
        if ((value === undefined || value === null) && column.required) {
          throw new InvalidRecordError(`record ${record.id}: no value for required column ${column.column} (${column.from})`, { record });
        }
        return toParameter(value, column.type);
      });
      if (withId) values.push(record.id);
      rows.push({ record, values });
    } catch (err) {
      invalid.push(err instanceof InvalidRecordError ? err : new InvalidRecordError(`record ${record.id}: ${(err as Error).message}`, { record, cause: err }));
    }
  }
  return { rows, invalid };
}
