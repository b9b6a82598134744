import { z } from 'zod';
import { PRODUCT_CODES } from '../product/product.terms';
import { CONTACT_CHANNELS, EARLY_REPAYMENT_CHOICES, CONTACT_OUTCOMES, PURPOSE_CATEGORIES, REFUSAL_CATEGORIES } from './loan.commands';

// Request bodies: strict (an unknown field is a 400 naming it), money in integer cents, dates as YYYY-MM-DD.
const id = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'an opaque id (letters, digits, "_", ":", ".", "-")');
const cents = () => z.int().positive().max(100_000_000);
const day = () => z.iso.date();
const code = () => z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an UPPER_SNAKE code');

export const receiveApplicationBody = z.strictObject({
  applicationId: id(),
  product: z.enum(PRODUCT_CODES),
  purposeCategory: z.enum(PURPOSE_CATEGORIES),
  requestedAmountCents: cents(),
  requestedTermMonths: z.int().min(1).max(120),
});

export const approveBody = z.strictObject({
  amountCents: cents(),
  termMonths: z.int().min(1).max(120),
  nominalRateBps: z.int().min(0).max(10_000),
  feesCents: z.int().min(0).max(100_000_000).default(0),
  // A code, not prose: the person's circumstances stay in the CCAS's file.
  exceptionJustification: code().optional(),
});

export const refuseBody = z.strictObject({ reasonCode: code(), reasonCategory: z.enum(REFUSAL_CATEGORIES) });
export const offerBody = z.strictObject({ firstDueDate: day() });
export const signBody = z.strictObject({ socialWorkerPresent: z.boolean(), socialWorkerId: id().optional() });
export const agreementNoticeBody = z.strictObject({ sellerId: id(), amountCents: cents() });
export const emptyBody = z.strictObject({});
export const paymentBody = z.strictObject({ amountCents: cents(), paidOn: day() });
export const earlyRepaymentBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('full'), repaidOn: day() }),
  z.strictObject({ kind: z.literal('partial'), repaidOn: day(), principalCents: cents(), choice: z.enum(EARLY_REPAYMENT_CHOICES) }),
]);
export const missedInstalmentBody = z.strictObject({ instalmentNumber: z.int().min(1).max(1_200) });
export const contactBody = z.strictObject({ channel: z.enum(CONTACT_CHANNELS), outcome: z.enum(CONTACT_OUTCOMES) });
export const reschedulingBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('holiday'), months: z.int().min(1).max(12) }),
  z.strictObject({ kind: z.literal('termExtension'), additionalMonths: z.int().min(1).max(84) }),
  z.strictObject({ kind: z.literal('instalmentRevision'), instalmentCents: cents() }),
]);
export const declineBody = z.strictObject({ reasonCode: code() });
export const withdrawOfferBody = z.strictObject({ reasonCode: code() });
export const recoveryBody = z.strictObject({ amountCents: cents(), receivedOn: day() });
export const writeOffBody = z.strictObject({ reasonCode: code() });
