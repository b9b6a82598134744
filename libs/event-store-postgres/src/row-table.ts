import type { PoolClient } from 'pg';

/** A read-model column's SQL type, as the kit converts it between a row object and the table. */
export type RowColumnType = 'text' | 'int' | 'bigint' | 'boolean' | 'jsonb' | 'date' | 'timestamptz';

/** `[row property, column, type]`; the first column is `tenant_id`, the second the row's key within its tenant. */
export type RowColumns<Row> = ReadonlyArray<readonly [keyof Row & string, string, RowColumnType]>;

/** A read-model table whose rows are plain objects: the SQL every service wrote by hand for its projections. */
export interface RowTable<Row> {
  /** `jsonb_build_object(…)` of a row in the shape `evolve` returns (dates `YYYY-MM-DD`, instants ISO with ms and Z). */
  readonly rowJson: string;
  /** The rows of the current tenant (RLS) with these keys, by key. */
  load(tx: PoolClient, keys: readonly string[]): Promise<ReadonlyMap<string, Row>>;
  /** Inserts or updates these rows in one statement (keyed on the first two columns). */
  save(tx: PoolClient, rows: readonly Row[]): Promise<void>;
  /** Deletes the current tenant's rows (RLS scopes it). */
  clear(tx: PoolClient): Promise<void>;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

function readBack(column: string, type: RowColumnType): string {
  if (type === 'date') return `to_char(${column}, 'YYYY-MM-DD')`;
  if (type === 'timestamptz') return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return column;
}

export function rowTable<Row extends { readonly tenantId: string }>(table: string, columns: RowColumns<Row>): RowTable<Row> {
  if (!IDENTIFIER.test(table)) throw new Error(`rowTable: ${table} is not a plain table name`);
  for (const [, column] of columns) if (!IDENTIFIER.test(column)) throw new Error(`rowTable ${table}: ${column} is not a plain column name`);
  if (columns.length < 2 || columns[0]![1] !== 'tenant_id') throw new Error(`rowTable ${table}: the first column is tenant_id, the second the row's key`);
  const [keyProperty, keyColumn] = columns[1]!;
  const rowJson = `jsonb_build_object(${columns.map(([property, column, type]) => `'${property}', ${readBack(column, type)}`).join(', ')})`;
  const upsert =
    `INSERT INTO ${table} (${columns.map(([, column]) => column).join(', ')})
     SELECT ${columns.map(([property]) => `r."${property}"`).join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS r(${columns.map(([property, , type]) => `"${property}" ${type}`).join(', ')})
     ON CONFLICT (tenant_id, ${keyColumn}) DO UPDATE SET ` +
    (columns.length > 2 ? columns.slice(2).map(([, column]) => `${column} = excluded.${column}`).join(', ') : `${keyColumn} = excluded.${keyColumn}`);
  const select = `SELECT ${rowJson} AS row FROM ${table} WHERE ${keyColumn} = ANY($1::text[])`;
  return {
    rowJson,
    async load(tx, keys) {
      const { rows } = await tx.query<{ row: Row }>(select, [keys]);
      return new Map(rows.map(({ row }) => [String(row[keyProperty]), row]));
    },
    async save(tx, rows) {
      if (rows.length > 0) await tx.query(upsert, [JSON.stringify(rows)]);
    },
    async clear(tx) {
      await tx.query(`DELETE FROM ${table}`);
    },
  };
}
