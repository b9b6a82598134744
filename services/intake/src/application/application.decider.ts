import { forbiddenError, notFoundError, ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { resteAVivre, type ResteAVivre } from '@tremplin/finance';
import type { ApplicationCommand, AssessBudget, AssessNeeds, CheckEligibility, OpenApplication, Product, PurposeCategory, RecordAppointment } from './application.commands';
import type { ApplicationEvent, ClosingOutcome, EligibilityChecked } from './application.events';
import { APPOINTMENT_TOPICS, LEGAL_MAX_AMOUNT_CENTS, LEGAL_MAX_TERM_MONTHS, NEED_KINDS, REASON_CODE } from './application.rules';

/** What the file has gathered; the personal parts stay sealed in the events and are not needed to decide. */
export interface FileFacts {
  readonly applicationId: string;
  readonly beneficiaryId: string;
  readonly product: Product;
  readonly purposeCategory: PurposeCategory;
  readonly requestedAmountCents: number;
  readonly requestedTermMonths: number;
  /** Everyone who built the file: none of them may decide it at the commission (four-eyes). */
  readonly builders: readonly string[];
  readonly appointmentIds: readonly string[];
  readonly budget?: { readonly belowMinimum: boolean };
  readonly needs?: Pick<AssessNeeds, 'level' | 'kinds'>;
  readonly eligibility?: { readonly productVersion: number; readonly eligible: boolean };
  readonly closedAt?: string;
}

export type ApplicationState =
  | { readonly status: 'none' }
  | { readonly status: 'building'; readonly file: FileFacts }
  | { readonly status: 'submitted'; readonly file: FileFacts }
  | { readonly status: 'approved'; readonly file: FileFacts; readonly commissionDecisionId: string }
  | { readonly status: 'transmitted'; readonly file: FileFacts; readonly commissionDecisionId: string; readonly bankPartnerId: string }
  | { readonly status: 'withdrawn'; readonly file: FileFacts; readonly reasonCode: string }
  | { readonly status: 'closed'; readonly file: FileFacts; readonly outcome: ClosingOutcome; readonly reasonCode?: string; readonly loanId?: string; readonly loanEndedAt?: string };

export const initialApplicationState = (): ApplicationState => ({ status: 'none' });

const withBuilder = (file: FileFacts, userId: string): FileFacts => (file.builders.includes(userId) ? file : { ...file, builders: [...file.builders, userId] });

export function evolveApplication(state: ApplicationState, event: ApplicationEvent): ApplicationState {
  if (event.type === 'ApplicationOpened') {
    const d = event.data;
    const file: FileFacts = {
      applicationId: d.applicationId,
      beneficiaryId: d.beneficiaryId,
      product: d.product,
      purposeCategory: d.purposeCategory,
      requestedAmountCents: d.requestedAmountCents,
      requestedTermMonths: d.requestedTermMonths,
      builders: [d.openedBy],
      appointmentIds: [],
    };
    return { status: 'building', file };
  }
  if (state.status === 'none') return state;
  const file = state.file;
  switch (event.type) {
    case 'AppointmentHeld':
      return { status: 'building', file: { ...withBuilder(file, event.data.heldBy), appointmentIds: [...file.appointmentIds, event.data.appointmentId] } };
    case 'BudgetAssessed':
      return { status: 'building', file: { ...withBuilder(file, event.data.assessedBy), budget: { belowMinimum: event.data.belowMinimum } } };
    case 'NeedsAssessed':
      return { status: 'building', file: { ...withBuilder(file, event.data.assessedBy), needs: { level: event.data.level, kinds: event.data.kinds } } };
    case 'EligibilityChecked':
      return { status: 'building', file: { ...withBuilder(file, event.data.checkedBy), eligibility: { productVersion: event.data.productVersion, eligible: event.data.eligible } } };
    case 'ApplicationSubmitted':
      return { status: 'submitted', file: withBuilder(file, event.data.submittedBy) };
    case 'CommissionDecided':
      if (event.data.decision === 'approved') return { status: 'approved', file, commissionDecisionId: event.data.decisionId };
      // Postponed: back to the social worker; refused: the closing event follows.
      return { status: 'building', file };
    case 'ApplicationTransmitted':
      return { status: 'transmitted', file, commissionDecisionId: event.data.commissionDecisionId, bankPartnerId: event.data.bankPartnerId };
    case 'ApplicationWithdrawn':
      return { status: 'withdrawn', file: { ...file, closedAt: event.data.withdrawnAt }, reasonCode: event.data.reasonCode };
    case 'ApplicationClosed':
      return {
        status: 'closed',
        file: { ...file, closedAt: event.data.closedAt },
        outcome: event.data.outcome,
        ...(event.data.reasonCode ? { reasonCode: event.data.reasonCode } : {}),
        ...(event.data.loanId ? { loanId: event.data.loanId } : {}),
      };
    case 'LoanEnded':
      return state.status === 'closed' ? { ...state, loanEndedAt: event.data.endedAt } : state;
    default:
      return exhaustive(event);
  }
}

export function decideApplication(command: ApplicationCommand, state: ApplicationState): ApplicationEvent[] {
  if (command.type === 'OpenApplication') return open(command, state);
  if (state.status === 'none') throw notFoundError('APPLICATION_NOT_FOUND', 'no such file in this CCAS', 'applicationId');
  if (command.type === 'RecordLoanEnded') {
    if (state.status !== 'closed' || state.outcome !== 'loanApproved' || state.loanId !== command.loanId) {
      throw stateError('NO_LOAN_OF_THIS_FILE', `loan ${command.loanId} is not the loan this file led to`, 'loanId');
    }
    if (state.loanEndedAt) throw stateError('LOAN_ALREADY_ENDED', `the loan ended on ${state.loanEndedAt}`, 'loanId');
    return [{ type: 'LoanEnded', data: { loanId: command.loanId, ending: command.ending, endedAt: command.endedAt } }];
  }
  if (state.status === 'closed' || state.status === 'withdrawn') {
    if (command.type === 'RecordBankAnswer') throw stateError('FILE_NOT_TRANSMITTED', `the file is ${state.status}: no bank answer is awaited`, 'applicationId');
    throw stateError('FILE_CLOSED', `the file is ${state.status === 'closed' ? `closed (${state.outcome})` : 'withdrawn'}`, 'applicationId');
  }
  const by = command.actor.userId;
  switch (command.type) {
    case 'RecordAppointment':
      building(state, 'appointments are recorded');
      checkAppointment(command, state.file);
      return [{ type: 'AppointmentHeld', data: { appointmentId: command.appointmentId, heldOn: command.heldOn, durationMinutes: command.durationMinutes, topics: command.topics, ...(command.notes ? { notes: command.notes } : {}), heldBy: by } }];
    case 'AssessBudget':
      building(state, 'the budget is assessed');
      return [assessBudget(command)];
    case 'AssessNeeds':
      building(state, 'accompaniment needs are assessed');
      checkNeeds(command, state.file.product);
      return [{ type: 'NeedsAssessed', data: { level: command.level, kinds: command.kinds, assessedBy: by, assessedAt: command.now } }];
    case 'CheckEligibility':
      building(state, 'eligibility is checked');
      return [checkEligibility(command, state.file)];
    case 'SubmitToCommission': {
      building(state, 'the file is submitted');
      const { file } = state;
      if (file.appointmentIds.length === 0) throw stateError('APPOINTMENT_REQUIRED', 'at least one appointment is recorded before the commission', 'appointments');
      if (!file.budget) throw stateError('BUDGET_REQUIRED', 'the budget is assessed before the commission', 'budget');
      if (!file.needs) throw stateError('NEEDS_REQUIRED', 'accompaniment needs are assessed before the commission', 'needs');
      return [{ type: 'ApplicationSubmitted', data: { submittedBy: by, submittedAt: command.now } }];
    }
    case 'DecideAtCommission': {
      if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'reasonCode is an UPPER_SNAKE code', 'reasonCode');
      if (state.status !== 'submitted') throw stateError('FILE_NOT_SUBMITTED', `the file is ${state.status}: only a submitted file is decided`, 'applicationId');
      if (state.file.builders.includes(by)) {
        throw forbiddenError('FOUR_EYES_REQUIRED', 'whoever built the file (opened it, held an appointment, assessed it or submitted it) does not decide it at the commission', 'decidedBy');
      }
      const decided: ApplicationEvent = { type: 'CommissionDecided', data: { decisionId: command.decisionId, decision: command.decision, reasonCode: command.reasonCode, decidedBy: by, decidedAt: command.now } };
      if (command.decision !== 'refused') return [decided];
      return [decided, { type: 'ApplicationClosed', data: { outcome: 'commissionRefused', reasonCode: command.reasonCode, closedAt: command.now } }];
    }
    case 'TransmitToBank':
      if (state.status !== 'approved') throw stateError('FILE_NOT_APPROVED', `the file is ${state.status}: only a file approved by the commission is transmitted`, 'applicationId');
      return [{ type: 'ApplicationTransmitted', data: { bankPartnerId: command.bankPartnerId, commissionDecisionId: state.commissionDecisionId, transmittedBy: by, transmittedAt: command.now } }];
    case 'WithdrawApplication':
      if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'reasonCode is an UPPER_SNAKE code', 'reasonCode');
      if (state.status === 'transmitted') throw stateError('FILE_AT_BANK', 'the file is with the bank: its answer closes it (the bank records a withdrawal as a refusal)', 'applicationId');
      return [{ type: 'ApplicationWithdrawn', data: { reasonCode: command.reasonCode, withdrawnBy: by, withdrawnAt: command.now } }];
    case 'RecordBankAnswer': {
      if (state.status !== 'transmitted') throw stateError('FILE_NOT_TRANSMITTED', `the file is ${state.status}: no bank answer is awaited`, 'applicationId');
      const answer = command.answer;
      return [
        {
          type: 'ApplicationClosed',
          data:
            answer.outcome === 'loanApproved'
              ? { outcome: 'loanApproved', loanId: command.loanId, closedAt: command.now }
              : { outcome: 'bankRefused', loanId: command.loanId, reasonCode: answer.reasonCode, reasonCategory: answer.reasonCategory, closedAt: command.now },
        },
      ];
    }
    default:
      return exhaustive(command);
  }
}

