import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection } from '@tremplin/event-store-postgres';
import type { PoolClient } from '@tremplin/pg';
import { envelopeAggregate } from './envelope.decider';

export const ENVELOPE_HEADROOM_SUBSCRIPTION = 'guarantee.envelope-headroom';

/** A guarantee_fund.envelope row as the projection computes it. */
export interface EnvelopeRow {
  readonly tenantId: string;
  readonly guarantorId: string;
  readonly capacityCents: number;
  readonly reservedCents: number;
  readonly consumedCents: number;
  readonly headroomCents: number;
  readonly lastDecisionReference: string;
  readonly lastDecisionDate: string;
  readonly streamVersion: number;
  /** The event's occurredAt, not the projection's clock: a rebuild writes the same row. */
  readonly updatedAt: string;
}

/** evolve(row, event). Pure; an event already applied leaves the row as it is. */
export function evolveEnvelopeRow(row: EnvelopeRow | undefined, event: RecordedEvent): EnvelopeRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(envelopeAggregate, event);
  const stamp = { streamVersion: event.streamVersion, updatedAt: event.metadata.occurredAt };
  const held = (current: EnvelopeRow, reservedCents: number, consumedCents: number): EnvelopeRow => ({
    ...current,
    reservedCents,
    consumedCents,
    headroomCents: current.capacityCents - reservedCents - consumedCents,
    ...stamp,
  });
  switch (decoded.type) {
    case 'EnvelopeCapacityVoted': {
      const reservedCents = row?.reservedCents ?? 0;
      const consumedCents = row?.consumedCents ?? 0;
      return {
        tenantId: event.tenantId,
        guarantorId: decoded.data.guarantorId,
        capacityCents: decoded.data.capacityCents,
        reservedCents,
        consumedCents,
        headroomCents: decoded.data.capacityCents - reservedCents - consumedCents,
        lastDecisionReference: decoded.data.decisionReference,
        lastDecisionDate: decoded.data.decisionDate,
        ...stamp,
      };
    }
    // An envelope only moves once opened: the decider refuses a reservation from an unopened one.
    case 'EnvelopeReserved':
      return row && held(row, row.reservedCents + decoded.data.amountCents, row.consumedCents);
    case 'EnvelopeReleased':
      return row && held(row, row.reservedCents - decoded.data.amountCents, row.consumedCents);
    case 'EnvelopeConsumed':
      return row && held(row, row.reservedCents - decoded.data.releasedCents, row.consumedCents + decoded.data.consumedCents);
    case 'EnvelopeReplenished':
      return row && held(row, row.reservedCents, row.consumedCents - decoded.data.amountCents);
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

async function upsert(tx: PoolClient, rows: readonly EnvelopeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO guarantee_fund.envelope (tenant_id, guarantor_id, capacity_cents, reserved_cents, consumed_cents, headroom_cents, last_decision_reference, last_decision_date, stream_version, updated_at)
     SELECT r."tenantId", r."guarantorId", r."capacityCents", r."reservedCents", r."consumedCents", r."headroomCents", r."lastDecisionReference", r."lastDecisionDate"::date, r."streamVersion", r."updatedAt"::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, "guarantorId" text, "capacityCents" bigint, "reservedCents" bigint, "consumedCents" bigint, "headroomCents" bigint,
            "lastDecisionReference" text, "lastDecisionDate" text, "streamVersion" int, "updatedAt" text)
     ON CONFLICT (tenant_id, guarantor_id) DO UPDATE SET
       capacity_cents = excluded.capacity_cents, reserved_cents = excluded.reserved_cents, consumed_cents = excluded.consumed_cents, headroom_cents = excluded.headroom_cents,
       last_decision_reference = excluded.last_decision_reference, last_decision_date = excluded.last_decision_date,
       stream_version = excluded.stream_version, updated_at = excluded.updated_at`,
    [JSON.stringify(rows)],
  );
}

/** guarantee_fund.envelope: one row per envelope with its headroom, folded from the envelope streams. */
export const envelopeHeadroomProjection = rowProjection<EnvelopeRow>({
  name: ENVELOPE_HEADROOM_SUBSCRIPTION,
  label: 'envelope',
  table: 'guarantee_fund.envelope',
  rowsName: 'envelopes',
  categories: [envelopeAggregate.category],
  evolve: evolveEnvelopeRow,
  async load(tx, guarantorIds) {
    const { rows } = await tx.query<{ row: EnvelopeRow }>(
      `SELECT jsonb_build_object('tenantId', tenant_id, 'guarantorId', guarantor_id, 'capacityCents', capacity_cents, 'reservedCents', reserved_cents,
              'consumedCents', consumed_cents, 'headroomCents', headroom_cents, 'lastDecisionReference', last_decision_reference,
              'lastDecisionDate', to_char(last_decision_date, 'YYYY-MM-DD'), 'streamVersion', stream_version, 'updatedAt', updated_at) AS row
         FROM guarantee_fund.envelope WHERE guarantor_id = ANY($1::text[])`,
      [guarantorIds],
    );
    return new Map(rows.map(({ row }) => [row.guarantorId, row]));
  },
  save: upsert,
  clear: async (tx) => void (await tx.query('DELETE FROM guarantee_fund.envelope')),
});
