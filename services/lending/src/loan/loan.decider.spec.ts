import { annuitySchedule, taegOfSchedule, USURY_CAP_TABLES, type UsuryCapTable } from '@tremplin/finance';
import { deciderSpec } from '@tremplin/event-sourcing';
import { defaultProductVersion, type ProductVersion } from '../product/product.terms';
import { DomainError } from '@tremplin/event-sourcing';
import type { LoanCommand } from './loan.commands';
import { evolveLoan, loanDecider } from './loan.decider';
import type { LoanEvent } from './loan.events';
import type { LoanState } from './loan.state';

const spec = deciderSpec(loanDecider);

const anne = { userId: 'bank-anne', role: 'bankAdvisor' };
const bruno = { userId: 'bank-bruno', role: 'bankAdvisor' };
const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const at = (day: string) => `${day}T10:00:00.000Z`;
const tables: readonly UsuryCapTable[] = USURY_CAP_TABLES;
const classic = defaultProductVersion('classic');

/** Folds commands through the decider: histories are made by the rules under test, not written by hand. */
function history(...commands: LoanCommand[]): LoanEvent[] {
  const events: LoanEvent[] = [];
  let state: LoanState = loanDecider.initialState();
  for (const command of commands) {
    for (const event of loanDecider.decide(command, state)) {
      events.push(event);
      state = evolveLoan(state, event);
    }
  }
  return events;
}

const refusedWith = (code: string, field?: string) => (error: unknown) => {
  if (!(error instanceof DomainError)) return false;
  if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
  if (field !== undefined && error.field !== field) throw new Error(`expected field ${field}, got ${error.field}`);
  return true;
};

const receive = (overrides: Partial<Extract<LoanCommand, { type: 'ReceiveApplication' }>> = {}): LoanCommand => ({
  type: 'ReceiveApplication',
  loanId: 'loan-1',
  applicationId: 'app-1',
  bankPartnerId: 'bank-parcours',
  product: 'classic',
  purposeCategory: 'mobility',
  requestedAmountCents: 182_500,
  requestedTermMonths: 24,
  channel: 'intake',
  commissionDecisionId: 'decision-7',
  productVersion: classic,
  now: at('2025-11-03'),
  actor: { userId: 'system', role: 'platform' },
  ...overrides,
});
const approve = (overrides: Partial<Extract<LoanCommand, { type: 'ApproveLoan' }>> = {}): LoanCommand => ({
  type: 'ApproveLoan',
  productVersion: classic,
  amountCents: 182_500,
  termMonths: 24,
  nominalRateBps: 300,
  feesCents: 0,
  now: at('2025-11-03'),
  actor: anne,
  ...overrides,
});
const offer = (overrides: Partial<Extract<LoanCommand, { type: 'IssueOffer' }>> = {}): LoanCommand => ({
  type: 'IssueOffer',
  firstDueDate: '2025-12-05',
  productVersion: classic,
  usuryTables: tables,
  now: at('2025-11-03'),
  actor: anne,
  ...overrides,
});
const sign = (overrides: Partial<Extract<LoanCommand, { type: 'SignOffer' }>> = {}): LoanCommand => ({
  type: 'SignOffer',
  socialWorkerPresent: true,
  socialWorkerId: 'sw-sophie',
  now: at('2025-11-04'),
  actor: anne,
  ...overrides,
});
const disburse = (day = '2025-11-05'): LoanCommand => ({ type: 'DisburseFunds', now: at(day), actor: anne });
const pay = (amountCents: number, paidOn: string, today = paidOn): LoanCommand => ({ type: 'RecordPayment', amountCents, paidOn, now: at(today), actor: anne });
const miss = (instalmentNumber: number, today: string): LoanCommand => ({ type: 'RecordMissedInstalment', instalmentNumber, now: at(today), actor: anne });
const requestHoliday = (months: number, today: string, actor = anne, requestId = 'req-1'): LoanCommand => ({
  type: 'RequestRescheduling',
  requestId,
  request: { kind: 'holiday', months },
  now: at(today),
  actor,
});
const approveRequest = (today: string, actor = bruno, requestId = 'req-1'): LoanCommand => ({ type: 'ApproveRescheduling', requestId, now: at(today), actor });

const received = () => history(receive());
const approved = (terms: Partial<Extract<LoanCommand, { type: 'ApproveLoan' }>> = {}) => history(receive(), approve(terms));
const offered = () => history(receive(), approve(), offer());
const signed = () => history(receive(), approve(), offer(), sign());
const disbursed = () => history(receive(), approve(), offer(), sign(), disburse());
// 300 € over 6 months at 0 %: 50 € a month, so two unpaid instalments stay under the 150 € declaration threshold.
const smallLoan = () =>
  history(
    receive({ requestedAmountCents: 30_000, requestedTermMonths: 6 }),
    approve({ amountCents: 30_000, termMonths: 6, nominalRateBps: 0 }),
    offer(),
    sign({ socialWorkerPresent: false, socialWorkerId: undefined }),
    disburse(),
  );
const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2025-12-05' });
const line = (n: number) => schedule.lines[n - 1];

describe('a loan with no history', () => {
  it('receives an application transmitted by the CCAS (ids and amounts only)', () => {
    spec
      .given([])
      .when(receive())
      .then([
        {
          type: 'LoanApplicationReceived',
          data: {
            loanId: 'loan-1',
            applicationId: 'app-1',
            bankPartnerId: 'bank-parcours',
            product: 'classic',
            purposeCategory: 'mobility',
            requestedAmountCents: 182_500,
            requestedTermMonths: 24,
            channel: 'intake',
            commissionDecisionId: 'decision-7',
            receivedAt: at('2025-11-03'),
          },
        },
      ]);
  });

  it('receives a file the bank got another way, without a commission decision id', () => {
    const [event] = history(receive({ channel: 'bank', commissionDecisionId: undefined }));
    expect(event).toMatchObject({ type: 'LoanApplicationReceived', data: { channel: 'bank' } });
    expect('commissionDecisionId' in event.data).toBe(false);
  });

  it('refuses a requested amount that is not a positive whole number of cents', () => {
    spec.given([]).when(receive({ requestedAmountCents: 1825.5 })).thenThrows(refusedWith('AMOUNT_INVALID', 'requestedAmountCents'));
  });

  it('answers LOAN_NOT_FOUND to any other command', () => {
    spec.given([]).when(approve()).thenThrows(refusedWith('LOAN_NOT_FOUND'));
    spec.given([]).when(disburse()).thenThrows(refusedWith('LOAN_NOT_FOUND'));
    spec.given([]).when(pay(100, '2025-11-05')).thenThrows(refusedWith('LOAN_NOT_FOUND'));
  });
});