function building(state: ApplicationState, what: string): asserts state is Extract<ApplicationState, { status: 'building' }> {
  if (state.status !== 'building') throw stateError('FILE_NOT_IN_PREPARATION', `the file is ${state.status}: ${what} only while it is being prepared`, 'applicationId');
}

function open(command: OpenApplication, state: ApplicationState): ApplicationEvent[] {
  if (state.status !== 'none') throw stateError('APPLICATION_ALREADY_OPENED', `file ${command.applicationId} is already open`, 'applicationId');
  if (command.beneficiaryStatus === 'unknown') throw notFoundError('BENEFICIARY_NOT_FOUND', 'no such beneficiary in this CCAS', 'beneficiaryId');
  if (command.beneficiaryStatus === 'erased') throw stateError('BENEFICIARY_ERASED', 'the beneficiary’s personal data was erased: no new file', 'beneficiaryId');
  const { requestedAmountCents: amount, requestedTermMonths: term, settings } = command;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > LEGAL_MAX_AMOUNT_CENTS) {
    throw ruleError('AMOUNT_INVALID', `requestedAmountCents is 1..${LEGAL_MAX_AMOUNT_CENTS} (legal ceiling of personal microcredit)`, 'requestedAmountCents');
  }
  if (!Number.isSafeInteger(term) || term < 1 || term > LEGAL_MAX_TERM_MONTHS) throw ruleError('TERM_INVALID', `requestedTermMonths is 1..${LEGAL_MAX_TERM_MONTHS}`, 'requestedTermMonths');
  const { restructuring, autonomyHealthNeeds } = command;
  if (command.product === 'restructuring') {
    if (!restructuring) throw ruleError('RESTRUCTURING_DETAILS_REQUIRED', 'a restructuring file lists the debts and the overdraft being consolidated', 'restructuring');
    if (command.purposeCategory !== 'debtRestructuring') throw ruleError('PURPOSE_MISMATCH', 'a restructuring file has the purpose debtRestructuring', 'purposeCategory');
    if (restructuring.debts.length === 0 && restructuring.overdraftCents === 0) throw ruleError('RESTRUCTURING_EMPTY', 'list at least one debt or an overdraft', 'restructuring.debts');
    restructuring.debts.forEach((debt, i) => positive(debt.amountCents, `restructuring.debts.${i}.amountCents`));
    if (!Number.isSafeInteger(restructuring.overdraftCents) || restructuring.overdraftCents < 0) throw ruleError('AMOUNT_INVALID', 'overdraftCents is a whole number of cents, 0 or more', 'restructuring.overdraftCents');
    const debts = restructuring.debts.reduce((sum, debt) => sum + debt.amountCents, 0);
    if (debts > settings.restructuringDebtCapCents) {
      throw ruleError('RESTRUCTURING_DEBT_CAP_EXCEEDED', `debts consolidated total ${debts} cents, over the cap of ${settings.restructuringDebtCapCents} (settings ${settings.version})`, 'restructuring.debts');
    }
    if (restructuring.overdraftCents > settings.overdraftRegularisationCapCents) {
      throw ruleError('OVERDRAFT_CAP_EXCEEDED', `overdraft regularisation of ${restructuring.overdraftCents} cents, over the cap of ${settings.overdraftRegularisationCapCents} (settings ${settings.version})`, 'restructuring.overdraftCents');
    }
    if (debts + restructuring.overdraftCents !== amount) {
      throw ruleError('RESTRUCTURING_AMOUNT_MISMATCH', `the loan consolidates exactly the debts and overdraft listed (${debts + restructuring.overdraftCents} cents)`, 'requestedAmountCents');
    }
  } else if (restructuring) throw ruleError('RESTRUCTURING_DETAILS_UNEXPECTED', 'debts and overdraft are listed on restructuring files only', 'restructuring');
  if (command.product === 'autonomyHealth') {
    if (!autonomyHealthNeeds?.length) throw ruleError('AUTONOMY_HEALTH_NEEDS_REQUIRED', 'an autonomy-health file lists coded needs and their amounts', 'autonomyHealthNeeds');
    autonomyHealthNeeds.forEach((need, i) => positive(need.amountCents, `autonomyHealthNeeds.${i}.amountCents`));
    const total = autonomyHealthNeeds.reduce((sum, need) => sum + need.amountCents, 0);
    if (total !== amount) throw ruleError('AUTONOMY_HEALTH_AMOUNT_MISMATCH', `the needs total ${total} cents, not the amount requested`, 'requestedAmountCents');
  } else if (autonomyHealthNeeds) throw ruleError('AUTONOMY_HEALTH_NEEDS_UNEXPECTED', 'coded needs are listed on autonomy-health files only', 'autonomyHealthNeeds');
  return [
    {
      type: 'ApplicationOpened',
      data: {
        applicationId: command.applicationId,
        beneficiaryId: command.beneficiaryId,
        product: command.product,
        purposeCategory: command.purposeCategory,
        project: command.project,
        requestedAmountCents: amount,
        requestedTermMonths: term,
        ...(restructuring ? { restructuring } : {}),
        ...(autonomyHealthNeeds ? { autonomyHealthNeeds } : {}),
        openedBy: command.actor.userId,
        openedAt: command.now,
      },
    },
  ];
}

