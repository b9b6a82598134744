import { contractRegistry } from '@tremplin/contracts';
import { USURY_CAP_TABLES } from '@tremplin/finance';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { defaultProductVersion } from '../product/product.terms';
import type { LoanCommand } from './loan.commands';
import { loanDecider } from './loan.decider';
import { loanMessages } from './loan.outbound';
import { recordedLoanEvents as recorded } from './loan.test-support';

const anne = { userId: 'bank-anne', role: 'bankAdvisor' };
const bruno = { userId: 'bank-bruno', role: 'bankAdvisor' };
const at = (day: string) => `${day}T10:00:00.000Z`;


const opening: LoanCommand[] = [
  { type: 'ReceiveApplication', loanId: 'l1', applicationId: 'app-1', bankPartnerId: 'bank-parcours', product: 'restructuring', purposeCategory: 'debtRestructuring', requestedAmountCents: 150_000, requestedTermMonths: 24, channel: 'bank', productVersion: defaultProductVersion('restructuring'), now: at('2025-11-03'), actor: anne },
  { type: 'ApproveLoan', amountCents: 150_000, termMonths: 24, nominalRateBps: 200, feesCents: 0, productVersion: defaultProductVersion('restructuring'), now: at('2025-11-03'), actor: anne },
  { type: 'IssueOffer', firstDueDate: '2025-12-05', productVersion: defaultProductVersion('restructuring'), usuryTables: USURY_CAP_TABLES, now: at('2025-11-03'), actor: anne },
  { type: 'SignOffer', socialWorkerPresent: false, now: at('2025-11-04'), actor: anne },
  { type: 'DisburseFunds', now: at('2025-11-05'), actor: anne },
];

const names = (events: RecordedEvent[]) => loanMessages('ccas-tarbes', loanDecider.initialState(), events).map((envelope) => envelope.name);

