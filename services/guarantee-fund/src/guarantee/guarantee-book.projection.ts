import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
import { guaranteeAggregate } from './guarantee.decider';

export const GUARANTEE_BOOK_SUBSCRIPTION = 'guarantee.guarantee-book';

/** The exposure from a date on; the last entry on or before a date is the exposure at that date. */
export interface ExposurePoint {
  readonly on: string;
  readonly exposureCents: number;
}

/** A guarantee_fund.guarantee row as the projection computes it: ids and amounts only. */
export interface GuaranteeRow {
  readonly tenantId: string;
  readonly loanId: string;
  readonly status: string;
  readonly product: string;
  readonly bankPartnerId: string;
  readonly principalCents: number;
  readonly guarantorId: string | null;
  readonly guarantorKind: string | null;
  readonly managerId: string | null;
  readonly shareBps: number | null;
  readonly guaranteedCents: number;
  readonly exposureCents: number;
  readonly refusalReason: string | null;
  readonly claimCents: number | null;
  readonly calledAt: string | null;
  readonly claimPaidOn: string | null;
  readonly claimPaidBy: string | null;
  readonly recoveredCents: number;
  readonly lossCents: number | null;
  readonly exposureHistory: readonly ExposurePoint[];
  readonly requestedAt: string;
  readonly streamVersion: number;
  readonly updatedAt: string;
}

const day = (instant: string) => instant.slice(0, 10);
const exposed = (row: GuaranteeRow, on: string, exposureCents: number): Pick<GuaranteeRow, 'exposureCents' | 'exposureHistory'> => ({
  exposureCents,
  exposureHistory: [...row.exposureHistory, { on, exposureCents }],
});

/** evolve(row, event). Pure; an event already applied leaves the row as it is. */
export function evolveGuaranteeRow(row: GuaranteeRow | undefined, event: RecordedEvent): GuaranteeRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(guaranteeAggregate, event);
  const stamp = { streamVersion: event.streamVersion, updatedAt: event.metadata.occurredAt };
  if (decoded.type === 'GuaranteeRequested') {
    const d = decoded.data;
    return {
      tenantId: event.tenantId,
      loanId: d.loanId,
      status: 'requested',
      product: d.product,
      bankPartnerId: d.bankPartnerId,
      principalCents: d.principalCents,
      guarantorId: null,
      guarantorKind: null,
      managerId: null,
      shareBps: null,
      guaranteedCents: 0,
      exposureCents: 0,
      refusalReason: null,
      claimCents: null,
      calledAt: null,
      claimPaidOn: null,
      claimPaidBy: null,
      recoveredCents: 0,
      lossCents: null,
      exposureHistory: [],
      requestedAt: d.requestedAt,
      ...stamp,
    };
  }
  if (!row) return undefined;
  switch (decoded.type) {
    case 'GuaranteeRefused':
      return { ...row, status: 'refused', refusalReason: decoded.data.reasonCode, guarantorId: decoded.data.guarantorId ?? row.guarantorId, ...stamp };
    case 'GuaranteeGranted': {
      const d = decoded.data;
      return { ...row, status: 'granted', refusalReason: null, guarantorId: d.guarantorId, guarantorKind: d.guarantorKind, managerId: d.managerId, shareBps: d.shareBps, guaranteedCents: d.guaranteedCents, ...stamp };
    }
    case 'GuaranteeActivated':
      return { ...row, status: 'active', ...exposed(row, day(decoded.data.activatedAt), decoded.data.exposureCents), ...stamp };
    case 'GuaranteeExposureReduced':
      return { ...row, ...exposed(row, decoded.data.reducedOn, decoded.data.exposureCents), ...stamp };
    case 'GuaranteeReleased':
      return { ...row, status: 'released', ...exposed(row, day(decoded.data.releasedAt), 0), ...stamp };
    case 'GuaranteeCalled':
      // Until the claim is paid the guarantor owes it: the exposure becomes the claim.
      return { ...row, status: 'called', claimCents: decoded.data.claimCents, calledAt: decoded.data.calledAt, ...exposed(row, day(decoded.data.calledAt), decoded.data.claimCents), ...stamp };
    case 'ClaimPaid':
      return { ...row, status: 'claimPaid', claimPaidOn: decoded.data.paidOn, claimPaidBy: decoded.data.paidBy, ...exposed(row, decoded.data.paidOn, 0), ...stamp };
    case 'RecoveryShared':
      return { ...row, recoveredCents: decoded.data.guarantorRecoveredTotalCents, ...stamp };
    case 'RecoveryHeld':
      return { ...row, ...stamp };
    case 'GuaranteeWithdrawn':
      return { ...row, status: 'withdrawn', ...stamp };
    case 'GuaranteeWrittenOff':
      return { ...row, status: 'writtenOff', lossCents: decoded.data.lossCents, ...stamp };
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

const guaranteeTable = rowTable<GuaranteeRow>('guarantee_fund.guarantee', [
  ['tenantId', 'tenant_id', 'text'],
  ['loanId', 'loan_id', 'text'],
  ['status', 'status', 'text'],
  ['product', 'product', 'text'],
  ['bankPartnerId', 'bank_partner_id', 'text'],
  ['principalCents', 'principal_cents', 'bigint'],
  ['guarantorId', 'guarantor_id', 'text'],
  ['guarantorKind', 'guarantor_kind', 'text'],
  ['managerId', 'manager_id', 'text'],
  ['shareBps', 'share_bps', 'int'],
  ['guaranteedCents', 'guaranteed_cents', 'bigint'],
  ['exposureCents', 'exposure_cents', 'bigint'],
  ['refusalReason', 'refusal_reason', 'text'],
  ['claimCents', 'claim_cents', 'bigint'],
  ['calledAt', 'called_at', 'timestamptz'],
  ['claimPaidOn', 'claim_paid_on', 'date'],
  ['claimPaidBy', 'claim_paid_by', 'text'],
  ['recoveredCents', 'recovered_cents', 'bigint'],
  ['lossCents', 'loss_cents', 'bigint'],
  ['exposureHistory', 'exposure_history', 'jsonb'],
  ['requestedAt', 'requested_at', 'timestamptz'],
  ['streamVersion', 'stream_version', 'int'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

/** Reads rows back in the shape evolve returns (dates as text, instants ISO). */
export const GUARANTEE_ROW_SQL = guaranteeTable.rowJson;

/** guarantee_fund.guarantee: one row per loan's guarantee, folded from the guarantee streams. */
export const guaranteeBookProjection = rowProjection<GuaranteeRow>({
  name: GUARANTEE_BOOK_SUBSCRIPTION,
  label: 'guarantee',
  rowsName: 'guarantees',
  table: 'guarantee_fund.guarantee',
  categories: [guaranteeAggregate.category],
  evolve: evolveGuaranteeRow,
  load: guaranteeTable.load,
  save: guaranteeTable.save,
  clear: guaranteeTable.clear,
});
