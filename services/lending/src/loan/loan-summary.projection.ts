import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection } from '@tremplin/event-store-postgres';
import type { PoolClient } from '@tremplin/pg';
import { evolveLoan, initialLoanState, loanAggregate } from './loan.decider';
import { hasServicing, isFullyPaid, outstandingPrincipalOf, type LoanState } from './loan.state';

export const LOAN_SUMMARY_SUBSCRIPTION = 'lending.loan-summary';

/** A loan_summary row as the projection computes it (the TypeORM entity reads the same columns). */
export interface LoanSummaryRow {
  readonly tenantId: string;
  readonly loanId: string;
  readonly applicationId: string;
  readonly bankPartnerId: string;
  readonly product: string;
  readonly status: string;
  readonly amountCents: number;
  readonly termMonths: number;
  readonly outstandingPrincipalCents: number;
  readonly interestPaidCents: number;
  readonly incidentWarning: boolean;
  readonly nextDueDate: string | null;
  readonly endDate: string | null;
  readonly streamVersion: number;
  readonly lastEventAt: string;
  readonly state: LoanState;
}

/** evolve(row, event): the loan's decider state folded on, and the columns derived from it. Pure. */
export function evolveSummary(row: LoanSummaryRow | undefined, event: RecordedEvent): LoanSummaryRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const state = evolveLoan(row?.state ?? initialLoanState(), decodeEvent(loanAggregate, event));
  if (state.status === 'none') return row;
  const application = state.application;
  const amountCents = 'offer' in state ? state.offer.amountCents : 'terms' in state && state.terms ? state.terms.amountCents : application.requestedAmountCents;
  const termMonths = 'offer' in state ? state.offer.termMonths : 'terms' in state && state.terms ? state.terms.termMonths : application.requestedTermMonths;
  const lines = hasServicing(state) ? state.servicing.lines : 'offer' in state ? state.offer.schedule.lines : [];
  const servicing = hasServicing(state) ? state.servicing : undefined;
  return {
    tenantId: event.tenantId,
    loanId: application.loanId,
    applicationId: application.applicationId,
    bankPartnerId: application.bankPartnerId,
    product: application.product,
    status: state.status,
    amountCents,
    termMonths,
    outstandingPrincipalCents: servicing ? outstandingPrincipalOf(servicing.lines) : 0,
    interestPaidCents: servicing?.interestPaidCents ?? 0,
    incidentWarning: Boolean(servicing?.warning),
    nextDueDate: state.status === 'repaying' ? (servicing!.lines.find((line) => !isFullyPaid(line))?.dueDate ?? null) : null,
    endDate: lines.length ? lines[lines.length - 1].dueDate : null,
    streamVersion: event.streamVersion,
    lastEventAt: event.metadata.occurredAt,
    state,
  };
}

const COLUMNS = `tenant_id, loan_id, application_id, bank_partner_id, product, status, amount_cents, term_months,
  outstanding_principal_cents, interest_paid_cents, incident_warning, next_due_date, end_date, stream_version, last_event_at, state`;

async function upsert(tx: PoolClient, rows: readonly LoanSummaryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows);
  await tx.query(
    `INSERT INTO lending.loan_summary (${COLUMNS})
     SELECT r."tenantId", r."loanId", r."applicationId", r."bankPartnerId", r.product, r.status, r."amountCents", r."termMonths",
            r."outstandingPrincipalCents", r."interestPaidCents", r."incidentWarning", r."nextDueDate"::date, r."endDate"::date,
            r."streamVersion", r."lastEventAt"::timestamptz, r.state
       FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, "loanId" text, "applicationId" text, "bankPartnerId" text, product text,
            status text, "amountCents" bigint, "termMonths" int, "outstandingPrincipalCents" bigint, "interestPaidCents" bigint,
            "incidentWarning" boolean, "nextDueDate" text, "endDate" text, "streamVersion" int, "lastEventAt" text, state jsonb)
     ON CONFLICT (tenant_id, loan_id) DO UPDATE SET
       status = excluded.status, amount_cents = excluded.amount_cents, term_months = excluded.term_months,
       outstanding_principal_cents = excluded.outstanding_principal_cents, interest_paid_cents = excluded.interest_paid_cents,
       incident_warning = excluded.incident_warning, next_due_date = excluded.next_due_date, end_date = excluded.end_date,
       stream_version = excluded.stream_version, last_event_at = excluded.last_event_at, state = excluded.state`,
    [json],
  );
}

/** lending.loan_summary: one row per loan, folded from the loan streams; rebuildable from zero. */
export const loanSummaryProjection = rowProjection<LoanSummaryRow>({
  name: LOAN_SUMMARY_SUBSCRIPTION,
  label: 'loan_summary',
  table: 'lending.loan_summary',
  rowsName: 'loans',
  categories: [loanAggregate.category],
  evolve: evolveSummary,
  async load(tx, loanIds) {
    const { rows } = await tx.query<{ row: LoanSummaryRow }>(
      `SELECT jsonb_build_object('tenantId', tenant_id, 'loanId', loan_id, 'streamVersion', stream_version, 'state', state) AS row
         FROM lending.loan_summary WHERE loan_id = ANY($1::text[])`,
      [loanIds],
    );
    return new Map(rows.map(({ row }) => [row.loanId, row]));
  },
  save: upsert,
  clear: async (tx) => void (await tx.query('DELETE FROM lending.loan_summary')),
});
