import { USURY_CAP_TABLES } from '@tremplin/finance';
import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import { defaultProductVersion } from '../product/product.terms';
import type { LoanCommand, RepayEarly } from './loan.commands';
import { evolveLoan, loanDecider } from './loan.decider';
import type { EarlyRepaymentRecorded, LoanEvent } from './loan.events';
import type { LoanState } from './loan.state';

// The loan: 1,000 € over 12 months at 4 %, offered, signed and disbursed on 3 November 2025, first due
// on 3 December (a standard month: 333 cents of interest, 8,515 a month, 2,180 of interest over the term).
// Accrued interest = principal × rate × (months / 12 + days / 365), annex I's day count, rounded half-up.

const spec = deciderSpec(loanDecider);
const anne = { userId: 'bank-anne', role: 'bankAdvisor' };
const at = (day: string) => `${day}T10:00:00.000Z`;
const issued = (day: string) => ({ now: at(day), actor: anne });

function fold(events: readonly LoanEvent[]): LoanState {
  return events.reduce(evolveLoan, loanDecider.initialState());
}

function history(...commands: LoanCommand[]): LoanEvent[] {
  const events: LoanEvent[] = [];
  for (const command of commands) events.push(...loanDecider.decide(command, fold(events)));
  return events;
}

const opening = (): LoanEvent[] =>
  history(
    { type: 'ReceiveApplication', loanId: 'l1', applicationId: 'a1', bankPartnerId: 'bank-parcours', product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12, channel: 'bank', productVersion: defaultProductVersion('classic'), ...issued('2025-11-03') },
    { type: 'ApproveLoan', amountCents: 100_000, termMonths: 12, nominalRateBps: 400, feesCents: 0, productVersion: defaultProductVersion('classic'), ...issued('2025-11-03') },
    { type: 'IssueOffer', firstDueDate: '2025-12-03', productVersion: defaultProductVersion('classic'), usuryTables: USURY_CAP_TABLES, ...issued('2025-11-03') },
    { type: 'SignOffer', socialWorkerPresent: false, ...issued('2025-11-03') },
    { type: 'DisburseFunds', ...issued('2025-11-03') },
  );

const full = (repaidOn: string, today = repaidOn): RepayEarly => ({ type: 'RepayEarly', kind: 'full', repaidOn, ...issued(today) });
const partial = (repaidOn: string, principalCents: number, choice: 'reduceTerm' | 'reduceInstalment'): RepayEarly => ({ type: 'RepayEarly', kind: 'partial', repaidOn, principalCents, choice, ...issued(repaidOn) });
const pay = (amountCents: number, paidOn: string): LoanCommand => ({ type: 'RecordPayment', amountCents, paidOn, ...issued(paidOn) });

const refusedWith = (code: string, field?: string) => (error: unknown) => error instanceof DomainError && error.code === code && (field === undefined || error.field === field);
const recorded = (events: LoanEvent[]) => (events.find((event) => event.type === 'EarlyRepaymentRecorded') as EarlyRepaymentRecorded).data;

