import type { Pool, PoolClient } from '@tremplin/pg';
import type { ApplicationFact, ConsumedEvent, EnvelopeFact, EscalationFact, EvaluationFact, FileFact, LoanActivity, LoanFact } from './facts';

type Kind = 'text' | 'uuid' | 'int' | 'ts' | 'date' | 'bool';
export type Columns<T> = ReadonlyArray<readonly [keyof T & string, string, Kind]>;

export interface Table<T> {
  readonly name: string;
  readonly key: readonly string[];
  readonly columns: Columns<T>;
}

export const LOAN_FACT: Table<LoanFact> = {
  name: 'reporting.loan_fact',
  key: ['tenant_id', 'loan_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['loanId', 'loan_id', 'text'],
    ['applicationId', 'application_id', 'text'],
    ['product', 'product', 'text'],
    ['purposeCategory', 'purpose_category', 'text'],
    ['status', 'status', 'text'],
    ['receivedAt', 'received_at', 'ts'],
    ['requestedCents', 'requested_cents', 'int'],
    ['approvedAt', 'approved_at', 'ts'],
    ['approvedCents', 'approved_cents', 'int'],
    ['termMonths', 'term_months', 'int'],
    ['refusedAt', 'refused_at', 'ts'],
    ['refusalCategory', 'refusal_category', 'text'],
    ['disbursedAt', 'disbursed_at', 'ts'],
    ['disbursedCents', 'disbursed_cents', 'int'],
    ['outstandingCents', 'outstanding_cents', 'int'],
    ['missedInstalments', 'missed_instalments', 'int'],
    ['incidentWarnings', 'incident_warnings', 'int'],
    ['reschedulings', 'reschedulings', 'int'],
    ['defaultedAt', 'defaulted_at', 'ts'],
    ['defaultedOutstandingCents', 'defaulted_outstanding_cents', 'int'],
    ['recoveredCents', 'recovered_cents', 'int'],
    ['repaidAt', 'repaid_at', 'ts'],
    ['writtenOffCents', 'written_off_cents', 'int'],
    ['updatedAt', 'updated_at', 'ts'],
    ['guaranteedCents', 'guaranteed_cents', 'int'],
    ['guaranteeExposureCents', 'guarantee_exposure_cents', 'int'],
    ['guaranteeClaimCents', 'guarantee_claim_cents', 'int'],
    ['guaranteeClaimPaidCents', 'guarantee_claim_paid_cents', 'int'],
    ['guarantorRecoveredCents', 'guarantor_recovered_cents', 'int'],
    ['guaranteeLossCents', 'guarantee_loss_cents', 'int'],
    ['interestRefundedCents', 'interest_refunded_cents', 'int'],
  ],
};

export const APPLICATION_FACT: Table<ApplicationFact> = {
  name: 'reporting.application_fact',
  key: ['tenant_id', 'application_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['applicationId', 'application_id', 'text'],
    ['product', 'product', 'text'],
    ['purposeCategory', 'purpose_category', 'text'],
    ['requestedCents', 'requested_cents', 'int'],
    ['requestedTermMonths', 'requested_term_months', 'int'],
    ['transmittedAt', 'transmitted_at', 'ts'],
  ],
};

export const LOAN_ACTIVITY: Table<LoanActivity> = {
  name: 'reporting.loan_activity',
  key: ['message_id'],
  columns: [
    ['messageId', 'message_id', 'uuid'],
    ['tenantId', 'tenant_id', 'text'],
    ['loanId', 'loan_id', 'text'],
    ['product', 'product', 'text'],
    ['kind', 'kind', 'text'],
    ['occurredOn', 'occurred_on', 'date'],
    ['cents', 'cents', 'int'],
  ],
};

export const ENVELOPE_FACT: Table<EnvelopeFact> = {
  name: 'reporting.envelope_fact',
  key: ['tenant_id', 'guarantor_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['guarantorId', 'guarantor_id', 'text'],
    ['capacityCents', 'capacity_cents', 'int'],
    ['reservedCents', 'reserved_cents', 'int'],
    ['headroomCents', 'headroom_cents', 'int'],
    ['decisionDate', 'decision_date', 'date'],
    ['votedAt', 'voted_at', 'ts'],
  ],
};

export const FILE_FACT: Table<FileFact> = {
  name: 'reporting.file_fact',
  key: ['tenant_id', 'application_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['applicationId', 'application_id', 'text'],
    ['openedAt', 'opened_at', 'ts'],
    ['commissionDecidedAt', 'commission_decided_at', 'ts'],
    ['commissionDecision', 'commission_decision', 'text'],
  ],
};

