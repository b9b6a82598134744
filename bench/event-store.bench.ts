import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { Client, type Pool } from 'pg';
import { getPostgreSQLEventStore, postgreSQLEventStoreConsumer, type PostgresEventStore as EmmettStore } from '@event-driven-io/emmett-postgresql';
import type { NewEvent } from '@tremplin/event-sourcing';
import { eventStoreMigrations, PostgresEventStore, startSubscriber } from '@tremplin/event-store-postgres';
import { provisionDatabase } from '@tremplin/local-infra';
import { createPool, runMigrations } from '@tremplin/pg';
import type { BenchContext } from './run';

export const needsKafka = false;

// Sizes: chosen so the whole run stays within about ten minutes on a 2-core machine with fsync on.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WRITERS = 8;
const SINGLE_APPENDS_PER_WRITER = Number(process.env.BENCH_SINGLE_APPENDS ?? 200);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 30);
const BATCH_SIZE = 100;
const STREAM_LENGTH = 1000;
const READS_PER_ROUND = 10;
const LOG_SIZE = Number(process.env.BENCH_LOG_SIZE ?? 1_000_000);
const CATCH_UP_ROUNDS = 3;
// Emmett's consumer stores a checkpoint per message (about 5,000 events/s here): it reads a window of the same log.
const EMMETT_CATCH_UP_WINDOW = Number(process.env.BENCH_EMMETT_CATCH_UP_WINDOW ?? 50_000);
const POOL_SIZE = 10;

const NOTES = `## Reading the figures
- Targets: A, B, R >= 1.2, C >= 100,000 ev/s, G <= 1.2. Runs on this shared 2-core machine move by 10-30 % with the
  load from other work (see the load average above); compare ratios from one run, not across runs.
- Single appends are bound by the commit of each append (fsync on; 8 writers share group commit) and by the two
  cores that the server, Node and the other contenders share: this store sends one statement per append (no
  BEGIN/COMMIT round trips), Emmett sends its transaction in three.
- 100-event batches are bound by the server's insert. Profiled on 2026-11-24 (EXPLAIN ANALYZE of \`es.append\`,
  warm, analyzed table): 2.0 ms of server time per 100 events, of which the insert into the heap and its three
  indexes (stream key, (tenant, event id), (xid8, position)) is about 0.9 ms, parsing data and metadata into jsonb
  0.2-0.4 ms, the per-id idempotency probe 0.25 ms and the hash chain loop 0.15-0.3 ms; the client spends 0.11 ms
  canonicalising and about 0.3 ms parsing the returned rows. The raw column is a prepared
  \`INSERT … SELECT FROM unnest(…)\` of the same rows without any rule: the store's rules and hash chain now cost
  about what that floor costs. Before (es.append of migration 0001): 2.7-3.6 ms of server time and 0.45-0.5 ms of
  client work (the content sent twice, as JSON and again inside the escaped canonical text, and parsed twice).
- Reads are bound by transferring the rows and parsing their jsonb in the pg driver (the raw SELECT is the same).
- Catch-up runs at the speed of reading and parsing rows in Node (the plain keyset scan with default pg rows is
  about the same); the subscriber reads 10,000-event pages in (xid8, position) order, prefetches the next page on a
  second connection while the checkpoint commits, and commits one checkpoint per page. Emmett's consumer is bound
  by its reactor, which stores a checkpoint per message (one UPDATE per event in the page's transaction), and its
  log query has no index on (transaction_id, global_position), so each page sorts the whole table: it reads a
  window at the start of the same log, because the whole log would take several minutes per round.
- Not measured: Emmett's append cost at 1M events and the raw floor's growth.
- History: the run of 2026-11-24T21:03Z, before the append rework, gave append x1.31, batch x0.83, read x1.53,
  catch-up 110,238 ev/s (Emmett not measured), append at 1M / empty = 1.12, with a load average of 6.5 then 2.9.
`;

type Contender = 'ours' | 'emmett' | 'raw';
const CONTENDERS: Contender[] = ['ours', 'emmett', 'raw'];

