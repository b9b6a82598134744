import type { RecordedEvent } from '@tremplin/event-sourcing';

// Rows come back as arrays (cheaper than objects on a million-row catch-up); positions as text so that
// bigint values never pass through a float. The aliases matter: an output column named like a table column
// would make ORDER BY sort by the text (so '18999' before '2').
export const EVENT_COLUMNS = `global_position::text AS position_text, transaction_id::text AS transaction_text, tenant_id, stream_id, stream_version, event_id, type,
  schema_version, data, metadata, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_text, previous_hash, hash`;

export type EventRow = [string, string, string, string, number, string, string, number, unknown, unknown, string, string, string];

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: BigInt(row[0]),
    transactionId: BigInt(row[1]),
    tenantId: row[2],
    streamId: row[3],
    streamVersion: row[4],
    eventId: row[5],
    type: row[6],
    schemaVersion: row[7],
    data: row[8],
    metadata: row[9] as RecordedEvent['metadata'],
    recordedAt: row[10],
    previousHash: row[11],
    hash: row[12],
  };
}
