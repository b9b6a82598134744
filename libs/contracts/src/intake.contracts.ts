import { z } from 'zod';
import { defineContract } from './contract';
import { count, id, instant, months, positiveCents, product, purposeCategory, reasonCode, tenantId } from './fields';

export const INTAKE_APPLICATION_TOPIC = 'intake.application';

export const applicationTransmittedV1 = defineContract({
  name: 'intake.application-transmitted.v1',
  topic: INTAKE_APPLICATION_TOPIC,
  schema: z
    .object({
      tenantId: tenantId(),
      applicationId: id(),
      // Pseudonymous: the intake service alone can link it to a person.
      beneficiaryId: id(),
      bankPartnerId: id(),
      product: product(),
      purposeCategory: purposeCategory(),
      requestedAmountCents: positiveCents(),
      requestedTermMonths: months(),
      transmittedAt: instant(),
      commissionDecisionId: id(),
    })
    .strict(),
  key: (payload) => payload.applicationId,
});

const applicationContract = <Shape extends z.ZodRawShape>(name: string, shape: Shape) =>
  defineContract({
    name,
    topic: INTAKE_APPLICATION_TOPIC,
    schema: z.object({ tenantId: tenantId(), applicationId: id(), ...shape }).strict(),
    key: (payload) => (payload as { applicationId: string }).applicationId,
  });

// The file's life for the reporting and accompaniment services: ids, codes and amounts; the person, their project
// and their budget lines stay in intake, encrypted.
export const applicationOpenedV1 = applicationContract('intake.application-opened.v1', {
  beneficiaryId: id(),
  product: product(),
  purposeCategory: purposeCategory(),
  requestedAmountCents: positiveCents(),
  requestedTermMonths: months(),
  openedAt: instant(),
});

export const applicationSubmittedV1 = applicationContract('intake.application-submitted.v1', {
  product: product(),
  appointmentsHeld: count(),
  // Below the CCAS's own minimum reste à vivre per consumption unit (the figure itself stays in the file).
  resteAVivreBelowMinimum: z.boolean(),
  accompanimentLevel: z.enum(['none', 'checkIns', 'regular', 'mandatory']),
  submittedAt: instant(),
});

export const commissionDecidedV1 = applicationContract('intake.commission-decided.v1', {
  commissionDecisionId: id(),
  decision: z.enum(['approved', 'refused', 'postponed']),
  reasonCode: reasonCode(),
  decidedAt: instant(),
});

export const applicationWithdrawnV1 = applicationContract('intake.application-withdrawn.v1', {
  reasonCode: reasonCode(),
  withdrawnAt: instant(),
});

export const applicationClosedV1 = applicationContract('intake.application-closed.v1', {
  outcome: z.enum(['loanApproved', 'bankRefused', 'commissionRefused']),
  loanId: id().optional(),
  reasonCode: reasonCode().optional(),
  closedAt: instant(),
});

/**
 * A person erased in intake (at their request or at the end of retention): every service that sealed something
 * under their id (accompaniment's contact notes and bank details) deletes its own key for them. Ids only; keyed by the
 * person, on the files' topic (their files are closed by then: erasure waits for them).
 */
export const beneficiaryErasedV1 = defineContract({
  name: 'intake.beneficiary-erased.v1',
  topic: INTAKE_APPLICATION_TOPIC,
  schema: z.object({ tenantId: tenantId(), beneficiaryId: id(), reason: z.enum(['personRequest', 'retentionExpired']), erasedAt: instant() }).strict(),
  key: (payload) => payload.beneficiaryId,
});

export const intakeContracts = [applicationTransmittedV1, applicationOpenedV1, applicationSubmittedV1, commissionDecidedV1, applicationWithdrawnV1, applicationClosedV1, beneficiaryErasedV1] as const;

