import {
  addDays,
  addMonths,
  allocatePayment,
  annuitySchedule,
  arrearsAt,
  compareDates,
  daysPastDue,
  extendTerm,
  FinanceError,
  monthsBetween,
  paymentHoliday,
  reviseInstalment,
  taegOfSchedule,
  type LiveSchedule,
  type ScheduleLine,
} from '@tremplin/finance';
import { DomainError, forbiddenError, notFoundError, ruleError, stateError, type Decider } from '@tremplin/event-sourcing';
import { LEGAL_MAX_AMOUNT_CENTS, LEGAL_MAX_TERM_MONTHS, maxAmountOf, maxTermOf, usuryCheck, type ProductTerms } from '../product/product.terms';
import type {
  ApproveLoan,
  ApproveRescheduling,
  ApproveWriteOff,
  DeclareDefault,
  DeclareIncident,
  DeclineRescheduling,
  DisburseFunds,
  IssueAgreementNotice,
  IssueOffer,
  LoanCommand,
  ReceiveApplication,
  RecordBorrowerContact,
  RecordMissedInstalment,
  RecordPayment,
  RecordRecovery,
  RefuseLoan,
  RequestRescheduling,
  RequestWriteOff,
  ReschedulingRequest,
  SignOffer,
} from './loan.commands';
import type { LoanEvent, PaymentAllocationLine } from './loan.events';
import {
  dueLinesOf,
  hasServicing,
  isFullyPaid,
  outstandingPrincipalOf,
  type ActiveState,
  type LoanState,
  type PendingRequest,
  type ServicedLine,
  type Servicing,
} from './loan.state';

// Banque de France (FICP): two unpaid monthly instalments make an incident; the borrower then has 30 days to pay
// before any declaration, and arrears under 150 € on a loan not called in need not be declared.
export const INCIDENT_UNPAID_INSTALMENTS = 2;
export const INCIDENT_GRACE_DAYS = 30;
export const INCIDENT_DECLARATION_THRESHOLD_CENTS = 15_000;
export const MAX_HOLIDAY_MONTHS = 12;

const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export const initialLoanState = (): LoanState => ({ status: 'none' });

const dayOf = (instant: string) => instant.slice(0, 10);

// ---------------------------------------------------------------------------------------------- decide

export function decideLoan(command: LoanCommand, state: LoanState): LoanEvent[] {
  switch (command.type) {
    case 'ReceiveApplication':
      return receiveApplication(command, state);
    case 'ApproveLoan':
      return approve(command, state);
    case 'RefuseLoan':
      return refuse(command, state);
    case 'IssueOffer':
      return issueOffer(command, state);
    case 'SignOffer':
      return signOffer(command, state);
    case 'IssueAgreementNotice':
      return issueAgreementNotice(command, state);
    case 'DisburseFunds':
      return disburse(command, state);
    case 'RecordPayment':
      return recordPayment(command, state);
    case 'RecordMissedInstalment':
      return recordMissedInstalment(command, state);
    case 'RecordBorrowerContact':
      return recordContact(command, state);
    case 'DeclareIncident':
      return declareIncident(command, state);
    case 'RequestRescheduling':
      return requestRescheduling(command, state);
    case 'ApproveRescheduling':
      return approveRescheduling(command, state);
    case 'DeclineRescheduling':
      return declineRescheduling(command, state);
    case 'DeclareDefault':
      return declareDefault(command, state);
    case 'RecordRecovery':
      return recordRecovery(command, state);
    case 'RequestWriteOff':
      return requestWriteOff(command, state);
    case 'ApproveWriteOff':
      return approveWriteOff(command, state);
    default:
      return exhaustive(command);
  }
}

