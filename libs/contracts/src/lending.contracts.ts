import { z } from 'zod';
import { defineContract } from './contract';
import { basisPoints, calendarDate, cents, count, id, instant, months, positiveCents, product, purposeCategory, reasonCode, tenantId } from './fields';

export const LENDING_LOAN_TOPIC = 'lending.loan';

const loan = {
  tenantId: tenantId(),
  loanId: id(),
};
const loanOfApplication = { ...loan, applicationId: id() };
const loanMaybeOfApplication = { ...loan, applicationId: id().optional() };

const lendingContract = <Shape extends z.ZodRawShape & typeof loan>(name: string, shape: Shape) =>
  defineContract({
    name,
    topic: LENDING_LOAN_TOPIC,
    schema: z.object(shape).strict(),
    key: (payload) => (payload as { loanId: string }).loanId,
  });

export const loanApplicationReceivedV1 = lendingContract('lending.loan-application-received.v1', {
  ...loanOfApplication,
  bankPartnerId: id(),
  product: product(),
  purposeCategory: purposeCategory(),
  requestedAmountCents: positiveCents(),
  requestedTermMonths: months(),
  receivedAt: instant(),
});

export const loanApprovedV1 = lendingContract('lending.loan-approved.v1', {
  ...loanOfApplication,
  bankPartnerId: id(),
  product: product(),
  approvedAmountCents: positiveCents(),
  termMonths: months(),
  nominalRateBps: basisPoints(),
  taegBps: basisPoints(),
  approvedAt: instant(),
});

export const refusalCategories = ['eligibility', 'repaymentCapacity', 'incompleteFile', 'bankPolicy', 'withdrawn', 'other'] as const;

export const loanRefusedV1 = lendingContract('lending.loan-refused.v1', {
  ...loanOfApplication,
  // A code and a category only: the person's circumstances stay in the file, not on the bus.
  reasonCode: reasonCode(),
  reasonCategory: z.enum(refusalCategories),
  refusedAt: instant(),
});

export const loanDisbursedV1 = lendingContract('lending.loan-disbursed.v1', {
  ...loanOfApplication,
  amountCents: positiveCents(),
  termMonths: months(),
  product: product(),
  guarantorKind: z.enum(['fcs', 'ccas']),
  guaranteedShareBps: basisPoints(),
  disbursedAt: instant(),
  firstDueDate: calendarDate(),
  nominalRateBps: basisPoints(),
  taegBps: basisPoints(),
});

export const instalmentMissedV1 = lendingContract('lending.instalment-missed.v1', {
  ...loanMaybeOfApplication,
  instalmentNumber: z.int().positive(),
  dueDate: calendarDate(),
  unpaidCount: count(),
  daysPastDue: count(),
  arrearsCents: cents(),
});

export const incidentWarningIssuedV1 = lendingContract('lending.incident-warning-issued.v1', {
  ...loanMaybeOfApplication,
  unpaidCount: count(),
  arrearsCents: cents(),
  declarableFrom: calendarDate(),
});

export const loanRescheduledV1 = lendingContract('lending.loan-rescheduled.v1', {
  ...loanMaybeOfApplication,
  kind: z.enum(['holiday', 'termExtension', 'instalmentRevision']),
  newEndDate: calendarDate(),
  newInstalmentCents: positiveCents().optional(),
});

export const loanRepaidV1 = lendingContract('lending.loan-repaid.v1', {
  ...loanMaybeOfApplication,
  interestPaidTotalCents: cents(),
  everLate: z.boolean(),
  repaidAt: instant(),
});

export const loanDefaultedV1 = lendingContract('lending.loan-defaulted.v1', {
  ...loanMaybeOfApplication,
  outstandingPrincipalCents: cents(),
  defaultedAt: instant(),
});

export const recoveryReceivedV1 = lendingContract('lending.recovery-received.v1', {
  ...loanMaybeOfApplication,
  amountCents: positiveCents(),
  receivedAt: instant(),
});

