import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import type { LoanState } from './loan.state';

// bigint columns come back from pg as strings; cents stay far below 2^53 here.
const cents: ValueTransformer = { to: (value: number) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/** lending.loan_summary: one row per loan, tenant-isolated by row-level security. */
@Entity({ schema: 'lending', name: 'loan_summary' })
export class LoanSummaryEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'loan_id', type: 'text' }) loanId!: string;
  @Column({ name: 'application_id', type: 'text' }) applicationId!: string;
  @Column({ name: 'bank_partner_id', type: 'text' }) bankPartnerId!: string;
  @Column({ type: 'text' }) product!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'amount_cents', type: 'bigint', transformer: cents }) amountCents!: number;
  @Column({ name: 'term_months', type: 'integer' }) termMonths!: number;
  @Column({ name: 'outstanding_principal_cents', type: 'bigint', transformer: cents }) outstandingPrincipalCents!: number;
  @Column({ name: 'interest_paid_cents', type: 'bigint', transformer: cents }) interestPaidCents!: number;
  @Column({ name: 'incident_warning', type: 'boolean' }) incidentWarning!: boolean;
  @Column({ name: 'next_due_date', type: 'date', nullable: true }) nextDueDate!: string | null;
  @Column({ name: 'end_date', type: 'date', nullable: true }) endDate!: string | null;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
  @Column({ name: 'last_event_at', type: 'timestamptz' }) lastEventAt!: Date;
  @Column({ type: 'jsonb' }) state!: LoanState;
}