function receiveApplication(command: ReceiveApplication, state: LoanState): LoanEvent[] {
  if (state.status !== 'none') throw stateError('APPLICATION_ALREADY_RECEIVED', `application ${command.applicationId} was already received`, 'applicationId');
  positiveWhole(command.requestedAmountCents, 'requestedAmountCents');
  wholeBetween(command.requestedTermMonths, 1, 120, 'requestedTermMonths');
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

function approve(command: ApproveLoan, state: LoanState): LoanEvent[] {
  if (state.status !== 'applicationReceived') throw undecidable(state);
  positiveWhole(command.amountCents, 'amountCents');
  if (command.amountCents > LEGAL_MAX_AMOUNT_CENTS) throw ruleError('ABOVE_LEGAL_CEILING', `a personal microcredit cannot exceed ${LEGAL_MAX_AMOUNT_CENTS} cents`, 'amountCents');
  wholeBetween(command.termMonths, 1, LEGAL_MAX_TERM_MONTHS, 'termMonths', 'ABOVE_LEGAL_CEILING');
  wholeBetween(command.nominalRateBps, 0, 10_000, 'nominalRateBps');
  wholeBetween(command.feesCents, 0, command.amountCents - 1, 'feesCents');
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

function refuse(command: RefuseLoan, state: LoanState): LoanEvent[] {
  // The bank may still say no after approving, as long as no offer exists.
  if (state.status !== 'applicationReceived' && state.status !== 'approved') throw undecidable(state);
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a refusal reason is an UPPER_SNAKE code (the circumstances stay in the file)', 'reasonCode');
  return [{ type: 'LoanRefused', data: { reasonCode: command.reasonCode, reasonCategory: command.reasonCategory, refusedAt: command.now, refusedBy: command.actor.userId } }];
}

function issueOffer(command: IssueOffer, state: LoanState): LoanEvent[] {
  if (state.status !== 'approved') {
    if (state.status === 'applicationReceived') throw stateError('LOAN_NOT_APPROVED', 'an offer needs the bank’s approval first');
    if (state.status === 'offered' || state.status === 'signed' || hasServicing(state)) throw stateError('OFFER_ALREADY_ISSUED', 'this loan already has an offer');
    throw undecidable(state);
  }
  const { terms, application } = state;
  const version = command.productVersion;
  if (version.product !== application.product) throw ruleError('PRODUCT_MISMATCH', `the application is for ${application.product}, not ${version.product}`, 'product');
  const today = dayOf(command.now);
  if (compareDates(command.firstDueDate, today) <= 0) throw ruleError('FIRST_DUE_DATE_INVALID', `the first instalment must fall after the offer date ${today}`, 'firstDueDate');
  if (monthsBetween(today, command.firstDueDate) > 3) throw ruleError('FIRST_DUE_DATE_INVALID', 'the first instalment must fall within three months of the offer', 'firstDueDate');
  const exception = checkWithinProduct(terms.amountCents, terms.termMonths, terms.nominalRateBps, version.terms, Boolean(terms.exceptionJustification));
  const schedule = annuitySchedule({ amount: terms.amountCents, annualRateBasisPoints: terms.nominalRateBps, termMonths: terms.termMonths, firstDueDate: command.firstDueDate });
  const taeg = taegOfSchedule({ amount: terms.amountCents, lines: schedule.lines, upfrontFees: terms.feesCents });
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
        usuryCapBps: usury.cap.capBasisPoints,
        usuryCapEffectiveFrom: usury.cap.effectiveFrom,
        exception,
        schedule: {
          firstDueDate: schedule.firstDueDate,
          instalmentCents: schedule.instalment,
          lines: schedule.lines,
          endDate: schedule.endDate,
          totalInterestCents: schedule.totalInterest,
          totalRepaidCents: schedule.totalRepaid,
        },
      },
    },
  ];
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

