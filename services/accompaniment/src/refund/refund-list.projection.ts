import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
import { interestRefundAggregate, type InterestRefundStatus } from './interest-refund.decider';
import { refundPolicyAggregate, type RefundPolicyVersion } from './refund-policy.decider';

/** An accompaniment.refund_list row as the projection computes it: codes, amounts and ids, no bank details. */
export interface RefundRow {
  readonly tenantId: string;
  readonly loanId: string;
  readonly status: Exclude<InterestRefundStatus, 'unknown'>;
  readonly interestNotedCents: number;
  readonly lateInstalments: number;
  readonly reschedulings: number;
  readonly amountCents: number | null;
  readonly notOwedReason: string | null;
  readonly policyVersion: number | null;
  readonly rule: string | null;
  readonly late: boolean | null;
  readonly repaidAt: string | null;
  readonly bankDetailsRecorded: boolean;
  readonly proposedBy: string | null;
  readonly proposedAt: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionReference: string | null;
  readonly declineReason: string | null;
  readonly paidOn: string | null;
  readonly paymentReference: string | null;
  readonly streamVersion: number;
  /** The event's occurredAt, not the projection's clock: a rebuild writes the same row. */
  readonly updatedAt: string;
}

const emptyRow = (tenantId: string, loanId: string): Omit<RefundRow, 'streamVersion' | 'updatedAt'> => ({
  tenantId,
  loanId,
  status: 'following',
  interestNotedCents: 0,
  lateInstalments: 0,
  reschedulings: 0,
  amountCents: null,
  notOwedReason: null,
  policyVersion: null,
  rule: null,
  late: null,
  repaidAt: null,
  bankDetailsRecorded: false,
  proposedBy: null,
  proposedAt: null,
  decidedBy: null,
  decidedAt: null,
  decisionReference: null,
  declineReason: null,
  paidOn: null,
  paymentReference: null,
});

