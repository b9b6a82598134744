import { addMonths, annuitySchedule, compareDates, monthsBetween, taegOfSchedule, type Schedule } from '@tremplin/finance';
import { ruleError, stateError } from '@tremplin/event-sourcing';
import { LEGAL_MAX_AMOUNT_CENTS, LEGAL_MAX_TERM_MONTHS, maxAmountOf, maxTermOf, usuryCheck, type ProductCode, type ProductTerms } from '../product/product.terms';
import type { AmendApproval, ApproveLoan, DisburseFunds, IssueAgreementNotice, IssueOffer, ReceiveApplication, RefuseLoan, SignOffer, WithdrawOffer } from './loan.commands';
import { evolveLoan } from './loan.evolve';
import type { LoanEvent, OfferedSchedule } from './loan.events';
import { dayOf, positiveWhole, REASON_CODE, undecidable, wholeBetween } from './loan.rules';
import { hasServicing, type LoanState } from './loan.state';

export function receiveApplication(command: ReceiveApplication, state: LoanState): LoanEvent[] {
  if (state.status !== 'none') throw stateError('APPLICATION_ALREADY_RECEIVED', `application ${command.applicationId} was already received`, 'applicationId');
  positiveWhole(command.requestedAmountCents, 'requestedAmountCents');
  // Bounded at reception: nothing above the legal ceiling of a personal microcredit, nothing below what the
  // product lends, so a file that could never be approved is refused to whoever sends it.
  if (command.requestedAmountCents > LEGAL_MAX_AMOUNT_CENTS) throw ruleError('ABOVE_LEGAL_CEILING', `a personal microcredit cannot exceed ${LEGAL_MAX_AMOUNT_CENTS} cents`, 'requestedAmountCents');
  wholeBetween(command.requestedTermMonths, 1, LEGAL_MAX_TERM_MONTHS, 'requestedTermMonths', 'ABOVE_LEGAL_CEILING');
  const product = command.productVersion;
  if (product.product !== command.product) throw ruleError('PRODUCT_MISMATCH', `the application is for ${command.product}, not ${product.product}`, 'product');
  if (command.requestedAmountCents < product.terms.minAmountCents) {
    throw ruleError('AMOUNT_OUTSIDE_PRODUCT', `${command.requestedAmountCents} cents is below the ${product.terms.minAmountCents} cents this product lends`, 'requestedAmountCents');
  }
  if (command.requestedTermMonths < product.terms.minTermMonths) {
    throw ruleError('TERM_OUTSIDE_PRODUCT', `${command.requestedTermMonths} months is below the ${product.terms.minTermMonths} months of this product`, 'requestedTermMonths');
  }
  return [
    {
      type: 'LoanApplicationReceived',
      data: {
        loanId: command.loanId,
        applicationId: command.applicationId,
        bankPartnerId: command.bankPartnerId,
        product: command.product,
        purposeCategory: command.purposeCategory,
        requestedAmountCents: command.requestedAmountCents,
        requestedTermMonths: command.requestedTermMonths,
        channel: command.channel,
        ...(command.commissionDecisionId ? { commissionDecisionId: command.commissionDecisionId } : {}),
        receivedAt: command.now,
      },
    },
  ];
}

export function approve(command: ApproveLoan, state: LoanState): LoanEvent[] {
  if (state.status !== 'applicationReceived') {
    if (state.status === 'approved') throw stateError('LOAN_ALREADY_APPROVED', 'the loan is approved: amend the approval (approval-amendments) to change its terms');
    throw undecidable(state);
  }
  return decision(command, state.application.product);
}

/** Before any offer: the approval's terms change, checked as an approval is. */
export function amendApproval(command: AmendApproval, state: LoanState): LoanEvent[] {
  if (state.status !== 'approved') {
    if (state.status === 'applicationReceived') throw stateError('LOAN_NOT_APPROVED', 'there is no approval to amend: approve the loan');
    if (state.status === 'offered' || state.status === 'signed') throw stateError('OFFER_ALREADY_ISSUED', 'an offer exists: withdraw it (offer-withdrawals) before amending the approval');
    throw undecidable(state);
  }
  const [approved] = decision(command, state.application.product);
  return [{ ...approved, data: { ...approved.data, amends: state.terms.approvedAt } } as LoanEvent];
}

