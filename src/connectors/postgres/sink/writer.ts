import type pg from 'pg';
import { FatalError } from '../../../core/index.js';
import { quoteIdent, quoteTable } from '../connection.js';
import { isRowDataError, toConnectorError } from '../errors.js';
import type { MappedRow } from './mapping.js';
import type { ParsedPostgresSinkOptions } from './options.js';

/** A row PostgreSQL refused for its own values (constraint or data error). */
export interface RejectedRow {
  row: MappedRow;
  error: Error & { code?: string; constraint?: string; detail?: string };
}

/**
 * Builds and runs the multi-row INSERT of a sink. The fast path writes each chunk in one
 * statement; when PostgreSQL refuses a chunk for a row's values, the chunk is written again
 * inside savepoints, halving the failing part until the refused rows are found: they alone
 * fail, the others commit.
 */
export class RowWriter {
  private readonly statements = new Map<number, string>();
  private readonly columnCount: number;

  constructor(private readonly options: ParsedPostgresSinkOptions) {
    this.columnCount = options.columns.length + (options.idColumn ? 1 : 0);
  }

  /** The INSERT statement for `rows` rows (cached per row count). */
  statement(rows: number): string {
    let sql = this.statements.get(rows);
    if (sql) return sql;
    const o = this.options;
    const names = o.columns.map((c) => quoteIdent(c.column));
    const casts = o.columns.map((c) => c.type);
    if (o.idColumn) {
      names.push(quoteIdent(o.idColumn));
      casts.push('text');
    }
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const base = r * this.columnCount;
      tuples.push(`(${casts.map((cast, i) => `$${base + i + 1}::${cast}`).join(', ')})`);
    }
    sql = `insert into ${quoteTable(o.table)} (${names.join(', ')}) values ${tuples.join(', ')}`;
    if (o.mode === 'upsert') {
      const keys = new Set(o.conflictColumns);
      const updates = names.filter((_, i) => i >= o.columns.length || !keys.has(o.columns[i]!.column));
      sql +=
        ` on conflict (${o.conflictColumns.map(quoteIdent).join(', ')}) do ` +
        (updates.length ? `update set ${updates.map((n) => `${n} = excluded.${n}`).join(', ')}` : 'nothing');
    } else if (o.idColumn) {
      // Redelivery of a record already written: nothing happens, nothing is written twice.
      sql += ` on conflict (${quoteIdent(o.idColumn)}) do nothing`;
    }
    this.statements.set(rows, sql);
    return sql;
  }

  /** Splits rows into statement-sized chunks. */
  chunks(rows: MappedRow[]): MappedRow[][] {
    const out: MappedRow[][] = [];
    for (let i = 0; i < rows.length; i += this.options.maxRowsPerStatement) out.push(rows.slice(i, i + this.options.maxRowsPerStatement));
    return out;
  }

  private async insert(client: pg.PoolClient, rows: MappedRow[]): Promise<void> {
    await client.query(
      this.statement(rows.length),
      rows.flatMap((r) => r.values),
    );
  }

  /**
   * Writes rows; returns those PostgreSQL refused for their values. Anything else (connection
   * lost, missing table, missing unique index) throws, failing the whole batch.
   */
  async write(client: pg.PoolClient, rows: MappedRow[]): Promise<RejectedRow[]> {
    if (rows.length === 0) return [];
    const chunks = this.chunks(rows);
    try {
      if (chunks.length === 1) {
        await this.insert(client, chunks[0]!); // one statement is atomic by itself
        return [];
      }
      await client.query('begin');
      for (const chunk of chunks) await this.insert(client, chunk);
      await client.query('commit');
      return [];
    } catch (err) {
      if (chunks.length > 1) await client.query('rollback').catch(() => undefined);
      if (!isRowDataError(err)) throw this.wrap(err);
    }
    // Slow path: find the refused rows, commit the rest.
    const rejected: RejectedRow[] = [];
    try {
      await client.query('begin');
      for (const chunk of chunks) await this.bisect(client, chunk, rejected);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw this.wrap(err);
    }
    return rejected;
  }

  private async bisect(client: pg.PoolClient, rows: MappedRow[], rejected: RejectedRow[]): Promise<void> {
    await client.query('savepoint danube_rows');
    try {
      await this.insert(client, rows);
      await client.query('release savepoint danube_rows');
      return;
    } catch (err) {
      if (!isRowDataError(err)) throw err;
      await client.query('rollback to savepoint danube_rows');
      await client.query('release savepoint danube_rows');
      if (rows.length === 1) {
        rejected.push({ row: rows[0]!, error: err as RejectedRow['error'] });
        return;
      }
    }
    const half = Math.ceil(rows.length / 2);
    await this.bisect(client, rows.slice(0, half), rejected);
    await this.bisect(client, rows.slice(half), rejected);
  }

  private wrap(err: unknown): Error {
    const code = (err as { code?: string }).code;
    if (code === '42P10') {
      const columns = this.options.mode === 'upsert' ? this.options.conflictColumns.join(', ') : this.options.idColumn;
      return new FatalError(
        `table ${this.options.table} needs a unique index on (${columns}) for ON CONFLICT: ` +
          `CREATE UNIQUE INDEX ON ${quoteTable(this.options.table)} (${columns})`,
        { cause: err },
      );
    }
    return toConnectorError(err, `insert into ${this.options.table}`);
  }
}
