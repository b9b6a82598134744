import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

const cents: ValueTransformer = { to: (value: number | null) => value, from: (value: string | null) => (value === null ? null : Number(value)) };

/** intake.file_list: one row per file, tenant-isolated by row-level security. */
@Entity({ schema: 'intake', name: 'file_list' })
export class FileListEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'application_id', type: 'text' }) applicationId!: string;
  @Column({ name: 'beneficiary_id', type: 'text' }) beneficiaryId!: string;
  @Column({ name: 'product', type: 'text' }) product!: string;
  @Column({ name: 'purpose_category', type: 'text' }) purposeCategory!: string;
  @Column({ name: 'requested_amount_cents', type: 'bigint', transformer: cents }) requestedAmountCents!: number;
  @Column({ name: 'requested_term_months', type: 'integer' }) requestedTermMonths!: number;
  @Column({ name: 'status', type: 'text' }) status!: string;
  @Column({ name: 'opened_by', type: 'text' }) openedBy!: string;
  @Column({ name: 'appointments_held', type: 'integer' }) appointmentsHeld!: number;
  @Column({ name: 'reste_a_vivre_below_minimum', type: 'boolean', nullable: true }) resteAVivreBelowMinimum!: boolean | null;
  @Column({ name: 'accompaniment_level', type: 'text', nullable: true }) accompanimentLevel!: string | null;
  @Column({ name: 'eligible', type: 'boolean', nullable: true }) eligible!: boolean | null;
  @Column({ name: 'product_version', type: 'integer', nullable: true }) productVersion!: number | null;
  @Column({ name: 'commission_decision', type: 'text', nullable: true }) commissionDecision!: string | null;
  @Column({ name: 'outcome', type: 'text', nullable: true }) outcome!: string | null;
  @Column({ name: 'reason_code', type: 'text', nullable: true }) reasonCode!: string | null;
  @Column({ name: 'reason_category', type: 'text', nullable: true }) reasonCategory!: string | null;
  @Column({ name: 'loan_id', type: 'text', nullable: true }) loanId!: string | null;
  @Column({ name: 'opened_at', type: 'timestamptz' }) openedAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ name: 'loan_ended_at', type: 'timestamptz', nullable: true }) loanEndedAt!: Date | null;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
