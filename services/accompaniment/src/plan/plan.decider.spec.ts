import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import { nextStepOf } from './escalation.rules';
import type { PlanCommand } from './plan.commands';
import { defaultIntensityOf, nextStepOfEscalation, planDecider, type PlanState } from './plan.decider';
import type { PlanEvent } from './plan.events';

const spec = deciderSpec(planDecider);
const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const lending = { userId: 'lending', role: 'service' };
const NOW = '2027-02-10T09:00:00.000Z';
const refused = (kind: DomainError['kind'], code: string, field?: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && (field === undefined || error.field === field);
const by = (actor = sophie, now = NOW) => ({ actor, now });

type Of<T extends PlanCommand['type']> = Omit<Extract<PlanCommand, { type: T }>, 'type' | 'actor' | 'now'>;
const cmd = <T extends PlanCommand['type']>(type: T, body: Of<T>, issued = by()): PlanCommand => ({ type, ...body, ...issued }) as PlanCommand;

const loan = { loanId: 'loan-1', applicationId: 'app-1', product: 'restructuring' as const, amountCents: 120_000, termMonths: 12, firstDueDate: '2027-01-05' };
const planOpened: PlanEvent = { type: 'PlanOpened', data: { ...loan, intensity: 'mandatory', kinds: ['budget'], openedAt: '2026-12-04T10:00:00.000Z' } };
const classicOpened: PlanEvent = { type: 'PlanOpened', data: { ...loan, product: 'classic', intensity: 'none', kinds: [], openedAt: '2026-12-04T10:00:00.000Z' } };
const defined: PlanEvent = { type: 'PlanDefined', data: { kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-1', definedBy: 'sw-sophie', definedAt: '2026-12-05T10:00:00.000Z' } };
// Instalment 2 due Friday 5 February 2027, recorded missed on Monday the 8th; 5 working days → Friday 12 February.
const missed: PlanEvent = {
  type: 'EscalationOpened',
  data: {
    escalationId: 'loan-1-e1',
    trigger: 'instalmentMissed',
    instalmentNumber: 2,
    dueDate: '2027-02-05',
    startedAt: '2027-02-08T08:00:00.000Z',
    startDate: '2027-02-05',
    deadlineWorkingDays: 5,
    deadlineDate: '2027-02-12',
    openedAt: '2027-02-08T08:00:00.000Z',
  },
};
const bankNoAnswer: PlanEvent = { type: 'BankContactRecorded', data: { escalationId: 'loan-1-e1', outcome: 'noAnswer', reached: false, contactedAt: '2027-02-09T10:00:00.000Z' } };
const alerted: PlanEvent = { type: 'CcasAlerted', data: { escalationId: 'loan-1-e1', alertedBy: 'bankContact', alertedAt: '2027-02-09T10:00:00.000Z' } };
const phone = (contactId: string, contactedAt: string, overrides: Partial<Of<'RecordContact'>> = {}) =>
  cmd('RecordContact', { contactId, channel: 'phone', topics: ['repayment'], reached: true, contactedAt, ...overrides });
const contactEvent = (contactId: string, contactedAt: string, overrides: Record<string, unknown> = {}): PlanEvent =>
  ({ type: 'ContactRecorded', data: { contactId, channel: 'phone', topics: ['repayment'], reached: true, contactedAt, recordedBy: 'sw-sophie', ...overrides } }) as PlanEvent;
const firstContact: PlanEvent = {
  type: 'FirstCcasContactMade',
  data: { escalationId: 'loan-1-e1', contactId: 'c-1', channel: 'phone', contactedAt: '2027-02-10T08:30:00.000Z', delayMinutes: 2 * 24 * 60 + 30, delayWorkingDays: 3, late: false },
};
const escalated = [planOpened, defined, missed];
const alertedPlan = [...escalated, bankNoAnswer, alerted];
const contacted = [...alertedPlan, contactEvent('c-1', '2027-02-10T08:30:00.000Z'), firstContact];
const stateAfter = (events: PlanEvent[]): PlanState => events.reduce(planDecider.evolve, planDecider.initialState());

describe('a loan without a plan', () => {
  it('gets one when it is disbursed; a restructuring loan’s is mandatory, about the budget', () => {
    spec.given([]).when(cmd('OpenPlan', { ...loan, disbursedAt: '2026-12-04T10:00:00.000Z' }, by(lending, '2026-12-04T10:00:00.000Z'))).then([planOpened]);
  });
  it('gets an offered plan (intensity none) for a classic loan', () => {
    spec.given([]).when(cmd('OpenPlan', { ...loan, product: 'classic', disbursedAt: '2026-12-04T10:00:00.000Z' }, by(lending, '2026-12-04T10:00:00.000Z'))).then([classicOpened]);
    expect(defaultIntensityOf('autonomyHealth')).toBe('none');
  });
  it('opens with what intake told about the file: the person, and the accompaniment assessed (never below mandatory for restructuring)', () => {
    const intake = { beneficiaryId: 'ben-1', accompanimentLevel: 'checkIns' as const };
    spec
      .given([])
      .when(cmd('OpenPlan', { ...loan, product: 'classic', disbursedAt: '2026-12-04T10:00:00.000Z', intake }, by(lending, '2026-12-04T10:00:00.000Z')))
      .then([{ type: 'PlanOpened', data: { ...classicOpened.data, intensity: 'checkIns', beneficiaryId: 'ben-1' } } as PlanEvent]);
    spec
      .given([])
      .when(cmd('OpenPlan', { ...loan, disbursedAt: '2026-12-04T10:00:00.000Z', intake }, by(lending, '2026-12-04T10:00:00.000Z')))
      .then([{ type: 'PlanOpened', data: { ...planOpened.data, beneficiaryId: 'ben-1' } } as PlanEvent]);
    const sealed = { $pii: { k: 'key-1', iv: 'aa', ct: 'bb', tag: 'cc' } };
    // The person known from intake: a note can be sealed under their key before the CCAS defines the plan.
    spec
      .given([{ type: 'PlanOpened', data: { ...classicOpened.data, intensity: 'checkIns', beneficiaryId: 'ben-1' } } as PlanEvent])
      .when(phone('c-1', '2027-02-01T10:00:00.000Z', { note: sealed }))
      .then([contactEvent('c-1', '2027-02-01T10:00:00.000Z', { note: sealed })]);
  });
  it('refuses every other command: there is no plan yet (404)', () => {
    spec.given([]).when(cmd('AlertCcas', {})).thenThrows(refused('notFound', 'PLAN_NOT_FOUND', 'loanId'));
    spec.given([]).when(cmd('RecordMissedInstalment', { instalmentNumber: 1, dueDate: '2027-01-05', missedAt: NOW, deadlineWorkingDays: 5 })).thenThrows(refused('notFound', 'PLAN_NOT_FOUND'));
  });
});

describe('an open plan', () => {
  it('refuses to open twice', () => {
    spec.given([planOpened]).when(cmd('OpenPlan', { ...loan, disbursedAt: NOW })).thenThrows(refused('state', 'PLAN_ALREADY_OPEN', 'loanId'));
  });
  it('is defined with its kinds, intensity, referent and person', () => {
    spec
      .given([planOpened])
      .when(cmd('DefinePlan', { kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-1' }, by(sophie, '2026-12-05T10:00:00.000Z')))
      .then([defined]);
  });
  it('keeps a restructuring loan’s accompaniment mandatory', () => {
    spec.given([planOpened]).when(cmd('DefinePlan', { kinds: ['budget'], intensity: 'regular', referentId: 'sw-sophie', beneficiaryId: 'ben-1' })).thenThrows(refused('rule', 'INTENSITY_MANDATORY', 'intensity'));
  });
  it('names what an accompaniment covers, each kind once', () => {
    spec.given([classicOpened]).when(cmd('DefinePlan', { kinds: [], intensity: 'checkIns', referentId: 'sw-sophie', beneficiaryId: 'ben-1' })).thenThrows(refused('rule', 'KINDS_REQUIRED', 'kinds'));
    spec.given([classicOpened]).when(cmd('DefinePlan', { kinds: ['social', 'social'], intensity: 'regular', referentId: 'sw-sophie', beneficiaryId: 'ben-1' })).thenThrows(refused('rule', 'KINDS_REPEATED', 'kinds'));
  });
  it('lets an offered plan stay at none with no kinds, and change referent later', () => {
    spec
      .given([classicOpened])
      .when(cmd('DefinePlan', { kinds: [], intensity: 'none', referentId: 'sw-paul', beneficiaryId: 'ben-1' }))
      .then([{ type: 'PlanDefined', data: { kinds: [], intensity: 'none', referentId: 'sw-paul', beneficiaryId: 'ben-1', definedBy: 'sw-sophie', definedAt: NOW } }]);
    spec
      .given([planOpened, defined])
      .when(cmd('DefinePlan', { kinds: ['budget', 'social'], intensity: 'mandatory', referentId: 'sw-paul', beneficiaryId: 'ben-1' }))
      .then([{ type: 'PlanDefined', data: { kinds: ['budget', 'social'], intensity: 'mandatory', referentId: 'sw-paul', beneficiaryId: 'ben-1', definedBy: 'sw-sophie', definedAt: NOW } }]);
  });
  it('refuses a definition that changes nothing, or another person', () => {
    spec.given([planOpened, defined]).when(cmd('DefinePlan', { kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-1' })).thenThrows(refused('state', 'PLAN_UNCHANGED'));
    spec.given([planOpened, defined]).when(cmd('DefinePlan', { kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-2' })).thenThrows(refused('state', 'BENEFICIARY_CHANGED', 'beneficiaryId'));
  });
});

describe('the charter', () => {
  it('is signed two-party (borrower, CCAS) or three-party with the bank', () => {
    spec.given([planOpened]).when(cmd('SignCharter', { parties: 'twoParty', signedOn: '2027-02-10' })).then([{ type: 'CharterSigned', data: { parties: 'twoParty', signedOn: '2027-02-10', recordedBy: 'sw-sophie' } }]);
    spec
      .given([planOpened])
      .when(cmd('SignCharter', { parties: 'threeParty', signedOn: '2026-12-01', bankPartnerId: 'bank-parcours' }))
      .then([{ type: 'CharterSigned', data: { parties: 'threeParty', signedOn: '2026-12-01', bankPartnerId: 'bank-parcours', recordedBy: 'sw-sophie' } }]);
  });
  it('names the bank of a three-party charter, and no bank on a two-party one', () => {
    spec.given([planOpened]).when(cmd('SignCharter', { parties: 'threeParty', signedOn: '2027-02-10' })).thenThrows(refused('rule', 'BANK_PARTNER_REQUIRED', 'bankPartnerId'));
    spec.given([planOpened]).when(cmd('SignCharter', { parties: 'twoParty', signedOn: '2027-02-10', bankPartnerId: 'bank-parcours' })).thenThrows(refused('rule', 'BANK_PARTNER_NOT_A_PARTY', 'bankPartnerId'));
  });
  it('is not dated after today, and is signed once', () => {
    spec.given([planOpened]).when(cmd('SignCharter', { parties: 'twoParty', signedOn: '2027-02-11' })).thenThrows(refused('rule', 'DATE_IN_FUTURE', 'signedOn'));
    spec
      .given([planOpened, { type: 'CharterSigned', data: { parties: 'twoParty', signedOn: '2027-02-01', recordedBy: 'sw-sophie' } }])
      .when(cmd('SignCharter', { parties: 'twoParty', signedOn: '2027-02-10' }))
      .thenThrows(refused('state', 'CHARTER_ALREADY_SIGNED'));
  });
});

describe('contacts and check-ins without a difficulty', () => {
  const sealed = { $pii: { k: 'key-1', iv: 'aa', ct: 'bb', tag: 'cc' } };
  it('records a contact with its coded topics and the note sealed under the person’s key', () => {
    spec
      .given([planOpened, defined])
      .when(phone('c-1', '2027-02-01T10:00:00.000Z', { channel: 'visit', topics: ['budget', 'housing'], note: sealed }))
      .then([contactEvent('c-1', '2027-02-01T10:00:00.000Z', { channel: 'visit', topics: ['budget', 'housing'], note: sealed })]);
  });
  it('refuses a note before the plan names its person (nothing to encrypt it under)', () => {
    spec.given([planOpened]).when(phone('c-1', '2027-02-01T10:00:00.000Z', { note: sealed })).thenThrows(refused('state', 'BENEFICIARY_REQUIRED', 'note'));
  });
  it('refuses a contact without a topic, in the future, before the plan, or recorded twice', () => {
    spec.given([planOpened]).when(phone('c-1', '2027-02-01T10:00:00.000Z', { topics: [] })).thenThrows(refused('rule', 'TOPICS_REQUIRED', 'topics'));
    spec.given([planOpened]).when(phone('c-1', '2027-02-10T09:00:01.000Z')).thenThrows(refused('rule', 'CONTACT_IN_FUTURE', 'contactedAt'));
    spec.given([planOpened]).when(phone('c-1', '2026-12-01T09:00:00.000Z')).thenThrows(refused('rule', 'CONTACT_BEFORE_PLAN', 'contactedAt'));
    spec.given([planOpened, contactEvent('c-1', '2027-02-01T10:00:00.000Z')]).when(phone('c-1', '2027-02-02T10:00:00.000Z')).thenThrows(refused('state', 'CONTACT_ALREADY_RECORDED', 'contactId'));
  });
  const scheduled: PlanEvent = { type: 'CheckInScheduled', data: { checkInId: 'mid', dueOn: '2027-06-05', reason: 'midTerm', scheduledBy: 'sw-sophie' } };
  it('schedules a check-in from today on, once per id', () => {
    spec.given([planOpened]).when(cmd('ScheduleCheckIn', { checkInId: 'mid', dueOn: '2027-06-05', reason: 'midTerm' })).then([scheduled]);
    spec.given([planOpened]).when(cmd('ScheduleCheckIn', { checkInId: 'mid', dueOn: '2027-02-09', reason: 'midTerm' })).thenThrows(refused('rule', 'CHECK_IN_IN_PAST', 'dueOn'));
    spec.given([planOpened, scheduled]).when(cmd('ScheduleCheckIn', { checkInId: 'mid', dueOn: '2027-07-05', reason: 'other' })).thenThrows(refused('state', 'CHECK_IN_EXISTS', 'checkInId'));
  });
  it('completes a check-in by a contact that reached the person; an unanswered call leaves it due', () => {
    spec
      .given([planOpened, scheduled])
      .when(phone('c-2', '2027-02-10T08:00:00.000Z', { checkInId: 'mid' }))
      .then([contactEvent('c-2', '2027-02-10T08:00:00.000Z', { checkInId: 'mid' }), { type: 'CheckInCompleted', data: { checkInId: 'mid', contactId: 'c-2', completedAt: '2027-02-10T08:00:00.000Z' } }]);
    spec.given([planOpened, scheduled]).when(phone('c-2', '2027-02-10T08:00:00.000Z', { checkInId: 'mid', reached: false })).then([contactEvent('c-2', '2027-02-10T08:00:00.000Z', { checkInId: 'mid', reached: false })]);
  });
  it('refuses a contact for an unknown or completed check-in', () => {
    spec.given([planOpened]).when(phone('c-2', '2027-02-10T08:00:00.000Z', { checkInId: 'mid' })).thenThrows(refused('notFound', 'CHECK_IN_NOT_FOUND', 'checkInId'));
    spec
      .given([planOpened, scheduled, contactEvent('c-2', '2027-02-09T08:00:00.000Z', { checkInId: 'mid' }), { type: 'CheckInCompleted', data: { checkInId: 'mid', contactId: 'c-2', completedAt: '2027-02-09T08:00:00.000Z' } }])
      .when(phone('c-3', '2027-02-10T08:00:00.000Z', { checkInId: 'mid' }))
      .thenThrows(refused('state', 'CHECK_IN_ALREADY_DONE', 'checkInId'));
  });
  it('leaves the bank’s contact alone while nothing is escalated', () => {
    spec.given([planOpened]).when(cmd('RecordBankContact', { outcome: 'noAnswer', contactedAt: NOW }, by(lending))).thenNothing();
  });
  it('refuses to alert or close an escalation that is not open', () => {
    spec.given([planOpened]).when(cmd('AlertCcas', {})).thenThrows(refused('state', 'ESCALATION_NOT_OPEN'));
    spec.given([planOpened]).when(cmd('CloseEscalation', { outcome: 'resolved' })).thenThrows(refused('state', 'ESCALATION_NOT_OPEN'));
  });
});

describe('the escalation on a missed instalment', () => {
  it('opens with the CCAS’s deadline in working days from the due date', () => {
    spec
      .given([planOpened, defined])
      .when(cmd('RecordMissedInstalment', { instalmentNumber: 2, dueDate: '2027-02-05', missedAt: '2027-02-08T08:00:00.000Z', deadlineWorkingDays: 5 }, by(lending, '2027-02-08T08:00:00.000Z')))
      .then([missed]);
  });
  it('refuses a deadline outside 1–60 working days', () => {
    spec.given([planOpened]).when(cmd('RecordMissedInstalment', { instalmentNumber: 2, dueDate: '2027-02-05', missedAt: NOW, deadlineWorkingDays: 0 })).thenThrows(refused('rule', 'DEADLINE_INVALID', 'deadlineWorkingDays'));
  });
  it('adds a further missed instalment to the open escalation, once', () => {
    spec
      .given(escalated)
      .when(cmd('RecordMissedInstalment', { instalmentNumber: 3, dueDate: '2027-03-05', missedAt: '2027-03-08T08:00:00.000Z', deadlineWorkingDays: 5 }, by(lending)))
      .then([{ type: 'InstalmentMissedAgain', data: { escalationId: 'loan-1-e1', instalmentNumber: 3, dueDate: '2027-03-05', missedAt: '2027-03-08T08:00:00.000Z' } }]);
    spec.given(escalated).when(cmd('RecordMissedInstalment', { instalmentNumber: 2, dueDate: '2027-02-05', missedAt: NOW, deadlineWorkingDays: 5 }, by(lending))).thenNothing();
  });
  it('expects the bank’s contact first', () => {
    expect(nextStepOfEscalation((stateAfter(escalated) as Extract<PlanState, { status: 'open' }>).escalation!)).toBe('bankContact');
  });
  it('alerts the CCAS when the bank’s call is not answered', () => {
    spec.given(escalated).when(cmd('RecordBankContact', { outcome: 'noAnswer', contactedAt: '2027-02-09T10:00:00.000Z' }, by(lending))).then([bankNoAnswer, alerted]);
  });
  it('alerts the CCAS when the borrower tells the bank of a difficulty', () => {
    spec
      .given(escalated)
      .when(cmd('RecordBankContact', { outcome: 'difficultyReported', contactedAt: '2027-02-09T10:00:00.000Z' }, by(lending)))
      .then([{ type: 'BankContactRecorded', data: { ...bankNoAnswer.data, outcome: 'difficultyReported', reached: true } } as PlanEvent, alerted]);
  });
  it('does not alert the CCAS when the borrower answered with a promise to pay; the CCAS may still be alerted by hand', () => {
    const promise: PlanEvent = { type: 'BankContactRecorded', data: { escalationId: 'loan-1-e1', outcome: 'promiseToPay', reached: true, contactedAt: '2027-02-09T10:00:00.000Z' } };
    spec.given(escalated).when(cmd('RecordBankContact', { outcome: 'promiseToPay', contactedAt: '2027-02-09T10:00:00.000Z' }, by(lending))).then([promise]);
    spec.given([...escalated, promise]).when(cmd('AlertCcas', {})).then([{ type: 'CcasAlerted', data: { escalationId: 'loan-1-e1', alertedBy: 'recorded', alertedAt: NOW } }]);
    expect(nextStepOf({ trigger: 'instalmentMissed', bankContacted: true, bankReached: true, ccasAlerted: false, firstContact: false, remedies: 0 })).toBe('alertCcasOrClose');
  });
  it('alerts the CCAS once: a second unanswered call is recorded only', () => {
    spec.given(alertedPlan).when(cmd('RecordBankContact', { outcome: 'noAnswer', contactedAt: '2027-02-10T10:00:00.000Z' }, by(lending))).then([{ type: 'BankContactRecorded', data: { ...bankNoAnswer.data, contactedAt: '2027-02-10T10:00:00.000Z' } } as PlanEvent]);
    spec.given(alertedPlan).when(cmd('AlertCcas', {})).thenThrows(refused('state', 'CCAS_ALREADY_ALERTED'));
  });
  it('measures the first CCAS contact that reached the person: minutes from the miss, working days from the due date', () => {
    spec.given(alertedPlan).when(phone('c-1', '2027-02-10T08:30:00.000Z')).then([contactEvent('c-1', '2027-02-10T08:30:00.000Z'), firstContact]);
  });
  it('marks a first contact after the deadline date as late', () => {
    // Monday 15 February: 6 working days after Friday 5 February, past Friday 12.
    spec
      .given(alertedPlan)
      .when(cmd('RecordContact', { contactId: 'c-1', channel: 'visit', topics: ['budget'], reached: true, contactedAt: '2027-02-15T09:00:00.000Z' }, by(sophie, '2027-02-15T10:00:00.000Z')))
      .then([
        contactEvent('c-1', '2027-02-15T09:00:00.000Z', { channel: 'visit', topics: ['budget'] }),
        { type: 'FirstCcasContactMade', data: { escalationId: 'loan-1-e1', contactId: 'c-1', channel: 'visit', contactedAt: '2027-02-15T09:00:00.000Z', delayMinutes: 7 * 24 * 60 + 60, delayWorkingDays: 6, late: true } },
      ]);
  });
  it('counts no first contact from an unanswered call, a collective session, or a contact before the miss', () => {
    spec.given(alertedPlan).when(phone('c-1', '2027-02-10T08:30:00.000Z', { reached: false })).then([contactEvent('c-1', '2027-02-10T08:30:00.000Z', { reached: false })]);
    spec.given(alertedPlan).when(phone('c-1', '2027-02-10T08:30:00.000Z', { channel: 'collectiveSession' })).then([contactEvent('c-1', '2027-02-10T08:30:00.000Z', { channel: 'collectiveSession' })]);
    spec.given(alertedPlan).when(phone('c-1', '2027-02-07T08:30:00.000Z')).then([contactEvent('c-1', '2027-02-07T08:30:00.000Z')]);
  });
  it('counts the CCAS’s contact even before the bank called: the CCAS reacted first', () => {
    spec.given(escalated).when(phone('c-1', '2027-02-10T08:30:00.000Z')).then([contactEvent('c-1', '2027-02-10T08:30:00.000Z'), firstContact]);
  });
  it('records the first contact once; a later three-party meeting is recorded as such', () => {
    spec.given(contacted).when(phone('c-2', '2027-02-10T08:50:00.000Z')).then([contactEvent('c-2', '2027-02-10T08:50:00.000Z')]);
    spec
      .given(contacted)
      .when(phone('c-2', '2027-02-10T08:50:00.000Z', { channel: 'threePartyMeeting', topics: ['repayment', 'budget'] }))
      .then([
        contactEvent('c-2', '2027-02-10T08:50:00.000Z', { channel: 'threePartyMeeting', topics: ['repayment', 'budget'] }),
        { type: 'ThreePartyMeetingHeld', data: { escalationId: 'loan-1-e1', contactId: 'c-2', heldAt: '2027-02-10T08:50:00.000Z' } },
      ]);
  });
  it('counts a three-party meeting that is the first contact as both', () => {
    spec
      .given(alertedPlan)
      .when(phone('c-1', '2027-02-10T08:30:00.000Z', { channel: 'threePartyMeeting' }))
      .then([
        contactEvent('c-1', '2027-02-10T08:30:00.000Z', { channel: 'threePartyMeeting' }),
        { type: 'FirstCcasContactMade', data: { ...firstContact.data, channel: 'threePartyMeeting' } } as PlanEvent,
        { type: 'ThreePartyMeetingHeld', data: { escalationId: 'loan-1-e1', contactId: 'c-1', heldAt: '2027-02-10T08:30:00.000Z' } },
      ]);
  });
  it('then expects remedies, then closing', () => {
    const open = (events: PlanEvent[]) => (stateAfter(events) as Extract<PlanState, { status: 'open' }>).escalation!;
    expect(nextStepOfEscalation(open(alertedPlan))).toBe('firstCcasContact');
    expect(nextStepOfEscalation(open(contacted))).toBe('remedies');
    const grocery: PlanEvent = { type: 'SupportGranted', data: { supportId: 's-1', escalationId: 'loan-1-e1', support: { kind: 'socialGrocery', months: 3 }, grantedOn: '2027-02-10', grantedBy: 'sw-sophie', grantedAt: NOW } };
    expect(nextStepOfEscalation(open([...contacted, grocery]))).toBe('close');
  });
  it('closes with an outcome; a new miss then opens the next escalation', () => {
    const closed: PlanEvent = { type: 'EscalationClosed', data: { escalationId: 'loan-1-e1', outcome: 'supported', closedBy: 'sw-sophie', closedAt: NOW } };
    spec.given(contacted).when(cmd('CloseEscalation', { outcome: 'supported' })).then([closed]);
    spec
      .given([...contacted, closed])
      .when(cmd('RecordMissedInstalment', { instalmentNumber: 4, dueDate: '2027-04-05', missedAt: '2027-04-06T08:00:00.000Z', deadlineWorkingDays: 3 }, by(lending, '2027-04-06T08:00:00.000Z')))
      .then([
        {
          type: 'EscalationOpened',
          data: {
            escalationId: 'loan-1-e2',
            trigger: 'instalmentMissed',
            instalmentNumber: 4,
            dueDate: '2027-04-05',
            startedAt: '2027-04-06T08:00:00.000Z',
            startDate: '2027-04-05',
            deadlineWorkingDays: 3,
            // Three working days after Monday 5 April 2027: Tuesday 6, Wednesday 7, Thursday 8.
            deadlineDate: '2027-04-08',
            openedAt: '2027-04-06T08:00:00.000Z',
          },
        },
      ]);
  });
});

describe('a difficulty raised by the borrower before any missed payment', () => {
  const raised: PlanEvent = {
    type: 'EscalationOpened',
    data: { escalationId: 'loan-1-e1', trigger: 'borrowerDifficulty', difficulty: 'jobLoss', startedAt: NOW, startDate: '2027-02-10', deadlineWorkingDays: 5, deadlineDate: '2027-02-17', openedAt: NOW },
  };
  it('opens an escalation whose next step is the CCAS’s first contact', () => {
    spec.given([planOpened]).when(cmd('RaiseDifficulty', { topic: 'jobLoss', deadlineWorkingDays: 5 })).then([raised]);
    expect(nextStepOfEscalation((stateAfter([planOpened, raised]) as Extract<PlanState, { status: 'open' }>).escalation!)).toBe('firstCcasContact');
  });
  it('refuses a second escalation while one is open, and a CCAS alert (the person came to the CCAS)', () => {
    spec.given(escalated).when(cmd('RaiseDifficulty', { topic: 'jobLoss', deadlineWorkingDays: 5 })).thenThrows(refused('state', 'ESCALATION_ALREADY_OPEN'));
    spec.given([planOpened, raised]).when(cmd('AlertCcas', {})).thenThrows(refused('state', 'CCAS_ALREADY_ALERTED'));
    spec.given([planOpened]).when(cmd('RaiseDifficulty', { topic: 'jobLoss', deadlineWorkingDays: 61 })).thenThrows(refused('rule', 'DEADLINE_INVALID'));
  });
  it('ignores the bank’s calls: the escalation is not about a missed payment', () => {
    spec.given([planOpened, raised]).when(cmd('RecordBankContact', { outcome: 'noAnswer', contactedAt: NOW }, by(lending))).thenNothing();
  });
  it('takes a missed instalment into the open escalation', () => {
    spec
      .given([planOpened, raised])
      .when(cmd('RecordMissedInstalment', { instalmentNumber: 2, dueDate: '2027-02-05', missedAt: NOW, deadlineWorkingDays: 5 }, by(lending)))
      .then([{ type: 'InstalmentMissedAgain', data: { escalationId: 'loan-1-e1', instalmentNumber: 2, dueDate: '2027-02-05', missedAt: NOW } }]);
  });
});

describe('remedies', () => {
  const grant = (supportId: string, support: Of<'GrantSupport'>['support'], grantedOn = '2027-02-10') => cmd('GrantSupport', { supportId, support, grantedOn });
  it('grants emergency aid, social grocery months or a referral, tied to the open escalation', () => {
    spec
      .given(contacted)
      .when(grant('s-1', { kind: 'socialGrocery', months: 3 }))
      .then([{ type: 'SupportGranted', data: { supportId: 's-1', escalationId: 'loan-1-e1', support: { kind: 'socialGrocery', months: 3 }, grantedOn: '2027-02-10', grantedBy: 'sw-sophie', grantedAt: NOW } }]);
    spec
      .given([planOpened])
      .when(grant('s-2', { kind: 'referral', partner: 'mdph' }))
      .then([{ type: 'SupportGranted', data: { supportId: 's-2', support: { kind: 'referral', partner: 'mdph' }, grantedOn: '2027-02-10', grantedBy: 'sw-sophie', grantedAt: NOW } }]);
    spec
      .given(contacted)
      .when(grant('s-3', { kind: 'emergencyAid', amountCents: 15_000 }))
      .then([{ type: 'SupportGranted', data: { supportId: 's-3', escalationId: 'loan-1-e1', support: { kind: 'emergencyAid', amountCents: 15_000 }, grantedOn: '2027-02-10', grantedBy: 'sw-sophie', grantedAt: NOW } }]);
  });
  it('refuses an aid amount or grocery months out of bounds, a future date, a support recorded twice', () => {
    spec.given(contacted).when(grant('s-1', { kind: 'emergencyAid', amountCents: 0 })).thenThrows(refused('rule', 'AMOUNT_INVALID', 'amountCents'));
    spec.given(contacted).when(grant('s-1', { kind: 'emergencyAid', amountCents: 500_001 })).thenThrows(refused('rule', 'AMOUNT_INVALID', 'amountCents'));
    spec.given(contacted).when(grant('s-1', { kind: 'socialGrocery', months: 25 })).thenThrows(refused('rule', 'MONTHS_INVALID', 'months'));
    spec.given(contacted).when(grant('s-1', { kind: 'referral', partner: 'caf' }, '2027-02-11')).thenThrows(refused('rule', 'DATE_IN_FUTURE', 'grantedOn'));
    spec
      .given([...contacted, { type: 'SupportGranted', data: { supportId: 's-1', support: { kind: 'referral', partner: 'caf' }, grantedOn: '2027-02-10', grantedBy: 'sw-sophie', grantedAt: NOW } }])
      .when(grant('s-1', { kind: 'referral', partner: 'caf' }))
      .thenThrows(refused('state', 'SUPPORT_ALREADY_GRANTED', 'supportId'));
  });
  const holiday: PlanEvent = { type: 'ReschedulingRequested', data: { requestId: 'r-1', escalationId: 'loan-1-e1', rescheduling: { kind: 'holiday', months: 2 }, requestedBy: 'sw-sophie', requestedAt: NOW } };
  it('asks lending for a payment holiday, a term extension or an instalment revision', () => {
    spec.given(contacted).when(cmd('RequestRescheduling', { requestId: 'r-1', rescheduling: { kind: 'holiday', months: 2 } })).then([holiday]);
    spec
      .given([planOpened])
      .when(cmd('RequestRescheduling', { requestId: 'r-2', rescheduling: { kind: 'termExtension', additionalMonths: 6 } }))
      .then([{ type: 'ReschedulingRequested', data: { requestId: 'r-2', rescheduling: { kind: 'termExtension', additionalMonths: 6 }, requestedBy: 'sw-sophie', requestedAt: NOW } }]);
  });
  it('refuses a rescheduling out of bounds, or the same request twice', () => {
    spec.given(contacted).when(cmd('RequestRescheduling', { requestId: 'r-1', rescheduling: { kind: 'holiday', months: 13 } })).thenThrows(refused('rule', 'MONTHS_INVALID', 'months'));
    spec.given(contacted).when(cmd('RequestRescheduling', { requestId: 'r-1', rescheduling: { kind: 'termExtension', additionalMonths: 0 } })).thenThrows(refused('rule', 'MONTHS_INVALID', 'additionalMonths'));
    spec.given(contacted).when(cmd('RequestRescheduling', { requestId: 'r-1', rescheduling: { kind: 'instalmentRevision', instalmentCents: 0 } })).thenThrows(refused('rule', 'AMOUNT_INVALID', 'instalmentCents'));
    spec.given([...contacted, holiday]).when(cmd('RequestRescheduling', { requestId: 'r-1', rescheduling: { kind: 'holiday', months: 1 } })).thenThrows(refused('state', 'RESCHEDULING_ALREADY_REQUESTED', 'requestId'));
  });
  it('records the bank’s approval against the request of that kind still waiting; the bank’s own rescheduling matches none', () => {
    const applied: PlanEvent = { type: 'ReschedulingApplied', data: { requestId: 'r-1', kind: 'holiday', newEndDate: '2028-02-05', appliedAt: NOW } };
    spec.given([...contacted, holiday]).when(cmd('RecordRescheduled', { kind: 'holiday', newEndDate: '2028-02-05' }, by(lending))).then([applied]);
    spec.given([...contacted, holiday, applied]).when(cmd('RecordRescheduled', { kind: 'holiday', newEndDate: '2028-04-05' }, by(lending))).thenNothing();
    spec.given([...contacted, holiday]).when(cmd('RecordRescheduled', { kind: 'termExtension', newEndDate: '2028-04-05' }, by(lending))).thenNothing();
  });
});

describe('a plan whose loan ended', () => {
  const scheduled: PlanEvent = { type: 'CheckInScheduled', data: { checkInId: 'mid', dueOn: '2027-06-05', reason: 'midTerm', scheduledBy: 'sw-sophie' } };
  const repaid = (checkInsCancelled: string[] = []): PlanEvent => ({ type: 'PlanEnded', data: { reason: 'repaid', endedAt: '2027-12-05T10:00:00.000Z', checkInsCancelled } });
  const ended = [...contacted, { type: 'EscalationClosed', data: { escalationId: 'loan-1-e1', outcome: 'loanEnded', closedBy: 'lending', closedAt: NOW } } as PlanEvent, repaid()];
  it('closes the open escalation (loanEnded) and drops the check-ins still due', () => {
    spec
      .given([...contacted, scheduled])
      .when(cmd('RecordLoanEnded', { reason: 'repaid', endedAt: '2027-12-05T10:00:00.000Z' }, by(lending)))
      .then([{ type: 'EscalationClosed', data: { escalationId: 'loan-1-e1', outcome: 'loanEnded', closedBy: 'lending', closedAt: NOW } }, repaid(['mid'])]);
    spec.given([planOpened]).when(cmd('RecordLoanEnded', { reason: 'writtenOff', endedAt: NOW }, by(lending))).then([{ type: 'PlanEnded', data: { reason: 'writtenOff', endedAt: NOW, checkInsCancelled: [] } }]);
  });
  it('takes lending’s later facts as nothing, the end once', () => {
    spec.given(ended).when(cmd('RecordLoanEnded', { reason: 'repaid', endedAt: NOW }, by(lending))).thenNothing();
    spec.given(ended).when(cmd('RecordMissedInstalment', { instalmentNumber: 12, dueDate: '2027-12-05', missedAt: NOW, deadlineWorkingDays: 5 }, by(lending))).thenNothing();
    spec.given(ended).when(cmd('RecordBankContact', { outcome: 'noAnswer', contactedAt: NOW }, by(lending))).thenNothing();
    spec.given(ended).when(cmd('RecordRescheduled', { kind: 'holiday', newEndDate: '2028-02-05' }, by(lending))).thenNothing();
  });
  it('still records a contact (the end meeting), with no escalation step', () => {
    spec.given(ended).when(phone('c-9', '2027-02-10T08:55:00.000Z', { channel: 'visit' })).then([contactEvent('c-9', '2027-02-10T08:55:00.000Z', { channel: 'visit' })]);
  });
  it('refuses everything else: PLAN_ENDED', () => {
    const refusedEnded = refused('state', 'PLAN_ENDED', 'loanId');
    spec.given(ended).when(cmd('RaiseDifficulty', { topic: 'jobLoss', deadlineWorkingDays: 5 })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('ScheduleCheckIn', { checkInId: 'late', dueOn: '2027-12-06', reason: 'other' })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('GrantSupport', { supportId: 's-9', support: { kind: 'referral', partner: 'caf' }, grantedOn: '2027-02-10' })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('RequestRescheduling', { requestId: 'r-9', rescheduling: { kind: 'holiday', months: 1 } })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('DefinePlan', { kinds: ['social'], intensity: 'mandatory', referentId: 'sw-paul', beneficiaryId: 'ben-1' })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('SignCharter', { parties: 'twoParty', signedOn: '2027-02-10' })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('AlertCcas', {})).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('CloseEscalation', { outcome: 'resolved' })).thenThrows(refusedEnded);
    spec.given(ended).when(cmd('OpenPlan', { ...loan, disbursedAt: NOW })).thenThrows(refused('state', 'PLAN_ALREADY_OPEN'));
  });
});
