import { shareInBasisPoints } from '@tremplin/finance';
import type { PoolClient } from '@tremplin/pg';
import { REFUND_ROW_JSON, type RefundRow } from './refund-list.projection';

// Reads of accompaniment.refund_list, on a client whose transaction has set app.tenant_id (row-level security).

// year: the year the loan was repaid.
export type RefundListFilter = { readonly status?: RefundRow['status']; readonly year?: number };

export async function listRefunds(client: PoolClient, filter: RefundListFilter = {}): Promise<RefundRow[]> {
  const { rows } = await client.query<{ row: RefundRow }>(
    `SELECT ${REFUND_ROW_JSON} AS row FROM accompaniment.refund_list
      WHERE ($1::text IS NULL OR status = $1) AND ($2::int IS NULL OR extract(year FROM repaid_at AT TIME ZONE 'UTC') = $2)
      ORDER BY coalesce(repaid_at, updated_at), loan_id`,
    [filter.status ?? null, filter.year ?? null],
  );
  return rows.map(({ row }) => row);
}

/** For the referent's worklist: refunds proposed and not yet decided by the commission, oldest first. */
export async function refundsAwaitingApproval(client: PoolClient): Promise<Array<{ loanId: string; amountCents: number; proposedBy: string; proposedAt: string }>> {
  const { rows } = await client.query<{ loanId: string; amountCents: number; proposedBy: string; proposedAt: string }>(
    `SELECT loan_id AS "loanId", amount_cents::float8 AS "amountCents", proposed_by AS "proposedBy",
            to_char(proposed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "proposedAt"
       FROM accompaniment.refund_list WHERE status = 'proposed' ORDER BY proposed_at, loan_id`,
  );
  return rows;
}

export interface RefundYear {
  readonly year: number;
  readonly refundsPaid: number;
  readonly paidCents: number;
  readonly optionalAidBudgetCents: number | null;
  /** The refunds paid as a share of the year's optional-aid budget, in basis points (Laval: 150 = 1.5 %). */
  readonly shareOfBudgetBps: number | null;
}

/** Refunds paid per year (of the payment), and their share of the CCAS's optional-aid budget when it was given. */
export async function refundTotals(client: PoolClient): Promise<RefundYear[]> {
  const paid = await client.query<{ year: number; refunds: number; cents: string }>(
    `SELECT extract(year FROM paid_on)::int AS year, count(*)::int AS refunds, sum(amount_cents)::text AS cents
       FROM accompaniment.refund_list WHERE status = 'paid' GROUP BY 1`,
  );
  const policy = await client.query<{ budgets: Record<string, number> }>('SELECT budgets FROM accompaniment.refund_policy');
  const budgets = policy.rows[0]?.budgets ?? {};
  const years = new Set([...paid.rows.map((row) => row.year), ...Object.keys(budgets).map(Number)]);
  return [...years]
    .sort((a, b) => a - b)
    .map((year) => {
      const row = paid.rows.find((candidate) => candidate.year === year);
      const paidCents = row ? Number(row.cents) : 0;
      const budget = budgets[String(year)] ?? null;
      return { year, refundsPaid: row?.refunds ?? 0, paidCents, optionalAidBudgetCents: budget, shareOfBudgetBps: budget === null ? null : shareInBasisPoints(paidCents, budget) };
    });
}