describe('full early repayment', () => {
  it('on the day of disbursement costs the principal and no interest (it used to record a year of interest, 2,180)', () => {
    const events = loanDecider.decide(full('2025-11-03'), fold(opening()));
    expect(events.map((event) => event.type)).toEqual(['EarlyRepaymentRecorded', 'InstalmentPaid', 'LoanRepaid']);
    expect(recorded(events)).toMatchObject({ kind: 'full', principalRepaidCents: 100_000, accruedInterestCents: 0, amountDueCents: 100_000, interestNotOwedCents: 2_180, accruedFrom: '2025-11-03' });
    expect(events[1]).toMatchObject({ data: { amountCents: 100_000, paidOn: '2025-11-03', allocations: [{ number: 1, interestCents: 0, principalCents: 100_000 }] } });
    expect(events[2]).toEqual({ type: 'LoanRepaid', data: { repaidOn: '2025-11-03', interestPaidTotalCents: 0, everLate: false } });
  });

  it('17 days after disbursement charges 17/365 of a year: 100,000 × 4 % × 17 / 365 = 186.30 → 186 cents', () => {
    spec
      .given(opening())
      .when(full('2025-11-20'))
      .then([
        {
          type: 'EarlyRepaymentRecorded',
          data: {
            kind: 'full',
            repaidOn: '2025-11-20',
            principalRepaidCents: 100_000,
            accruedInterestCents: 186,
            accruedFrom: '2025-11-03',
            accruedTime: { months: 0, days: 17, daysInYear: 365 },
            interestNotOwedCents: 2_180 - 186,
            paidAheadCents: 0,
            amountDueCents: 100_186,
            lines: [{ number: 1, dueDate: '2025-11-20', instalment: 100_186, interest: 186, principal: 100_000, outstandingAfter: 0 }],
            newEndDate: '2025-11-20',
            instalmentCents: 0,
            recordedAt: at('2025-11-20'),
          },
        },
        { type: 'InstalmentPaid', data: { amountCents: 100_186, paidOn: '2025-11-20', allocations: [{ number: 1, interestCents: 186, principalCents: 100_000 }], partial: false, recordedAt: at('2025-11-20') } },
        { type: 'LoanRepaid', data: { repaidOn: '2025-11-20', interestPaidTotalCents: 186, everLate: false } },
      ]);
  });

  it('after the first instalment, accrues from its due date: 91,818 × 4 % × 10 / 365 = 100.63 → 101; 333 + 101 of interest in all', () => {
    const paid = [...opening(), ...loanDecider.decide(pay(8_515, '2025-12-03'), fold(opening()))];
    const events = loanDecider.decide(full('2025-12-13'), fold(paid));
    expect(recorded(events)).toMatchObject({ principalRepaidCents: 91_818, accruedFrom: '2025-12-03', accruedTime: { months: 0, days: 10, daysInYear: 365 }, accruedInterestCents: 101, amountDueCents: 91_919 });
    expect(events.at(-1)).toEqual({ type: 'LoanRepaid', data: { repaidOn: '2025-12-13', interestPaidTotalCents: 333 + 101, everLate: false } });
  });

  it('deducts what was paid ahead: 5,000 paid on disbursement day leaves 95,000 to pay, and the interest paid is 0', () => {
    const paidAhead = [...opening(), ...loanDecider.decide(pay(5_000, '2025-11-03'), fold(opening()))];
    const events = loanDecider.decide(full('2025-11-03'), fold(paidAhead));
    expect(recorded(events)).toMatchObject({ paidAheadCents: 5_000, amountDueCents: 100_000 });
    expect(events[1]).toMatchObject({ data: { amountCents: 95_000, allocations: [{ number: 1, interestCents: 0, principalCents: 95_000 }] } });
    expect(events[2]).toMatchObject({ data: { interestPaidTotalCents: 0 } });
    const after = fold([...paidAhead, ...events]);
    expect(after).toMatchObject({ status: 'repaid', servicing: { interestPaidCents: 0, principalPaidCents: 100_000 } });
  });

  it('is refused while an instalment that fell due is unpaid (ARREARS_FIRST), and once every instalment has fallen due', () => {
    spec.given(opening()).when(full('2025-12-03')).thenThrows(refusedWith('ARREARS_FIRST', 'repaidOn'));
    spec.given(opening()).when(full('2025-12-10')).thenThrows(refusedWith('ARREARS_FIRST', 'repaidOn'));
    spec.given(opening()).when(full('2025-11-21', '2025-11-20')).thenThrows(refusedWith('PAYMENT_DATE_IN_FUTURE', 'repaidOn'));
    spec.given(opening()).when(full('2025-11-02')).thenThrows(refusedWith('PAYMENT_BEFORE_DISBURSEMENT', 'repaidOn'));
  });
});