function checkAppointment(command: RecordAppointment, file: FileFacts): void {
  if (file.appointmentIds.includes(command.appointmentId)) throw stateError('APPOINTMENT_ALREADY_RECORDED', `appointment ${command.appointmentId} is already recorded`, 'appointmentId');
  if (command.heldOn > command.now.slice(0, 10)) throw ruleError('APPOINTMENT_IN_FUTURE', 'an appointment is recorded once held', 'heldOn');
  if (!Number.isSafeInteger(command.durationMinutes) || command.durationMinutes < 5 || command.durationMinutes > 480) {
    throw ruleError('DURATION_INVALID', 'durationMinutes is 5..480', 'durationMinutes');
  }
  if (command.topics.length === 0 || command.topics.some((topic) => !APPOINTMENT_TOPICS.includes(topic))) {
    throw ruleError('TOPICS_INVALID', `topics are one or more of ${APPOINTMENT_TOPICS.join(', ')}`, 'topics');
  }
}

/** The figures a budget is judged on; the handler computes them too, to seal them with the lines. */
export type BudgetFiguresInput = Pick<AssessBudget, 'household' | 'incomes' | 'charges' | 'debtsOutstandingCents' | 'overdraftCents' | 'expectedInstalmentCents'>;

/** Checks a budget's amounts and computes its reste à vivre before and after the expected instalment, to the cent. */
export function budgetFigures(budget: BudgetFiguresInput): ResteAVivre {
  budget.incomes.forEach((line, i) => positive(line.amountCents, `incomes.${i}.amountCents`));
  budget.charges.forEach((line, i) => positive(line.amountCents, `charges.${i}.amountCents`));
  positive(budget.expectedInstalmentCents, 'expectedInstalmentCents');
  for (const field of ['debtsOutstandingCents', 'overdraftCents'] as const) {
    if (!Number.isSafeInteger(budget[field]) || budget[field] < 0) throw ruleError('AMOUNT_INVALID', `${field} is a whole number of cents, 0 or more`, field);
  }
  // Fixed charges include what the person already repays; the expected instalment is the new loan's.
  return resteAVivre({
    household: budget.household,
    monthlyIncomes: budget.incomes.map((line) => line.amountCents),
    monthlyFixedCharges: budget.charges.map((line) => line.amountCents),
    instalment: budget.expectedInstalmentCents,
  });
}