function signOffer(command: SignOffer, state: LoanState): LoanEvent[] {
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

function issueAgreementNotice(command: IssueAgreementNotice, state: LoanState): LoanEvent[] {
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

function disburse(command: DisburseFunds, state: LoanState): LoanEvent[] {
  if (state.status !== 'signed') {
    if (state.status === 'offered') throw stateError('OFFER_NOT_SIGNED', 'funds cannot be disbursed on an unsigned offer');
    if (state.status === 'applicationReceived' || state.status === 'approved') throw stateError('OFFER_NOT_ISSUED', 'funds cannot be disbursed without a signed offer');
    if (hasServicing(state)) throw stateError('FUNDS_ALREADY_DISBURSED', 'the funds were already disbursed');
    throw undecidable(state);
  }
  if (compareDates(dayOf(command.now), state.offer.schedule.firstDueDate) >= 0) {
    throw stateError('OFFER_SCHEDULE_STALE', `the first instalment (${state.offer.schedule.firstDueDate}) is not after today: a new offer is needed`);
  }
  return [{ type: 'FundsDisbursed', data: { amountCents: state.offer.amountCents, disbursedAt: command.now } }];
}

function recordPayment(command: RecordPayment, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  positiveWhole(command.amountCents, 'amountCents');
  const today = dayOf(command.now);
  if (!isIsoDay(command.paidOn)) throw ruleError('DATE_INVALID', 'paidOn must be a calendar date YYYY-MM-DD', 'paidOn');
  if (compareDates(command.paidOn, today) > 0) throw ruleError('PAYMENT_DATE_IN_FUTURE', `a payment cannot be dated after today (${today})`, 'paidOn');
  if (compareDates(command.paidOn, dayOf(active.servicing.disbursedAt)) < 0) throw ruleError('PAYMENT_BEFORE_DISBURSEMENT', 'a payment cannot precede the disbursement', 'paidOn');
  const lines = active.servicing.lines;
  // What is due on the value date first (oldest line, interest then principal), then any surplus settles the
  // next instalments as scheduled; more than the whole balance is refused rather than held.
  const due = allocatePayment(dueLinesOf(lines), command.amountCents, command.paidOn);
  const ahead = due.unallocated > 0 ? allocatePayment(due.lines, due.unallocated, lines[lines.length - 1].dueDate) : { ...due, allocations: [] };
  if (ahead.unallocated > 0) throw ruleError('PAYMENT_EXCEEDS_BALANCE', `${ahead.unallocated} cents more than everything still owed`, 'amountCents');
  const allocations = mergeAllocations([...due.allocations, ...ahead.allocations]);
  const after = applyAllocations(lines, allocations);
  const stillDue = arrearsAt(dueLinesOf(after), addDays(command.paidOn, 1)).total;
  const events: LoanEvent[] = [
    { type: 'InstalmentPaid', data: { amountCents: command.amountCents, paidOn: command.paidOn, allocations, partial: stillDue > 0, recordedAt: command.now } },
  ];
  const warning = active.servicing.warning;
  if (warning && !warning.declaredOn && arrearsAt(dueLinesOf(after), today).total === 0) events.push({ type: 'IncidentWarningCleared', data: { clearedOn: today } });
  if (after.every(isFullyPaid)) {
    const everLate = active.servicing.everLate || allocations.some((allocation) => compareDates(lineOf(lines, allocation.number).dueDate, command.paidOn) < 0);
    const interestPaid = active.servicing.interestPaidCents + allocations.reduce((sum, allocation) => sum + allocation.interestCents, 0);
    events.push({ type: 'LoanRepaid', data: { repaidOn: command.paidOn, interestPaidTotalCents: interestPaid, everLate } });
  }
  return events;
}

function recordMissedInstalment(command: RecordMissedInstalment, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const today = dayOf(command.now);
  const line = active.servicing.lines.find((candidate) => candidate.number === command.instalmentNumber);
  if (!line) throw ruleError('INSTALMENT_NOT_FOUND', `the schedule has no instalment ${command.instalmentNumber}`, 'instalmentNumber');
  if (compareDates(today, line.dueDate) <= 0) throw ruleError('INSTALMENT_NOT_YET_DUE', `instalment ${line.number} is due on ${line.dueDate}: it cannot be missed before the day after`, 'instalmentNumber');
  if (isFullyPaid(line)) throw stateError('INSTALMENT_ALREADY_PAID', `instalment ${line.number} is paid`, 'instalmentNumber');
  if (active.servicing.missed.includes(line.number)) throw stateError('INSTALMENT_ALREADY_RECORDED_MISSED', `instalment ${line.number} is already recorded as missed`, 'instalmentNumber');
  const dueLines = dueLinesOf(active.servicing.lines);
  const arrears = arrearsAt(dueLines, today);
  const events: LoanEvent[] = [
    {
      type: 'InstalmentMissed',
      data: {
        instalmentNumber: line.number,
        dueDate: line.dueDate,
        unpaidCount: arrears.unpaidInstalments,
        daysPastDue: daysPastDue(dueLines, today, active.servicing.pauses),
        arrearsCents: arrears.total,
        recordedAt: command.now,
      },
    },
  ];
  const warning = active.servicing.warning;
  if (arrears.unpaidInstalments >= INCIDENT_UNPAID_INSTALMENTS && !warning) {
    events.push({
      type: 'IncidentWarningIssued',
      data: {
        issuedOn: today,
        declarableFrom: addDays(today, INCIDENT_GRACE_DAYS),
        unpaidCount: arrears.unpaidInstalments,
        arrearsCents: arrears.total,
        declarationRequired: arrears.total >= INCIDENT_DECLARATION_THRESHOLD_CENTS,
      },
    });
  }
  return events;
}

function recordContact(command: RecordBorrowerContact, state: LoanState): LoanEvent[] {
  if (state.status !== 'repaying' && state.status !== 'defaulted') throw inactive(state);
  const today = dayOf(command.now);
  return [
    {
      type: 'BorrowerContacted',
      data: { channel: command.channel, outcome: command.outcome, daysPastDue: daysPastDue(dueLinesOf(state.servicing.lines), today, state.servicing.pauses), contactedAt: command.now },
    },
  ];
}

function declareIncident(command: DeclareIncident, state: LoanState): LoanEvent[] {
  if (state.status !== 'repaying' && state.status !== 'defaulted') throw inactive(state);
  const today = dayOf(command.now);
  const warning = state.servicing.warning;
  if (!warning) throw stateError('NO_INCIDENT_WARNING', 'a declaration needs an incident warning in force');
  if (warning.declaredOn) throw stateError('INCIDENT_ALREADY_DECLARED', `the incident was declared on ${warning.declaredOn}`);
  if (compareDates(today, warning.declarableFrom) < 0) throw ruleError('DECLARATION_TOO_EARLY', `the borrower has until ${warning.declarableFrom} to pay before any declaration`);
  const arrears = arrearsAt(dueLinesOf(state.servicing.lines), today);
  // A loan called in (defaulted) is declared whatever its arrears.
  if (state.status === 'repaying' && arrears.total < INCIDENT_DECLARATION_THRESHOLD_CENTS) {
    throw ruleError('DECLARATION_NOT_REQUIRED', `arrears of ${arrears.total} cents are under the ${INCIDENT_DECLARATION_THRESHOLD_CENTS} cents threshold on a loan not called in`);
  }
  return [{ type: 'IncidentDeclared', data: { declaredOn: today, arrearsCents: arrears.total, unpaidCount: arrears.unpaidInstalments } }];
}

function requestRescheduling(command: RequestRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  if (active.servicing.pendingRequests.length > 0) {
    throw stateError('RESCHEDULING_ALREADY_PENDING', `request ${active.servicing.pendingRequests[0].requestId} awaits a decision`);
  }
  // Computed now so an impossible request is refused to its author, and again at approval on the schedule of that day.
  reschedule(active, command.request, dayOf(command.now));
  return [{ type: 'ReschedulingRequested', data: { requestId: command.requestId, request: command.request, requestedBy: command.actor.userId, requestedAt: command.now } }];
}

function approveRescheduling(command: ApproveRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const pending = pendingRequest(active, command.requestId);
  if (pending.requestedBy === command.actor.userId) throw forbiddenError('FOUR_EYES_REQUIRED', 'a rescheduling is approved by someone other than the person who asked for it', 'requestId');
  const result = reschedule(active, pending.request, dayOf(command.now));
  const base = {
    requestId: pending.requestId,
    requestedBy: pending.requestedBy,
    approvedBy: command.actor.userId,
    approvedAt: command.now,
    lines: result.lines,
    newEndDate: result.endDate,
    instalmentCents: result.instalment,
  };
  switch (result.kind) {
    case 'holiday':
      return [
        {
          type: 'PaymentHolidayGranted',
          data: { ...base, months: result.months, deferredDueDates: result.deferredDueDates, capitalisedInterestCents: result.capitalisedInterest, pause: result.pause },
        },
      ];
    case 'termExtension':
      return [{ type: 'TermExtended', data: { ...base, additionalMonths: result.additionalMonths } }];
    case 'instalmentRevision':
      return [{ type: 'InstalmentRevised', data: base }];
    default:
      return exhaustive(result);
  }
}

function declineRescheduling(command: DeclineRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const pending = pendingRequest(active, command.requestId);
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a reason is an UPPER_SNAKE code', 'reasonCode');
  return [{ type: 'ReschedulingDeclined', data: { requestId: pending.requestId, reasonCode: command.reasonCode, declinedBy: command.actor.userId, declinedAt: command.now } }];
}

function declareDefault(command: DeclareDefault, state: LoanState): LoanEvent[] {
  if (state.status === 'defaulted' || state.status === 'writtenOff') throw stateError('LOAN_ALREADY_DEFAULTED', 'the loan is already in default');
  const active = requireRepaying(state);
  const today = dayOf(command.now);
  const dueLines = dueLinesOf(active.servicing.lines);
  const arrears = arrearsAt(dueLines, today);
  if (arrears.total === 0) throw ruleError('NO_ARREARS', 'a loan without arrears cannot be called in');
  return [
    {
      type: 'LoanDefaulted',
      data: {
        defaultedAt: command.now,
        outstandingPrincipalCents: outstandingPrincipalOf(active.servicing.lines),
        unpaidInterestCents: arrears.interest,
        daysPastDue: daysPastDue(dueLines, today, active.servicing.pauses),
      },
    },
  ];
}

function recordRecovery(command: RecordRecovery, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  positiveWhole(command.amountCents, 'amountCents');
  if (!isIsoDay(command.receivedOn)) throw ruleError('DATE_INVALID', 'receivedOn must be a calendar date YYYY-MM-DD', 'receivedOn');
  if (compareDates(command.receivedOn, dayOf(command.now)) > 0) throw ruleError('RECOVERY_DATE_IN_FUTURE', 'a recovery cannot be dated after today', 'receivedOn');
  const remaining = remainingClaim(state.defaulted);
  if (command.amountCents > remaining) throw ruleError('RECOVERY_EXCEEDS_CLAIM', `only ${remaining} cents remain to be recovered`, 'amountCents');
  const recovered = state.defaulted.recoveredCents + command.amountCents;
  return [
    {
      type: 'RecoveryReceived',
      data: { amountCents: command.amountCents, receivedOn: command.receivedOn, recoveredTotalCents: recovered, remainingClaimCents: remaining - command.amountCents },
    },
  ];
}

function requestWriteOff(command: RequestWriteOff, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  if (state.defaulted.writeOffRequest) throw stateError('WRITE_OFF_ALREADY_REQUESTED', `request ${state.defaulted.writeOffRequest.requestId} awaits approval`);
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a reason is an UPPER_SNAKE code', 'reasonCode');
  return [{ type: 'WriteOffRequested', data: { requestId: command.requestId, reasonCode: command.reasonCode, requestedBy: command.actor.userId, requestedAt: command.now } }];
}

function approveWriteOff(command: ApproveWriteOff, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  const request = state.defaulted.writeOffRequest;
  if (!request || request.requestId !== command.requestId) throw notFoundError('REQUEST_NOT_FOUND', `no write-off request ${command.requestId} awaits approval`, 'requestId');
  if (request.requestedBy === command.actor.userId) throw forbiddenError('FOUR_EYES_REQUIRED', 'a write-off is approved by someone other than the person who asked for it', 'requestId');
  return [
    {
      type: 'LoanWrittenOff',
      data: { requestId: request.requestId, requestedBy: request.requestedBy, approvedBy: command.actor.userId, writtenOffCents: remainingClaim(state.defaulted), writtenOffAt: command.now },
    },
  ];
}

// ------------------------------------------------------------------------------------------ rescheduling

type Rescheduling =
  | { kind: 'holiday'; months: number; lines: ScheduleLine[]; endDate: string; instalment: number; deferredDueDates: string[]; capitalisedInterest: number; pause: { from: string; to: string } }
  | { kind: 'termExtension'; additionalMonths: number; lines: ScheduleLine[]; endDate: string; instalment: number }
  | { kind: 'instalmentRevision'; lines: ScheduleLine[]; endDate: string; instalment: number };

/** Recomputes the lines not yet due (untouched by any payment); what is already due stays arrears. */
function reschedule(active: ActiveState, request: ReschedulingRequest, today: string): Rescheduling {
  const lines = active.servicing.lines;
  let start = lines.length;
  while (start > 0 && compareDates(lines[start - 1].dueDate, today) > 0 && lines[start - 1].interestPaid + lines[start - 1].principalPaid === 0) start -= 1;
  if (start === lines.length) throw stateError('NOTHING_TO_RESCHEDULE', 'no instalment is left to reschedule');
  const live: LiveSchedule = {
    annualRateBasisPoints: active.offer.nominalRateBps,
    anchorDueDate: active.offer.schedule.firstDueDate,
    remainingLines: lines.slice(start).map(({ number, dueDate, instalment, interest, principal, outstandingAfter }) => ({ number, dueDate, instalment, interest, principal, outstandingAfter })),
  };
  const result = withFinanceErrors(() => {
    switch (request.kind) {
      case 'holiday': {
        wholeBetween(request.months, 1, MAX_HOLIDAY_MONTHS, 'request.months');
        const holiday = paymentHoliday(live, { months: request.months, interest: active.offer.holidayInterest });
        const pause = { from: holiday.deferredDueDates[0], to: addDays(holiday.lines[0].dueDate, -1) };
        return { kind: 'holiday' as const, months: request.months, lines: [...holiday.lines], endDate: holiday.endDate, instalment: holiday.instalment, deferredDueDates: [...holiday.deferredDueDates], capitalisedInterest: holiday.capitalisedInterest, pause };
      }
      case 'termExtension': {
        wholeBetween(request.additionalMonths, 1, LEGAL_MAX_TERM_MONTHS, 'request.additionalMonths');
        const extended = extendTerm(live, { remainingInstalments: live.remainingLines.length + request.additionalMonths });
        return { kind: 'termExtension' as const, additionalMonths: request.additionalMonths, lines: [...extended.lines], endDate: extended.endDate, instalment: extended.instalment };
      }
      case 'instalmentRevision': {
        positiveWhole(request.instalmentCents, 'request.instalmentCents');
        const revised = reviseInstalment(live, { instalment: request.instalmentCents });
        return { kind: 'instalmentRevision' as const, lines: [...revised.lines], endDate: revised.endDate, instalment: revised.instalment };
      }
      default:
        return exhaustive(request);
    }
  }, request.kind);
  const totalMonths = monthsBetween(active.offer.schedule.firstDueDate, result.endDate) + 1;
  if (totalMonths > LEGAL_MAX_TERM_MONTHS) {
    throw ruleError('ABOVE_LEGAL_CEILING', `the loan would run ${totalMonths} months, beyond the legal ${LEGAL_MAX_TERM_MONTHS}`, fieldOf(request.kind));
  }
  return result;
}

function fieldOf(kind: ReschedulingRequest['kind']): string {
  return kind === 'holiday' ? 'request.months' : kind === 'termExtension' ? 'request.additionalMonths' : 'request.instalmentCents';
}

function withFinanceErrors<T>(fn: () => T, kind: ReschedulingRequest['kind']): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FinanceError) throw ruleError(error.code, error.message, fieldOf(kind));
    throw error;
  }
}

