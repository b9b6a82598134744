import { notFoundError, ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { dayOf, deadlineDateOf, firstContactDelay, MAX_DEADLINE_WORKING_DAYS, MIN_DEADLINE_WORKING_DAYS, nextStepOf, type NextStep } from './escalation.rules';
import type { CharterParties, DefinePlan, Intensity, PlanCommand, PlanKind, Product, Rescheduling, Support } from './plan.commands';
import type { EscalationOpened, PlanEvent, PlanOpened } from './plan.events';

export const MAX_EMERGENCY_AID_CENTS = 500_000;
export const MAX_SOCIAL_GROCERY_MONTHS = 24;

export interface Escalation {
  readonly opened: EscalationOpened['data'];
  readonly instalmentsMissed: readonly number[];
  readonly bankContact?: { readonly reached: boolean; readonly contactedAt: string };
  readonly ccasAlertedAt?: string;
  readonly firstContact?: { readonly contactedAt: string; readonly delayMinutes: number; readonly delayWorkingDays: number; readonly late: boolean };
  readonly threePartyMeetingAt?: string;
  readonly supports: number;
  readonly reschedulings: number;
}

export interface CheckIn {
  readonly dueOn: string;
  readonly done: boolean;
}

export interface OpenPlanState {
  readonly status: 'open';
  readonly loan: Omit<PlanOpened['data'], 'intensity' | 'kinds' | 'openedAt' | 'beneficiaryId'>;
  readonly openedAt: string;
  readonly intensity: Intensity;
  readonly kinds: readonly PlanKind[];
  readonly referentId?: string;
  readonly beneficiaryId?: string;
  readonly charter?: { readonly parties: CharterParties; readonly signedOn: string };
  readonly contactIds: readonly string[];
  readonly checkIns: Readonly<Record<string, CheckIn>>;
  readonly supportIds: readonly string[];
  readonly reschedulings: Readonly<Record<string, { readonly kind: Rescheduling['kind']; readonly applied: boolean }>>;
  readonly escalation?: Escalation;
  /** The escalation last closed, as it stood: what its closing reports. */
  readonly lastClosed?: Escalation;
  /** The loan ended: the plan keeps its history and takes contacts (the end meeting), nothing else. */
  readonly ended?: { readonly reason: 'repaid' | 'writtenOff'; readonly endedAt: string };
  readonly escalationsOpened: number;
}

export type PlanState = { readonly status: 'none' } | OpenPlanState;

/**
 * A restructuring loan's accompaniment is mandatory (DOMAIN.md); others start at what intake assessed for the file,
 * or none (offered, most borrowers are not accompanied).
 */
export const defaultIntensityOf = (product: Product, assessed?: Intensity): Intensity => (product === 'restructuring' ? 'mandatory' : (assessed ?? 'none'));

export function progressOf(escalation: Escalation) {
  return {
    trigger: escalation.opened.trigger,
    bankContacted: escalation.bankContact !== undefined,
    bankReached: escalation.bankContact?.reached ?? false,
    ccasAlerted: escalation.ccasAlertedAt !== undefined,
    firstContact: escalation.firstContact !== undefined,
    remedies: escalation.supports + escalation.reschedulings,
  };
}

export const nextStepOfEscalation = (escalation: Escalation): NextStep => nextStepOf(progressOf(escalation));

export function evolvePlan(state: PlanState, event: PlanEvent): PlanState {
  if (event.type === 'PlanOpened') {
    const { intensity, kinds, openedAt, beneficiaryId, ...loan } = event.data;
    return { status: 'open', loan, openedAt, intensity, kinds, ...(beneficiaryId !== undefined ? { beneficiaryId } : {}), contactIds: [], checkIns: {}, supportIds: [], reschedulings: {}, escalationsOpened: 0 };
  }
  if (state.status !== 'open') return state;
  const escalation = state.escalation;
  const onEscalation = (change: (open: Escalation) => Escalation): PlanState => (escalation ? { ...state, escalation: change(escalation) } : state);
  switch (event.type) {
    case 'PlanDefined':
      return { ...state, kinds: event.data.kinds, intensity: event.data.intensity, referentId: event.data.referentId, beneficiaryId: event.data.beneficiaryId };
    case 'CharterSigned':
      return { ...state, charter: { parties: event.data.parties, signedOn: event.data.signedOn } };
    case 'ContactRecorded':
      return { ...state, contactIds: [...state.contactIds, event.data.contactId] };
    case 'CheckInScheduled':
      return { ...state, checkIns: { ...state.checkIns, [event.data.checkInId]: { dueOn: event.data.dueOn, done: false } } };
    case 'CheckInCompleted': {
      const checkIn = state.checkIns[event.data.checkInId];
      return checkIn ? { ...state, checkIns: { ...state.checkIns, [event.data.checkInId]: { ...checkIn, done: true } } } : state;
    }
    case 'EscalationOpened':
      return {
        ...state,
        escalationsOpened: state.escalationsOpened + 1,
        escalation: { opened: event.data, instalmentsMissed: event.data.instalmentNumber ? [event.data.instalmentNumber] : [], supports: 0, reschedulings: 0 },
      };
    case 'InstalmentMissedAgain':
      return onEscalation((open) => ({ ...open, instalmentsMissed: [...open.instalmentsMissed, event.data.instalmentNumber] }));
    case 'BankContactRecorded':
      return onEscalation((open) => ({ ...open, bankContact: { reached: event.data.reached, contactedAt: event.data.contactedAt } }));
    case 'CcasAlerted':
      return onEscalation((open) => ({ ...open, ccasAlertedAt: event.data.alertedAt }));
    case 'FirstCcasContactMade': {
      const { contactedAt, delayMinutes, delayWorkingDays, late } = event.data;
      return onEscalation((open) => ({ ...open, firstContact: { contactedAt, delayMinutes, delayWorkingDays, late } }));
    }
    case 'ThreePartyMeetingHeld':
      return onEscalation((open) => ({ ...open, threePartyMeetingAt: event.data.heldAt }));
    case 'SupportGranted': {
      const granted = { ...state, supportIds: [...state.supportIds, event.data.supportId] };
      return escalation && event.data.escalationId === escalation.opened.escalationId ? { ...granted, escalation: { ...escalation, supports: escalation.supports + 1 } } : granted;
    }
    case 'ReschedulingRequested': {
      const requested = { ...state, reschedulings: { ...state.reschedulings, [event.data.requestId]: { kind: event.data.rescheduling.kind, applied: false } } };
      return escalation && event.data.escalationId === escalation.opened.escalationId ? { ...requested, escalation: { ...escalation, reschedulings: escalation.reschedulings + 1 } } : requested;
    }
    case 'ReschedulingApplied': {
      const request = state.reschedulings[event.data.requestId];
      return request ? { ...state, reschedulings: { ...state.reschedulings, [event.data.requestId]: { ...request, applied: true } } } : state;
    }
    case 'EscalationClosed': {
      const { escalation: closed, ...rest } = state;
      return closed ? { ...rest, lastClosed: closed } : rest;
    }
    case 'PlanEnded': {
      const cancelled = new Set(event.data.checkInsCancelled);
      const checkIns = Object.fromEntries(Object.entries(state.checkIns).filter(([checkInId]) => !cancelled.has(checkInId)));
      return { ...state, checkIns, ended: { reason: event.data.reason, endedAt: event.data.endedAt } };
    }
    default:
      return exhaustive(event);
  }
}

export function decidePlan(command: PlanCommand, state: PlanState): PlanEvent[] {
  if (command.type === 'OpenPlan') {
    if (state.status !== 'none') throw stateError('PLAN_ALREADY_OPEN', `the plan of loan ${command.loanId} is open`, 'loanId');
    const { type: _type, now, actor: _actor, disbursedAt: _at, intake, ...loan } = command;
    return [
      {
        type: 'PlanOpened',
        data: {
          ...loan,
          intensity: defaultIntensityOf(command.product, intake?.accompanimentLevel),
          kinds: command.product === 'restructuring' ? ['budget'] : [],
          ...(intake?.beneficiaryId !== undefined ? { beneficiaryId: intake.beneficiaryId } : {}),
          openedAt: now,
        },
      },
    ];
  }
  if (state.status !== 'open') throw notFoundError('PLAN_NOT_FOUND', 'no accompaniment plan for this loan (one opens when the loan is disbursed)', 'loanId');
  const today = dayOf(command.now);
  const escalation = state.escalation;
  if (state.ended) return decideAfterEnd(command, state);
  switch (command.type) {
    case 'DefinePlan':
      return definePlan(command, state);
    case 'SignCharter': {
      if (state.charter) throw stateError('CHARTER_ALREADY_SIGNED', `the charter was signed on ${state.charter.signedOn}`, 'parties');
      notAfter(command.signedOn, today, 'signedOn');
      if (command.parties === 'threeParty' && !command.bankPartnerId) throw ruleError('BANK_PARTNER_REQUIRED', 'a three-party charter names the bank that signs it', 'bankPartnerId');
      if (command.parties === 'twoParty' && command.bankPartnerId) throw ruleError('BANK_PARTNER_NOT_A_PARTY', 'a two-party charter is signed by the borrower and the CCAS only', 'bankPartnerId');
      return [{ type: 'CharterSigned', data: { parties: command.parties, signedOn: command.signedOn, ...(command.bankPartnerId ? { bankPartnerId: command.bankPartnerId } : {}), recordedBy: command.actor.userId } }];
    }
    case 'RecordContact': {
      if (state.contactIds.includes(command.contactId)) throw stateError('CONTACT_ALREADY_RECORDED', `contact ${command.contactId} is recorded`, 'contactId');
      if (command.topics.length === 0) throw ruleError('TOPICS_REQUIRED', 'a contact names at least one coded topic', 'topics');
      if (command.contactedAt > command.now) throw ruleError('CONTACT_IN_FUTURE', 'a contact is recorded once it took place', 'contactedAt');
      if (command.contactedAt < state.openedAt) throw ruleError('CONTACT_BEFORE_PLAN', `the plan opened at ${state.openedAt}`, 'contactedAt');
      if (command.note && !state.beneficiaryId) throw stateError('BENEFICIARY_REQUIRED', 'a note is encrypted under the person’s key: define the plan with its beneficiary first', 'note');
      const events: PlanEvent[] = [
        {
          type: 'ContactRecorded',
          data: {
            contactId: command.contactId,
            channel: command.channel,
            topics: command.topics,
            reached: command.reached,
            contactedAt: command.contactedAt,
            ...(command.note ? { note: command.note } : {}),
            ...(command.checkInId ? { checkInId: command.checkInId } : {}),
            recordedBy: command.actor.userId,
          },
        },
      ];
      if (command.checkInId) {
        const checkIn = state.checkIns[command.checkInId];
        if (!checkIn) throw notFoundError('CHECK_IN_NOT_FOUND', `no check-in ${command.checkInId} is scheduled`, 'checkInId');
        if (checkIn.done) throw stateError('CHECK_IN_ALREADY_DONE', `check-in ${command.checkInId} took place`, 'checkInId');
        if (command.reached) events.push({ type: 'CheckInCompleted', data: { checkInId: command.checkInId, contactId: command.contactId, completedAt: command.contactedAt } });
      }
      // Only a contact that reached the person, after the difficulty began, answers an escalation; a collective session is no assessment.
      if (escalation && command.reached && command.channel !== 'collectiveSession' && command.contactedAt >= escalation.opened.startedAt) {
        const { escalationId, startedAt, startDate, deadlineDate } = escalation.opened;
        if (!escalation.firstContact) {
          events.push({ type: 'FirstCcasContactMade', data: { escalationId, contactId: command.contactId, channel: command.channel, contactedAt: command.contactedAt, ...firstContactDelay(startedAt, startDate, deadlineDate, command.contactedAt) } });
        }
        if (command.channel === 'threePartyMeeting') events.push({ type: 'ThreePartyMeetingHeld', data: { escalationId, contactId: command.contactId, heldAt: command.contactedAt } });
      }
      return events;
    }
    case 'ScheduleCheckIn': {
      if (state.checkIns[command.checkInId]) throw stateError('CHECK_IN_EXISTS', `check-in ${command.checkInId} is scheduled`, 'checkInId');
      if (command.dueOn < today) throw ruleError('CHECK_IN_IN_PAST', `a check-in is scheduled from today (${today})`, 'dueOn');
      return [{ type: 'CheckInScheduled', data: { checkInId: command.checkInId, dueOn: command.dueOn, reason: command.reason, scheduledBy: command.actor.userId } }];
    }
    case 'RecordMissedInstalment': {
      if (escalation) {
        if (escalation.instalmentsMissed.includes(command.instalmentNumber)) return [];
        return [{ type: 'InstalmentMissedAgain', data: { escalationId: escalation.opened.escalationId, instalmentNumber: command.instalmentNumber, dueDate: command.dueDate, missedAt: command.missedAt } }];
      }
      checkDeadline(command.deadlineWorkingDays);
      return [opened(state, command.now, command.deadlineWorkingDays, command.dueDate, command.missedAt, { trigger: 'instalmentMissed', instalmentNumber: command.instalmentNumber, dueDate: command.dueDate })];
    }
    case 'RecordBankContact': {
      // The bank's call about something else than an open escalation is the bank's own business.
      if (!escalation || escalation.opened.trigger !== 'instalmentMissed') return [];
      const reached = command.outcome !== 'noAnswer';
      const events: PlanEvent[] = [{ type: 'BankContactRecorded', data: { escalationId: escalation.opened.escalationId, outcome: command.outcome, reached, contactedAt: command.contactedAt } }];
      const alerts = command.outcome === 'noAnswer' || command.outcome === 'difficultyReported';
      if (alerts && !escalation.ccasAlertedAt) events.push({ type: 'CcasAlerted', data: { escalationId: escalation.opened.escalationId, alertedBy: 'bankContact', alertedAt: command.contactedAt } });
      return events;
    }
    case 'AlertCcas': {
      const open = openEscalation(escalation);
      if (open.ccasAlertedAt) throw stateError('CCAS_ALREADY_ALERTED', `the CCAS was alerted at ${open.ccasAlertedAt}`, 'loanId');
      if (open.opened.trigger === 'borrowerDifficulty') throw stateError('CCAS_ALREADY_ALERTED', 'the borrower came to the CCAS', 'loanId');
      return [{ type: 'CcasAlerted', data: { escalationId: open.opened.escalationId, alertedBy: 'recorded', alertedAt: command.now } }];
    }
    case 'RaiseDifficulty': {
      if (escalation) throw stateError('ESCALATION_ALREADY_OPEN', `escalation ${escalation.opened.escalationId} is open`, 'loanId');
      checkDeadline(command.deadlineWorkingDays);
      return [opened(state, command.now, command.deadlineWorkingDays, today, command.now, { trigger: 'borrowerDifficulty', difficulty: command.topic })];
    }
    case 'GrantSupport': {
      if (state.supportIds.includes(command.supportId)) throw stateError('SUPPORT_ALREADY_GRANTED', `support ${command.supportId} is recorded`, 'supportId');
      checkSupport(command.support);
      notAfter(command.grantedOn, today, 'grantedOn');
      return [
        {
          type: 'SupportGranted',
          data: { supportId: command.supportId, ...(escalation ? { escalationId: escalation.opened.escalationId } : {}), support: command.support, grantedOn: command.grantedOn, grantedBy: command.actor.userId, grantedAt: command.now },
        },
      ];
    }
    case 'RequestRescheduling': {
      if (state.reschedulings[command.requestId]) throw stateError('RESCHEDULING_ALREADY_REQUESTED', `request ${command.requestId} was sent`, 'requestId');
      checkRescheduling(command.rescheduling);
      return [
        {
          type: 'ReschedulingRequested',
          data: { requestId: command.requestId, ...(escalation ? { escalationId: escalation.opened.escalationId } : {}), rescheduling: command.rescheduling, requestedBy: command.actor.userId, requestedAt: command.now },
        },
      ];
    }
    case 'RecordRescheduled': {
      // The oldest request of that kind still waiting is the one the bank approved; the bank's own rescheduling matches none.
      const requestId = Object.entries(state.reschedulings).find(([, request]) => request.kind === command.kind && !request.applied)?.[0];
      if (!requestId) return [];
      return [{ type: 'ReschedulingApplied', data: { requestId, kind: command.kind, newEndDate: command.newEndDate, appliedAt: command.now } }];
    }
    case 'CloseEscalation': {
      const open = openEscalation(escalation);
      return [{ type: 'EscalationClosed', data: { escalationId: open.opened.escalationId, outcome: command.outcome, closedBy: command.actor.userId, closedAt: command.now } }];
    }
    case 'RecordLoanEnded': {
      const closing: PlanEvent[] = escalation
        ? [{ type: 'EscalationClosed', data: { escalationId: escalation.opened.escalationId, outcome: 'loanEnded', closedBy: command.actor.userId, closedAt: command.now } }]
        : [];
      const checkInsCancelled = Object.entries(state.checkIns)
        .filter(([, checkIn]) => !checkIn.done)
        .map(([checkInId]) => checkInId);
      return [...closing, { type: 'PlanEnded', data: { reason: command.reason, endedAt: command.endedAt, checkInsCancelled } }];
    }
    default:
      return exhaustive(command);
  }
}

// Once the loan ended, lending's late facts change nothing and the CCAS only records contacts (the end meeting).
function decideAfterEnd(command: Exclude<PlanCommand, { type: 'OpenPlan' }>, state: OpenPlanState): PlanEvent[] {
  switch (command.type) {
    case 'RecordLoanEnded':
    case 'RecordMissedInstalment':
    case 'RecordBankContact':
    case 'RecordRescheduled':
      return [];
    case 'RecordContact':
      // Decided as on a plan without an escalation: the contact is recorded, no step follows from it.
      return decidePlan(command, { ...state, ended: undefined, escalation: undefined } as OpenPlanState);
    case 'DefinePlan':
    case 'SignCharter':
    case 'ScheduleCheckIn':
    case 'AlertCcas':
    case 'RaiseDifficulty':
    case 'GrantSupport':
    case 'RequestRescheduling':
    case 'CloseEscalation':
      throw stateError('PLAN_ENDED', `the loan ended (${state.ended!.reason}) on ${dayOf(state.ended!.endedAt)}`, 'loanId');
    default:
      return exhaustive(command);
  }
}

function definePlan(command: DefinePlan, state: OpenPlanState): PlanEvent[] {
  if (state.loan.product === 'restructuring' && command.intensity !== 'mandatory') {
    throw ruleError('INTENSITY_MANDATORY', 'a restructuring loan’s budget accompaniment is mandatory', 'intensity');
  }
  if (command.intensity !== 'none' && command.kinds.length === 0) throw ruleError('KINDS_REQUIRED', 'an accompaniment names what it covers (budget, social, administrative)', 'kinds');
  if (new Set(command.kinds).size !== command.kinds.length) throw ruleError('KINDS_REPEATED', 'each kind is named once', 'kinds');
  if (state.beneficiaryId && state.beneficiaryId !== command.beneficiaryId) throw stateError('BENEFICIARY_CHANGED', 'a plan follows one person; their notes are under their key', 'beneficiaryId');
  const same = state.intensity === command.intensity && state.referentId === command.referentId && state.beneficiaryId === command.beneficiaryId && [...state.kinds].sort().join() === [...command.kinds].sort().join();
  if (same) throw stateError('PLAN_UNCHANGED', 'the plan already reads so', 'kinds');
  return [{ type: 'PlanDefined', data: { kinds: command.kinds, intensity: command.intensity, referentId: command.referentId, beneficiaryId: command.beneficiaryId, definedBy: command.actor.userId, definedAt: command.now } }];
}

function opened(
  state: OpenPlanState,
  now: string,
  deadlineWorkingDays: number,
  startDate: string,
  startedAt: string,
  trigger: Pick<EscalationOpened['data'], 'trigger' | 'instalmentNumber' | 'dueDate' | 'difficulty'>,
): PlanEvent {
  return {
    type: 'EscalationOpened',
    data: { escalationId: `${state.loan.loanId}-e${state.escalationsOpened + 1}`, ...trigger, startedAt, startDate, deadlineWorkingDays, deadlineDate: deadlineDateOf(startDate, deadlineWorkingDays), openedAt: now },
  };
}

function openEscalation(escalation: Escalation | undefined): Escalation {
  if (!escalation) throw stateError('ESCALATION_NOT_OPEN', 'no escalation is open for this loan', 'loanId');
  return escalation;
}

function checkDeadline(days: number): void {
  if (!Number.isSafeInteger(days) || days < MIN_DEADLINE_WORKING_DAYS || days > MAX_DEADLINE_WORKING_DAYS) {
    throw ruleError('DEADLINE_INVALID', `a first-contact deadline is ${MIN_DEADLINE_WORKING_DAYS}–${MAX_DEADLINE_WORKING_DAYS} working days`, 'deadlineWorkingDays');
  }
}

function checkSupport(support: Support): void {
  switch (support.kind) {
    case 'emergencyAid':
      if (!Number.isSafeInteger(support.amountCents) || support.amountCents < 1 || support.amountCents > MAX_EMERGENCY_AID_CENTS) {
        throw ruleError('AMOUNT_INVALID', `an emergency aid is 1 to ${MAX_EMERGENCY_AID_CENTS} cents`, 'amountCents');
      }
      return;
    case 'socialGrocery':
      if (!Number.isSafeInteger(support.months) || support.months < 1 || support.months > MAX_SOCIAL_GROCERY_MONTHS) {
        throw ruleError('MONTHS_INVALID', `social grocery access is 1 to ${MAX_SOCIAL_GROCERY_MONTHS} months`, 'months');
      }
      return;
    case 'referral':
      return;
    default:
      return exhaustive(support);
  }
}

function checkRescheduling(rescheduling: Rescheduling): void {
  switch (rescheduling.kind) {
    case 'holiday':
      if (!Number.isSafeInteger(rescheduling.months) || rescheduling.months < 1 || rescheduling.months > 12) throw ruleError('MONTHS_INVALID', 'a payment holiday is 1 to 12 months', 'months');
      return;
    case 'termExtension':
      if (!Number.isSafeInteger(rescheduling.additionalMonths) || rescheduling.additionalMonths < 1 || rescheduling.additionalMonths > 84) {
        throw ruleError('MONTHS_INVALID', 'a term extension is 1 to 84 months', 'additionalMonths');
      }
      return;
    case 'instalmentRevision':
      if (!Number.isSafeInteger(rescheduling.instalmentCents) || rescheduling.instalmentCents < 1) throw ruleError('AMOUNT_INVALID', 'a revised instalment is a positive number of cents', 'instalmentCents');
      return;
    default:
      return exhaustive(rescheduling);
  }
}

function notAfter(date: string, today: string, field: string): void {
  if (date > today) throw ruleError('DATE_IN_FUTURE', `${field} is after today (${today})`, field);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const planDecider: Decider<PlanCommand, PlanEvent, PlanState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolvePlan,
  decide: decidePlan,
};

/** Accompaniment plans (`plan-<loanId>`), one per loan within a CCAS. */
export const planAggregate: Aggregate<PlanCommand, PlanEvent, PlanState> = { category: 'plan', decider: planDecider };
