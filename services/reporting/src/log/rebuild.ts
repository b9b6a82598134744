import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import type { ApplicationFact, ConsumedEvent, EnvelopeFact, EscalationFact, EvaluationFact, FileFact, LoanActivity, LoanFact } from '../facts/facts';
import { emptyEscalation, emptyFile, escalationKeyOf, fileKeyOf, foldLoan, FOLDS, loanKeyOf } from '../facts/facts.folds';
import { APPLICATION_FACT, ENVELOPE_FACT, ESCALATION_FACT, EVALUATION_FACT, FILE_FACT, insertStatement, knownTenants, LOAN_ACTIVITY, LOAN_FACT, openTenants, READ_MODEL_TABLES, upsertRows, type Table } from '../facts/facts.store';

export interface RebuildProgress {
  readonly replayed: number;
  readonly total: number;
}

export interface RebuildResult {
  readonly events: number;
  readonly rows: Record<string, number>;
  readonly checksums: Record<string, string>;
  readonly elapsedMs: number;
  /** Where the time went (ms): reading and folding the log (with the activity written meanwhile), each table's last rows, the checksums. */
  readonly phases: Record<string, number>;
}

const READ_BATCH = 10_000;
const WRITE_BATCH = 5_000;
// A rebuild inserts into emptied tables: fewer, larger statements.
const REBUILD_WRITE_BATCH = 20_000;

/** Facts already written that later events fold into (the folder reads those its batch touches). */
export interface KnownFacts {
  readonly loans?: readonly LoanFact[];
  readonly files?: readonly FileFact[];
  readonly escalations?: readonly EscalationFact[];
}

/** The facts of a sequence of consumed events, folded in memory exactly as the consumer folds them one by one. */
export function createReplay(known: KnownFacts = {}) {
  // The folds update the facts they are given (facts.folds.ts): the replay folds its own copies of those it is given.
  const loans = new Map<string, LoanFact>((known.loans ?? []).map((loan) => [`${loan.tenantId}\u0000${loan.loanId}`, { ...loan }]));
  const files = new Map<string, FileFact>((known.files ?? []).map((file) => [`${file.tenantId}\u0000${file.applicationId}`, { ...file }]));
  const escalations = new Map<string, EscalationFact>((known.escalations ?? []).map((row) => [`${row.tenantId}\u0000${row.escalationId}`, { ...row }]));
  const applications = new Map<string, ApplicationFact>();
  const envelopes = new Map<string, EnvelopeFact>();
  const evaluations = new Map<string, EvaluationFact>();
  const activity: LoanActivity[] = [];
  return {
    apply(event: ConsumedEvent): void {
      const fold = FOLDS.get(event.name);
      if (!fold) return;
      if (fold.target === 'application') {
        const fact = fold.apply(event);
        applications.set(`${fact.tenantId}\u0000${fact.applicationId}`, fact);
      } else if (fold.target === 'envelope') {
        const fact = fold.apply(event);
        envelopes.set(`${fact.tenantId}\u0000${fact.guarantorId}`, fact);
      } else if (fold.target === 'evaluation') {
        const fact = fold.apply(event);
        evaluations.set(`${fact.tenantId}\u0000${fact.loanId}`, fact);
      } else if (fold.target === 'file') {
        const key = fileKeyOf(event);
        const id = `${key.tenantId}\u0000${key.applicationId}`;
        files.set(id, fold.apply(files.get(id) ?? emptyFile(key), event));
      } else if (fold.target === 'escalation') {
        const key = escalationKeyOf(event);
        const id = `${key.tenantId}\u0000${key.escalationId}`;
        escalations.set(id, fold.apply(escalations.get(id) ?? emptyEscalation(event), event));
      } else {
        const key = loanKeyOf(event);
        const id = `${key.tenantId}\u0000${key.loanId}`;
        const folded = foldLoan(fold, loans.get(id), event);
        loans.set(id, folded.loan);
        if (folded.activity) activity.push(folded.activity);
      }
    },
    facts: () => ({
      loans: [...loans.values()],
      applications: [...applications.values()],
      envelopes: [...envelopes.values()],
      activity,
      files: [...files.values()],
      escalations: [...escalations.values()],
      evaluations: [...evaluations.values()],
    }),
  };
}