/** Judged on the figures in clear, kept sealed: only the household's counts and the verdict leave in clear. */
function assessBudget(command: AssessBudget): ApplicationEvent {
  const computed = budgetFigures(command);
  const minimum = command.settings.minimumResteAVivrePerUnitCents;
  return {
    type: 'BudgetAssessed',
    data: {
      household: command.household,
      ...command.sealed,
      ...(command.notes ? { notes: command.notes } : {}),
      settingsVersion: command.settings.version,
      minimumResteAVivrePerUnitCents: minimum,
      belowMinimum: computed.after.perConsumptionUnit < minimum,
      assessedBy: command.actor.userId,
      assessedAt: command.now,
    },
  };
}

function checkEligibility(command: CheckEligibility, file: FileFacts): EligibilityChecked {
  const terms = command.productVersion;
  if (!terms) throw stateError('PRODUCT_VERSION_UNKNOWN', `lending has published no version of ${file.product} in force for this CCAS`, 'product');
  const reasons: Array<EligibilityChecked['data']['reasons'][number]> = [];
  let exceptionRequired = false;
  const amount = file.requestedAmountCents;
  const term = file.requestedTermMonths;
  if (amount < terms.minAmountCents) reasons.push('AMOUNT_BELOW_PRODUCT_MINIMUM');
  else if (amount > terms.maxAmountCents) {
    if (terms.exceptionMaxAmountCents !== undefined && amount <= terms.exceptionMaxAmountCents) exceptionRequired = true;
    else reasons.push('AMOUNT_ABOVE_PRODUCT_MAXIMUM');
  }
  if (term < terms.minTermMonths) reasons.push('TERM_BELOW_PRODUCT_MINIMUM');
  else if (term > terms.maxTermMonths) {
    if (terms.exceptionMaxTermMonths !== undefined && term <= terms.exceptionMaxTermMonths) exceptionRequired = true;
    else reasons.push('TERM_ABOVE_PRODUCT_MAXIMUM');
  }
  if (terms.accompaniment === 'mandatory' && file.needs?.level !== 'mandatory') reasons.push('ACCOMPANIMENT_MANDATORY_NOT_PLANNED');
  if (file.budget?.belowMinimum) reasons.push('RESTE_A_VIVRE_BELOW_CCAS_MINIMUM');
  return {
    type: 'EligibilityChecked',
    data: {
      product: file.product,
      productVersion: terms.version,
      versionEffectiveFrom: terms.effectiveFrom,
      eligible: reasons.length === 0,
      exceptionRequired,
      reasons,
      checkedBy: command.actor.userId,
      checkedAt: command.now,
    },
  };
}

