import type { RecordedEvent } from '@tremplin/event-sourcing';
import { sealed } from '../test-support';
import type { ApplicationEvent } from './application.events';
import { applicationMessages } from './application.outbound';
import { initialApplicationState } from './application.decider';
import { evolveFileRow } from './file-list.projection';

const AT = '2026-03-10T09:00:00.000Z';
let version = 0;
const recorded = (event: ApplicationEvent, streamVersion = ++version): RecordedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(streamVersion).padStart(12, '0')}`,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: { correlationId: 'corr-1', occurredAt: AT, actorId: 'sw-sophie' },
  tenantId: 'ccas-laval',
  streamId: 'application-app-1',
  streamVersion,
  globalPosition: BigInt(streamVersion),
  transactionId: 1n,
  recordedAt: AT,
  hash: 'h',
  previousHash: 'p',
});

const journey = (): RecordedEvent[] => {
  version = 0;
  return [
    recorded({ type: 'ApplicationOpened', data: { applicationId: 'app-1', beneficiaryId: 'ben-1', product: 'classic', purposeCategory: 'mobility', project: sealed('project'), requestedAmountCents: 180_000, requestedTermMonths: 24, openedBy: 'sw-sophie', openedAt: AT } }),
    recorded({ type: 'AppointmentHeld', data: { appointmentId: 'rdv-1', heldOn: '2026-03-09', durationMinutes: 90, topics: ['budget'], notes: sealed('notes'), heldBy: 'sw-sophie' } }),
    recorded({ type: 'NeedsAssessed', data: { level: 'checkIns', kinds: ['budget'], assessedBy: 'sw-sophie', assessedAt: AT } }),
    recorded({ type: 'ApplicationSubmitted', data: { submittedBy: 'sw-sophie', submittedAt: AT } }),
    recorded({ type: 'CommissionDecided', data: { decisionId: 'dec-1', decision: 'approved', reasonCode: 'PROJECT_SOUND', decidedBy: 'com-claire', decidedAt: AT } }),
    recorded({ type: 'ApplicationTransmitted', data: { bankPartnerId: 'bank-parcours', commissionDecisionId: 'dec-1', transmittedBy: 'sw-sophie', transmittedAt: AT } }),
    recorded({ type: 'ApplicationClosed', data: { outcome: 'bankRefused', loanId: 'loan-1', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', closedAt: AT } }),
  ];
};

describe('the file list row', () => {
  it('folds a file from opening to the bank’s refusal, with ids, codes and figures only', () => {
    const row = journey().reduce(evolveFileRow, undefined);
    expect(row).toEqual({
      tenantId: 'ccas-laval',
      applicationId: 'app-1',
      beneficiaryId: 'ben-1',
      product: 'classic',
      purposeCategory: 'mobility',
      requestedAmountCents: 180_000,
      requestedTermMonths: 24,
      status: 'closed',
      openedBy: 'sw-sophie',
      appointmentsHeld: 1,
      resteAVivreBelowMinimum: null,
      accompanimentLevel: 'checkIns',
      eligible: null,
      productVersion: null,
      commissionDecision: 'approved',
      outcome: 'bankRefused',
      reasonCode: 'DEBT_RATIO_TOO_HIGH',
      reasonCategory: 'repaymentCapacity',
      loanId: 'loan-1',
      openedAt: AT,
      closedAt: AT,
      loanEndedAt: null,
      streamVersion: 7,
      updatedAt: AT,
    });
    expect(JSON.stringify(row)).not.toContain('$pii');
  });

  it('returns the same row for an event already applied (a replayed batch)', () => {
    const events = journey();
    const row = events.slice(0, 3).reduce(evolveFileRow, undefined);
    expect(evolveFileRow(row, events[1])).toBe(row);
  });
});

describe('the contracts a file publishes', () => {
  it('are opened, submitted, commission decided, transmitted and closed, with no sealed field', () => {
    const messages = applicationMessages('ccas-laval', initialApplicationState(), journey());
    expect(messages.map((message) => message.name)).toEqual([
      'intake.application-opened.v1',
      'intake.application-submitted.v1',
      'intake.commission-decided.v1',
      'intake.application-transmitted.v1',
      'intake.application-closed.v1',
    ]);
    expect(messages[1].payload).toEqual({ tenantId: 'ccas-laval', applicationId: 'app-1', product: 'classic', appointmentsHeld: 1, resteAVivreBelowMinimum: false, accompanimentLevel: 'checkIns', submittedAt: AT });
    expect(messages[4].payload).toEqual({ tenantId: 'ccas-laval', applicationId: 'app-1', outcome: 'bankRefused', loanId: 'loan-1', reasonCode: 'DEBT_RATIO_TOO_HIGH', closedAt: AT });
    expect(JSON.stringify(messages)).not.toMatch(/\$pii|ct-project|ct-notes/);
  });
});