/** Held by whoever writes the facts (the folder, a rebuild): one writer at a time keeps each loan's facts in order. */
export const FOLD_LOCK = 0x7265_706f;

type Facts = ReturnType<ReturnType<typeof createReplay>['facts']>;

/** Writes folded facts; `foldedUpTo`, the last log position they include, becomes the folder's position in the same transaction. */
export async function writeFacts(tx: PoolClient, facts: Facts, foldedUpTo: string): Promise<void> {
  const write = async <T>(table: Table<T>, rows: readonly T[]) => {
    for (let i = 0; i < rows.length; i += WRITE_BATCH) await upsertRows(tx, table, rows.slice(i, i + WRITE_BATCH));
  };
  // The facts' version for kept figures answers (figures.cache.ts): counted in the transaction that writes them.
  await tx.query('UPDATE reporting.fold_progress SET writes = writes + 1, folded_up_to = $1', [foldedUpTo]);
  // And per tenant it touches (kept answers per CCAS, figures.cache.ts): only those CCAS are read again.
  const touched = new Set<string>();
  for (const rows of Object.values(facts)) for (const row of rows as ReadonlyArray<{ readonly tenantId: string }>) touched.add(row.tenantId);
  if (touched.size > 0) await tx.query('UPDATE reporting.known_tenant SET writes = writes + 1 WHERE tenant_id = ANY($1::text[])', [[...touched]]);
  await write(APPLICATION_FACT, facts.applications);
  await write(LOAN_FACT, facts.loans);
  await write(LOAN_ACTIVITY, facts.activity);
  await write(ENVELOPE_FACT, facts.envelopes);
  await write(FILE_FACT, facts.files);
  await write(ESCALATION_FACT, facts.escalations);
  await write(EVALUATION_FACT, facts.evaluations);
}

/** Opens every known tenant for this transaction: a rebuild and a checksum span them all. */
export async function scopeAllTenants(tx: PoolClient): Promise<string[]> {
  const tenants = await knownTenants(tx);
  await openTenants(tx, tenants);
  return tenants;
}

/**
 * A digest of each read-model table's rows: their count and the sums of two 64-bit hashes of every row (its columns'
 * values, in column order), so equal checksums = the same rows. Sums need no sort and no text of the rows.
 */
export async function checksums(tx: PoolClient): Promise<Record<string, string>> {
  const { rows } = await tx.query<{ name: string; sum: string }>(
    READ_MODEL_TABLES.map(
      (table, i) =>
        `SELECT ${i} AS i, '${table.name}' AS name, md5(count(*) || ':' || coalesce(sum(hash_record_extended(t, 0)), 0) || ':' || coalesce(sum(hash_record_extended(t, 1)), 0)) AS sum FROM ${table.name} t`,
    ).join(' UNION ALL ') + ' ORDER BY i',
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.sum]));
}

export function readModelChecksums(pool: Pool): Promise<Record<string, string>> {
  return withTransaction(pool, async (tx) => {
    await scopeAllTenants(tx);
    return checksums(tx);
  });
}

/**
 * Rebuilds every read-model table from the log alone, in one transaction: the log is locked against the
 * consumer meanwhile (it waits, then carries on), so the tables never show a half-replayed state.
 */
