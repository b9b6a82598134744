import { USURY_CAP_TABLES } from '@tremplin/finance';
import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import { defaultProductVersion } from '../product/product.terms';
import type { LoanCommand } from './loan.commands';
import { evolveLoan, loanDecider } from './loan.decider';
import type { LoanEvent } from './loan.events';
import type { LoanState } from './loan.state';

// Every state a loan can get stuck in has a documented way forward: the application is bounded when it is
// received, an approval is checked against the product and can be amended before the offer, an offer can be
// withdrawn until the funds are paid out, a stale offer is replaced, and a request is withdrawn by its author,
// declined by someone else, and answers with how it ended once it has.

const spec = deciderSpec(loanDecider);
const anne = { userId: 'bank-anne', role: 'bankAdvisor' };
const bruno = { userId: 'bank-bruno', role: 'bankAdvisor' };
const at = (day: string) => `${day}T10:00:00.000Z`;
const classic = defaultProductVersion('classic');

const fold = (events: readonly LoanEvent[]): LoanState => events.reduce(evolveLoan, loanDecider.initialState());
function history(...commands: LoanCommand[]): LoanEvent[] {
  const events: LoanEvent[] = [];
  for (const command of commands) events.push(...loanDecider.decide(command, fold(events)));
  return events;
}
const refusedWith = (code: string, field?: string) => (error: unknown) => {
  if (!(error instanceof DomainError)) return false;
  if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
  return field === undefined || error.field === field;
};

type Of<T extends LoanCommand['type']> = Extract<LoanCommand, { type: T }>;
const receive = (overrides: Partial<Of<'ReceiveApplication'>> = {}): LoanCommand => ({
  type: 'ReceiveApplication',
  loanId: 'l1',
  applicationId: 'a1',
  bankPartnerId: 'bank-parcours',
  product: 'classic',
  purposeCategory: 'mobility',
  requestedAmountCents: 100_000,
  requestedTermMonths: 12,
  channel: 'bank',
  productVersion: classic,
  now: at('2025-11-03'),
  actor: anne,
  ...overrides,
});
const terms = { amountCents: 100_000, termMonths: 12, nominalRateBps: 400, feesCents: 0, productVersion: classic, now: at('2025-11-03'), actor: anne };
const approve = (overrides: Partial<Of<'ApproveLoan'>> = {}): LoanCommand => ({ type: 'ApproveLoan', ...terms, ...overrides });
const amend = (overrides: Partial<Of<'AmendApproval'>> = {}): LoanCommand => ({ type: 'AmendApproval', ...terms, now: at('2025-11-04'), ...overrides });
const offer = (firstDueDate = '2025-12-05', day = '2025-11-04'): LoanCommand => ({ type: 'IssueOffer', firstDueDate, productVersion: classic, usuryTables: USURY_CAP_TABLES, now: at(day), actor: anne });
const sign = (day = '2025-11-05'): LoanCommand => ({ type: 'SignOffer', socialWorkerPresent: false, now: at(day), actor: anne });
const disburse = (day = '2025-11-06'): LoanCommand => ({ type: 'DisburseFunds', now: at(day), actor: anne });
const withdrawOffer = (day = '2025-11-06'): LoanCommand => ({ type: 'WithdrawOffer', reasonCode: 'BORROWER_CHANGED_PLAN', now: at(day), actor: anne });