describe('a bank’s scope', () => {
  it('acts for the loan’s own bank and for the CCAS (no scope)', () => {
    expect(loanDecider.decide({ ...approve(), bankScope: 'bank-parcours' } as LoanCommand, foldAll(received()))).toHaveLength(1);
    expect(loanDecider.decide(pay(100, '2025-11-05'), foldAll(disbursed()))).toHaveLength(1);
  });

  it('answers LOAN_NOT_FOUND to another bank, whatever the command or the state', () => {
    spec.given(received()).when({ ...approve(), bankScope: 'bank-rival' } as LoanCommand).thenThrows(refusedWith('LOAN_NOT_FOUND'));
    spec.given(disbursed()).when({ ...pay(100, '2025-11-05'), bankScope: 'bank-rival' } as LoanCommand).thenThrows(refusedWith('LOAN_NOT_FOUND'));
    spec.given(received()).when({ ...receive(), bankScope: 'bank-rival' } as LoanCommand).thenThrows(refusedWith('LOAN_NOT_FOUND'));
  });
});

const foldAll = (events: LoanEvent[]): LoanState => events.reduce(evolveLoan, loanDecider.initialState());

describe('an application received', () => {
  it('is approved with amount, term, rate and an indicative TAEG (3 % nominal → 3.04 %)', () => {
    spec
      .given(received())
      .when(approve())
      .then([
        {
          type: 'LoanApproved',
          data: { amountCents: 182_500, termMonths: 24, nominalRateBps: 300, feesCents: 0, indicativeTaegBps: 304, approvedAt: at('2025-11-03'), approvedBy: 'bank-anne' },
        },
      ]);
  });

  it('counts fees in the indicative TAEG (50 € on 1,825 € over 24 months → 5.87 %)', () => {
    const [, event] = history(receive(), approve({ feesCents: 5_000 }));
    expect(event).toMatchObject({ type: 'LoanApproved', data: { feesCents: 5_000, indicativeTaegBps: 587 } });
  });

  it('refuses an amount above the legal ceiling of 8,000 €', () => {
    spec.given(received()).when(approve({ amountCents: 800_001 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'amountCents'));
  });

  it('refuses a term above the legal ceiling of 84 months', () => {
    spec.given(received()).when(approve({ termMonths: 85 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'termMonths'));
  });

  it('refuses fees that take the whole amount', () => {
    spec.given(received()).when(approve({ feesCents: 182_500 })).thenThrows(refusedWith('VALUE_OUT_OF_RANGE', 'feesCents'));
  });

  it('is refused with a reason code fed back to the CCAS', () => {
    spec
      .given(received())
      .when({ type: 'RefuseLoan', reasonCode: 'INSUFFICIENT_REPAYMENT_CAPACITY', reasonCategory: 'repaymentCapacity', now: at('2025-11-04'), actor: anne })
      .then([{ type: 'LoanRefused', data: { reasonCode: 'INSUFFICIENT_REPAYMENT_CAPACITY', reasonCategory: 'repaymentCapacity', refusedAt: at('2025-11-04'), refusedBy: 'bank-anne' } }]);
  });

  it('refuses a free-text refusal reason (circumstances stay in the file)', () => {
    spec
      .given(received())
      .when({ type: 'RefuseLoan', reasonCode: 'Madame X has debts', reasonCategory: 'other', now: at('2025-11-04'), actor: anne })
      .thenThrows(refusedWith('REASON_CODE_INVALID', 'reasonCode'));
  });

  it('refuses the same application twice', () => {
    spec.given(received()).when(receive()).thenThrows(refusedWith('APPLICATION_ALREADY_RECEIVED', 'applicationId'));
  });

  it('refuses an offer before the bank approved', () => {
    spec.given(received()).when(offer()).thenThrows(refusedWith('LOAN_NOT_APPROVED'));
  });
});

describe('an approved loan', () => {
  const offeredLine1 = { number: 1, dueDate: '2025-12-05', instalment: 7_388 + 486, interest: 486, principal: 7_388, outstandingAfter: 175_112 };

  it('is offered with its schedule, TAEG, the usury cap in force and the product version', () => {
    spec
      .given(approved())
      .when(offer())
      .then([
        {
          type: 'LoanOfferIssued',
          data: {
            offeredAt: at('2025-11-03'),
            product: 'classic',
            productVersion: 0,
            productVersionEffectiveFrom: classic.effectiveFrom,
            guarantorKind: 'fcs',
            guaranteedShareBps: 5_000,
            holidayInterest: 'none',
            amountCents: 182_500,
            termMonths: 24,
            nominalRateBps: 300,
            feesCents: 0,
            taegBps: 304,
            taegAssumption: { disbursementDate: '2025-11-03', dayCount: 'annexI' },
            usuryCapBps: 2_349,
            usuryCapEffectiveFrom: '2025-10-01',
            exception: false,
            schedule: {
              firstDueDate: '2025-12-05',
              instalmentCents: 7_844,
              lines: [offeredLine1, ...schedule.lines.slice(1)],
              endDate: '2027-11-05',
              totalInterestCents: 5_788,
              totalRepaidCents: 188_288,
            },
          },
        },
      ]);
    // Hand-checked: 1,825 € × 0.25 % / (1 − 1.0025^−24) = 78.44 €; a standard month's interest 4.5625 € → 4.56 €.
    // The offer assumes the funds are paid out today (3 Nov): 3 Nov → 5 Dec is a month and 2 days, so line 1
    // charges 182,500 × 3 % × (1/12 + 2/365) = 486.25 → 486 cents, and repays the same principal.
    expect(line(1)).toEqual({ number: 1, dueDate: '2025-12-05', instalment: 7_844, interest: 456, principal: 7_388, outstandingAfter: 175_112 });
    expect(line(24)).toEqual({ number: 24, dueDate: '2027-11-05', instalment: 7_846, interest: 20, principal: 7_826, outstandingAfter: 0 });
  });

  // The product's limits are checked at approval (and again at the offer, whose product version may be newer).
  it('refuses, at approval, an amount outside the product version', () => {
    spec.given(received()).when(approve({ amountCents: 550_000 })).thenThrows(refusedWith('AMOUNT_OUTSIDE_PRODUCT', 'amountCents'));
    spec.given(received()).when(approve({ amountCents: 20_000, termMonths: 6 })).thenThrows(refusedWith('AMOUNT_OUTSIDE_PRODUCT', 'amountCents'));
  });

  it('refuses, at approval, a term outside the product version', () => {
    spec.given(received()).when(approve({ termMonths: 4 })).thenThrows(refusedWith('TERM_OUTSIDE_PRODUCT', 'termMonths'));
    spec.given(received()).when(approve({ termMonths: 60 })).thenThrows(refusedWith('TERM_OUTSIDE_PRODUCT', 'termMonths'));
  });

  it('refuses, at approval, the exception range (up to 5,000 € / 48 months) without a recorded justification', () => {
    spec.given(received()).when(approve({ amountCents: 500_000, termMonths: 48, nominalRateBps: 400 })).thenThrows(refusedWith('EXCEPTION_JUSTIFICATION_REQUIRED', 'amountCents'));
  });

  it('offers 5,000 € over 48 months at 4 % as an exception when the approval justified it', () => {
    const events = history(receive(), approve({ amountCents: 500_000, termMonths: 48, nominalRateBps: 400, exceptionJustification: 'VEHICLE_FOR_NEW_JOB' }), offer());
    // 5,000 € × (0.04/12) / (1 − (1 + 0.04/12)^−48) = 112.90 €; band 3,000–6,000 € capped at 15.71 % in Q4 2025.
    expect(events[2]).toMatchObject({
      type: 'LoanOfferIssued',
      data: { exception: true, taegBps: 407, usuryCapBps: 1_571, schedule: { instalmentCents: 11_290, totalInterestCents: 41_898 + 109, endDate: '2029-11-05' } },
    });
  });

  it('applies the product version it is given: a CCAS that lowered its ceiling refuses what the defaults allowed', () => {
    const stricter: ProductVersion = { product: 'classic', version: 1, effectiveFrom: at('2025-10-15'), terms: { ...classic.terms, maxAmountCents: 150_000, exceptionMaxAmountCents: undefined } };
    spec.given(approved()).when(offer({ productVersion: stricter })).thenThrows(refusedWith('AMOUNT_OUTSIDE_PRODUCT', 'amountCents'));
    const [, , event] = history(receive({ requestedAmountCents: 150_000 }), approve({ amountCents: 150_000 }), offer({ productVersion: stricter }));
    expect(event).toMatchObject({ type: 'LoanOfferIssued', data: { productVersion: 1, productVersionEffectiveFrom: at('2025-10-15') } });
  });

  it('refuses, at approval, a nominal rate above the product version’s maximum (the approval used to pass and the offer fail)', () => {
    spec.given(received()).when(approve({ nominalRateBps: 450 })).thenThrows(refusedWith('RATE_ABOVE_PRODUCT_MAXIMUM', 'nominalRateBps'));
  });

  it('refuses at the offer what a newer product version no longer allows', () => {
    const lower: ProductVersion = { product: 'classic', version: 2, effectiveFrom: at('2025-11-03'), terms: { ...classic.terms, maxNominalRateBps: 250 } };
    spec.given(approved()).when(offer({ productVersion: lower })).thenThrows(refusedWith('RATE_ABOVE_PRODUCT_MAXIMUM', 'nominalRateBps'));
  });

  it('refuses a TAEG above the usury cap in force on the offer date for the amount band', () => {
    const lax: ProductVersion = { ...classic, terms: { ...classic.terms, maxNominalRateBps: 3_000, exceptionMaxAmountCents: 600_000 } };
    // 1,000 € at 25 % nominal → TAEG 28.07 % > 23.49 % (≤ 3,000 € band).
    spec.given(approved({ amountCents: 100_000, termMonths: 12, nominalRateBps: 2_500, productVersion: lax })).when(offer({ productVersion: lax })).thenThrows(refusedWith('TAEG_ABOVE_USURY_CAP', 'nominalRateBps'));
    // 5,000 € at 16 % → TAEG 17.23 %: lawful under 3,000 € but above the 15.71 % of its band.
    spec
      .given(approved({ amountCents: 500_000, termMonths: 12, nominalRateBps: 1_600, exceptionJustification: 'EQUIPMENT', productVersion: lax }))
      .when(offer({ productVersion: lax }))
      .thenThrows(refusedWith('TAEG_ABOVE_USURY_CAP', 'nominalRateBps'));
  });

  it('refuses an offer dated where no usury table is configured rather than use a stale cap', () => {
    spec.given(approved()).when(offer({ now: at('2027-01-04'), firstDueDate: '2027-02-05' })).thenThrows(refusedWith('USURY_TABLE_MISSING', 'nominalRateBps'));
  });

  it('refuses a first due date that is not after the offer date, or too far away', () => {
    spec.given(approved()).when(offer({ firstDueDate: '2025-11-03' })).thenThrows(refusedWith('FIRST_DUE_DATE_INVALID', 'firstDueDate'));
    spec.given(approved()).when(offer({ firstDueDate: '2026-03-05' })).thenThrows(refusedWith('FIRST_DUE_DATE_INVALID', 'firstDueDate'));
  });

  it('refuses the version of another product', () => {
    spec.given(approved()).when(offer({ productVersion: defaultProductVersion('autonomyHealth') })).thenThrows(refusedWith('PRODUCT_MISMATCH', 'product'));
  });

  it('may still be refused while no offer exists', () => {
    const [event] = loanDecider.decide(
      { type: 'RefuseLoan', reasonCode: 'WITHDRAWN_BY_BORROWER', reasonCategory: 'withdrawn', now: at('2025-11-04'), actor: anne },
      approved().reduce(evolveLoan, loanDecider.initialState()),
    );
    expect(event.type).toBe('LoanRefused');
  });

  it('refuses a second decision, a signature and a disbursement before the offer', () => {
    spec.given(approved()).when(approve()).thenThrows(refusedWith('LOAN_ALREADY_APPROVED'));
    spec.given(approved()).when(sign()).thenThrows(refusedWith('OFFER_NOT_ISSUED'));
    spec.given(approved()).when(disburse()).thenThrows(refusedWith('OFFER_NOT_ISSUED'));
  });
});

describe('a refused application', () => {
  const refused = () => history(receive(), { type: 'RefuseLoan', reasonCode: 'BANK_POLICY', reasonCategory: 'bankPolicy', now: at('2025-11-04'), actor: anne });

  it('cannot be approved afterwards', () => {
    spec.given(refused()).when(approve()).thenThrows(refusedWith('LOAN_ALREADY_DECIDED'));
  });

  it('takes no payment or rescheduling', () => {
    spec.given(refused()).when(pay(100, '2025-11-05')).thenThrows(refusedWith('LOAN_REFUSED'));
    spec.given(refused()).when(requestHoliday(1, '2025-11-05')).thenThrows(refusedWith('LOAN_REFUSED'));
  });
});

describe('an offered loan', () => {
  it('is signed in the social worker’s presence', () => {
    spec
      .given(offered())
      .when(sign())
      .then([{ type: 'LoanOfferSigned', data: { signedAt: at('2025-11-04'), socialWorkerPresent: true, socialWorkerId: 'sw-sophie' } }]);
  });

  it('is signed at the bank without the social worker', () => {
    spec
      .given(offered())
      .when(sign({ socialWorkerPresent: false, socialWorkerId: undefined }))
      .then([{ type: 'LoanOfferSigned', data: { signedAt: at('2025-11-04'), socialWorkerPresent: false } }]);
  });

  it('refuses a social worker said present but not named, or named but absent', () => {
    spec.given(offered()).when(sign({ socialWorkerId: undefined })).thenThrows(refusedWith('SOCIAL_WORKER_REQUIRED', 'socialWorkerId'));
    spec.given(offered()).when(sign({ socialWorkerPresent: false })).thenThrows(refusedWith('SOCIAL_WORKER_NOT_PRESENT', 'socialWorkerId'));
  });

  it('refuses to disburse an unsigned offer', () => {
    spec.given(offered()).when(disburse()).thenThrows(refusedWith('OFFER_NOT_SIGNED'));
  });

  it('refuses an agreement notice to a seller before the signature', () => {
    spec
      .given(offered())
      .when({ type: 'IssueAgreementNotice', noticeId: 'n-1', sellerId: 'garage-42', amountCents: 150_000, now: at('2025-11-04'), actor: anne })
      .thenThrows(refusedWith('OFFER_NOT_SIGNED'));
  });

  it('refuses a second offer', () => {
    spec.given(offered()).when(offer()).thenThrows(refusedWith('OFFER_ALREADY_ISSUED'));
  });
});

describe('a signed offer', () => {
  const notice = (amountCents: number): LoanCommand => ({ type: 'IssueAgreementNotice', noticeId: `n-${amountCents}`, sellerId: 'garage-42', amountCents, now: at('2025-11-04'), actor: anne });

  it('lets the bank issue an agreement notice to a seller', () => {
    spec
      .given(signed())
      .when(notice(150_000))
      .then([{ type: 'AgreementNoticeIssued', data: { noticeId: 'n-150000', sellerId: 'garage-42', amountCents: 150_000, issuedAt: at('2025-11-04') } }]);
  });

  it('refuses notices that promise more than the loan', () => {
    spec.given(signed()).when(notice(182_501)).thenThrows(refusedWith('AGREEMENT_NOTICE_EXCEEDS_LOAN', 'amountCents'));
    const withOne = history(receive(), approve(), offer(), sign(), notice(150_000));
    spec.given(withOne).when(notice(40_000)).thenThrows(refusedWith('AGREEMENT_NOTICE_EXCEEDS_LOAN', 'amountCents'));
  });

  it('has its funds disbursed, which starts the schedule', () => {
    // Paid out on 5 Nov, a standard month before the first due date: line 1 is back to a month's interest.
    spec.given(signed()).when(disburse()).then([
      {
        type: 'FundsDisbursed',
        data: {
          amountCents: 182_500,
          disbursedAt: at('2025-11-05'),
          schedule: { firstDueDate: '2025-12-05', instalmentCents: 7_844, lines: schedule.lines, endDate: '2027-11-05', totalInterestCents: 5_758, totalRepaidCents: 188_258 },
          taegBps: 304,
        },
      },
    ]);
  });

  it('charges a first period of 7 days by its days, and the TAEG on the actual dates', () => {
    // 1,000 € / 12 months / 4 %: offered and paid out on 3 Nov, first due on 10 Nov.
    const events = history(
      receive({ requestedAmountCents: 100_000, requestedTermMonths: 12 }),
      approve({ amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }),
      offer({ firstDueDate: '2025-11-10' }),
      sign(),
      disburse('2025-11-04'),
    );
    const disbursed = events.at(-1) as Extract<LoanEvent, { type: 'FundsDisbursed' }>;
    // 6 days: 100,000 × 4 % × 6 / 365 = 65.75 → 66 cents, instead of a month's 333; the same 8,182 of principal.
    expect(disbursed.data.schedule!.lines[0]).toEqual({ number: 1, dueDate: '2025-11-10', instalment: 8_182 + 66, interest: 66, principal: 8_182, outstandingAfter: 91_818 });
    expect(disbursed.data.schedule!.totalInterestCents).toBe(2_180 - 333 + 66);
    // The offer assumed 7 days (3 → 10 Nov): 77 cents.
    const offered = events.find((event) => event.type === 'LoanOfferIssued') as Extract<LoanEvent, { type: 'LoanOfferIssued' }>;
    expect(offered.data.schedule.lines[0].interest).toBe(77);
    expect(offered.data.taegAssumption).toEqual({ disbursementDate: '2025-11-03', dayCount: 'annexI' });
    // On the actual dates (the first flow 6 days after the drawdown) the TAEG is 4.08 %; the same lines read as
    // standard months would claim 3.56 %. The old schedule (a month's 333 cents for 6 days) cost 4.67 % in truth.
    expect(disbursed.data.taegBps).toBe(408);
    expect(taegOfSchedule({ amount: 100_000, lines: disbursed.data.schedule!.lines }).basisPoints).toBe(356);
    const monthForSixDays = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 400, termMonths: 12, firstDueDate: '2025-11-10' }).lines;
    expect(taegOfSchedule({ amount: 100_000, lines: monthForSixDays, disbursementDate: '2025-11-04' }).basisPoints).toBe(467);
  });

  it('charges a first period of 3 months by its length: three months’ interest, 1,000 cents on 100,000 at 4 %', () => {
    const events = history(
      receive({ requestedAmountCents: 100_000, requestedTermMonths: 12 }),
      approve({ amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }),
      offer({ firstDueDate: '2026-02-03' }),
      sign(),
      disburse('2025-11-03'),
    );
    const disbursed = events.at(-1) as Extract<LoanEvent, { type: 'FundsDisbursed' }>;
    expect(disbursed.data.schedule!.lines[0]).toEqual({ number: 1, dueDate: '2026-02-03', instalment: 8_182 + 1_000, interest: 1_000, principal: 8_182, outstandingAfter: 91_818 });
    // On the actual dates the TAEG is the 4.07 % of a 4 % loan whose interest follows time; read as standard months
    // the same lines would claim 5.37 %. The old schedule (one month's 333 cents for 3 months) was 4.07 % on paper
    // and 3.10 % in truth.
    expect(disbursed.data.taegBps).toBe(407);
    expect(taegOfSchedule({ amount: 100_000, lines: disbursed.data.schedule!.lines }).basisPoints).toBe(537);
    const monthForThree = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 400, termMonths: 12, firstDueDate: '2026-02-03' }).lines;
    expect(taegOfSchedule({ amount: 100_000, lines: monthForThree }).basisPoints).toBe(407);
    expect(taegOfSchedule({ amount: 100_000, lines: monthForThree, disbursementDate: '2025-11-03' }).basisPoints).toBe(310);
  });

  it('refuses a disbursement on or after the first due date (the offer must be renewed)', () => {
    spec.given(signed()).when(disburse('2025-12-05')).thenThrows(refusedWith('OFFER_SCHEDULE_STALE'));
  });

  it('refuses a second signature', () => {
    spec.given(signed()).when(sign()).thenThrows(refusedWith('OFFER_ALREADY_SIGNED'));
  });
});

