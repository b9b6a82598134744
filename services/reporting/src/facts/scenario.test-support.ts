import { randomUUID } from 'node:crypto';
import type { ConsumedEvent } from './facts';

// A scripted scenario as the services publish it: builds consumed events with the contracts' field names.

export function event(name: string, tenantId: string, occurredAt: string, payload: Record<string, unknown>): ConsumedEvent {
  return { messageId: randomUUID(), name, tenantId, occurredAt, payload: { tenantId, ...payload } };
}

export interface LoanScript {
  readonly tenantId: string;
  readonly loanId: string;
  readonly applicationId: string;
  readonly product?: 'classic' | 'restructuring' | 'autonomyHealth';
  readonly purposeCategory?: 'mobility' | 'housing' | 'healthEquipment' | 'employmentTraining' | 'debtRestructuring' | 'other';
  readonly amountCents: number;
  readonly transmittedAt: string;
  readonly approvedAt: string;
  readonly disbursedAt?: string;
  readonly termMonths?: number;
}

/** transmitted → received → approved → (disbursed): the facts of one granted loan. */
export function grantedLoan(script: LoanScript): ConsumedEvent[] {
  const { tenantId, loanId, applicationId, amountCents } = script;
  const product = script.product ?? 'classic';
  const purposeCategory = script.purposeCategory ?? 'mobility';
  const termMonths = script.termMonths ?? 24;
  const events = [
    event('intake.application-transmitted.v1', tenantId, script.transmittedAt, {
      applicationId,
      beneficiaryId: `ben-${applicationId}`,
      bankPartnerId: 'bank-parcours',
      product,
      purposeCategory,
      requestedAmountCents: amountCents,
      requestedTermMonths: termMonths,
      transmittedAt: script.transmittedAt,
      commissionDecisionId: 'commission-1',
    }),
    event('lending.loan-application-received.v1', tenantId, script.transmittedAt, {
      loanId,
      applicationId,
      bankPartnerId: 'bank-parcours',
      product,
      purposeCategory,
      requestedAmountCents: amountCents,
      requestedTermMonths: termMonths,
      receivedAt: script.transmittedAt,
    }),
    event('lending.loan-approved.v1', tenantId, script.approvedAt, {
      loanId,
      applicationId,
      bankPartnerId: 'bank-parcours',
      product,
      approvedAmountCents: amountCents,
      termMonths,
      nominalRateBps: 400,
      taegBps: 410,
      approvedAt: script.approvedAt,
    }),
  ];
  if (script.disbursedAt) {
    events.push(
      event('lending.loan-disbursed.v1', tenantId, script.disbursedAt, {
        loanId,
        applicationId,
        amountCents,
        termMonths,
        product,
        guarantorKind: 'fcs',
        guaranteedShareBps: 5_000,
        disbursedAt: script.disbursedAt,
        firstDueDate: '2026-12-05',
        nominalRateBps: 400,
        taegBps: 410,
      }),
    );
  }
  return events;
}

/** intake: the file opened, then decided by the commission (the start of the processing time). */
export function fileOpenedAndDecided(tenantId: string, applicationId: string, openedAt: string, decidedAt: string): ConsumedEvent[] {
  return [
    event('intake.application-opened.v1', tenantId, openedAt, { applicationId, beneficiaryId: `ben-${applicationId}`, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 24, openedAt }),
    event('intake.commission-decided.v1', tenantId, decidedAt, { applicationId, commissionDecisionId: `com-${applicationId}`, decision: 'approved', reasonCode: 'COMMISSION_OK', decidedAt }),
  ];
}

export interface EscalationScript {
  readonly tenantId: string;
  readonly loanId: string;
  readonly escalationId: string;
  readonly openedAt: string;
  readonly deadlineDate: string;
  readonly contact?: { readonly at: string; readonly minutes: number; readonly workingDays: number; readonly late: boolean };
  readonly closedAt?: string;
}

/** accompaniment: an escalation of a missed instalment, its first CCAS contact and its closing when scripted. */
export function escalation(script: EscalationScript): ConsumedEvent[] {
  const { tenantId, loanId, escalationId, openedAt } = script;
  const events = [
    event('accompaniment.escalation-opened.v1', tenantId, openedAt, { loanId, escalationId, trigger: 'instalmentMissed', instalmentNumber: 2, missedDueDate: openedAt.slice(0, 10), deadlineWorkingDays: 5, deadlineDate: script.deadlineDate, openedAt }),
  ];
  if (script.contact) {
    const c = script.contact;
    events.push(
      event('accompaniment.first-contact-made.v1', tenantId, c.at, { loanId, escalationId, trigger: 'instalmentMissed', channel: 'phone', contactedAt: c.at, delayMinutes: c.minutes, delayWorkingDays: c.workingDays, deadlineWorkingDays: 5, late: c.late }),
    );
  }
  if (script.closedAt) {
    events.push(
      event('accompaniment.escalation-closed.v1', tenantId, script.closedAt, {
        loanId,
        escalationId,
        trigger: 'instalmentMissed',
        outcome: 'resolved',
        openedAt,
        closedAt: script.closedAt,
        threePartyMeetingHeld: false,
        supportMeasures: 0,
        reschedulingsRequested: 0,
      }),
    );
  }
  return events;
}