function decision(command: ApproveLoan | AmendApproval, product: ProductCode): LoanEvent[] {
  positiveWhole(command.amountCents, 'amountCents');
  if (command.amountCents > LEGAL_MAX_AMOUNT_CENTS) throw ruleError('ABOVE_LEGAL_CEILING', `a personal microcredit cannot exceed ${LEGAL_MAX_AMOUNT_CENTS} cents`, 'amountCents');
  wholeBetween(command.termMonths, 1, LEGAL_MAX_TERM_MONTHS, 'termMonths', 'ABOVE_LEGAL_CEILING');
  wholeBetween(command.nominalRateBps, 0, 10_000, 'nominalRateBps');
  wholeBetween(command.feesCents, 0, command.amountCents - 1, 'feesCents');
  // The product's limits are checked when the bank decides, not first at the offer, so an approval is never
  // one that no offer could follow.
  const version = command.productVersion;
  if (version.product !== product) throw ruleError('PRODUCT_MISMATCH', `the application is for ${product}, not ${version.product}`, 'product');
  checkWithinProduct(command.amountCents, command.termMonths, command.nominalRateBps, version.terms, Boolean(command.exceptionJustification));
  const schedule = annuitySchedule({ amount: command.amountCents, annualRateBasisPoints: command.nominalRateBps, termMonths: command.termMonths, firstDueDate: addMonths(dayOf(command.now), 1) });
  const taeg = taegOfSchedule({ amount: command.amountCents, lines: schedule.lines, upfrontFees: command.feesCents });
  return [
    {
      type: 'LoanApproved',
      data: {
        amountCents: command.amountCents,
        termMonths: command.termMonths,
        nominalRateBps: command.nominalRateBps,
        feesCents: command.feesCents,
        indicativeTaegBps: taeg.basisPoints,
        ...(command.exceptionJustification ? { exceptionJustification: command.exceptionJustification } : {}),
        approvedAt: command.now,
        approvedBy: command.actor.userId,
      },
    },
  ];
}

export function refuse(command: RefuseLoan, state: LoanState): LoanEvent[] {
  // The bank may still say no after approving, as long as no offer exists.
  if (state.status !== 'applicationReceived' && state.status !== 'approved') throw undecidable(state);
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a refusal reason is an UPPER_SNAKE code (the circumstances stay in the file)', 'reasonCode');
  return [{ type: 'LoanRefused', data: { reasonCode: command.reasonCode, reasonCategory: command.reasonCategory, refusedAt: command.now, refusedBy: command.actor.userId } }];
}

