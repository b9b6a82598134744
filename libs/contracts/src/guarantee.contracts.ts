import { z } from 'zod';
import { defineContract } from './contract';
import { calendarDate, cents, id, instant, positiveCents, tenantId } from './fields';

// The guarantee-fund's facts share one topic; each is keyed by the aggregate it is about, so one envelope's
// votes stay in one partition, in order.
export const GUARANTEE_TOPIC = 'guarantee.guarantee';

// A board's reference of its decision (deliberation number): a code, so no free text rides on the bus.
const decisionReference = () => z.string().regex(/^[A-Z0-9][A-Z0-9_./-]{0,63}$/, 'a decision reference code');

export const envelopeCapacityVotedV1 = defineContract({
  name: 'guarantee.envelope-capacity-voted.v1',
  topic: GUARANTEE_TOPIC,
  schema: z
    .object({
      tenantId: tenantId(),
      guarantorId: id(),
      capacityCents: positiveCents(),
      previousCapacityCents: cents(),
      reservedCents: cents(),
      headroomCents: cents(),
      decisionDate: calendarDate(),
      decisionReference: decisionReference(),
      votedAt: instant(),
    })
    .strict(),
  key: (payload) => `envelope:${payload.tenantId}:${payload.guarantorId}`,
});

export const guaranteeContracts = [envelopeCapacityVotedV1] as const;