export async function rebuildFromLog(pool: Pool, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<RebuildResult> {
  const started = Date.now();
  return withTransaction(pool, async (tx) => {
    const { events, rows, phases } = await replayLogInto(tx, onProgress);
    const summed = Date.now();
    const sums = await checksums(tx);
    return { events, rows, checksums: sums, elapsedMs: Date.now() - started, phases: { ...phases, checksums: Date.now() - summed } };
  });
}

type Row = [seq: string, messageId: string, name: string, tenantId: string, occurredAt: string, payload: Record<string, unknown>];

/**
 * The rebuild's work inside the caller's transaction (a rebuild commits it, the replay check rolls it back): the whole
 * log folded in memory, each table's rows inserted in large statements into a fresh twin without indexes, the twins
 * indexed and swapped in for the live tables (readers see the live ones until the caller commits).
 */
export async function replayLogInto(tx: PoolClient, onProgress: (progress: RebuildProgress) => void = () => undefined) {
  await tx.query(`LOCK TABLE reporting.consumed_event IN EXCLUSIVE MODE`);
  await tx.query(`SELECT pg_advisory_xact_lock($1)`, [FOLD_LOCK]);
  await scopeAllTenants(tx);
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = now - mark;
    mark = now;
  };
  const total = Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM reporting.consumed_event`)).rows[0]!.n);
  // Fresh twins of the fact tables, without indexes, are filled and swapped in at the end (migration 0009, ADR 0011).
  await tx.query('SELECT reporting.rebuild_tables_begin()');
  // The facts' versions for kept figures answers: every tenant's facts are rewritten, including those a replay no longer produces.
  await tx.query('UPDATE reporting.fold_progress SET writes = writes + 1');
  await tx.query('UPDATE reporting.known_tenant SET writes = writes + 1');
  phase('start');

  const replay = createReplay();
  const read = (after: string) =>
    tx.query<Row>({
      text: `SELECT seq, message_id, name, tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), payload
               FROM reporting.consumed_event WHERE seq > $1 ORDER BY seq LIMIT $2`,
      values: [after, READ_BATCH],
      rowMode: 'array',
    });
  let replayed = 0;
  let last = '0';
  onProgress({ replayed, total });
  // The next batch is asked for before this one is folded: the server reads while Node folds.
  let next = read(last);
  try {
    for (;;) {
      const { rows } = await next;
      if (rows.length === 0) break;
      last = rows[rows.length - 1]![0];
      next = read(last);
      for (const [, messageId, name, tenantId, occurredAt, payload] of rows) replay.apply({ messageId, name, tenantId, occurredAt, payload });
      replayed += rows.length;
      onProgress({ replayed, total });
    }
  } catch (error) {
    await next.catch(() => undefined);
    throw error;
  }
  // Everything logged is in the replay (the log is locked against appends): the folder, waiting on the lock, then
  // finds nothing left to fold past the last replayed position.
  await tx.query('UPDATE reporting.fold_progress SET folded_up_to = $1', [last]);
  phase('read and fold');

  const facts = replay.facts();
  // Each statement's arrays are built while the server inserts the previous one.
  const chunks: Array<() => { table: string; statement: ReturnType<typeof insertStatement> }> = [];
  const chunksOf = <T>(table: Table<T>, rows: readonly T[]) => {
    const twin = { ...table, name: `${table.name}_rebuilt` };
    for (let i = 0; i < rows.length; i += REBUILD_WRITE_BATCH) chunks.push(() => ({ table: table.name, statement: insertStatement(twin, rows.slice(i, i + REBUILD_WRITE_BATCH)) }));
  };
  chunksOf(APPLICATION_FACT, facts.applications);
  chunksOf(LOAN_FACT, facts.loans);
  chunksOf(LOAN_ACTIVITY, facts.activity);
  chunksOf(ENVELOPE_FACT, facts.envelopes);
  chunksOf(FILE_FACT, facts.files);
  chunksOf(ESCALATION_FACT, facts.escalations);
  chunksOf(EVALUATION_FACT, facts.evaluations);
  let ready = chunks[0]?.();
  for (let i = 0; ready; i++) {
    const inserting = tx.query(ready.statement);
    const current = ready.table;
    try {
      ready = chunks[i + 1]?.();
    } finally {
      await inserting;
    }
    if (ready?.table !== current) phase(`write ${current}`);
  }
  await tx.query('SELECT reporting.rebuild_tables_swap()');
  phase('index and swap');
  // Fresh tables have no column statistics: without them the first queries after a rebuild are planned blind until
  // autovacuum comes by (migration 0012).
  await tx.query('SELECT reporting.rebuild_tables_analyze()');
  phase('analyze');
  const rows = Object.fromEntries(READ_MODEL_TABLES.map((table) => [table.name, 0]));
  rows[APPLICATION_FACT.name] = facts.applications.length;
  rows[LOAN_FACT.name] = facts.loans.length;
  rows[LOAN_ACTIVITY.name] = facts.activity.length;
  rows[ENVELOPE_FACT.name] = facts.envelopes.length;
  rows[FILE_FACT.name] = facts.files.length;
  rows[ESCALATION_FACT.name] = facts.escalations.length;
  rows[EVALUATION_FACT.name] = facts.evaluations.length;
  return { events: replayed, rows, phases };
}
