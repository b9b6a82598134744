import { z } from 'zod';
import { defineContract } from './contract';
import { id, instant, months, positiveCents, product, purposeCategory, tenantId } from './fields';

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

export const intakeContracts = [applicationTransmittedV1] as const;