function pendingRequest(active: ActiveState, requestId: string): PendingRequest {
  const pending = active.servicing.pendingRequests.find((request) => request.requestId === requestId);
  if (!pending) throw notFoundError('REQUEST_NOT_FOUND', `no rescheduling request ${requestId} awaits a decision`, 'requestId');
  return pending;
}

// ---------------------------------------------------------------------------------------------- evolve

export function evolveLoan(state: LoanState, event: LoanEvent): LoanState {
  switch (event.type) {
    case 'LoanApplicationReceived':
      return { status: 'applicationReceived', application: event.data };
    case 'LoanApproved':
      return state.status === 'applicationReceived' ? { status: 'approved', application: state.application, terms: event.data } : state;
    case 'LoanRefused':
      return state.status === 'applicationReceived' || state.status === 'approved'
        ? { status: 'refused', application: state.application, refusal: event.data, ...(state.status === 'approved' ? { terms: state.terms } : {}) }
        : state;
    case 'LoanOfferIssued':
      return state.status === 'approved' ? { status: 'offered', application: state.application, terms: state.terms, offer: event.data } : state;
    case 'LoanOfferSigned':
      return state.status === 'offered' ? { ...state, status: 'signed', signature: event.data, notices: [] } : state;
    case 'AgreementNoticeIssued':
      return state.status === 'signed' ? { ...state, notices: [...state.notices, event.data] } : state;
    case 'FundsDisbursed':
      return state.status === 'signed'
        ? {
            ...state,
            status: 'repaying',
            servicing: {
              disbursedAt: event.data.disbursedAt,
              lines: state.offer.schedule.lines.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0 })),
              pauses: [],
              missed: [],
              everLate: false,
              interestPaidCents: 0,
              principalPaidCents: 0,
              pendingRequests: [],
              reschedulings: 0,
              contacts: 0,
            },
          }
        : state;
    case 'InstalmentPaid':
      return updateServicing(state, (servicing) => {
        const late = event.data.allocations.some((allocation) => compareDates(lineOf(servicing.lines, allocation.number).dueDate, event.data.paidOn) < 0);
        return {
          ...servicing,
          lines: applyAllocations(servicing.lines, event.data.allocations),
          everLate: servicing.everLate || late,
          interestPaidCents: servicing.interestPaidCents + event.data.allocations.reduce((sum, a) => sum + a.interestCents, 0),
          principalPaidCents: servicing.principalPaidCents + event.data.allocations.reduce((sum, a) => sum + a.principalCents, 0),
        };
      });
    case 'InstalmentMissed':
      return updateServicing(state, (servicing) => ({ ...servicing, missed: [...servicing.missed, event.data.instalmentNumber], everLate: true }));
    case 'BorrowerContacted':
      return updateServicing(state, (servicing) => ({ ...servicing, contacts: servicing.contacts + 1 }));
    case 'IncidentWarningIssued':
      return updateServicing(state, (servicing) => ({
        ...servicing,
        warning: { issuedOn: event.data.issuedOn, declarableFrom: event.data.declarableFrom, declarationRequired: event.data.declarationRequired },
      }));
    case 'IncidentWarningCleared':
      return updateServicing(state, ({ warning: _cleared, ...servicing }) => servicing);
    case 'IncidentDeclared':
      return updateServicing(state, (servicing) => (servicing.warning ? { ...servicing, warning: { ...servicing.warning, declaredOn: event.data.declaredOn } } : servicing));
    case 'ReschedulingRequested':
      return updateServicing(state, (servicing) => ({
        ...servicing,
        pendingRequests: [...servicing.pendingRequests, { requestId: event.data.requestId, request: event.data.request, requestedBy: event.data.requestedBy, requestedAt: event.data.requestedAt }],
      }));
    case 'PaymentHolidayGranted':
    case 'TermExtended':
    case 'InstalmentRevised':
      return updateServicing(state, (servicing) => ({
        ...replaceLines(servicing, event.data.lines),
        pendingRequests: servicing.pendingRequests.filter((request) => request.requestId !== event.data.requestId),
        reschedulings: servicing.reschedulings + 1,
        ...(event.type === 'PaymentHolidayGranted' ? { pauses: [...servicing.pauses, event.data.pause] } : {}),
      }));
    case 'ReschedulingDeclined':
      return updateServicing(state, (servicing) => ({ ...servicing, pendingRequests: servicing.pendingRequests.filter((request) => request.requestId !== event.data.requestId) }));
    case 'LoanRepaid':
      return state.status === 'repaying' ? { ...state, status: 'repaid', repaidOn: event.data.repaidOn } : state;
    case 'LoanDefaulted':
      return state.status === 'repaying'
        ? {
            ...state,
            status: 'defaulted',
            servicing: { ...state.servicing, pendingRequests: [] },
            defaulted: {
              defaultedAt: event.data.defaultedAt,
              outstandingPrincipalCents: event.data.outstandingPrincipalCents,
              unpaidInterestCents: event.data.unpaidInterestCents,
              recoveredCents: 0,
            },
          }
        : state;
    case 'RecoveryReceived':
      return state.status === 'defaulted' ? { ...state, defaulted: { ...state.defaulted, recoveredCents: event.data.recoveredTotalCents } } : state;
    case 'WriteOffRequested':
      return state.status === 'defaulted'
        ? { ...state, defaulted: { ...state.defaulted, writeOffRequest: { requestId: event.data.requestId, requestedBy: event.data.requestedBy, reasonCode: event.data.reasonCode } } }
        : state;
    case 'LoanWrittenOff':
      return state.status === 'defaulted'
        ? { ...state, status: 'writtenOff', defaulted: { ...state.defaulted, writeOffRequest: undefined }, writtenOffAt: event.data.writtenOffAt, writtenOffCents: event.data.writtenOffCents }
        : state;
    default:
      return exhaustive(event);
  }
}