const metadata = { correlationId: 'bench', actorId: 'user-1', role: 'social_worker', organisationId: 'ccas-1', occurredAt: '2026-01-05T10:00:00.000Z' };
const payload = (i: number) => ({ amountCents: 100_000 + i, purpose: 'mobility', beneficiaryId: 'b-0001', notes: 'repair of the car needed to keep a job' });
const newEvent = (i: number): NewEvent => ({ eventId: randomUUID(), type: 'LoanInstalmentPaid', schemaVersion: 1, data: payload(i), metadata });

interface Adapter {
  appendOne(streamId: string, version: number, i: number): Promise<void>;
  appendBatch(streamId: string, i: number): Promise<void>;
  readToState(streamId: string): Promise<number>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const rotate = <T>(items: T[], by: number) => items.map((_, i) => items[(i + by) % items.length]);
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

function oursAdapter(pool: Pool): Adapter {
  const store = new PostgresEventStore(pool);
  return {
    async appendOne(streamId, version, i) {
      await store.append({ tenantId: 'ccas-1', streamId }, [newEvent(i)], version === 0 ? 'no-stream' : version);
    },
    async appendBatch(streamId, i) {
      await store.append({ tenantId: 'ccas-1', streamId }, Array.from({ length: BATCH_SIZE }, (_, k) => newEvent(i + k)), 'no-stream');
    },
    async readToState(streamId) {
      const events = await store.readStream({ tenantId: 'ccas-1', streamId });
      return events.reduce((sum, e) => sum + (e.data as { amountCents: number }).amountCents, 0);
    },
  };
}

function emmettAdapter(store: EmmettStore): Adapter {
  type Paid = { type: 'LoanInstalmentPaid'; data: ReturnType<typeof payload>; metadata: typeof metadata };
  return {
    async appendOne(streamId, version, i) {
      await store.appendToStream<Paid>(streamId, [{ type: 'LoanInstalmentPaid', data: payload(i), metadata }], {
        expectedStreamVersion: version === 0 ? 'STREAM_DOES_NOT_EXIST' : BigInt(version),
      });
    },
    async appendBatch(streamId, i) {
      const events: Paid[] = Array.from({ length: BATCH_SIZE }, (_, k) => ({ type: 'LoanInstalmentPaid', data: payload(i + k), metadata }));
      await store.appendToStream<Paid>(streamId, events, { expectedStreamVersion: 'STREAM_DOES_NOT_EXIST' });
    },
    async readToState(streamId) {
      const result = await store.aggregateStream<number, Paid>(streamId, { initialState: () => 0, evolve: (sum: number, e: Paid) => sum + e.data.amountCents });
      return result.state;
    },
  };
}

// The floor: the same rows inserted with plain INSERTs and no rules at all (no version check, no chain).
function rawAdapter(pool: Pool): Adapter {
  const insert = `INSERT INTO raw_events (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
    SELECT 'ccas-1', $1, $2 + i, gen_random_uuid()::text, 'LoanInstalmentPaid', 1, $3::jsonb, $4::jsonb, now(), '', '' FROM generate_series(1, $5) i`;
  return {
    async appendOne(streamId, version, i) {
      await pool.query({ name: 'raw1', text: insert, values: [streamId, version, JSON.stringify(payload(i)), JSON.stringify(metadata), 1] });
    },
    async appendBatch(streamId, i) {
      const ids = Array.from({ length: BATCH_SIZE }, () => randomUUID());
      const data = Array.from({ length: BATCH_SIZE }, (_, k) => JSON.stringify(payload(i + k)));
      await pool.query({
        name: 'raw_batch',
        text: `INSERT INTO raw_events (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
          SELECT 'ccas-1', $1, v.n, v.e, 'LoanInstalmentPaid', 1, v.d::jsonb, $4::jsonb, now(), '', '' FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS v(e, d, n)`,
        values: [streamId, ids, data, JSON.stringify(metadata)],
      });
    },
    async readToState(streamId) {
      const result = await pool.query({ name: 'raw_read', text: 'SELECT * FROM raw_events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY stream_version', values: ['ccas-1', streamId] });
      return result.rows.reduce((sum, row: { data: { amountCents: number } }) => sum + row.data.amountCents, 0);
    },
  };
}

const database = (adminUrl: string, name: string) => provisionDatabase(adminUrl, name);

async function asOwner(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function singleAppends(adapter: Adapter): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const streamId = `loan-${run}-${w}`;
      for (let v = 0; v < SINGLE_APPENDS_PER_WRITER; v += 1) await adapter.appendOne(streamId, v, v);
    }),
  );
  return (WRITERS * SINGLE_APPENDS_PER_WRITER) / ((performance.now() - t0) / 1000);
}