describe('partial early repayment (the borrower’s choice)', () => {
  it('reduceTerm: 500 € repaid 17 days in costs 500 € + 93 cents (50,000 × 4 % × 17 / 365 = 93.15), keeps 8,515 a month and ends in May', () => {
    const events = loanDecider.decide(partial('2025-11-20', 50_000, 'reduceTerm'), fold(opening()));
    const data = recorded(events);
    expect(data).toMatchObject({ kind: 'partial', choice: 'reduceTerm', principalRepaidCents: 50_000, accruedInterestCents: 93, amountDueCents: 50_093, instalmentCents: 8_515, newEndDate: '2026-05-03' });
    expect(data.lines[0]).toEqual({ number: 1, dueDate: '2025-11-20', instalment: 50_093, interest: 93, principal: 50_000, outstandingAfter: 50_000 });
    // The balance left keeps its first period from the disbursement: 50,000 × 4 % / 12 = 166.67 → 167.
    expect(data.lines[1]).toEqual({ number: 2, dueDate: '2025-12-03', instalment: 8_515, interest: 167, principal: 8_348, outstandingAfter: 41_652 });
    expect(data.lines).toHaveLength(7);
    expect(data.lines.slice(1).reduce((sum, line) => sum + line.principal, 0)).toBe(50_000);
    expect(data.interestNotOwedCents).toBe(2_180 - 582 - 93);
    expect(events[1]).toMatchObject({ type: 'InstalmentPaid', data: { amountCents: 50_093, allocations: [{ number: 1, interestCents: 93, principalCents: 50_000 }] } });
    const state = fold([...opening(), ...events]);
    expect(state).toMatchObject({ status: 'repaying', servicing: { interestPaidCents: 93, principalPaidCents: 50_000 } });
  });

  it('reduceInstalment: the same repayment keeps the end date and lowers the instalment to 4,257', () => {
    const data = recorded(loanDecider.decide(partial('2025-11-20', 50_000, 'reduceInstalment'), fold(opening())));
    expect(data).toMatchObject({ accruedInterestCents: 93, amountDueCents: 50_093, instalmentCents: 4_257, newEndDate: '2026-11-03' });
    expect(data.lines).toHaveLength(13);
    expect(data.lines[1]).toEqual({ number: 2, dueDate: '2025-12-03', instalment: 4_257, interest: 167, principal: 4_090, outstandingAfter: 45_910 });
  });

  it('a full repayment after a partial one charges only the days since: the loan’s interest is 93 + 167 + the new accrual', () => {
    const afterPartial = [...opening(), ...loanDecider.decide(partial('2025-11-20', 50_000, 'reduceTerm'), fold(opening()))];
    const paid = [...afterPartial, ...loanDecider.decide(pay(8_515, '2025-12-03'), fold(afterPartial))];
    const events = loanDecider.decide(full('2025-12-18'), fold(paid));
    // 41,652 × 4 % × 15 / 365 = 68.47 → 68.
    expect(recorded(events)).toMatchObject({ principalRepaidCents: 41_652, accruedFrom: '2025-12-03', accruedInterestCents: 68, amountDueCents: 41_720 });
    expect(events.at(-1)).toMatchObject({ type: 'LoanRepaid', data: { interestPaidTotalCents: 93 + 167 + 68 } });
    expect(fold([...paid, ...events])).toMatchObject({ status: 'repaid', servicing: { principalPaidCents: 100_000, interestPaidCents: 328 } });
  });

  it('refuses a partial repayment of everything, or over money paid ahead', () => {
    spec.given(opening()).when(partial('2025-11-20', 100_000, 'reduceTerm')).thenThrows(refusedWith('EARLY_REPAYMENT_NOT_PARTIAL', 'principalCents'));
    const paidAhead = [...opening(), ...loanDecider.decide(pay(5_000, '2025-11-03'), fold(opening()))];
    spec.given(paidAhead).when(partial('2025-11-20', 10_000, 'reduceTerm')).thenThrows(refusedWith('PAID_AHEAD', 'principalCents'));
  });
});
