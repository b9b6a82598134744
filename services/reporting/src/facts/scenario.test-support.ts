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