async function batchAppends(adapter: Adapter): Promise<number> {
  const run = randomUUID().slice(0, 8);
  const t0 = performance.now();
  for (let b = 0; b < BATCHES; b += 1) await adapter.appendBatch(`loan-${run}-b${b}`, b * BATCH_SIZE);
  return (BATCHES * BATCH_SIZE) / ((performance.now() - t0) / 1000);
}

async function reads(adapter: Adapter, streamId: string): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < READS_PER_ROUND; r += 1) {
    const sum = await adapter.readToState(streamId);
    if (sum <= 0) throw new Error('read returned no state');
  }
  return (performance.now() - t0) / READS_PER_ROUND;
}

async function seedLog(ownerUrl: string, total: number, log: (line: string) => void): Promise<void> {
  const chunk = 100_000;
  const t0 = performance.now();
  for (let from = 0; from < total; from += chunk) {
    const to = Math.min(total, from + chunk) - 1;
    // 1,000 events per stream; each chunk is its own transaction (its own xid8), as many writers would be.
    await asOwner(
      ownerUrl,
      `INSERT INTO es.events (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
       SELECT 'ccas-' || (g % 7), 'loan-seed-' || (g / 1000), (g % 1000) + 1, md5(g::text || 'e'), 'LoanInstalmentPaid', 1,
              jsonb_build_object('amountCents', 100000 + g, 'purpose', 'mobility', 'beneficiaryId', 'b-0001', 'notes', 'repair of the car needed to keep a job'),
              '${JSON.stringify(metadata)}'::jsonb, now(), md5(g::text) || md5(g::text), md5(g::text || 'h') || md5(g::text || 'h')
         FROM generate_series(${from}, ${to}) g`,
    );
  }
  await asOwner(ownerUrl, 'VACUUM ANALYZE es.events');
  log(`seeded ${total.toLocaleString('en-US')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// The same generated log in Emmett's own tables, row for row as its appendToStream writes them (partition
// 'emt:default', kind 'E', the writer's xid8), one transaction per 100,000 rows.
async function seedEmmettLog(ownerUrl: string, total: number, log: (line: string) => void): Promise<void> {
  const chunk = 100_000;
  const t0 = performance.now();
  for (let from = 0; from < total; from += chunk) {
    const to = Math.min(total, from + chunk) - 1;
    await asOwner(
      ownerUrl,
      `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata, message_schema_version, message_type, message_id, transaction_id)
       SELECT 'loan-seed-' || (g / 1000), (g % 1000) + 1, 'emt:default', 'E',
              jsonb_build_object('amountCents', 100000 + g, 'purpose', 'mobility', 'beneficiaryId', 'b-0001', 'notes', 'repair of the car needed to keep a job'),
              '${JSON.stringify(metadata)}'::jsonb, '1', 'LoanInstalmentPaid', md5(g::text || 'e'), pg_current_xact_id()
         FROM generate_series(${from}, ${to}) g`,
    );
  }
  await asOwner(
    ownerUrl,
    `INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata)
     SELECT 'loan-seed-' || s, 1000, 'emt:default', 'loan', '{}' FROM generate_series(0, ${Math.ceil(total / 1000) - 1}) s`,
  );
  await asOwner(ownerUrl, 'VACUUM ANALYZE emt_messages');
  log(`seeded ${total.toLocaleString('en-US')} events into Emmett's tables in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// Emmett's documented catch-up path: postgreSQLEventStoreConsumer + a reactor (checkpoint per message), 10,000-event
// pulls with no pause between full pages, from the beginning of the log until `window` events were handled.
async function emmettCatchUp(connectionString: string, name: string, window: number): Promise<number> {
  let count = 0;
  let lastAt = 0;
  const consumer = postgreSQLEventStoreConsumer({ connectionString, pulling: { batchSize: 10_000, pullingFrequencyInMs: 0 }, stopWhen: { noMessagesLeft: true } });
  consumer.reactor({
    processorId: name,
    startFrom: 'BEGINNING',
    eachMessage: async () => {
      count += 1;
      lastAt = performance.now();
    },
    stopAfter: () => count >= window,
  });
  const t0 = performance.now();
  await consumer.start();
  await consumer.close();
  if (count !== window) throw new Error(`emmett catch-up handled ${count} events, expected ${window}`);
  return count / ((lastAt - t0) / 1000);
}