export const ESCALATION_FACT: Table<EscalationFact> = {
  name: 'reporting.escalation_fact',
  key: ['tenant_id', 'escalation_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['escalationId', 'escalation_id', 'text'],
    ['loanId', 'loan_id', 'text'],
    ['trigger', 'trigger', 'text'],
    ['openedAt', 'opened_at', 'ts'],
    ['missedDueDate', 'missed_due_date', 'date'],
    ['deadlineDate', 'deadline_date', 'date'],
    ['deadlineWorkingDays', 'deadline_working_days', 'int'],
    ['contactedAt', 'contacted_at', 'ts'],
    ['delayMinutes', 'delay_minutes', 'int'],
    ['delayWorkingDays', 'delay_working_days', 'int'],
    ['late', 'late', 'bool'],
    ['closedAt', 'closed_at', 'ts'],
    ['outcome', 'outcome', 'text'],
  ],
};

export const EVALUATION_FACT: Table<EvaluationFact> = {
  name: 'reporting.evaluation_fact',
  key: ['tenant_id', 'loan_id'],
  columns: [
    ['tenantId', 'tenant_id', 'text'],
    ['loanId', 'loan_id', 'text'],
    ['heldOn', 'held_on', 'date'],
    ['employment', 'employment', 'text'],
    ['mobility', 'mobility', 'text'],
    ['housing', 'housing', 'text'],
    ['health', 'health', 'text'],
    ['budget', 'budget', 'text'],
    ['socialTies', 'social_ties', 'text'],
    ['satisfaction', 'satisfaction', 'text'],
    ['withoutSupport', 'without_support', 'text'],
    ['newProject', 'new_project', 'bool'],
    ['recordedAt', 'recorded_at', 'ts'],
  ],
};

/** The read-model tables, in the order a rebuild clears and a checksum lists them. */
export const READ_MODEL_TABLES = [APPLICATION_FACT, LOAN_FACT, LOAN_ACTIVITY, ENVELOPE_FACT, FILE_FACT, ESCALATION_FACT, EVALUATION_FACT] as const;

// Instants and days are read as text in UTC so a row read back folds and writes exactly as the rebuild does.
function selectList<T>(table: Table<T>, alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return table.columns
    .map(([key, bare, kind]) => {
      const column = `${prefix}${bare}`;
      if (kind === 'ts') return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${key}"`;
      if (kind === 'date') return `${column}::text AS "${key}"`;
      if (kind === 'int') return `${column}::float8 AS "${key}"`;
      return `${column} AS "${key}"`;
    })
    .join(', ');
}

/** Rows of a table as facts; `also` adds a computed column (e.g. from a joined table) to each row. */
export async function selectRows<T>(client: PoolClient, table: Table<T>, where = 'TRUE', params: unknown[] = [], also?: { alias: string; extra: string; join?: string }): Promise<T[]> {
  const list = also ? `${selectList(table, also.alias)}, ${also.extra}` : selectList(table);
  const { rows } = await client.query(`SELECT ${list} FROM ${table.name}${also ? ` ${also.alias} ${also.join ?? ''}` : ''} WHERE ${where}`, params);
  return rows as T[];
}

/**
 * Inserts or replaces rows in one statement: the insert of `insertStatement` (one array per column, unnested by the
 * server) with the conflict resolved on the table's key. Arrays rather than one JSON document: the server parses no
 * JSON, and Node builds no record per row.
 */
export async function upsertRows<T>(client: PoolClient, table: Table<T>, rows: readonly T[]): Promise<void> {
  if (rows.length === 0) return;
  const { text, values } = insertStatement(table, rows);
  const updates = table.columns.map(([, column]) => column).filter((column) => !table.key.includes(column)).map((column) => `${column} = EXCLUDED.${column}`);
  await client.query(`${text} ON CONFLICT (${table.key.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`, values);
}

const SQL_TYPE: Record<Kind, string> = { text: 'text', uuid: 'uuid', int: 'bigint', ts: 'timestamptz', date: 'date', bool: 'boolean' };

