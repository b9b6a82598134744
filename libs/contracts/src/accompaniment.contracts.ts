import { z } from 'zod';
import { defineContract } from './contract';
import { calendarDate, count, id, instant, positiveCents, tenantId } from './fields';

// The accompaniment service's facts share one topic, keyed by loan: one loan's escalation steps stay in order.
// Codes, ids, delays and amounts only: what the social worker noted stays encrypted in the service.
export const ACCOMPANIMENT_TOPIC = 'accompaniment.plan';

export const escalationTriggers = ['instalmentMissed', 'borrowerDifficulty'] as const;
export const contactChannels = ['phone', 'visit', 'email', 'threePartyMeeting', 'collectiveSession'] as const;
export const escalationOutcomes = ['resolved', 'rescheduled', 'supported', 'referred', 'unreachable', 'loanEnded'] as const;
export const supportKinds = ['emergencyAid', 'socialGrocery', 'referral'] as const;
export const referralPartners = ['departement', 'association', 'mdph', 'caf', 'other'] as const;
export const reschedulingKinds = ['holiday', 'termExtension', 'instalmentRevision'] as const;

const plan = { tenantId: tenantId(), loanId: id() };
const accompanimentContract = <Shape extends z.ZodRawShape & typeof plan>(name: string, shape: Shape) =>
  defineContract({
    name,
    topic: ACCOMPANIMENT_TOPIC,
    schema: z.object(shape).strict(),
    key: (payload) => (payload as { loanId: string }).loanId,
  });

export const escalationOpenedV1 = accompanimentContract('accompaniment.escalation-opened.v1', {
  ...plan,
  escalationId: id(),
  trigger: z.enum(escalationTriggers),
  // For a missed instalment: which one and when it was due; absent when the borrower raised a difficulty first.
  instalmentNumber: z.int().positive().optional(),
  missedDueDate: calendarDate().optional(),
  // The CCAS's deadline for its first contact, in working days from the due date (or from the day it was raised).
  deadlineWorkingDays: z.int().min(1).max(60),
  deadlineDate: calendarDate(),
  openedAt: instant(),
});

// "React at the first difficulty": the delay from the missed instalment (or the difficulty raised) to the CCAS's
// first contact with the person, in minutes and in French working days, and whether it kept the CCAS's deadline.
export const firstContactMadeV1 = accompanimentContract('accompaniment.first-contact-made.v1', {
  ...plan,
  escalationId: id(),
  trigger: z.enum(escalationTriggers),
  channel: z.enum(contactChannels),
  contactedAt: instant(),
  delayMinutes: count(),
  delayWorkingDays: count(),
  deadlineWorkingDays: z.int().min(1).max(60),
  late: z.boolean(),
});

export const escalationClosedV1 = accompanimentContract('accompaniment.escalation-closed.v1', {
  ...plan,
  escalationId: id(),
  trigger: z.enum(escalationTriggers),
  outcome: z.enum(escalationOutcomes),
  openedAt: instant(),
  closedAt: instant(),
  // Absent when the escalation closed before the CCAS ever reached the person (e.g. the bank's call settled it).
  firstContactDelayMinutes: count().optional(),
  firstContactDelayWorkingDays: count().optional(),
  threePartyMeetingHeld: z.boolean(),
  supportMeasures: count(),
  reschedulingsRequested: count(),
});

export const supportGrantedV1 = accompanimentContract('accompaniment.support-granted.v1', {
  ...plan,
  supportId: id(),
  escalationId: id().optional(),
  kind: z.enum(supportKinds),
  // emergencyAid: the amount; socialGrocery: the months of access; referral: the partner's code.
  amountCents: positiveCents().optional(),
  months: z.int().min(1).max(24).optional(),
  partner: z.enum(referralPartners).optional(),
  grantedOn: calendarDate(),
  grantedAt: instant(),
});

// The social worker asks lending for a payment holiday, a term extension or an instalment revision; a bank advisor
// approves or declines it there (four eyes: never the one who asked, named by requestedBy).
export const reschedulingRequestedV1 = accompanimentContract('accompaniment.rescheduling-requested.v1', {
  ...plan,
  requestId: id(),
  escalationId: id().optional(),
  kind: z.enum(reschedulingKinds),
  months: z.int().min(1).max(12).optional(),
  additionalMonths: z.int().min(1).max(84).optional(),
  instalmentCents: positiveCents().optional(),
  requestedBy: id(),
  requestedAt: instant(),
});

export const accompanimentContracts = [escalationOpenedV1, firstContactMadeV1, escalationClosedV1, supportGrantedV1, reschedulingRequestedV1] as const;

/** The rescheduling a request asks for, as lending's command takes it (one parameter per kind). */
export function reschedulingParametersOf(payload: { kind: (typeof reschedulingKinds)[number]; months?: number | undefined; additionalMonths?: number | undefined; instalmentCents?: number | undefined }) {
  switch (payload.kind) {
    case 'holiday':
      return payload.months === undefined ? undefined : { kind: 'holiday' as const, months: payload.months };
    case 'termExtension':
      return payload.additionalMonths === undefined ? undefined : { kind: 'termExtension' as const, additionalMonths: payload.additionalMonths };
    case 'instalmentRevision':
      return payload.instalmentCents === undefined ? undefined : { kind: 'instalmentRevision' as const, instalmentCents: payload.instalmentCents };
    default:
      return undefined;
  }
}
