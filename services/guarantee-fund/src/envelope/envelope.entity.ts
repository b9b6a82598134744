import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

// bigint columns come back from pg as strings; envelope amounts stay far below 2^53.
const cents: ValueTransformer = { to: (value: number) => value, from: (value: string) => Number(value) };

/** guarantee_fund.envelope: one row per guarantor's envelope, tenant-isolated by row-level security. */
@Entity({ schema: 'guarantee_fund', name: 'envelope' })
export class EnvelopeEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'guarantor_id', type: 'text' }) guarantorId!: string;
  @Column({ name: 'capacity_cents', type: 'bigint', transformer: cents }) capacityCents!: number;
  @Column({ name: 'reserved_cents', type: 'bigint', transformer: cents }) reservedCents!: number;
  @Column({ name: 'consumed_cents', type: 'bigint', transformer: cents }) consumedCents!: number;
  @Column({ name: 'headroom_cents', type: 'bigint', transformer: cents }) headroomCents!: number;
  @Column({ name: 'last_decision_reference', type: 'text' }) lastDecisionReference!: string;
  @Column({ name: 'last_decision_date', type: 'date' }) lastDecisionDate!: string;
  @Column({ name: 'stream_version', type: 'integer' }) streamVersion!: number;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
