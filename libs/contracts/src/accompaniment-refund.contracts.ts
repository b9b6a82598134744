import { z } from 'zod';
import { ACCOMPANIMENT_TOPIC } from './accompaniment.contracts';
import { defineContract } from './contract';
import { calendarDate, count, id, instant, positiveCents, tenantId } from './fields';

// Interest refunds and end-of-loan evaluations, on the accompaniment topic keyed by loan. Amounts, versions and
// codes only: the borrower's bank details and what they said stay encrypted in the service.

export const refundRules = ['everyCompletedLoan', 'noLateInstalment', 'none'] as const;

export const evaluationDimensions = ['employment', 'mobility', 'housing', 'health', 'budget', 'socialTies'] as const;
export const evaluationOutcomes = ['improved', 'unchanged', 'worsened', 'notConcerned'] as const;
export const satisfactionLevels = ['verySatisfied', 'satisfied', 'dissatisfied', 'veryDissatisfied', 'noAnswer'] as const;
// The impact study's question: how the person's situation would have gone without the follow-up.
export const withoutSupportAnswers = ['wouldHaveWorsenedBadly', 'wouldHaveWorsened', 'wouldBeTheSame', 'noAnswer'] as const;

const refund = { tenantId: tenantId(), loanId: id() };
const refundContract = <Shape extends z.ZodRawShape & typeof refund>(name: string, shape: Shape) =>
  defineContract({
    name,
    topic: ACCOMPANIMENT_TOPIC,
    schema: z.object(shape).strict(),
    key: (payload) => (payload as { loanId: string }).loanId,
  });

export const interestRefundApprovedV1 = refundContract('accompaniment.interest-refund-approved.v1', {
  ...refund,
  amountCents: positiveCents(),
  policyVersion: count(),
  rule: z.enum(refundRules),
  approvedAt: instant(),
});

export const interestRefundPaidV1 = refundContract('accompaniment.interest-refund-paid.v1', {
  ...refund,
  amountCents: positiveCents(),
  policyVersion: count(),
  paidOn: calendarDate(),
  paidAt: instant(),
});

const outcome = () => z.enum(evaluationOutcomes);

export const evaluationRecordedV1 = refundContract('accompaniment.evaluation-recorded.v1', {
  ...refund,
  outcomes: z.object({ employment: outcome(), mobility: outcome(), housing: outcome(), health: outcome(), budget: outcome(), socialTies: outcome() }).strict(),
  satisfaction: z.enum(satisfactionLevels),
  withoutSupport: z.enum(withoutSupportAnswers),
  heldOn: calendarDate(),
  // The person's new project, when they start one: intake's file id (an id, never what the project is).
  newProjectApplicationId: id().optional(),
  recordedAt: instant(),
});

// A new project started after the evaluation was recorded.
export const newProjectLinkedV1 = refundContract('accompaniment.new-project-linked.v1', {
  ...refund,
  newProjectApplicationId: id(),
  linkedAt: instant(),
});

export const accompanimentRefundContracts = [interestRefundApprovedV1, interestRefundPaidV1, evaluationRecordedV1, newProjectLinkedV1] as const;