function updateServicing(state: LoanState, update: (servicing: Servicing) => Servicing): LoanState {
  return hasServicing(state) ? { ...state, servicing: update(state.servicing) } : state;
}

function replaceLines(servicing: Servicing, replacement: readonly ScheduleLine[]): Servicing {
  const first = replacement[0]?.number ?? Number.POSITIVE_INFINITY;
  const kept = servicing.lines.filter((line) => line.number < first);
  return { ...servicing, lines: [...kept, ...replacement.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0 }))] };
}

function applyAllocations(lines: readonly ServicedLine[], allocations: readonly PaymentAllocationLine[]): ServicedLine[] {
  return lines.map((line) => {
    const paid = allocations.filter((allocation) => allocation.number === line.number);
    if (paid.length === 0) return line;
    return {
      ...line,
      interestPaid: line.interestPaid + paid.reduce((sum, a) => sum + a.interestCents, 0),
      principalPaid: line.principalPaid + paid.reduce((sum, a) => sum + a.principalCents, 0),
    };
  });
}

function mergeAllocations(allocations: ReadonlyArray<{ number: number; interest: number; principal: number }>): PaymentAllocationLine[] {
  const byNumber = new Map<number, PaymentAllocationLine>();
  for (const allocation of allocations) {
    const previous = byNumber.get(allocation.number);
    byNumber.set(allocation.number, {
      number: allocation.number,
      interestCents: (previous?.interestCents ?? 0) + allocation.interest,
      principalCents: (previous?.principalCents ?? 0) + allocation.principal,
    });
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

function lineOf(lines: readonly ServicedLine[], number: number): ServicedLine {
  const line = lines.find((candidate) => candidate.number === number);
  if (!line) throw new Error(`no line ${number}`);
  return line;
}

function remainingClaim(defaulted: { outstandingPrincipalCents: number; unpaidInterestCents: number; recoveredCents: number }): number {
  return defaulted.outstandingPrincipalCents + defaulted.unpaidInterestCents - defaulted.recoveredCents;
}

// ------------------------------------------------------------------------------------ state refusals

function requireRepaying(state: LoanState): Extract<LoanState, { status: 'repaying' }> {
  if (state.status === 'repaying') return state;
  throw inactive(state);
}

function inactive(state: LoanState): DomainError {
  switch (state.status) {
    case 'none':
      return notFound();
    case 'repaid':
      return stateError('LOAN_REPAID', `the loan was repaid on ${state.repaidOn}`);
    case 'defaulted':
      return stateError('LOAN_DEFAULTED', 'the loan is in default: only recoveries, contacts and a write-off apply');
    case 'writtenOff':
      return stateError('LOAN_WRITTEN_OFF', 'the loan was written off');
    case 'refused':
      return stateError('LOAN_REFUSED', 'the application was refused');
    case 'applicationReceived':
    case 'approved':
    case 'offered':
    case 'signed':
      return stateError('LOAN_NOT_DISBURSED', 'the funds have not been disbursed yet');
    case 'repaying':
      return stateError('LOAN_REPAYING', 'the loan is being repaid');
    default:
      return exhaustive(state);
  }
}

function undecidable(state: LoanState): DomainError {
  switch (state.status) {
    case 'none':
      return notFound();
    case 'applicationReceived':
      return stateError('LOAN_NOT_APPROVED', 'the application awaits the bank’s decision');
    default:
      return stateError('LOAN_ALREADY_DECIDED', `the bank has already decided (loan ${state.status})`);
  }
}

function notDefaulted(state: LoanState): DomainError {
  if (state.status === 'repaying') return stateError('LOAN_NOT_DEFAULTED', 'the loan is not in default');
  return inactive(state);
}

function notFound(): DomainError {
  return notFoundError('LOAN_NOT_FOUND', 'no such loan');
}

function positiveWhole(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw ruleError('AMOUNT_INVALID', `${field} must be a positive whole number of cents`, field);
}

function wholeBetween(value: number, min: number, max: number, field: string, aboveCode = 'VALUE_OUT_OF_RANGE'): void {
  if (!Number.isSafeInteger(value)) throw ruleError('VALUE_OUT_OF_RANGE', `${field} must be a whole number`, field);
  if (value > max) throw ruleError(aboveCode, `${field} must be at most ${max}`, field);
  if (value < min) throw ruleError('VALUE_OUT_OF_RANGE', `${field} must be at least ${min}`, field);
}

function isIsoDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const loanDecider: Decider<LoanCommand, LoanEvent, LoanState> = {
  initialState: initialLoanState,
  evolve: evolveLoan,
  decide: decideLoan,
};