async function catchUp(pool: Pool, name: string, expected: number): Promise<number> {
  let count = 0;
  const t0 = performance.now();
  const subscriber = startSubscriber(pool, {
    name,
    batchSize: 10_000,
    pollIntervalMs: 5,
    handle: async (events) => {
      count += events.length;
    },
  });
  await subscriber.caughtUp();
  const seconds = (performance.now() - t0) / 1000;
  await subscriber.stop();
  if (count !== expected) throw new Error(`catch-up delivered ${count} events, expected ${expected}`);
  return count / seconds;
}

async function rawScan(pool: Pool, expected: number): Promise<number> {
  let count = 0;
  let after = ['0', '0'];
  const t0 = performance.now();
  // The same keyset walk of the same index, without the snapshot rule, checkpoints or prefetching; default pg rows.
  for (;;) {
    const page = await pool.query({
      name: 'raw_scan',
      text: 'SELECT * FROM es.events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, global_position LIMIT 10000',
      values: after,
    });
    if (page.rows.length === 0) break;
    count += page.rows.length;
    const last = page.rows[page.rows.length - 1];
    after = [last.transaction_id, last.global_position];
  }
  if (count !== expected) throw new Error(`raw scan read ${count}`);
  return count / ((performance.now() - t0) / 1000);
}

