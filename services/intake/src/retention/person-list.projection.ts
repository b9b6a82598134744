import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
import { beneficiaryAggregate } from '../beneficiary/beneficiary.decider';

export interface PersonRow {
  readonly tenantId: string;
  readonly beneficiaryId: string;
  readonly registeredAt: string;
  readonly lastActivityAt: string;
  readonly erasedAt: string | null;
  readonly erasureReason: string | null;
  readonly streamVersion: number;
}

/** evolve(row, event). Pure; dates from the events, so a rebuild writes the same rows. */
export function evolvePersonRow(row: PersonRow | undefined, event: RecordedEvent): PersonRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(beneficiaryAggregate, event);
  const at = event.metadata.occurredAt;
  if (decoded.type === 'BeneficiaryRegistered') {
    return { tenantId: event.tenantId, beneficiaryId: decoded.data.beneficiaryId, registeredAt: at, lastActivityAt: at, erasedAt: null, erasureReason: null, streamVersion: event.streamVersion };
  }
  if (!row) return row;
  if (decoded.type === 'BeneficiaryErased') return { ...row, erasedAt: at, erasureReason: decoded.data.reason, streamVersion: event.streamVersion };
  return { ...row, lastActivityAt: at, streamVersion: event.streamVersion };
}

const personListTable = rowTable<PersonRow>('intake.person_list', [
  ['tenantId', 'tenant_id', 'text'],
  ['beneficiaryId', 'beneficiary_id', 'text'],
  ['registeredAt', 'registered_at', 'timestamptz'],
  ['lastActivityAt', 'last_activity_at', 'timestamptz'],
  ['erasedAt', 'erased_at', 'timestamptz'],
  ['erasureReason', 'erasure_reason', 'text'],
  ['streamVersion', 'stream_version', 'int'],
]);

/** intake.person_list: one row per person, for the retention job. */
export const personListProjection = rowProjection<PersonRow>({
  name: 'intake.person-list',
  label: 'person',
  rowsName: 'people',
  table: 'intake.person_list',
  categories: [beneficiaryAggregate.category],
  evolve: evolvePersonRow,
  load: personListTable.load,
  save: personListTable.save,
  clear: personListTable.clear,
});
