import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
import { applicationAggregate } from './application.decider';

export const FILE_LIST_SUBSCRIPTION = 'intake.file-list';

/** An intake.file_list row as the projection computes it (ids, codes, figures: nothing personal). */
export interface FileRow {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly beneficiaryId: string;
  readonly product: string;
  readonly purposeCategory: string;
  readonly requestedAmountCents: number;
  readonly requestedTermMonths: number;
  readonly status: string;
  readonly openedBy: string;
  readonly appointmentsHeld: number;
  readonly resteAVivreBelowMinimum: boolean | null;
  readonly accompanimentLevel: string | null;
  readonly eligible: boolean | null;
  readonly productVersion: number | null;
  readonly commissionDecision: string | null;
  readonly outcome: string | null;
  readonly reasonCode: string | null;
  readonly reasonCategory: string | null;
  readonly loanId: string | null;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly loanEndedAt: string | null;
  readonly streamVersion: number;
  readonly updatedAt: string;
}

/** evolve(row, event). Pure; an event already applied leaves the row as it is; times come from the events. */
export function evolveFileRow(row: FileRow | undefined, event: RecordedEvent): FileRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(applicationAggregate, event);
  const at = event.metadata.occurredAt;
  if (decoded.type === 'ApplicationOpened') {
    const d = decoded.data;
    return {
      tenantId: event.tenantId,
      applicationId: d.applicationId,
      beneficiaryId: d.beneficiaryId,
      product: d.product,
      purposeCategory: d.purposeCategory,
      requestedAmountCents: d.requestedAmountCents,
      requestedTermMonths: d.requestedTermMonths,
      status: 'building',
      openedBy: d.openedBy,
      appointmentsHeld: 0,
      resteAVivreBelowMinimum: null,
      accompanimentLevel: null,
      eligible: null,
      productVersion: null,
      commissionDecision: null,
      outcome: null,
      reasonCode: null,
      reasonCategory: null,
      loanId: null,
      openedAt: at,
      closedAt: null,
      loanEndedAt: null,
      streamVersion: event.streamVersion,
      updatedAt: at,
    };
  }
  if (!row) return row;
  const next = { ...row, streamVersion: event.streamVersion, updatedAt: at };
  switch (decoded.type) {
    case 'AppointmentHeld':
      return { ...next, appointmentsHeld: row.appointmentsHeld + 1 };
    case 'BudgetAssessed':
      return { ...next, resteAVivreBelowMinimum: decoded.data.belowMinimum };
    case 'NeedsAssessed':
      return { ...next, accompanimentLevel: decoded.data.level };
    case 'EligibilityChecked':
      return { ...next, eligible: decoded.data.eligible, productVersion: decoded.data.productVersion };
    case 'ApplicationSubmitted':
      return { ...next, status: 'submitted' };
    case 'CommissionDecided':
      return { ...next, commissionDecision: decoded.data.decision, reasonCode: decoded.data.reasonCode, status: decoded.data.decision === 'approved' ? 'approved' : 'building' };
    case 'ApplicationTransmitted':
      return { ...next, status: 'transmitted', reasonCode: null };
    case 'ApplicationWithdrawn':
      return { ...next, status: 'withdrawn', reasonCode: decoded.data.reasonCode, closedAt: at };
    case 'ApplicationClosed':
      return { ...next, status: 'closed', outcome: decoded.data.outcome, reasonCode: decoded.data.reasonCode ?? null, reasonCategory: decoded.data.reasonCategory ?? null, loanId: decoded.data.loanId ?? null, closedAt: at };
    case 'LoanEnded':
      return { ...next, loanEndedAt: decoded.data.endedAt };
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

const fileListTable = rowTable<FileRow>('intake.file_list', [
  ['tenantId', 'tenant_id', 'text'],
  ['applicationId', 'application_id', 'text'],
  ['beneficiaryId', 'beneficiary_id', 'text'],
  ['product', 'product', 'text'],
  ['purposeCategory', 'purpose_category', 'text'],
  ['requestedAmountCents', 'requested_amount_cents', 'bigint'],
  ['requestedTermMonths', 'requested_term_months', 'int'],
  ['status', 'status', 'text'],
  ['openedBy', 'opened_by', 'text'],
  ['appointmentsHeld', 'appointments_held', 'int'],
  ['resteAVivreBelowMinimum', 'reste_a_vivre_below_minimum', 'boolean'],
  ['accompanimentLevel', 'accompaniment_level', 'text'],
  ['eligible', 'eligible', 'boolean'],
  ['productVersion', 'product_version', 'int'],
  ['commissionDecision', 'commission_decision', 'text'],
  ['outcome', 'outcome', 'text'],
  ['reasonCode', 'reason_code', 'text'],
  ['reasonCategory', 'reason_category', 'text'],
  ['loanId', 'loan_id', 'text'],
  ['openedAt', 'opened_at', 'timestamptz'],
  ['closedAt', 'closed_at', 'timestamptz'],
  ['loanEndedAt', 'loan_ended_at', 'timestamptz'],
  ['streamVersion', 'stream_version', 'int'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

/** intake.file_list: one row per file for the social worker's list. */
export const fileListProjection = rowProjection<FileRow>({
  name: FILE_LIST_SUBSCRIPTION,
  label: 'file',
  rowsName: 'files',
  table: 'intake.file_list',
  categories: [applicationAggregate.category],
  evolve: evolveFileRow,
  load: fileListTable.load,
  save: fileListTable.save,
  clear: fileListTable.clear,
});