export function issueOffer(command: IssueOffer, state: LoanState): LoanEvent[] {
  if (state.status === 'offered' || state.status === 'signed') {
    // An offer whose first due date has come can no longer be disbursed: a new offer replaces it (and needs
    // a new signature). A current offer is withdrawn explicitly first.
    const today = dayOf(command.now);
    if (compareDates(today, state.offer.schedule.firstDueDate) < 0) {
      throw stateError('OFFER_ALREADY_ISSUED', `this loan has a current offer (first due ${state.offer.schedule.firstDueDate}): withdraw it (offer-withdrawals) to issue another`);
    }
    const withdrawn: LoanEvent = { type: 'LoanOfferWithdrawn', data: { reasonCode: 'OFFER_SCHEDULE_STALE', wasSigned: state.status === 'signed', withdrawnAt: command.now, withdrawnBy: command.actor.userId } };
    return [withdrawn, ...issueOffer(command, evolveLoan(state, withdrawn))];
  }
  if (state.status !== 'approved') {
    if (state.status === 'applicationReceived') throw stateError('LOAN_NOT_APPROVED', 'an offer needs the bank’s approval first');
    if (hasServicing(state)) throw stateError('FUNDS_ALREADY_DISBURSED', 'the funds were disbursed: the offer can no longer change');
    throw undecidable(state);
  }
  const { terms, application } = state;
  const version = command.productVersion;
  if (version.product !== application.product) throw ruleError('PRODUCT_MISMATCH', `the application is for ${application.product}, not ${version.product}`, 'product');
  const today = dayOf(command.now);
  if (compareDates(command.firstDueDate, today) <= 0) throw ruleError('FIRST_DUE_DATE_INVALID', `the first instalment must fall after the offer date ${today}`, 'firstDueDate');
  if (monthsBetween(today, command.firstDueDate) > 3) throw ruleError('FIRST_DUE_DATE_INVALID', 'the first instalment must fall within three months of the offer', 'firstDueDate');
  const exception = checkWithinProduct(terms.amountCents, terms.termMonths, terms.nominalRateBps, version.terms, Boolean(terms.exceptionJustification));
  // The offer assumes the funds are paid out today: line 1 charges the actual days to the first due date and
  // the TAEG places every flow on its date. Disbursement recomputes both on the day the funds are paid out.
  const { schedule, taeg } = datedTerms(terms.amountCents, terms.nominalRateBps, terms.termMonths, terms.feesCents, command.firstDueDate, today);
  const usury = usuryCheck(taeg.basisPoints, terms.amountCents, today, command.usuryTables, 'nominalRateBps');
  if (!usury.ok) {
    throw ruleError('TAEG_ABOVE_USURY_CAP', `the TAEG of ${taeg.percent}% exceeds the usury cap of ${usury.cap.cap}% in force on ${today} for this amount`, 'nominalRateBps');
  }
  return [
    {
      type: 'LoanOfferIssued',
      data: {
        offeredAt: command.now,
        product: version.product,
        productVersion: version.version,
        productVersionEffectiveFrom: version.effectiveFrom,
        guarantorKind: version.terms.guarantorKind,
        guaranteedShareBps: version.terms.guaranteedShareBps,
        holidayInterest: version.terms.holidayInterest,
        amountCents: terms.amountCents,
        termMonths: terms.termMonths,
        nominalRateBps: terms.nominalRateBps,
        feesCents: terms.feesCents,
        taegBps: taeg.basisPoints,
        taegAssumption: { disbursementDate: today, dayCount: 'annexI' },
        usuryCapBps: usury.cap.capBasisPoints,
        usuryCapEffectiveFrom: usury.cap.effectiveFrom,
        exception,
        schedule: offeredSchedule(schedule),
      },
    },
  ];
}

/** The schedule with line 1 charged from the disbursement date, and the TAEG on those actual dates. */
function datedTerms(amount: number, rateBps: number, termMonths: number, feesCents: number, firstDueDate: string, disbursementDate: string) {
  const schedule = annuitySchedule({ amount, annualRateBasisPoints: rateBps, termMonths, firstDueDate, disbursementDate });
  const taeg = taegOfSchedule({ amount, lines: schedule.lines, upfrontFees: feesCents, disbursementDate });
  return { schedule, taeg };
}

function offeredSchedule(schedule: Schedule): OfferedSchedule {
  return {
    firstDueDate: schedule.firstDueDate,
    instalmentCents: schedule.instalment,
    lines: schedule.lines,
    endDate: schedule.endDate,
    totalInterestCents: schedule.totalInterest,
    totalRepaidCents: schedule.totalRepaid,
  };
}

/** Returns whether the exception range is used; refuses what the product version does not allow. */
function checkWithinProduct(amount: number, term: number, rate: number, product: ProductTerms, justified: boolean): boolean {
  if (amount < product.minAmountCents || amount > maxAmountOf(product)) {
    throw ruleError('AMOUNT_OUTSIDE_PRODUCT', `${amount} cents is outside ${product.minAmountCents}..${maxAmountOf(product)} for this product version`, 'amountCents');
  }
  if (term < product.minTermMonths || term > maxTermOf(product)) {
    throw ruleError('TERM_OUTSIDE_PRODUCT', `${term} months is outside ${product.minTermMonths}..${maxTermOf(product)} for this product version`, 'termMonths');
  }
  if (rate > product.maxNominalRateBps) throw ruleError('RATE_ABOVE_PRODUCT_MAXIMUM', `${rate} bp is above the product maximum of ${product.maxNominalRateBps} bp`, 'nominalRateBps');
  const exception = amount > product.maxAmountCents || term > product.maxTermMonths;
  if (exception && !justified) {
    throw ruleError('EXCEPTION_JUSTIFICATION_REQUIRED', 'the amount or term uses the product’s exception range: the approval must record a justification', amount > product.maxAmountCents ? 'amountCents' : 'termMonths');
  }
  return exception;
}