export async function run({ postgresAdminUrl, log }: BenchContext): Promise<void> {
  const suffix = randomUUID().slice(0, 6);
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const oursDb = await database(postgresAdminUrl, `bench_es_ours_${suffix}`);
  const bigDb = await database(postgresAdminUrl, `bench_es_big_${suffix}`);
  const emptyDb = await database(postgresAdminUrl, `bench_es_empty_${suffix}`);
  const emmettDb = await database(postgresAdminUrl, `bench_es_emmett_${suffix}`);
  const emmettBigDb = await database(postgresAdminUrl, `bench_es_emmett_big_${suffix}`);
  const rawDb = await database(postgresAdminUrl, `bench_es_raw_${suffix}`);
  await runMigrations(oursDb.ownerUrl, [eventStoreMigrations]);
  await runMigrations(bigDb.ownerUrl, [eventStoreMigrations]);
  await runMigrations(emptyDb.ownerUrl, [eventStoreMigrations]);
  await asOwner(rawDb.ownerUrl, `CREATE TABLE raw_events (
      global_position bigint GENERATED ALWAYS AS IDENTITY, transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      tenant_id text NOT NULL, stream_id text NOT NULL, stream_version integer NOT NULL, event_id text NOT NULL, type text NOT NULL,
      schema_version integer NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL,
      previous_hash text NOT NULL, hash text NOT NULL, PRIMARY KEY (tenant_id, stream_id, stream_version), UNIQUE (tenant_id, event_id));
    CREATE INDEX ON raw_events (transaction_id, global_position);`);

  const oursPool = createPool(oursDb.appUrl, { max: POOL_SIZE });
  const bigPool = createPool(bigDb.appUrl, { max: POOL_SIZE });
  const rawPool = createPool(rawDb.ownerUrl, { max: POOL_SIZE });
  const emmettPool = createPool(emmettDb.ownerUrl, { max: POOL_SIZE });
  const emmett = getPostgreSQLEventStore(emmettDb.ownerUrl, { connectionOptions: { pool: emmettPool } });
  await emmett.schema.migrate();

  const adapters: Record<Contender, Adapter> = { ours: oursAdapter(oursPool), emmett: emmettAdapter(emmett), raw: rawAdapter(rawPool) };
  const results: Record<string, Record<Contender, number[]>> = {};
  const record = (scenario: string, who: Contender, value: number) => {
    results[scenario] ??= { ours: [], emmett: [], raw: [] };
    results[scenario][who].push(value);
  };

  // Warm-up (prepared statements, caches), then the long streams that the read scenario folds.
  const readStream = `loan-read-${suffix}`;
  for (const who of CONTENDERS) {
    await singleAppends(adapters[who]);
    await batchAppends(adapters[who]);
  }
  for (const who of CONTENDERS) {
    if (who === 'raw') {
      for (let b = 0; b < STREAM_LENGTH / BATCH_SIZE; b += 1) {
        await rawPool.query(`INSERT INTO raw_events (tenant_id, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
          SELECT 'ccas-1', $1, $2 + i, gen_random_uuid()::text, 'LoanInstalmentPaid', 1, $3::jsonb, $4::jsonb, now(), '', '' FROM generate_series(1, $5) i`,
        [readStream, b * BATCH_SIZE, JSON.stringify(payload(b)), JSON.stringify(metadata), BATCH_SIZE]);
      }
    } else if (who === 'ours') {
      const store = new PostgresEventStore(oursPool);
      for (let b = 0; b < STREAM_LENGTH / BATCH_SIZE; b += 1) {
        await store.append({ tenantId: 'ccas-1', streamId: readStream }, Array.from({ length: BATCH_SIZE }, (_, k) => newEvent(b * BATCH_SIZE + k)), b === 0 ? 'no-stream' : b * BATCH_SIZE);
      }
    } else {
      for (let b = 0; b < STREAM_LENGTH / BATCH_SIZE; b += 1) {
        await emmett.appendToStream(readStream, Array.from({ length: BATCH_SIZE }, (_, k) => ({ type: 'LoanInstalmentPaid', data: payload(b * BATCH_SIZE + k), metadata })));
      }
    }
    await reads(adapters[who], readStream);
  }

  for (let round = 0; round < ROUNDS; round += 1) {
    for (const who of rotate(CONTENDERS, round)) record('single appends, 8 writers (events/s)', who, await singleAppends(adapters[who]));
    for (const who of rotate(CONTENDERS, round)) record('100-event batch appends (events/s)', who, await batchAppends(adapters[who]));
    for (const who of rotate(CONTENDERS, round)) record('read 1,000-event stream into state (ms)', who, await reads(adapters[who], readStream));
    log(`round ${round + 1}/${ROUNDS} done (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }

  // Growth: the same single-append load on an empty store and on one holding the seeded log.
  await seedLog(bigDb.ownerUrl, LOG_SIZE, log);
  const emptyPool = createPool(emptyDb.appUrl, { max: POOL_SIZE });
  const emptyAdapter = oursAdapter(emptyPool);
  const bigAdapter = oursAdapter(bigPool);
  await singleAppends(bigAdapter);
  const growth = { empty: [] as number[], big: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 ? (['big', 'empty'] as const) : (['empty', 'big'] as const);
    for (const which of order) growth[which].push(await singleAppends(which === 'big' ? bigAdapter : emptyAdapter));
  }
  const logEvents = Number((await bigPool.query('SELECT count(*) AS n FROM es.events')).rows[0].n);

  const emmettBig = getPostgreSQLEventStore(emmettBigDb.ownerUrl);
  await emmettBig.schema.migrate();
  await emmettBig.close();
  await seedEmmettLog(emmettBigDb.ownerUrl, LOG_SIZE, log);
  const emmettWindow = Math.min(EMMETT_CATCH_UP_WINDOW, LOG_SIZE);
  // The two seeds leave gigabytes of WAL and dirty pages: flush them now, not during the measured catch-ups.
  await asOwner(postgresAdminUrl, 'CHECKPOINT');

  const catchUps: number[] = [];
  const scans: number[] = [];
  const emmettCatchUps: number[] = [];
  for (let round = 0; round < CATCH_UP_ROUNDS; round += 1) {
    catchUps.push(await catchUp(bigPool, `bench-catch-up-${round}`, logEvents));
    emmettCatchUps.push(await emmettCatchUp(emmettBigDb.ownerUrl, `bench-catch-up-${round}`, emmettWindow));
    scans.push(await rawScan(bigPool, logEvents));
    log(`catch-up round ${round + 1}/${CATCH_UP_ROUNDS}: ${fmt(catchUps[round])} ev/s (emmett ${fmt(emmettCatchUps[round])} ev/s, raw scan ${fmt(scans[round])} rows/s)`);
  }

  const m = (scenario: string, who: Contender) => median(results[scenario][who]);
  const A = m('single appends, 8 writers (events/s)', 'ours') / m('single appends, 8 writers (events/s)', 'emmett');
  const B = m('100-event batch appends (events/s)', 'ours') / m('100-event batch appends (events/s)', 'emmett');
  const R = m('read 1,000-event stream into state (ms)', 'emmett') / m('read 1,000-event stream into state (ms)', 'ours');
  const C = median(catchUps);
  const G = median(growth.empty) / median(growth.big);

  const rows = [
    '| scenario (median of rounds) | this store | emmett-postgresql 0.42.0 | raw pg INSERT/SELECT | this / emmett |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.keys(results).map((scenario) => {
      const ratio = scenario.includes('(ms)') ? m(scenario, 'emmett') / m(scenario, 'ours') : m(scenario, 'ours') / m(scenario, 'emmett');
      return `| ${scenario} | ${fmt(m(scenario, 'ours'))} | ${fmt(m(scenario, 'emmett'))} | ${fmt(m(scenario, 'raw'))} | x${ratio.toFixed(2)} |`;
    }),
    `| catch-up of ${logEvents.toLocaleString('en-US')} events through a subscriber (events/s) | ${fmt(C)} | ${fmt(median(emmettCatchUps))} (first ${emmettWindow.toLocaleString('en-US')} events of a ${LOG_SIZE.toLocaleString('en-US')}-event log) | ${fmt(median(scans))} (plain keyset scan) | x${(C / median(emmettCatchUps)).toFixed(1)} |`,
    `| single appends, 8 writers, empty store (events/s) | ${fmt(median(growth.empty))} | | | |`,
    `| single appends, 8 writers, ${logEvents.toLocaleString('en-US')} events stored (events/s) | ${fmt(median(growth.big))} | | | |`,
  ];
  const line = `event-store: append x${A.toFixed(2)} emmett, batch x${B.toFixed(2)} emmett, read x${R.toFixed(2)} emmett, catch-up ${Math.round(C)} ev/s, append at 1M / empty = ${G.toFixed(2)}`;
  for (const row of rows) log(row);

  const pgVersion = (await oursPool.query('SHOW server_version')).rows[0].server_version as string;
  const settings = (await oursPool.query(`SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')`)).rows
    .map((r: { name: string; setting: string }) => `${r.name}=${r.setting}`)
    .join(', ');
  const doc = [
    '# Event store benchmark',
    '',
    `Run: \`npm run bench -- event-store\` on ${new Date().toISOString()}, ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}; 1-minute load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0].toFixed(1)} at the end (other work on the machine competes for the same cores).`,
    `Server: embedded PostgreSQL ${pgVersion} (${settings}), one server for all contenders, each in its own database, pools of ${POOL_SIZE} connections.`,
    `Method: ${ROUNDS} rounds, contenders interleaved and their order rotated each round, medians reported. Single appends: ${WRITERS} writers × ${SINGLE_APPENDS_PER_WRITER} appends of one event to their own stream with an exact expected version. Batches: ${BATCHES} appends of ${BATCH_SIZE} events to new streams. Reads: a ${STREAM_LENGTH}-event stream folded into state, ${READS_PER_ROUND} reads per round. Catch-up: a named subscriber (checkpoint committed per 10,000-event batch) from the start of a log seeded in bulk with generate_series, ${CATCH_UP_ROUNDS} rounds; Emmett: the same log seeded into its own tables, read by its consumer and a reactor from the beginning, over the first ${Math.min(EMMETT_CATCH_UP_WINDOW, LOG_SIZE).toLocaleString('en-US')} events, ${CATCH_UP_ROUNDS} rounds, alternated with ours. Growth: the single-append load on an empty store vs the seeded one, alternated.`,
    '',
    ...rows,
    '',
    line,
    '',
    NOTES,
  ].join('\n');
  await writeFile(join(__dirname, '..', 'docs', 'benchmarks', 'event-store.md'), doc);

  await Promise.all([oursPool.end(), bigPool.end(), rawPool.end(), emptyPool.end()]);
  await emmett.close();
  await emmettPool.end().catch(() => undefined);
  log(line);
}