/** evolve(row, event). Pure; an event already applied leaves the row as it is. */
export function evolveRefundRow(row: RefundRow | undefined, event: RecordedEvent): RefundRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(interestRefundAggregate, event);
  const current = row ?? { ...emptyRow(event.tenantId, event.streamId.slice(event.streamId.indexOf('-') + 1)), streamVersion: 0, updatedAt: event.metadata.occurredAt };
  const stamp = { streamVersion: event.streamVersion, updatedAt: event.metadata.occurredAt };
  switch (decoded.type) {
    case 'InstalmentPaymentNoted':
      return { ...current, interestNotedCents: current.interestNotedCents + decoded.data.interestPaidCents, ...stamp };
    case 'LateInstalmentNoted':
      return { ...current, lateInstalments: current.lateInstalments + 1, ...stamp };
    case 'ReschedulingNoted':
      return { ...current, reschedulings: current.reschedulings + 1, ...stamp };
    case 'InterestRefundOwed': {
      const d = decoded.data;
      return { ...current, status: 'owed', amountCents: d.amountCents, policyVersion: d.policyVersion, rule: d.rule, late: d.late, repaidAt: d.repaidAt, ...stamp };
    }
    case 'InterestRefundNotOwed': {
      const d = decoded.data;
      return { ...current, status: 'notOwed', notOwedReason: d.reason, policyVersion: d.policyVersion ?? null, rule: d.rule ?? null, late: d.late, repaidAt: d.repaidAt, ...stamp };
    }
    case 'RefundBankDetailsRecorded':
      return { ...current, bankDetailsRecorded: true, ...stamp };
    case 'InterestRefundProposed':
      return { ...current, status: 'proposed', proposedBy: decoded.data.proposedBy, proposedAt: decoded.data.proposedAt, ...stamp };
    case 'InterestRefundApproved':
      return { ...current, status: 'approved', decidedBy: decoded.data.approvedBy, decidedAt: decoded.data.approvedAt, decisionReference: decoded.data.decisionReference, ...stamp };
    case 'InterestRefundDeclined':
      return {
        ...current,
        status: 'declined',
        decidedBy: decoded.data.declinedBy,
        decidedAt: decoded.data.declinedAt,
        decisionReference: decoded.data.decisionReference,
        declineReason: decoded.data.reasonCode,
        ...stamp,
      };
    case 'InterestRefundPaid':
      return { ...current, status: 'paid', paidOn: decoded.data.paidOn, paymentReference: decoded.data.paymentReference, ...stamp };
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

const refundListTable = rowTable<RefundRow>('accompaniment.refund_list', [
  ['tenantId', 'tenant_id', 'text'],
  ['loanId', 'loan_id', 'text'],
  ['status', 'status', 'text'],
  ['interestNotedCents', 'interest_noted_cents', 'bigint'],
  ['lateInstalments', 'late_instalments', 'int'],
  ['reschedulings', 'reschedulings', 'int'],
  ['amountCents', 'amount_cents', 'bigint'],
  ['notOwedReason', 'not_owed_reason', 'text'],
  ['policyVersion', 'policy_version', 'int'],
  ['rule', 'rule', 'text'],
  ['late', 'late', 'boolean'],
  ['repaidAt', 'repaid_at', 'timestamptz'],
  ['bankDetailsRecorded', 'bank_details_recorded', 'boolean'],
  ['proposedBy', 'proposed_by', 'text'],
  ['proposedAt', 'proposed_at', 'timestamptz'],
  ['decidedBy', 'decided_by', 'text'],
  ['decidedAt', 'decided_at', 'timestamptz'],
  ['decisionReference', 'decision_reference', 'text'],
  ['declineReason', 'decline_reason', 'text'],
  ['paidOn', 'paid_on', 'date'],
  ['paymentReference', 'payment_reference', 'text'],
  ['streamVersion', 'stream_version', 'int'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The SQL expression giving a refund_list row as the JSON of a RefundRow (numbers as numbers, instants as ISO text). */
export const REFUND_ROW_JSON = refundListTable.rowJson;

export const REFUND_LIST_SUBSCRIPTION = 'accompaniment.refund-list';

/** accompaniment.refund_list: one row per loan's refund, from the facts noted to the payment. */
export const refundListProjection = rowProjection<RefundRow>({
  name: REFUND_LIST_SUBSCRIPTION,
  label: 'refund',
  table: 'accompaniment.refund_list',
  rowsName: 'refunds',
  categories: [interestRefundAggregate.category],
  evolve: evolveRefundRow,
  load: refundListTable.load,
  save: refundListTable.save,
  clear: refundListTable.clear,
});

/** accompaniment.refund_policy: the CCAS's policy versions and yearly optional-aid budgets. */
export interface RefundPolicyRow {
  readonly tenantId: string;
  readonly versions: readonly (RefundPolicyVersion & { readonly recordedBy: string })[];
  readonly budgets: Readonly<Record<string, number>>;
  readonly streamVersion: number;
  readonly updatedAt: string;
}

export function evolveRefundPolicyRow(row: RefundPolicyRow | undefined, event: RecordedEvent): RefundPolicyRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(refundPolicyAggregate, event);
  const current: RefundPolicyRow = row ?? { tenantId: event.tenantId, versions: [], budgets: {}, streamVersion: 0, updatedAt: event.metadata.occurredAt };
  const stamp = { streamVersion: event.streamVersion, updatedAt: event.metadata.occurredAt };
  switch (decoded.type) {
    case 'RefundPolicyVersionRecorded': {
      const { version, rule, effectiveFrom, decisionReference, recordedBy } = decoded.data;
      return { ...current, versions: [...current.versions, { version, rule, effectiveFrom, decisionReference, recordedBy }], ...stamp };
    }
    case 'OptionalAidBudgetSet':
      return { ...current, budgets: { ...current.budgets, [String(decoded.data.year)]: decoded.data.budgetCents }, ...stamp };
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

export const REFUND_POLICY_SUBSCRIPTION = 'accompaniment.refund-policy';

export const refundPolicyProjection = rowProjection<RefundPolicyRow>({
  name: REFUND_POLICY_SUBSCRIPTION,
  label: 'refund policy',
  table: 'accompaniment.refund_policy',
  rowsName: 'policies',
  categories: [refundPolicyAggregate.category],
  keyOf: (event) => event.tenantId,
  evolve: evolveRefundPolicyRow,
  async load(tx) {
    const { rows } = await tx.query<{ row: RefundPolicyRow }>(
      `SELECT jsonb_build_object('tenantId', tenant_id, 'versions', versions, 'budgets', budgets, 'streamVersion', stream_version, 'updatedAt', ${ISO('updated_at')}) AS row FROM accompaniment.refund_policy`,
    );
    return new Map(rows.map(({ row }) => [row.tenantId, row]));
  },
  async save(tx, rows) {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO accompaniment.refund_policy (tenant_id, versions, budgets, stream_version, updated_at)
       SELECT r."tenantId", r.versions, r.budgets, r."streamVersion", r."updatedAt"::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, versions jsonb, budgets jsonb, "streamVersion" int, "updatedAt" text)
       ON CONFLICT (tenant_id) DO UPDATE SET versions = excluded.versions, budgets = excluded.budgets, stream_version = excluded.stream_version, updated_at = excluded.updated_at`,
      [JSON.stringify(rows)],
    );
  },
  clear: async (tx) => void (await tx.query('DELETE FROM accompaniment.refund_policy')),
});