// The guarantee fund requests a guarantee when the offer is signed: the facts it decides on (who lends what).
export const offerSignedV1 = lendingContract('lending.offer-signed.v1', {
  ...loanMaybeOfApplication,
  bankPartnerId: id(),
  product: product(),
  amountCents: positiveCents(),
  termMonths: months(),
  guarantorKind: z.enum(['fcs', 'ccas']),
  guaranteedShareBps: basisPoints(),
  firstDueDate: calendarDate(),
  signedAt: instant(),
});

// Each payment recorded, with the principal it repaid and what principal remains: the guarantee's exposure
// follows the balance, not a schedule the bank may have rescheduled.
export const instalmentPaidV1 = lendingContract('lending.instalment-paid.v1', {
  ...loanMaybeOfApplication,
  amountCents: positiveCents(),
  principalRepaidCents: cents(),
  interestPaidCents: cents(),
  outstandingPrincipalCents: cents(),
  paidOn: calendarDate(),
  recordedAt: instant(),
});

// A signed offer withdrawn (or replaced by a new one) before disbursement: the guarantee requested on its
// signature has nothing left to cover; a new signature asks again.
export const offerWithdrawnV1 = lendingContract('lending.offer-withdrawn.v1', {
  ...loanMaybeOfApplication,
  reasonCode: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/),
  withdrawnAt: instant(),
});

// The bank's contact with a borrower in arrears (reached or not): the accompaniment service's escalation moves on
// from it, and alerts the CCAS when the borrower did not answer. Codes only: what was said stays with the bank.
export const borrowerContactChannels = ['phone', 'letter', 'email', 'sms', 'meeting'] as const;
export const borrowerContactOutcomes = ['reached', 'noAnswer', 'promiseToPay', 'difficultyReported'] as const;
export const borrowerContactedV1 = lendingContract('lending.borrower-contacted.v1', {
  ...loanMaybeOfApplication,
  channel: z.enum(borrowerContactChannels),
  outcome: z.enum(borrowerContactOutcomes),
  daysPastDue: count(),
  contactedAt: instant(),
});

export const loanWrittenOffV1 = lendingContract('lending.loan-written-off.v1', {
  ...loanMaybeOfApplication,
  writtenOffCents: cents(),
  writtenOffAt: instant(),
});

// A CCAS's product terms as lending records them, each version from its effectiveFrom: intake checks a file's
// eligibility against the version in force, never against a copy in its own code. Keyed by tenant and product so
// one product's versions stay in order.
export const productTermsChangedV1 = defineContract({
  name: 'lending.product-terms-changed.v1',
  topic: LENDING_LOAN_TOPIC,
  schema: z
    .object({
      tenantId: tenantId(),
      product: product(),
      version: count(),
      effectiveFrom: instant(),
      minAmountCents: positiveCents(),
      maxAmountCents: positiveCents(),
      exceptionMaxAmountCents: positiveCents().optional(),
      minTermMonths: months(),
      maxTermMonths: months(),
      exceptionMaxTermMonths: months().optional(),
      accompaniment: z.enum(['offered', 'mandatory']),
      guarantorKind: z.enum(['fcs', 'ccas']),
      guaranteedShareBps: basisPoints(),
      maxNominalRateBps: basisPoints(),
    })
    .strict(),
  key: (payload) => `${payload.tenantId}:${payload.product}`,
});

export const lendingContracts = [
  loanApplicationReceivedV1,
  loanApprovedV1,
  loanRefusedV1,
  loanDisbursedV1,
  instalmentMissedV1,
  incidentWarningIssuedV1,
  loanRescheduledV1,
  loanRepaidV1,
  loanDefaultedV1,
  recoveryReceivedV1,
  offerSignedV1,
  instalmentPaidV1,
  loanWrittenOffV1,
  offerWithdrawnV1,
  productTermsChangedV1,
  borrowerContactedV1,
] as const;