/** An offer not disbursed yet, signed or not, is withdrawn: the loan is approved again, for a new offer, an amended approval or a refusal. */
export function withdrawOffer(command: WithdrawOffer, state: LoanState): LoanEvent[] {
  if (state.status !== 'offered' && state.status !== 'signed') {
    if (state.status === 'applicationReceived' || state.status === 'approved') throw stateError('OFFER_NOT_ISSUED', 'there is no offer to withdraw');
    if (hasServicing(state)) throw stateError('FUNDS_ALREADY_DISBURSED', 'the funds were disbursed: record an early repayment instead');
    throw undecidable(state);
  }
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a reason is an UPPER_SNAKE code', 'reasonCode');
  return [{ type: 'LoanOfferWithdrawn', data: { reasonCode: command.reasonCode, wasSigned: state.status === 'signed', withdrawnAt: command.now, withdrawnBy: command.actor.userId } }];
}

export function signOffer(command: SignOffer, state: LoanState): LoanEvent[] {
  if (state.status !== 'offered') {
    if (state.status === 'signed' || hasServicing(state)) throw stateError('OFFER_ALREADY_SIGNED', 'the offer is already signed');
    if (state.status === 'applicationReceived' || state.status === 'approved') throw stateError('OFFER_NOT_ISSUED', 'there is no offer to sign yet');
    throw undecidable(state);
  }
  if (command.socialWorkerPresent && !command.socialWorkerId) throw ruleError('SOCIAL_WORKER_REQUIRED', 'name the social worker who attended the signature', 'socialWorkerId');
  if (!command.socialWorkerPresent && command.socialWorkerId) throw ruleError('SOCIAL_WORKER_NOT_PRESENT', 'a social worker id is only recorded when they attended', 'socialWorkerId');
  return [
    {
      type: 'LoanOfferSigned',
      data: { signedAt: command.now, socialWorkerPresent: command.socialWorkerPresent, ...(command.socialWorkerId ? { socialWorkerId: command.socialWorkerId } : {}) },
    },
  ];
}

export function issueAgreementNotice(command: IssueAgreementNotice, state: LoanState): LoanEvent[] {
  if (state.status !== 'signed') {
    if (state.status === 'offered' || state.status === 'approved' || state.status === 'applicationReceived') throw stateError('OFFER_NOT_SIGNED', 'an agreement notice to a seller needs a signed offer');
    if (hasServicing(state)) throw stateError('FUNDS_ALREADY_DISBURSED', 'agreement notices are issued before the funds are disbursed');
    throw undecidable(state);
  }
  positiveWhole(command.amountCents, 'amountCents');
  const promised = state.notices.reduce((sum, notice) => sum + notice.amountCents, 0);
  if (promised + command.amountCents > state.offer.amountCents) {
    throw ruleError('AGREEMENT_NOTICE_EXCEEDS_LOAN', `notices would promise ${promised + command.amountCents} cents of a ${state.offer.amountCents} cents loan`, 'amountCents');
  }
  return [{ type: 'AgreementNoticeIssued', data: { noticeId: command.noticeId, sellerId: command.sellerId, amountCents: command.amountCents, issuedAt: command.now } }];
}

export function disburse(command: DisburseFunds, state: LoanState): LoanEvent[] {
  if (state.status !== 'signed') {
    if (state.status === 'offered') throw stateError('OFFER_NOT_SIGNED', 'funds cannot be disbursed on an unsigned offer');
    if (state.status === 'applicationReceived' || state.status === 'approved') throw stateError('OFFER_NOT_ISSUED', 'funds cannot be disbursed without a signed offer');
    if (hasServicing(state)) throw stateError('FUNDS_ALREADY_DISBURSED', 'the funds were already disbursed');
    throw undecidable(state);
  }
  if (compareDates(dayOf(command.now), state.offer.schedule.firstDueDate) >= 0) {
    throw stateError('OFFER_SCHEDULE_STALE', `the first instalment (${state.offer.schedule.firstDueDate}) is not after today: issue a new offer (it replaces this one and is signed again)`);
  }
  // The first period runs from today, not from the day the offer assumed: its interest and the TAEG follow.
  const offer = state.offer;
  const { schedule, taeg } = datedTerms(offer.amountCents, offer.nominalRateBps, offer.termMonths, offer.feesCents, offer.schedule.firstDueDate, dayOf(command.now));
  return [{ type: 'FundsDisbursed', data: { amountCents: offer.amountCents, disbursedAt: command.now, schedule: offeredSchedule(schedule), taegBps: taeg.basisPoints } }];
}