function checkNeeds(command: AssessNeeds, product: Product): void {
  if (new Set(command.kinds).size !== command.kinds.length || command.kinds.some((kind) => !NEED_KINDS.includes(kind))) {
    throw ruleError('NEED_KINDS_INVALID', `kinds are distinct, among ${NEED_KINDS.join(', ')}`, 'kinds');
  }
  if (command.level === 'none' && command.kinds.length > 0) throw ruleError('NEED_KINDS_WITHOUT_LEVEL', 'no accompaniment means no kinds', 'kinds');
  if (command.level !== 'none' && command.kinds.length === 0) throw ruleError('NEED_KINDS_REQUIRED', 'say which accompaniment: budget, social, administrative', 'kinds');
  if (product === 'restructuring' && (command.level !== 'mandatory' || !command.kinds.includes('budget'))) {
    throw ruleError('BUDGET_ACCOMPANIMENT_MANDATORY', 'a restructuring loan comes with mandatory budget accompaniment', 'level');
  }
}

function positive(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw ruleError('AMOUNT_INVALID', `${field} is a whole positive number of cents`, field);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const applicationDecider: Decider<ApplicationCommand, ApplicationEvent, ApplicationState> = {
  initialState: initialApplicationState,
  evolve: evolveApplication,
  decide: decideApplication,
};

/** `application-<id>` streams: one per file (dossier) within a CCAS. */
export const applicationAggregate: Aggregate<ApplicationCommand, ApplicationEvent, ApplicationState> = { category: 'application', decider: applicationDecider };
