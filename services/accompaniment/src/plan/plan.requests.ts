import { z } from 'zod';
import { CHARTER_PARTIES, CHECK_IN_REASONS, CONTACT_CHANNELS, CONTACT_TOPICS, DIFFICULTY_TOPICS, ESCALATION_OUTCOMES, INTENSITIES, PLAN_KINDS, REFERRAL_PARTNERS } from './plan.commands';

// Request bodies: strict (an unknown field is a 400 naming it), money in integer cents, dates YYYY-MM-DD, codes only
// except the contact's note, which is encrypted under the person's key before anything is written.
export const opaqueId = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'an opaque id (letters, digits, "_", ":", ".", "-")');
const instant = () => z.iso.datetime({ offset: false });
export const loanParams = z.strictObject({ loanId: opaqueId() });

export const definePlanBody = z.strictObject({
  kinds: z.array(z.enum(PLAN_KINDS)).max(PLAN_KINDS.length),
  intensity: z.enum(INTENSITIES),
  referentId: opaqueId(),
  beneficiaryId: opaqueId(),
});
export const charterBody = z.strictObject({ parties: z.enum(CHARTER_PARTIES), signedOn: z.iso.date(), bankPartnerId: opaqueId().optional() });
export const contactBody = z.strictObject({
  channel: z.enum(CONTACT_CHANNELS),
  topics: z.array(z.enum(CONTACT_TOPICS)).max(CONTACT_TOPICS.length),
  reached: z.boolean(),
  contactedAt: instant(),
  note: z.string().min(1).max(4_000).optional(),
  checkInId: opaqueId().optional(),
});
export const checkInBody = z.strictObject({ checkInId: opaqueId(), dueOn: z.iso.date(), reason: z.enum(CHECK_IN_REASONS) });
export const difficultyBody = z.strictObject({ topic: z.enum(DIFFICULTY_TOPICS) });
export const emptyBody = z.strictObject({});
export const supportBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('emergencyAid'), amountCents: z.int().min(1).max(100_000_000), grantedOn: z.iso.date() }),
  z.strictObject({ kind: z.literal('socialGrocery'), months: z.int().min(1).max(120), grantedOn: z.iso.date() }),
  z.strictObject({ kind: z.literal('referral'), partner: z.enum(REFERRAL_PARTNERS), grantedOn: z.iso.date() }),
]);
export const reschedulingBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('holiday'), months: z.int().min(1).max(120) }),
  z.strictObject({ kind: z.literal('termExtension'), additionalMonths: z.int().min(1).max(120) }),
  z.strictObject({ kind: z.literal('instalmentRevision'), instalmentCents: z.int().min(1).max(100_000_000) }),
]);
export const closeBody = z.strictObject({ outcome: z.enum(ESCALATION_OUTCOMES) });
