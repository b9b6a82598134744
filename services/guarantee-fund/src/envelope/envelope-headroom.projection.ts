import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import type { Projection } from '@tremplin/event-store-postgres';
import type { PoolClient } from '@tremplin/pg';
import { envelopeAggregate } from './envelope.decider';

export const ENVELOPE_HEADROOM_SUBSCRIPTION = 'guarantee.envelope-headroom';

/** A guarantee_fund.envelope row as the projection computes it. */
export interface EnvelopeRow {
  readonly tenantId: string;
  readonly guarantorId: string;
  readonly capacityCents: number;
  readonly reservedCents: number;
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
  switch (decoded.type) {
    case 'EnvelopeCapacityVoted': {
      const reservedCents = row?.reservedCents ?? 0;
      return {
        tenantId: event.tenantId,
        guarantorId: decoded.data.guarantorId,
        capacityCents: decoded.data.capacityCents,
        reservedCents,
        headroomCents: decoded.data.capacityCents - reservedCents,
        lastDecisionReference: decoded.data.decisionReference,
        lastDecisionDate: decoded.data.decisionDate,
        streamVersion: event.streamVersion,
        updatedAt: event.metadata.occurredAt,
      };
    }
    default: {
      const unhandled: never = decoded.type;
      throw new Error(`unhandled event ${String(unhandled)}`);
    }
  }
}

const guarantorOf = (event: RecordedEvent) => event.streamId.slice(`${envelopeAggregate.category}-`.length);

async function upsert(tx: PoolClient, rows: readonly EnvelopeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO guarantee_fund.envelope (tenant_id, guarantor_id, capacity_cents, reserved_cents, headroom_cents, last_decision_reference, last_decision_date, stream_version, updated_at)
     SELECT r."tenantId", r."guarantorId", r."capacityCents", r."reservedCents", r."headroomCents", r."lastDecisionReference", r."lastDecisionDate"::date, r."streamVersion", r."updatedAt"::timestamptz
       FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, "guarantorId" text, "capacityCents" bigint, "reservedCents" bigint, "headroomCents" bigint,
            "lastDecisionReference" text, "lastDecisionDate" text, "streamVersion" int, "updatedAt" text)
     ON CONFLICT (tenant_id, guarantor_id) DO UPDATE SET
       capacity_cents = excluded.capacity_cents, reserved_cents = excluded.reserved_cents, headroom_cents = excluded.headroom_cents,
       last_decision_reference = excluded.last_decision_reference, last_decision_date = excluded.last_decision_date,
       stream_version = excluded.stream_version, updated_at = excluded.updated_at`,
    [JSON.stringify(rows)],
  );
}

// Envelope votes are rare (a few board decisions a year per CCAS): one row read and written per event is enough.
async function project(events: readonly RecordedEvent[], tx: PoolClient): Promise<void> {
  for (const event of events) {
    // Row-level security applies to the projection too: it acts for the event's tenant.
    await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [event.tenantId]);
    const { rows } = await tx.query<{ row: EnvelopeRow }>(
      `SELECT jsonb_build_object('tenantId', tenant_id, 'guarantorId', guarantor_id, 'reservedCents', reserved_cents, 'streamVersion', stream_version) AS row
         FROM guarantee_fund.envelope WHERE guarantor_id = $1`,
      [guarantorOf(event)],
    );
    const current = rows[0]?.row;
    const next = evolveEnvelopeRow(current, event);
    if (next && next !== current) await upsert(tx, [next]);
  }
  await tx.query(`SELECT set_config('app.tenant_id', '', true)`);
}

/** guarantee_fund.envelope: one row per envelope with its headroom, folded from the envelope streams. */
export const envelopeHeadroomProjection: Projection = {
  name: ENVELOPE_HEADROOM_SUBSCRIPTION,
  label: 'envelope',
  rowsName: 'envelopes',
  categories: [envelopeAggregate.category],
  project,
  rebuilder() {
    const rows = new Map<string, EnvelopeRow>();
    return {
      fold(event) {
        const key = `${event.tenantId}\u001f${event.streamId}`;
        const next = evolveEnvelopeRow(rows.get(key), event);
        if (next) rows.set(key, next);
      },
      async replace(tx, tenantId) {
        await tx.query('DELETE FROM guarantee_fund.envelope');
        await upsert(tx, [...rows.values()].filter((row) => row.tenantId === tenantId));
      },
      rows: () => rows.size,
    };
  },
};