describe('a loan being repaid', () => {
  it('takes a full instalment on its due date: interest first, then principal', () => {
    spec
      .given(disbursed())
      .when(pay(7_844, '2025-12-05'))
      .then([
        {
          type: 'InstalmentPaid',
          data: { amountCents: 7_844, paidOn: '2025-12-05', allocations: [{ number: 1, interestCents: 456, principalCents: 7_388 }], partial: false, recordedAt: at('2025-12-05') },
        },
      ]);
  });

  it('takes a partial payment, interest before principal, and says it is partial', () => {
    spec
      .given(disbursed())
      .when(pay(1_000, '2025-12-05'))
      .then([
        {
          type: 'InstalmentPaid',
          data: { amountCents: 1_000, paidOn: '2025-12-05', allocations: [{ number: 1, interestCents: 456, principalCents: 544 }], partial: true, recordedAt: at('2025-12-05') },
        },
      ]);
  });

  it('settles the oldest instalment first when two are due', () => {
    const [event] = loanDecider.decide(pay(10_000, '2026-01-06'), disbursed().reduce(evolveLoan, loanDecider.initialState()));
    expect(event).toMatchObject({
      data: { allocations: [{ number: 1, interestCents: 456, principalCents: 7_388 }, { number: 2, interestCents: line(2).interest, principalCents: 10_000 - 7_844 - line(2).interest }], partial: true },
    });
  });

  it('lets a surplus settle the next instalments as scheduled', () => {
    const [event] = loanDecider.decide(pay(7_844 * 2, '2025-12-05'), disbursed().reduce(evolveLoan, loanDecider.initialState()));
    expect(event).toMatchObject({ data: { allocations: [{ number: 1 }, { number: 2, interestCents: line(2).interest, principalCents: line(2).principal }], partial: false } });
  });

  it('refuses a payment dated in the future, before the disbursement, or above everything owed', () => {
    spec.given(disbursed()).when(pay(7_844, '2025-12-06', '2025-12-05')).thenThrows(refusedWith('PAYMENT_DATE_IN_FUTURE', 'paidOn'));
    spec.given(disbursed()).when(pay(7_844, '2025-11-01', '2025-12-05')).thenThrows(refusedWith('PAYMENT_BEFORE_DISBURSEMENT', 'paidOn'));
    spec.given(disbursed()).when(pay(188_259, '2025-12-05')).thenThrows(refusedWith('PAYMENT_EXCEEDS_BALANCE', 'amountCents'));
  });

  it('is repaid once every instalment’s principal and interest is paid, with the interest total and lateness', () => {
    const upToLast = history(receive(), approve(), offer(), sign(), disburse(), ...schedule.lines.slice(0, 23).map((l) => pay(l.instalment, l.dueDate)));
    spec
      .given(upToLast)
      .when(pay(7_846, '2027-11-05'))
      .then([
        { type: 'InstalmentPaid', data: { amountCents: 7_846, paidOn: '2027-11-05', allocations: [{ number: 24, interestCents: 20, principalCents: 7_826 }], partial: false, recordedAt: at('2027-11-05') } },
        { type: 'LoanRepaid', data: { repaidOn: '2027-11-05', interestPaidTotalCents: 5_758, everLate: false } },
      ]);
  });

  it('records a missed instalment with the count of unpaid instalments, days past due and arrears', () => {
    spec
      .given(disbursed())
      .when(miss(1, '2025-12-10'))
      .then([{ type: 'InstalmentMissed', data: { instalmentNumber: 1, dueDate: '2025-12-05', unpaidCount: 1, daysPastDue: 5, arrearsCents: 7_844, recordedAt: at('2025-12-10') } }]);
  });

  it('refuses to call an instalment missed on or before its due date, once paid, twice, or when it does not exist', () => {
    spec.given(disbursed()).when(miss(1, '2025-12-05')).thenThrows(refusedWith('INSTALMENT_NOT_YET_DUE', 'instalmentNumber'));
    spec.given(history(receive(), approve(), offer(), sign(), disburse(), pay(7_844, '2025-12-05'))).when(miss(1, '2025-12-10')).thenThrows(refusedWith('INSTALMENT_ALREADY_PAID', 'instalmentNumber'));
    spec.given(history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10'))).when(miss(1, '2025-12-11')).thenThrows(refusedWith('INSTALMENT_ALREADY_RECORDED_MISSED', 'instalmentNumber'));
    spec.given(disbursed()).when(miss(25, '2027-12-10')).thenThrows(refusedWith('INSTALMENT_NOT_FOUND', 'instalmentNumber'));
  });

  it('warns of a Banque de France incident at the second unpaid instalment, declarable 30 days later', () => {
    spec
      .given(history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10')))
      .when(miss(2, '2026-01-08'))
      .then([
        { type: 'InstalmentMissed', data: { instalmentNumber: 2, dueDate: '2026-01-05', unpaidCount: 2, daysPastDue: 34, arrearsCents: 15_688, recordedAt: at('2026-01-08') } },
        { type: 'IncidentWarningIssued', data: { issuedOn: '2026-01-08', declarableFrom: '2026-02-07', unpaidCount: 2, arrearsCents: 15_688, declarationRequired: true } },
      ]);
  });

  it('marks arrears under 150 € as not to be declared, and refuses such a declaration', () => {
    const twoMissed = history(...smallLoanCommands(), miss(1, '2025-12-10'), miss(2, '2026-01-08'));
    expect(twoMissed[twoMissed.length - 1]).toEqual({
      type: 'IncidentWarningIssued',
      data: { issuedOn: '2026-01-08', declarableFrom: '2026-02-07', unpaidCount: 2, arrearsCents: 10_000, declarationRequired: false },
    });
    // The February instalment is paid on time (it settles the oldest line): 100 € stay in arrears on 7 February.
    const paidFebruary = [...twoMissed, ...loanDecider.decide(pay(5_000, '2026-02-05'), twoMissed.reduce(evolveLoan, loanDecider.initialState()))];
    spec.given(paidFebruary).when({ type: 'DeclareIncident', now: at('2026-02-07'), actor: anne }).thenThrows(refusedWith('DECLARATION_NOT_REQUIRED'));
  });

  it('refuses a declaration before the 30 days, or without a warning; declares once after', () => {
    const warned = history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10'), miss(2, '2026-01-08'));
    spec.given(warned).when({ type: 'DeclareIncident', now: at('2026-02-06'), actor: anne }).thenThrows(refusedWith('DECLARATION_TOO_EARLY'));
    spec.given(disbursed()).when({ type: 'DeclareIncident', now: at('2026-02-06'), actor: anne }).thenThrows(refusedWith('NO_INCIDENT_WARNING'));
    spec
      .given(warned)
      .when({ type: 'DeclareIncident', now: at('2026-02-07'), actor: anne })
      .then([{ type: 'IncidentDeclared', data: { declaredOn: '2026-02-07', arrearsCents: 23_532, unpaidCount: 3 } }]);
    const declared = history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10'), miss(2, '2026-01-08'), { type: 'DeclareIncident', now: at('2026-02-07'), actor: anne });
    spec.given(declared).when({ type: 'DeclareIncident', now: at('2026-02-08'), actor: anne }).thenThrows(refusedWith('INCIDENT_ALREADY_DECLARED'));
  });

  it('clears the warning when the arrears are paid', () => {
    const warned = history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10'), miss(2, '2026-01-08'));
    spec
      .given(warned)
      .when(pay(15_688, '2026-01-20'))
      .then([
        {
          type: 'InstalmentPaid',
          data: {
            amountCents: 15_688,
            paidOn: '2026-01-20',
            allocations: [
              { number: 1, interestCents: 456, principalCents: 7_388 },
              { number: 2, interestCents: line(2).interest, principalCents: line(2).principal },
            ],
            partial: false,
            recordedAt: at('2026-01-20'),
          },
        },
        { type: 'IncidentWarningCleared', data: { clearedOn: '2026-01-20' } },
      ]);
  });

  it('records the bank contacting the borrower, with the days past due at that time', () => {
    spec
      .given(history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10')))
      .when({ type: 'RecordBorrowerContact', channel: 'phone', outcome: 'promiseToPay', now: at('2025-12-12'), actor: anne })
      .then([{ type: 'BorrowerContacted', data: { channel: 'phone', outcome: 'promiseToPay', daysPastDue: 7, contactedAt: at('2025-12-12') } }]);
  });

  describe('payment holiday (four eyes)', () => {
    it('is requested by one person', () => {
      spec
        .given(disbursed())
        .when(requestHoliday(2, '2025-12-01', sophie))
        .then([{ type: 'ReschedulingRequested', data: { requestId: 'req-1', request: { kind: 'holiday', months: 2 }, requestedBy: 'sw-sophie', requestedAt: at('2025-12-01') } }]);
    });

    it('is granted by another: the lines not yet due move later, and the holiday is a pause', () => {
      const requested = history(receive(), approve(), offer(), sign(), disburse(), requestHoliday(2, '2025-12-01', sophie));
      const [event] = loanDecider.decide(approveRequest('2025-12-02'), requested.reduce(evolveLoan, loanDecider.initialState()));
      expect(event).toMatchObject({
        type: 'PaymentHolidayGranted',
        data: {
          requestId: 'req-1',
          requestedBy: 'sw-sophie',
          approvedBy: 'bank-bruno',
          months: 2,
          deferredDueDates: ['2025-12-05', '2026-01-05'],
          capitalisedInterestCents: 0,
          pause: { from: '2025-12-05', to: '2026-02-04' },
          newEndDate: '2028-01-05',
          instalmentCents: 7_844,
        },
      });
      expect(event.type === 'PaymentHolidayGranted' && event.data.lines[0]).toEqual({ ...line(1), dueDate: '2026-02-05' });
    });

    it('refuses approval by the person who asked', () => {
      const requested = history(receive(), approve(), offer(), sign(), disburse(), requestHoliday(2, '2025-12-01', anne));
      spec.given(requested).when(approveRequest('2025-12-02', anne)).thenThrows(refusedWith('FOUR_EYES_REQUIRED', 'requestId'));
    });

    it('refuses approving a request that does not exist, and a second request while one is pending', () => {
      spec.given(disbursed()).when(approveRequest('2025-12-02', bruno, 'req-404')).thenThrows(refusedWith('REQUEST_NOT_FOUND', 'requestId'));
      const requested = history(receive(), approve(), offer(), sign(), disburse(), requestHoliday(2, '2025-12-01', sophie));
      spec.given(requested).when(requestHoliday(1, '2025-12-01', anne, 'req-2')).thenThrows(refusedWith('RESCHEDULING_ALREADY_PENDING'));
    });

    it('refuses a holiday longer than twelve months', () => {
      spec.given(disbursed()).when(requestHoliday(13, '2025-12-01')).thenThrows(refusedWith('VALUE_OUT_OF_RANGE', 'request.months'));
    });

    it('excludes the paused days from the days past due', () => {
      // Instalment 1 (5 Dec) unpaid; a one-month holiday from instalment 2 (5 Jan) pauses 5 Jan – 4 Feb (31 days).
      const paused = history(receive(), approve(), offer(), sign(), disburse(), miss(1, '2025-12-10'), requestHoliday(1, '2025-12-20', sophie), approveRequest('2025-12-21'));
      const [event] = loanDecider.decide({ type: 'RecordBorrowerContact', channel: 'phone', outcome: 'reached', now: at('2026-02-10'), actor: anne }, paused.reduce(evolveLoan, loanDecider.initialState()));
      // 67 calendar days from 5 Dec to 10 Feb, less 31 paused.
      expect(event).toMatchObject({ type: 'BorrowerContacted', data: { daysPastDue: 36 } });
    });

    it('may be declined, which closes the request', () => {
      const requested = history(receive(), approve(), offer(), sign(), disburse(), requestHoliday(2, '2025-12-01', sophie));
      spec
        .given(requested)
        .when({ type: 'DeclineRescheduling', requestId: 'req-1', reasonCode: 'NOT_JUSTIFIED', now: at('2025-12-02'), actor: bruno })
        .then([{ type: 'ReschedulingDeclined', data: { requestId: 'req-1', reasonCode: 'NOT_JUSTIFIED', declinedBy: 'bank-bruno', declinedAt: at('2025-12-02') } }]);
      const declined = [...requested, ...loanDecider.decide({ type: 'DeclineRescheduling', requestId: 'req-1', reasonCode: 'NOT_JUSTIFIED', now: at('2025-12-02'), actor: bruno }, requested.reduce(evolveLoan, loanDecider.initialState()))];
      spec.given(declined).when(approveRequest('2025-12-03')).thenThrows(refusedWith('REQUEST_ALREADY_DECLINED', 'requestId'));
    });
  });

  describe('term extension (four eyes)', () => {
    const extension = (additionalMonths: number, actor = sophie): LoanCommand => ({
      type: 'RequestRescheduling',
      requestId: 'req-1',
      request: { kind: 'termExtension', additionalMonths },
      now: at('2025-12-01'),
      actor,
    });

    it('re-spreads the outstanding principal over a longer term once another person approves', () => {
      const requested = history(receive(), approve(), offer(), sign(), disburse(), extension(12));
      const [event] = loanDecider.decide(approveRequest('2025-12-02'), requested.reduce(evolveLoan, loanDecider.initialState()));
      expect(event).toMatchObject({ type: 'TermExtended', data: { additionalMonths: 12, newEndDate: '2028-11-05', approvedBy: 'bank-bruno', requestedBy: 'sw-sophie' } });
      if (event.type !== 'TermExtended') throw new Error('unexpected');
      expect(event.data.lines).toHaveLength(36);
      expect(event.data.lines.reduce((sum, l) => sum + l.principal, 0)).toBe(182_500);
      expect(event.data.instalmentCents).toBeLessThan(7_844);
    });

    it('refuses approval by the requester', () => {
      spec.given(history(receive(), approve(), offer(), sign(), disburse(), extension(12, anne))).when(approveRequest('2025-12-02', anne)).thenThrows(refusedWith('FOUR_EYES_REQUIRED'));
    });

    it('refuses an extension beyond the legal 84 months', () => {
      spec.given(disbursed()).when(extension(61)).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'request.additionalMonths'));
    });
  });

  describe('instalment revision (four eyes)', () => {
    const revision = (instalmentCents: number, actor = sophie): LoanCommand => ({
      type: 'RequestRescheduling',
      requestId: 'req-1',
      request: { kind: 'instalmentRevision', instalmentCents },
      now: at('2025-12-01'),
      actor,
    });

    it('sets a lower instalment and a later end once another person approves', () => {
      const requested = history(receive(), approve(), offer(), sign(), disburse(), revision(5_000));
      const [event] = loanDecider.decide(approveRequest('2025-12-02'), requested.reduce(evolveLoan, loanDecider.initialState()));
      expect(event).toMatchObject({ type: 'InstalmentRevised', data: { instalmentCents: 5_000, approvedBy: 'bank-bruno' } });
      if (event.type !== 'InstalmentRevised') throw new Error('unexpected');
      expect(event.data.lines).toHaveLength(39);
      expect(event.data.newEndDate).toBe('2029-02-05');
    });

    it('refuses an instalment that is not lower than the current one', () => {
      spec.given(disbursed()).when(revision(7_844)).thenThrows(refusedWith('INSTALMENT_NOT_LOWER', 'request.instalmentCents'));
    });

    it('refuses approval by the requester', () => {
      spec.given(history(receive(), approve(), offer(), sign(), disburse(), revision(5_000, anne))).when(approveRequest('2025-12-02', anne)).thenThrows(refusedWith('FOUR_EYES_REQUIRED'));
    });
  });

  it('is declared in default with its outstanding principal at that date', () => {
    spec
      .given(history(receive(), approve(), offer(), sign(), disburse(), pay(7_844, '2025-12-05'), miss(2, '2026-01-10'), miss(3, '2026-02-10')))
      .when({ type: 'DeclareDefault', now: at('2026-04-01'), actor: anne })
      .then([{ type: 'LoanDefaulted', data: { defaultedAt: at('2026-04-01'), outstandingPrincipalCents: 175_112, unpaidInterestCents: line(2).interest + line(3).interest + line(4).interest, daysPastDue: 86 } }]);
  });

  it('refuses a default without arrears', () => {
    spec.given(disbursed()).when({ type: 'DeclareDefault', now: at('2025-12-01'), actor: anne }).thenThrows(refusedWith('NO_ARREARS'));
  });

  it('refuses recoveries and write-offs while not in default', () => {
    spec.given(disbursed()).when({ type: 'RecordRecovery', amountCents: 100, receivedOn: '2025-12-01', now: at('2025-12-01'), actor: anne }).thenThrows(refusedWith('LOAN_NOT_DEFAULTED'));
    spec.given(disbursed()).when({ type: 'RequestWriteOff', requestId: 'w-1', reasonCode: 'UNRECOVERABLE', now: at('2025-12-01'), actor: anne }).thenThrows(refusedWith('LOAN_NOT_DEFAULTED'));
  });

  it('refuses a second disbursement', () => {
    spec.given(disbursed()).when(disburse('2025-11-06')).thenThrows(refusedWith('FUNDS_ALREADY_DISBURSED'));
  });
});

function smallLoanCommands(): LoanCommand[] {
  return [
    receive({ requestedAmountCents: 30_000, requestedTermMonths: 6 }),
    approve({ amountCents: 30_000, termMonths: 6, nominalRateBps: 0 }),
    offer(),
    sign({ socialWorkerPresent: false, socialWorkerId: undefined }),
    disburse(),
  ];
}

describe('a repaid loan', () => {
  // The zero-rate 300 € loan over 6 months: 50 € a month, no interest.
  const repaid = () => history(...smallLoanCommands(), ...['2025-12-05', '2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'].map((day) => pay(5_000, day)));

  it('was repaid when the sixth 50 € instalment was paid, with no interest and never late', () => {
    expect(smallLoan()).toHaveLength(5);
    const events = repaid();
    expect(events[events.length - 1]).toEqual({ type: 'LoanRepaid', data: { repaidOn: '2026-05-05', interestPaidTotalCents: 0, everLate: false } });
  });

  it('refuses a payment holiday', () => {
    spec.given(repaid()).when(requestHoliday(1, '2026-05-06')).thenThrows(refusedWith('LOAN_REPAID'));
  });

  it('refuses further payments, missed instalments and a default', () => {
    spec.given(repaid()).when(pay(100, '2026-05-06')).thenThrows(refusedWith('LOAN_REPAID'));
    spec.given(repaid()).when(miss(6, '2026-05-06')).thenThrows(refusedWith('LOAN_REPAID'));
    spec.given(repaid()).when({ type: 'DeclareDefault', now: at('2026-05-06'), actor: anne }).thenThrows(refusedWith('LOAN_REPAID'));
  });

  it('remembers lateness: a loan once late is repaid with everLate', () => {
    const events = history(
      ...smallLoanCommands(),
      miss(1, '2025-12-10'),
      pay(5_000, '2025-12-12'),
      ...['2026-01-05', '2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05'].map((day) => pay(5_000, day)),
    );
    expect(events[events.length - 1]).toEqual({ type: 'LoanRepaid', data: { repaidOn: '2026-05-05', interestPaidTotalCents: 0, everLate: true } });
  });
});

describe('a defaulted loan', () => {
  const defaultCommands = (): LoanCommand[] => [
    receive(),
    approve(),
    offer(),
    sign(),
    disburse(),
    pay(7_844, '2025-12-05'),
    miss(2, '2026-01-10'),
    miss(3, '2026-02-10'),
    { type: 'DeclareDefault', now: at('2026-04-01'), actor: anne },
  ];
  const claim = 175_112 + line(2).interest + line(3).interest + line(4).interest;
  const recovery = (amountCents: number, receivedOn = '2026-05-02'): LoanCommand => ({ type: 'RecordRecovery', amountCents, receivedOn, now: at('2026-05-02'), actor: anne });
  const requestWriteOff = (actor = anne): LoanCommand => ({ type: 'RequestWriteOff', requestId: 'w-1', reasonCode: 'UNRECOVERABLE', now: at('2026-06-01'), actor });
  const approveWriteOff = (actor = bruno): LoanCommand => ({ type: 'ApproveWriteOff', requestId: 'w-1', now: at('2026-06-02'), actor });

  it('records a recovery and what remains to recover', () => {
    spec
      .given(history(...defaultCommands()))
      .when(recovery(50_000))
      .then([{ type: 'RecoveryReceived', data: { amountCents: 50_000, receivedOn: '2026-05-02', recoveredTotalCents: 50_000, remainingClaimCents: claim - 50_000 } }]);
  });

  it('refuses a recovery above the claim or dated in the future', () => {
    spec.given(history(...defaultCommands())).when(recovery(claim + 1)).thenThrows(refusedWith('RECOVERY_EXCEEDS_CLAIM', 'amountCents'));
    spec.given(history(...defaultCommands())).when(recovery(100, '2026-05-03')).thenThrows(refusedWith('RECOVERY_DATE_IN_FUTURE', 'receivedOn'));
  });

  it('is written off for the remaining claim when one person asks and another approves', () => {
    spec
      .given(history(...defaultCommands()))
      .when(requestWriteOff())
      .then([{ type: 'WriteOffRequested', data: { requestId: 'w-1', reasonCode: 'UNRECOVERABLE', requestedBy: 'bank-anne', requestedAt: at('2026-06-01') } }]);
    spec
      .given(history(...defaultCommands(), recovery(50_000), requestWriteOff()))
      .when(approveWriteOff())
      .then([{ type: 'LoanWrittenOff', data: { requestId: 'w-1', requestedBy: 'bank-anne', approvedBy: 'bank-bruno', writtenOffCents: claim - 50_000, writtenOffAt: at('2026-06-02') } }]);
  });

  it('refuses a write-off approved by its requester, or asked twice', () => {
    spec.given(history(...defaultCommands(), requestWriteOff())).when(approveWriteOff(anne)).thenThrows(refusedWith('FOUR_EYES_REQUIRED', 'requestId'));
    spec.given(history(...defaultCommands(), requestWriteOff())).when(requestWriteOff(bruno)).thenThrows(refusedWith('WRITE_OFF_ALREADY_REQUESTED'));
    spec.given(history(...defaultCommands())).when(approveWriteOff()).thenThrows(refusedWith('REQUEST_NOT_FOUND', 'requestId'));
  });

  it('takes no instalment payment and no second default, but contacts are still recorded', () => {
    spec.given(history(...defaultCommands())).when(pay(100, '2026-04-02')).thenThrows(refusedWith('LOAN_DEFAULTED'));
    spec.given(history(...defaultCommands())).when({ type: 'DeclareDefault', now: at('2026-04-02'), actor: anne }).thenThrows(refusedWith('LOAN_ALREADY_DEFAULTED'));
    const [event] = loanDecider.decide({ type: 'RecordBorrowerContact', channel: 'letter', outcome: 'noAnswer', now: at('2026-04-03'), actor: anne }, history(...defaultCommands()).reduce(evolveLoan, loanDecider.initialState()));
    expect(event.type).toBe('BorrowerContacted');
  });

  it('is declared to the Banque de France whatever its arrears once called in', () => {
    const warned = history(...smallLoanCommands(), miss(1, '2025-12-10'), miss(2, '2026-01-08'), { type: 'DeclareDefault', now: at('2026-01-20'), actor: anne });
    const [event] = loanDecider.decide({ type: 'DeclareIncident', now: at('2026-02-07'), actor: anne }, warned.reduce(evolveLoan, loanDecider.initialState()));
    expect(event).toMatchObject({ type: 'IncidentDeclared', data: { arrearsCents: 15_000, unpaidCount: 3 } });
  });
});

describe('a written-off loan', () => {
  const writtenOff = () =>
    history(
      receive(),
      approve(),
      offer(),
      sign(),
      disburse(),
      miss(1, '2025-12-10'),
      { type: 'DeclareDefault', now: at('2026-01-01'), actor: anne },
      { type: 'RequestWriteOff', requestId: 'w-1', reasonCode: 'UNRECOVERABLE', now: at('2026-02-01'), actor: anne },
      { type: 'ApproveWriteOff', requestId: 'w-1', now: at('2026-02-02'), actor: bruno },
    );

  it('refuses further recoveries, write-offs and payments', () => {
    spec.given(writtenOff()).when({ type: 'RecordRecovery', amountCents: 100, receivedOn: '2026-02-03', now: at('2026-02-03'), actor: anne }).thenThrows(refusedWith('LOAN_WRITTEN_OFF'));
    spec.given(writtenOff()).when({ type: 'RequestWriteOff', requestId: 'w-2', reasonCode: 'UNRECOVERABLE', now: at('2026-02-03'), actor: anne }).thenThrows(refusedWith('LOAN_WRITTEN_OFF'));
    spec.given(writtenOff()).when(pay(100, '2026-02-03')).thenThrows(refusedWith('LOAN_WRITTEN_OFF'));
  });
});
