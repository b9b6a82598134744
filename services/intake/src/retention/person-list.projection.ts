import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection } from '@tremplin/event-store-postgres';
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

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** intake.person_list: one row per person, for the retention job. */
export const personListProjection = rowProjection<PersonRow>({
  name: 'intake.person-list',
  label: 'person',
  rowsName: 'people',
  table: 'intake.person_list',
  categories: [beneficiaryAggregate.category],
  evolve: evolvePersonRow,
  async load(tx, ids) {
    const { rows } = await tx.query<{ row: PersonRow }>(
      `SELECT jsonb_build_object('tenantId', tenant_id, 'beneficiaryId', beneficiary_id, 'registeredAt', ${ts('registered_at')}, 'lastActivityAt', ${ts('last_activity_at')},
              'erasedAt', ${ts('erased_at')}, 'erasureReason', erasure_reason, 'streamVersion', stream_version) AS row
         FROM intake.person_list WHERE beneficiary_id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map(({ row }) => [row.beneficiaryId, row]));
  },
  async save(tx, rows) {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO intake.person_list (tenant_id, beneficiary_id, registered_at, last_activity_at, erased_at, erasure_reason, stream_version)
       SELECT r."tenantId", r."beneficiaryId", r."registeredAt"::timestamptz, r."lastActivityAt"::timestamptz, r."erasedAt"::timestamptz, r."erasureReason", r."streamVersion"
         FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, "beneficiaryId" text, "registeredAt" text, "lastActivityAt" text, "erasedAt" text, "erasureReason" text, "streamVersion" int)
       ON CONFLICT (tenant_id, beneficiary_id) DO UPDATE SET last_activity_at = excluded.last_activity_at, erased_at = excluded.erased_at,
         erasure_reason = excluded.erasure_reason, stream_version = excluded.stream_version`,
      [JSON.stringify(rows)],
    );
  },
  clear: async (tx) => void (await tx.query('DELETE FROM intake.person_list')),
});
