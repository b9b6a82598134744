import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';

/**
 * The TremplinSnapshotHorizonStalled alert's premise and its query, on a real PostgreSQL: a long read-only
 * transaction holds no transaction id (so it cannot hold pg_snapshot_xmin, what the event store reads below,
 * back), a writing one does and pins the horizon at or below its id, and the exporter query reports exactly the
 * second kind. The server is shared with other test files, so the query is run over this test's sessions only:
 * CTEs named like the catalog views it reads stand in for them.
 */
const queries = parse(readFileSync(join(__dirname, 'postgres-exporter-queries.yaml'), 'utf8')) as Record<string, { query: string }>;
const oldestXidQuery = queries['tremplin_pg_oldest_xid_transaction']!.query;

let db: TestDatabase;
const clients: Client[] = [];

async function connect(): Promise<Client> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  clients.push(client);
  return client;
}

const pid = async (client: Client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

beforeAll(async () => {
  db = await createTestDatabase('exporter_queries');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await db?.drop();
});

it('reports a writing transaction left open, and not a long read-only one', async () => {
  const [observer, reader, writer] = [await connect(), await connect(), await connect()];
  const pids = [await pid(reader), await pid(writer)];
  await observer.query('CREATE TABLE horizon_probe (id int)');
  const oldest = async () => {
    const scoped = `WITH pg_stat_activity AS (SELECT * FROM pg_catalog.pg_stat_activity WHERE pid = ANY($1::int[])),
      pg_prepared_xacts AS (SELECT * FROM pg_catalog.pg_prepared_xacts WHERE database = current_database()) ${oldestXidQuery}`;
    return Number((await observer.query<{ seconds: number }>(scoped, [pids])).rows[0]!.seconds);
  };
  const xidOf = async (sessionPid: number) =>
    (await observer.query<{ xid: string | null }>('SELECT backend_xid::text AS xid FROM pg_catalog.pg_stat_activity WHERE pid = $1', [sessionPid])).rows[0]!.xid;

  await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await reader.query('SELECT count(*) FROM horizon_probe');
  await reader.query('SELECT pg_sleep(1.1)');
  expect(await xidOf(pids[0]!)).toBeNull(); // nothing for the horizon to wait for
  expect(await oldest()).toBe(0);

  await writer.query('BEGIN');
  await writer.query('INSERT INTO horizon_probe VALUES (1)');
  const writerXid = await xidOf(pids[1]!);
  expect(writerXid).not.toBeNull();
  const { rows } = await observer.query<{ pinned: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) <= $1::text::xid8 AS pinned', [
    (await writer.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid,
  ]);
  expect(rows[0]!.pinned).toBe(true);
  await writer.query('SELECT pg_sleep(1.1)');
  expect(await oldest()).toBeGreaterThanOrEqual(1);

  await writer.query('COMMIT');
  await reader.query('COMMIT');
  expect(await oldest()).toBe(0);
});
