import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import type { ApplicationFact } from '../facts/facts';
import { APPLICATION_FACT, ENVELOPE_FACT, ESCALATION_FACT, EVALUATION_FACT, LOAN_ACTIVITY, LOAN_FACT, openTenants, selectRows, type Table } from '../facts/facts.store';
import type { FactSet, Period, ReportedEscalation, ReportedEvaluation, ReportedLoan } from './figures.aggregate';

// The loan columns the figures use: a year over 300 CCAS reads tens of thousands of loans, each column counts.
const FIGURE_COLUMNS = new Set<string>(['tenantId', 'loanId', 'applicationId', 'product', 'purposeCategory', 'receivedAt', 'approvedAt', 'refusedAt', 'disbursedAt', 'disbursedCents', 'outstandingCents', 'guaranteedCents', 'guaranteeExposureCents', 'guaranteeLossCents']);
const utc = (column: string, key: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${key}"`;
// A loan's product, for escalations and evaluations (they name the loan only).
const WITH_PRODUCT = { alias: 'x', join: 'LEFT JOIN reporting.loan_fact lp ON lp.tenant_id = x.tenant_id AND lp.loan_id = x.loan_id', extra: 'lp.product AS "product"' };
const LOAN_FIGURES: Table<ReportedLoan> = { ...LOAN_FACT, columns: LOAN_FACT.columns.filter(([key]) => FIGURE_COLUMNS.has(key)) as unknown as Table<ReportedLoan>['columns'] };

/**
 * The facts of a period for the tenants of a viewer's scope. Each read runs in a transaction that opens exactly those
 * tenants to row-level security (a query that forgot its filter would still see no other tenant). The loans, the
 * largest read, run on one connection while the other facts are read on two more: the server works on them at once and
 * Node parses one answer while the next arrives. (Each statement already saw its own snapshot under READ COMMITTED; a
 * fold committed in between moves the CCAS's count of writes, read before, so the tallies are read again next time.)
 */
export async function loadFacts(pool: Pool, tenants: readonly string[], period: Period, product?: string): Promise<FactSet> {
  if (tenants.length === 0) return { applications: [], loans: [], activity: [], envelopes: [], escalations: [], evaluations: [] };
  const scoped = <T>(read: (tx: PoolClient) => Promise<T>) =>
    withTransaction(pool, async (tx) => {
      await openTenants(tx, tenants);
      return read(tx);
    });
  const productFilter = product ? ' AND product = $4' : '';
  const params = [tenants, period.from, period.to, ...(product ? [product] : [])];
  // Instants are compared with instants, the days' UTC midnights (the figures count UTC days): under row-level
  // security an index serves only leakproof comparisons, and timestamptz-to-date ones are not (the plan read every
  // loan of the CCAS), and a date would be read in the server's time zone.
  const instants = [tenants, `${period.from}T00:00:00.000Z`, `${period.to}T00:00:00.000Z`, ...(product ? [product] : [])];
  const productOfLoan = product ? ' AND lp.product = $4' : '';
  // Escalations and evaluations name their loan only: its product comes by a join.
  const ofLoans = <T>(tx: PoolClient, table: Table<never>, column: string, bound: 'timestamptz' | 'date') =>
    selectRows<T>(tx, table as unknown as Table<T>, `x.tenant_id = ANY($1) AND x.${column} >= $2::${bound} AND x.${column} < $3::${bound}${productOfLoan}`, bound === 'date' ? params : instants, WITH_PRODUCT);
  const [loans, [applications, activity], [envelopes, escalations, evaluations]] = await Promise.all([
    scoped(async (tx) => {
      const during = (column: string) => `(l.${column} >= $2::timestamptz AND l.${column} < $3::timestamptz)`;
      // Each loan comes with its file's transmission instant (the start of its processing time) by one join,
      // rather than a sub-select per loan (each one re-checked the scope policy). The planner estimates one loan (the
      // scope policy, the tenant list and three date ranges multiply their selectivities) and so joined the files by
      // tens of thousands of index lookups (EXPLAIN in docs/benchmarks/reporting.md): hash joins, for this query only.
      // With a few CCAS (kept tallies refreshed CCAS by CCAS), index lookups are the right plan: left to the planner.
      if (tenants.length > 20) await tx.query(`SET LOCAL enable_nestloop = off`);
      return selectRows(
        tx,
        LOAN_FIGURES,
        // The latest of the three instants bounds the read by an index (migration 0010); the OR decides.
        `l.tenant_id = ANY($1) AND greatest(l.approved_at, l.refused_at, l.disbursed_at) >= $2::timestamptz AND (${during('approved_at')} OR ${during('refused_at')} OR ${during('disbursed_at')})${product ? ' AND l.product = $4' : ''}`,
        instants,
        {
          alias: 'l',
          join: `LEFT JOIN reporting.application_fact a ON a.tenant_id = l.tenant_id AND a.application_id = l.application_id
                 LEFT JOIN reporting.file_fact f ON f.tenant_id = l.tenant_id AND f.application_id = l.application_id`,
          extra: [utc('a.transmitted_at', 'transmittedAt'), utc('f.opened_at', 'openedAt'), utc('f.commission_decided_at', 'commissionDecidedAt')].join(', '),
        },
      );
    }),
    scoped(async (tx) => [
      (await selectRows(tx, APPLICATION_FACT, `tenant_id = ANY($1) AND transmitted_at >= $2::timestamptz AND transmitted_at < $3::timestamptz${productFilter}`, instants)) as ApplicationFact[],
      // Approvals and disbursements are already on the loans: only the dated troubles are read from the activity.
      await selectRows(tx, LOAN_ACTIVITY, `tenant_id = ANY($1) AND occurred_on >= $2::date AND occurred_on < $3::date AND kind NOT IN ('approved', 'disbursed', 'refused', 'repaid')${productFilter}`, params),
    ] as const),
    scoped(async (tx) => [
      product ? [] : await selectRows(tx, ENVELOPE_FACT, 'tenant_id = ANY($1)', [tenants]),
      await ofLoans<ReportedEscalation>(tx, ESCALATION_FACT, 'opened_at', 'timestamptz'),
      await ofLoans<ReportedEvaluation>(tx, EVALUATION_FACT, 'held_on', 'date'),
    ] as const),
  ]);
  return { applications, loans, activity, envelopes, escalations, evaluations };
}