describe('an application, bounded when it is received', () => {
  it('refuses 1,000,000 € and 120 months: above the legal ceiling of a personal microcredit (8,000 €, 84 months)', () => {
    spec.given([]).when(receive({ requestedAmountCents: 100_000_000 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'requestedAmountCents'));
    spec.given([]).when(receive({ requestedTermMonths: 120 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'requestedTermMonths'));
  });

  it('refuses 1 cent and 2 months: below what the product lends', () => {
    spec.given([]).when(receive({ requestedAmountCents: 1 })).thenThrows(refusedWith('AMOUNT_OUTSIDE_PRODUCT', 'requestedAmountCents'));
    spec.given([]).when(receive({ requestedTermMonths: 2 })).thenThrows(refusedWith('TERM_OUTSIDE_PRODUCT', 'requestedTermMonths'));
  });

  it('receives 8,000 € over 84 months: the legal ceiling itself (the bank decides what the product allows)', () => {
    expect(history(receive({ requestedAmountCents: 800_000, requestedTermMonths: 84 }))).toHaveLength(1);
  });
});

describe('an approval, amended before the offer', () => {
  const approved = () => history(receive(), approve());

  it('is amended: a new LoanApproved that names the approval it replaces, and the offer follows the new terms', () => {
    const [amended] = loanDecider.decide(amend({ amountCents: 80_000, nominalRateBps: 350 }), fold(approved()));
    expect(amended).toMatchObject({ type: 'LoanApproved', data: { amountCents: 80_000, nominalRateBps: 350, approvedAt: at('2025-11-04'), amends: at('2025-11-03') } });
    const [offered] = loanDecider.decide(offer(), fold([...approved(), amended]));
    expect(offered).toMatchObject({ type: 'LoanOfferIssued', data: { amountCents: 80_000, nominalRateBps: 350 } });
  });

  it('is checked against the product as an approval is', () => {
    spec.given(approved()).when(amend({ nominalRateBps: 450 })).thenThrows(refusedWith('RATE_ABOVE_PRODUCT_MAXIMUM', 'nominalRateBps'));
  });

  it('re-approving says the loan is approved and how to change it; amending without an approval or after the offer says what to do', () => {
    spec.given(approved()).when(approve()).thenThrows(refusedWith('LOAN_ALREADY_APPROVED'));
    spec.given(history(receive())).when(amend()).thenThrows(refusedWith('LOAN_NOT_APPROVED'));
    spec.given(history(receive(), approve(), offer())).when(amend()).thenThrows(refusedWith('OFFER_ALREADY_ISSUED'));
  });
});

describe('an offer, withdrawn until the funds are paid out', () => {
  it('unsigned or signed, is withdrawn: the loan is approved again, and can be amended, offered anew or refused', () => {
    for (const opening of [history(receive(), approve(), offer()), history(receive(), approve(), offer(), sign())]) {
      const [withdrawn] = loanDecider.decide(withdrawOffer(), fold(opening));
      expect(withdrawn).toEqual({ type: 'LoanOfferWithdrawn', data: { reasonCode: 'BORROWER_CHANGED_PLAN', wasSigned: opening.length === 4, withdrawnAt: at('2025-11-06'), withdrawnBy: 'bank-anne' } });
      const after = fold([...opening, withdrawn]);
      expect(after.status).toBe('approved');
      expect(loanDecider.decide(amend({ now: at('2025-11-06') }), after)[0].type).toBe('LoanApproved');
      expect(loanDecider.decide(offer('2025-12-10', '2025-11-06'), after)[0].type).toBe('LoanOfferIssued');
      expect(loanDecider.decide({ type: 'RefuseLoan', reasonCode: 'WITHDRAWN_BY_BORROWER', reasonCategory: 'withdrawn', now: at('2025-11-06'), actor: anne }, after)[0].type).toBe('LoanRefused');
    }
  });

  it('is refused once disbursed (an early repayment is the way then), or when there is no offer', () => {
    spec.given(history(receive(), approve(), offer(), sign(), disburse())).when(withdrawOffer('2025-11-07')).thenThrows(refusedWith('FUNDS_ALREADY_DISBURSED'));
    spec.given(history(receive(), approve())).when(withdrawOffer()).thenThrows(refusedWith('OFFER_NOT_ISSUED'));
  });
});

describe('a signed offer whose first due date has come (OFFER_SCHEDULE_STALE)', () => {
  const stale = () => history(receive(), approve(), offer('2025-12-05'), sign());

  it('cannot be disbursed; a new offer replaces it (withdrawn, then issued), is signed again and disbursed', () => {
    spec.given(stale()).when(disburse('2025-12-05')).thenThrows(refusedWith('OFFER_SCHEDULE_STALE'));
    const reissued = loanDecider.decide(offer('2026-01-10', '2025-12-05'), fold(stale()));
    expect(reissued.map((event) => event.type)).toEqual(['LoanOfferWithdrawn', 'LoanOfferIssued']);
    expect(reissued[0]).toMatchObject({ data: { reasonCode: 'OFFER_SCHEDULE_STALE', wasSigned: true } });
    expect(reissued[1]).toMatchObject({ data: { schedule: { firstDueDate: '2026-01-10' } } });
    const events = [...stale(), ...reissued];
    spec.given(events).when(disburse('2025-12-06')).thenThrows(refusedWith('OFFER_NOT_SIGNED'));
    const signedAgain = [...events, ...loanDecider.decide(sign('2025-12-06'), fold(events))];
    expect(loanDecider.decide(disburse('2025-12-06'), fold(signedAgain))[0].type).toBe('FundsDisbursed');
  });

  it('a current offer is not replaced by accident: OFFER_ALREADY_ISSUED says to withdraw it first', () => {
    spec.given(stale()).when(offer('2026-01-10', '2025-12-04')).thenThrows(refusedWith('OFFER_ALREADY_ISSUED'));
  });
});

describe('a rescheduling request: withdrawn by its author, declined by another, and how it ended', () => {
  const requested = () =>
    history(receive(), approve(), offer(), sign(), disburse(), { type: 'RequestRescheduling', requestId: 'r1', request: { kind: 'holiday', months: 1 }, now: at('2025-11-10'), actor: anne });
  const withdraw = (actor = anne): LoanCommand => ({ type: 'WithdrawRescheduling', requestId: 'r1', now: at('2025-11-11'), actor });
  const decline = (actor = bruno): LoanCommand => ({ type: 'DeclineRescheduling', requestId: 'r1', reasonCode: 'NOT_JUSTIFIED', now: at('2025-11-11'), actor });
  const approveIt = (actor = bruno): LoanCommand => ({ type: 'ApproveRescheduling', requestId: 'r1', now: at('2025-11-12'), actor });

  it('its requester withdraws it; nobody else may', () => {
    spec.given(requested()).when(withdraw()).then([{ type: 'ReschedulingWithdrawn', data: { requestId: 'r1', withdrawnBy: 'bank-anne', withdrawnAt: at('2025-11-11') } }]);
    spec.given(requested()).when(withdraw(bruno)).thenThrows(refusedWith('NOT_THE_REQUESTER', 'requestId'));
  });

  it('its requester may not decline it (that is a withdrawal); a second person does', () => {
    spec.given(requested()).when(decline(anne)).thenThrows(refusedWith('FOUR_EYES_REQUIRED', 'requestId'));
    expect(loanDecider.decide(decline(), fold(requested()))[0].type).toBe('ReschedulingDeclined');
  });

  it('once it ended, approving or declining it answers 409 with how it ended, not 404', () => {
    const approved = [...requested(), ...loanDecider.decide(approveIt(), fold(requested()))];
    spec.given(approved).when(approveIt()).thenThrows(refusedWith('REQUEST_ALREADY_APPROVED', 'requestId'));
    spec.given(approved).when(decline()).thenThrows(refusedWith('REQUEST_ALREADY_APPROVED', 'requestId'));
    const withdrawn = [...requested(), ...loanDecider.decide(withdraw(), fold(requested()))];
    spec.given(withdrawn).when(approveIt()).thenThrows(refusedWith('REQUEST_ALREADY_WITHDRAWN', 'requestId'));
    spec.given(withdrawn).when(withdraw()).thenThrows(refusedWith('REQUEST_ALREADY_WITHDRAWN', 'requestId'));
    spec.given(requested()).when({ type: 'ApproveRescheduling', requestId: 'r-unknown', now: at('2025-11-12'), actor: bruno }).thenThrows(refusedWith('REQUEST_NOT_FOUND', 'requestId'));
  });
});