export function supportGranted(tenantId: string, loanId: string, supportId: string, kind: 'emergencyAid' | 'socialGrocery' | 'referral', grantedOn: string, amountCents?: number): ConsumedEvent {
  const at = `${grantedOn}T10:00:00.000Z`;
  return event('accompaniment.support-granted.v1', tenantId, at, { loanId, supportId, kind, ...(amountCents ? { amountCents } : {}), ...(kind === 'referral' ? { partner: 'caf' } : {}), grantedOn, grantedAt: at });
}

export function interestRefundPaid(tenantId: string, loanId: string, amountCents: number, paidOn: string): ConsumedEvent {
  const at = `${paidOn}T10:00:00.000Z`;
  return event('accompaniment.interest-refund-paid.v1', tenantId, at, { loanId, amountCents, policyVersion: 1, paidOn, paidAt: at });
}

const covered = (loanId: string) => ({ loanId, guarantorId: 'fcs', guarantorKind: 'fcs', product: 'classic' });

/** guarantee fund: a guarantee activated at disbursement for the given exposure. */
export function guaranteeActivated(tenantId: string, loanId: string, principalCents: number, at: string): ConsumedEvent {
  return event('guarantee.guarantee-activated.v1', tenantId, at, { ...covered(loanId), principalCents, guaranteedShareBps: 5_000, exposureCents: principalCents / 2, activatedAt: at });
}

/** guarantee fund: the guarantee called, its claim paid, a recovery shared, the rest written off. */
export function guaranteeLoss(tenantId: string, loanId: string, s: { outstandingCents: number; claimCents: number; calledAt: string; paidOn: string; recoveryCents: number; fundShareCents: number; recoveredAt: string; lossCents: number; writtenOffAt: string }): ConsumedEvent[] {
  return [
    event('guarantee.guarantee-called.v1', tenantId, s.calledAt, { ...covered(loanId), outstandingPrincipalCents: s.outstandingCents, guaranteedShareBps: 5_000, claimCents: s.claimCents, calledAt: s.calledAt }),
    event('guarantee.claim-paid.v1', tenantId, `${s.paidOn}T10:00:00.000Z`, { ...covered(loanId), claimCents: s.claimCents, paidOn: s.paidOn, paidBy: 'cdc-officer', paidAt: `${s.paidOn}T10:00:00.000Z` }),
    event('guarantee.recovery-shared.v1', tenantId, s.recoveredAt, {
      ...covered(loanId),
      recoveryCents: s.recoveryCents,
      guarantorShareCents: s.fundShareCents,
      bankShareCents: s.recoveryCents - s.fundShareCents,
      guarantorRecoveredTotalCents: s.fundShareCents,
      receivedAt: s.recoveredAt,
    }),
    event('guarantee.guarantee-written-off.v1', tenantId, s.writtenOffAt, { ...covered(loanId), claimPaidCents: s.claimCents, recoveredCents: s.fundShareCents, lossCents: s.lossCents, writtenOffAt: s.writtenOffAt }),
  ];
}

type Outcome = 'improved' | 'unchanged' | 'worsened' | 'notConcerned';
/** accompaniment: the end-of-loan evaluation (codes only). */
export function evaluationRecorded(tenantId: string, loanId: string, heldOn: string, employment: Outcome, satisfaction: 'verySatisfied' | 'satisfied' | 'dissatisfied' | 'veryDissatisfied' | 'noAnswer', newProjectApplicationId?: string): ConsumedEvent {
  const at = `${heldOn}T15:00:00.000Z`;
  return event('accompaniment.evaluation-recorded.v1', tenantId, at, {
    loanId,
    outcomes: { employment, mobility: 'improved', housing: 'unchanged', health: 'notConcerned', budget: 'improved', socialTies: 'unchanged' },
    satisfaction,
    withoutSupport: 'wouldHaveWorsened',
    heldOn,
    ...(newProjectApplicationId ? { newProjectApplicationId } : {}),
    recordedAt: at,
  });
}
