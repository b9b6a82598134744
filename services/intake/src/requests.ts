import { z } from 'zod';
import { ruleError } from '@tremplin/event-sourcing';
import { CONSENT_KINDS, INFORMATION_TOPICS } from './beneficiary/beneficiary.commands';
import { APPOINTMENT_TOPICS, AUTONOMY_HEALTH_CATEGORIES, CHARGE_KINDS, COMMISSION_DECISIONS, INCOME_KINDS, NEED_KINDS, NEED_LEVELS, REASON_CODE } from './application/application.rules';

// Request bodies: strict (an unknown field is a 400 naming it), bounded (no free text without a limit).
const ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/;
export const idParam = z.string().regex(ID);
const text = (max: number) => z.string().trim().min(1).max(max);
const cents = z.int().min(0).max(100_000_000);
const household = z.strictObject({ personsAged14OrMore: z.int().min(1).max(50), childrenUnder14: z.int().min(0).max(50) });

export const identity = z.strictObject({ firstName: text(100), lastName: text(100), birthDate: z.iso.date() });
export const contact = z.strictObject({
  phone: z.string().regex(/^\+?[0-9 .-]{6,20}$/).optional(),
  email: z.email().max(200).optional(),
  address: text(300).optional(),
});
export const situation = z.strictObject({
  employment: z.enum(['employed', 'jobSeeker', 'inTraining', 'retired', 'unableToWork', 'other']),
  housing: z.enum(['tenant', 'socialHousing', 'owner', 'hosted', 'emergency', 'other']),
  incomeSources: z.array(z.enum(INCOME_KINDS)).max(10),
  details: text(2_000).optional(),
});

export const registerBody = z.strictObject({ identity, contact, situation, household });
export const updateBody = z.strictObject({ contact: contact.optional(), situation: situation.optional(), household: household.optional() });
export const consentBody = z.strictObject({ consent: z.enum(CONSENT_KINDS), given: z.boolean() });
export const informationBody = z.strictObject({ topic: z.enum(INFORMATION_TOPICS) });
export const emptyBody = z.strictObject({});

export const openBody = z.strictObject({
  beneficiaryId: idParam,
  product: z.enum(['classic', 'restructuring', 'autonomyHealth']),
  purposeCategory: z.enum(['mobility', 'housing', 'healthEquipment', 'employmentTraining', 'debtRestructuring', 'other']),
  project: z.strictObject({ description: text(2_000) }),
  requestedAmountCents: z.int().min(1).max(100_000_000),
  requestedTermMonths: z.int().min(1).max(240),
  restructuring: z.strictObject({ debts: z.array(z.strictObject({ creditor: text(200), amountCents: cents })).max(20), overdraftCents: cents }).optional(),
  autonomyHealthNeeds: z.array(z.strictObject({ category: z.enum(AUTONOMY_HEALTH_CATEGORIES), amountCents: cents })).min(1).max(20).optional(),
});
export const appointmentBody = z.strictObject({
  heldOn: z.iso.date(),
  durationMinutes: z.int(),
  topics: z.array(z.enum(APPOINTMENT_TOPICS)).max(APPOINTMENT_TOPICS.length),
  notes: text(5_000).optional(),
});
export const budgetBody = z.strictObject({
  household,
  incomes: z.array(z.strictObject({ kind: z.enum(INCOME_KINDS), amountCents: cents })).max(30),
  charges: z.array(z.strictObject({ kind: z.enum(CHARGE_KINDS), amountCents: cents })).max(30),
  debtsOutstandingCents: cents,
  overdraftCents: cents,
  expectedInstalmentCents: cents,
  notes: text(5_000).optional(),
});
export const needsBody = z.strictObject({ level: z.enum(NEED_LEVELS), kinds: z.array(z.enum(NEED_KINDS)).max(NEED_KINDS.length) });
export const decisionBody = z.strictObject({ decision: z.enum(COMMISSION_DECISIONS), reasonCode: z.string().regex(REASON_CODE, 'an UPPER_SNAKE reason code') });
export const transmitBody = z.strictObject({ bankPartnerId: idParam });
export const withdrawBody = z.strictObject({ reasonCode: z.string().regex(REASON_CODE, 'an UPPER_SNAKE reason code') });
export const listQuery = z.strictObject({ status: z.enum(['building', 'submitted', 'approved', 'transmitted', 'withdrawn', 'closed']).optional(), mine: z.enum(['true', 'false']).optional() });
export const historyQuery = z.strictObject({ asOf: z.iso.datetime({ offset: true }).optional() });

/** A path id, checked before anything runs: a 400 naming the parameter. */
export function pathId(params: Readonly<Record<string, string>>, name: string): string {
  const parsed = idParam.safeParse(params[name]);
  if (!parsed.success) throw ruleError('VALIDATION_FAILED', `${name} is an opaque id (letters, digits, _ : . -)`, name);
  return parsed.data;
}