// One column's values as a Postgres array literal: strings quoted (and their quotes and backslashes escaped), numbers and
// booleans bare, null as NULL. Built here in one pass: pg's generic array serializer escaped every element twice.
function arrayLiteral(values: readonly unknown[], kind: Kind): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    else if (kind === 'int') parts[i] = String(value);
    else if (kind === 'bool') parts[i] = value ? 't' : 'f';
    else {
      const text = String(value);
      parts[i] = `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

/**
 * The statement inserting rows (as is into a rebuild's fresh tables; with a conflict clause in `upsertRows`): one array
 * per column, unnested by the server.
 */
export function insertStatement<T>(table: Table<T>, rows: readonly T[]): { text: string; values: string[] } {
  return {
    text: `INSERT INTO ${table.name} (${table.columns.map(([, column]) => column).join(', ')})
           SELECT * FROM unnest(${table.columns.map(([, , kind], i) => `$${i + 1}::${SQL_TYPE[kind]}[]`).join(', ')})`,
    values: table.columns.map(([key, , kind]) => arrayLiteral(rows.map((row) => (row as Record<string, unknown>)[key]), kind)),
  };
}

/** Every tenant the log has seen, in order (the scope of a rebuild, a checksum, the kept figures' warming). */
export async function knownTenants(client: Pool | PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ tenant_id: string }>(`SELECT tenant_id FROM reporting.known_tenant ORDER BY tenant_id`);
  return rows.map((row) => row.tenant_id);
}

/** Opens exactly these tenants to row-level security for the rest of the transaction (none: closes them again). */
export async function openTenants(tx: PoolClient, tenants: readonly string[]): Promise<void> {
  await tx.query(`SELECT set_config('app.tenant_ids', $1, true)`, [tenants.join(',')]);
}

/**
 * Held until commit by whoever appends to the log: consumers of several partitions (or replicas) append at once, and
 * positions taken under this lock follow commit order, so a position not yet visible is above every visible one and
 * the folder, which folds past its position in order, never skips a message (ADR 0013, log-folder.ts).
 */
const LOG_APPEND_LOCK = 0x7265_706c;

/**
 * Keeps the message in the log, in one statement of the inbox transaction (the folder folds what lies past its
 * position, ADR 0013); false when it is already there (the inbox normally prevents that).
 */
export async function appendToLog(tx: PoolClient, event: ConsumedEvent): Promise<boolean> {
  const { rows } = await tx.query<{ n: number }>(
    `WITH appending AS MATERIALIZED (SELECT pg_advisory_xact_lock($6)), logged AS (
       INSERT INTO reporting.consumed_event (message_id, tenant_id, name, occurred_at, payload) SELECT $1::uuid, $2::text, $3::text, $4::timestamptz, $5::jsonb FROM appending
       ON CONFLICT (message_id) DO NOTHING RETURNING tenant_id
     ), tenant AS (
       INSERT INTO reporting.known_tenant (tenant_id) SELECT tenant_id FROM logged ON CONFLICT DO NOTHING
     )
     SELECT count(*)::int AS n FROM logged`,
    [event.messageId, event.tenantId, event.name, event.occurredAt, event.payload, LOG_APPEND_LOCK],
  );
  return rows[0]!.n > 0;
}

/**
 * The same for several messages in one statement (the consumer's batch handler): kept in the given order; the
 * transaction is opened to exactly the messages' tenants. Returns how many were new.
 */
export async function appendAllToLog(tx: PoolClient, events: readonly ConsumedEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  await openTenants(tx, [...new Set(events.map((event) => event.tenantId))]);
  const { rows } = await tx.query<{ n: number }>(
    `WITH appending AS MATERIALIZED (SELECT pg_advisory_xact_lock($2)), logged AS (
       INSERT INTO reporting.consumed_event (message_id, tenant_id, name, occurred_at, payload)
       SELECT m, t, n, o, p FROM appending, ROWS FROM (json_to_recordset($1::json) AS (m uuid, t text, n text, o timestamptz, p jsonb)) WITH ORDINALITY AS u(m, t, n, o, p, i) ORDER BY i
       ON CONFLICT (message_id) DO NOTHING RETURNING tenant_id
     ), tenant AS (
       INSERT INTO reporting.known_tenant (tenant_id) SELECT DISTINCT tenant_id FROM logged ON CONFLICT DO NOTHING
     )
     SELECT count(*)::int AS n FROM logged`,
    // One JSON document rather than five arrays: a payload in a text[] literal has every quote escaped, by the client.
    [JSON.stringify(events.map((e) => ({ m: e.messageId, t: e.tenantId, n: e.name, o: e.occurredAt, p: e.payload }))), LOG_APPEND_LOCK],
  );
  // The per-message handlers after this one in the transaction see their own tenant only again.
  await openTenants(tx, []);
  return rows[0]!.n;
}