describe('integration events of a loan', () => {
  it('publishes every fact other services rely on, each valid against its v1 contract', () => {
    const events = recorded([
      ...opening,
      { type: 'RecordMissedInstalment', instalmentNumber: 1, now: at('2025-12-10'), actor: anne },
      { type: 'RecordMissedInstalment', instalmentNumber: 2, now: at('2026-01-10'), actor: anne },
      { type: 'RequestRescheduling', requestId: 'r-1', request: { kind: 'termExtension', additionalMonths: 6 }, now: at('2026-01-11'), actor: anne },
      { type: 'ApproveRescheduling', requestId: 'r-1', now: at('2026-01-12'), actor: bruno },
      { type: 'DeclareDefault', now: at('2026-04-01'), actor: anne },
      { type: 'RecordRecovery', amountCents: 10_000, receivedOn: '2026-05-01', now: at('2026-05-01'), actor: anne },
    ]);
    const envelopes = loanMessages('ccas-tarbes', loanDecider.initialState(), events);
    expect(envelopes.map((envelope) => envelope.name)).toEqual([
      'lending.loan-application-received.v1',
      'lending.loan-approved.v1',
      'lending.offer-signed.v1',
      'lending.loan-disbursed.v1',
      'lending.instalment-missed.v1',
      'lending.instalment-missed.v1',
      'lending.incident-warning-issued.v1',
      'lending.loan-rescheduled.v1',
      'lending.loan-defaulted.v1',
      'lending.recovery-received.v1',
    ]);
    for (const envelope of envelopes) expect(contractRegistry.get(envelope.name)!.schema.safeParse(envelope.payload).success).toBe(true);
    expect(envelopes[2].payload).toMatchObject({ bankPartnerId: 'bank-parcours', product: 'restructuring', amountCents: 150_000, termMonths: 24, guarantorKind: 'ccas', guaranteedShareBps: 5_000, signedAt: at('2025-11-04') });
    expect(envelopes[3].payload).toMatchObject({ guarantorKind: 'ccas', guaranteedShareBps: 5_000, product: 'restructuring' });
    expect(envelopes[6].payload).toMatchObject({ unpaidCount: 2, declarableFrom: '2026-02-09' });
    expect(envelopes[7].payload).toMatchObject({ kind: 'termExtension' });
    expect(envelopes[8].payload).toMatchObject({ loanId: 'l1', applicationId: 'app-1', defaultedAt: at('2026-04-01') });
  });

  it('publishes a refusal with its code and category only', () => {
    const events = recorded([opening[0], { type: 'RefuseLoan', reasonCode: 'INCOMPLETE_FILE', reasonCategory: 'incompleteFile', now: at('2025-11-04'), actor: anne }]);
    const [, refusal] = loanMessages('ccas-tarbes', loanDecider.initialState(), events);
    expect(refusal).toMatchObject({ name: 'lending.loan-refused.v1', payload: { reasonCode: 'INCOMPLETE_FILE', reasonCategory: 'incompleteFile', refusedAt: at('2025-11-04') } });
  });

  it('publishes each payment with the principal it repaid and the principal left, for the guarantee fund', () => {
    const events = recorded([...opening, { type: 'RecordPayment', amountCents: 6_380, paidOn: '2025-12-05', now: at('2025-12-05'), actor: anne }]);
    const paid = loanMessages('ccas-tarbes', loanDecider.initialState(), events).at(-1)!;
    expect(paid.name).toBe('lending.instalment-paid.v1');
    const payload = paid.payload as { amountCents: number; principalRepaidCents: number; interestPaidCents: number; outstandingPrincipalCents: number };
    expect(payload.principalRepaidCents + payload.interestPaidCents).toBe(6_380);
    expect(payload.principalRepaidCents).toBeGreaterThan(0);
    expect(payload.outstandingPrincipalCents).toBe(150_000 - payload.principalRepaidCents);
    expect(contractRegistry.get(paid.name)!.schema.safeParse(paid.payload).success).toBe(true);
  });

  it('publishes a write-off once approved, not when it is asked for', () => {
    const events = recorded([
      ...opening,
      { type: 'DeclareDefault', now: at('2026-04-01'), actor: anne },
      { type: 'RequestWriteOff', requestId: 'w-1', reasonCode: 'RECOVERY_EXHAUSTED', now: at('2026-06-01'), actor: anne },
      { type: 'ApproveWriteOff', requestId: 'w-1', now: at('2026-06-02'), actor: bruno },
    ]);
    const [defaulted, writtenOff] = loanMessages('ccas-tarbes', loanDecider.initialState(), events).slice(-2);
    expect(defaulted.name).toBe('lending.loan-defaulted.v1');
    expect(writtenOff).toMatchObject({ name: 'lending.loan-written-off.v1', payload: { loanId: 'l1', writtenOffAt: at('2026-06-02') } });
    expect(contractRegistry.get(writtenOff.name)!.schema.safeParse(writtenOff.payload).success).toBe(true);
  });

  it('keeps offers and requests inside the service; a contact with the borrower leaves as codes for the accompaniment service', () => {
    const events = recorded([
      ...opening,
      { type: 'RecordPayment', amountCents: 6_380, paidOn: '2025-12-05', now: at('2025-12-05'), actor: anne },
      { type: 'RecordBorrowerContact', channel: 'phone', outcome: 'reached', now: at('2025-12-06'), actor: anne },
      { type: 'RequestRescheduling', requestId: 'r-1', request: { kind: 'holiday', months: 1 }, now: at('2025-12-07'), actor: anne },
    ]);
    expect(names(events)).toEqual([
      'lending.loan-application-received.v1',
      'lending.loan-approved.v1',
      'lending.offer-signed.v1',
      'lending.loan-disbursed.v1',
      'lending.instalment-paid.v1',
      'lending.borrower-contacted.v1',
    ]);
    const contacted = loanMessages('ccas-tarbes', loanDecider.initialState(), events).find((message) => message.name === 'lending.borrower-contacted.v1')!;
    const recordedContact = events.find((event) => event.type === 'BorrowerContacted')!.data as { daysPastDue: number };
    expect(contacted.payload).toEqual({ tenantId: 'ccas-tarbes', loanId: 'l1', applicationId: expect.any(String), channel: 'phone', outcome: 'reached', daysPastDue: recordedContact.daysPastDue, contactedAt: at('2025-12-06') });
    expect(contractRegistry.get(contacted.name)!.schema.safeParse(contacted.payload).success).toBe(true);
  });

  it('publishes the withdrawal of a signed offer (its guarantee has nothing left to cover), not of an unsigned one', () => {
    const [received, approved] = opening;
    const offer = opening[2];
    const signedThenWithdrawn = recorded([received, approved, offer, opening[3], { type: 'WithdrawOffer', reasonCode: 'BORROWER_CHANGED_PLAN', now: at('2025-11-05'), actor: anne }]);
    const withdrawn = loanMessages('ccas-tarbes', loanDecider.initialState(), signedThenWithdrawn).at(-1)!;
    expect(withdrawn).toMatchObject({ name: 'lending.offer-withdrawn.v1', payload: { loanId: 'l1', reasonCode: 'BORROWER_CHANGED_PLAN', withdrawnAt: at('2025-11-05') } });
    expect(contractRegistry.get(withdrawn.name)!.schema.safeParse(withdrawn.payload).success).toBe(true);
    const unsigned = recorded([received, approved, offer, { type: 'WithdrawOffer', reasonCode: 'BORROWER_CHANGED_PLAN', now: at('2025-11-05'), actor: anne }]);
    expect(names(unsigned)).not.toContain('lending.offer-withdrawn.v1');
  });

  it('derives the same message id from the same event, so a retried append cannot publish twice', () => {
    const events = recorded(opening);
    const ids = (list: RecordedEvent[]) => loanMessages('ccas-tarbes', loanDecider.initialState(), list).map((envelope) => envelope.messageId);
    expect(ids(events)).toEqual(ids(events));
    expect(new Set(ids(events)).size).toBe(4);
  });
});

