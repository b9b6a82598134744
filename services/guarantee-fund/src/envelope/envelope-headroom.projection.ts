import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
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

const envelopeTable = rowTable<EnvelopeRow>('guarantee_fund.envelope', [
  ['tenantId', 'tenant_id', 'text'],
  ['guarantorId', 'guarantor_id', 'text'],
  ['capacityCents', 'capacity_cents', 'bigint'],
  ['reservedCents', 'reserved_cents', 'bigint'],
  ['consumedCents', 'consumed_cents', 'bigint'],
  ['headroomCents', 'headroom_cents', 'bigint'],
  ['lastDecisionReference', 'last_decision_reference', 'text'],
  ['lastDecisionDate', 'last_decision_date', 'date'],
  ['streamVersion', 'stream_version', 'int'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

/** guarantee_fund.envelope: one row per envelope with its headroom, folded from the envelope streams. */
export const envelopeHeadroomProjection = rowProjection<EnvelopeRow>({
  name: ENVELOPE_HEADROOM_SUBSCRIPTION,
  label: 'envelope',
  table: 'guarantee_fund.envelope',
  rowsName: 'envelopes',
  categories: [envelopeAggregate.category],
  evolve: evolveEnvelopeRow,
  load: envelopeTable.load,
  save: envelopeTable.save,
  clear: envelopeTable.clear,
});
