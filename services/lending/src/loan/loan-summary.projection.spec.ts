import { USURY_CAP_TABLES } from '@tremplin/finance';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { defaultProductVersion } from '../product/product.terms';
import { evolveSummary, type LoanSummaryRow } from './loan-summary.projection';
import { recordedLoanEvents as recorded } from './loan.test-support';

const anne = { userId: 'bank-anne', role: 'bankAdvisor' };
const at = (day: string) => `${day}T10:00:00.000Z`;


const events = recorded([
  { type: 'ReceiveApplication', loanId: 'l1', applicationId: 'app-1', bankPartnerId: 'bank-parcours', product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 60_000, requestedTermMonths: 6, channel: 'intake', productVersion: defaultProductVersion('classic'), now: at('2025-11-03'), actor: anne },
  { type: 'ApproveLoan', amountCents: 50_000, termMonths: 6, nominalRateBps: 300, feesCents: 0, productVersion: defaultProductVersion('classic'), now: at('2025-11-03'), actor: anne },
  { type: 'IssueOffer', firstDueDate: '2025-12-05', productVersion: defaultProductVersion('classic'), usuryTables: USURY_CAP_TABLES, now: at('2025-11-03'), actor: anne },
  { type: 'SignOffer', socialWorkerPresent: false, now: at('2025-11-04'), actor: anne },
  { type: 'DisburseFunds', now: at('2025-11-05'), actor: anne },
  { type: 'RecordPayment', amountCents: 8_406, paidOn: '2025-12-05', now: at('2025-12-05'), actor: anne },
]);
const fold = (list: RecordedEvent[]) => list.reduce<LoanSummaryRow | undefined>(evolveSummary, undefined);

describe('the loan_summary projection', () => {
  it('folds a loan’s events into its row: status, amounts, outstanding principal, next due date', () => {
    const row = fold(events)!;
    expect(row).toMatchObject({
      tenantId: 'ccas-tarbes',
      loanId: 'l1',
      applicationId: 'app-1',
      status: 'repaying',
      amountCents: 50_000,
      termMonths: 6,
      interestPaidCents: 125,
      nextDueDate: '2026-01-05',
      endDate: '2026-05-05',
      incidentWarning: false,
      streamVersion: 6,
      lastEventAt: at('2025-12-05'),
    });
    expect(row.outstandingPrincipalCents).toBe(50_000 - (8_406 - 125));
  });

  it('shows the requested terms until the bank decides', () => {
    expect(fold(events.slice(0, 1))).toMatchObject({ status: 'applicationReceived', amountCents: 60_000, outstandingPrincipalCents: 0, endDate: null });
  });

  it('ignores an event it has already applied, so a redelivered batch changes nothing', () => {
    const row = fold(events)!;
    expect(evolveSummary(row, events[3])).toBe(row);
  });
});
