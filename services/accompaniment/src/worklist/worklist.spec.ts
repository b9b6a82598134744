import type { RecordedEvent } from '@tremplin/event-sourcing';
import type { PlanCommand } from '../plan/plan.commands';
import { recordedPlanEvents } from '../plan/plan.test-support';
import { evolvePlanRow, type PlanRow } from './plan-row.projection';
import { worklistOf } from './worklist';

const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const lending = { userId: 'lending', role: 'service' };
const by = (now: string, actor = sophie) => ({ now, actor });
const fold = (events: RecordedEvent[]) => events.reduce<PlanRow | undefined>(evolvePlanRow, undefined);

// Instalment 2 due Friday 5 February 2027, recorded missed Monday the 8th; the CCAS allows itself 3 working days.
const opening: PlanCommand[] = [
  { type: 'OpenPlan', loanId: 'loan-1', applicationId: 'app-1', product: 'restructuring', amountCents: 120_000, termMonths: 12, firstDueDate: '2027-01-05', disbursedAt: '2026-12-04T10:00:00.000Z', ...by('2026-12-04T10:00:00.000Z', lending) },
  { type: 'DefinePlan', kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-1', ...by('2026-12-05T10:00:00.000Z') },
  { type: 'ScheduleCheckIn', checkInId: 'mid-term', dueOn: '2027-06-05', reason: 'midTerm', ...by('2026-12-05T10:00:00.000Z') },
  { type: 'RecordMissedInstalment', instalmentNumber: 2, dueDate: '2027-02-05', missedAt: '2027-02-08T08:00:00.000Z', deadlineWorkingDays: 3, ...by('2027-02-08T08:00:00.000Z', lending) },
];
const alerted: PlanCommand[] = [...opening, { type: 'RecordBankContact', outcome: 'noAnswer', contactedAt: '2027-02-09T10:00:00.000Z', ...by('2027-02-09T10:00:00.000Z', lending) }];

describe('the plan_row projection', () => {
  it('folds a plan into its row: referent, the open escalation with its next step, the check-ins still due', () => {
    expect(fold(recordedPlanEvents(alerted))).toEqual({
      tenantId: 'ccas-laval',
      loanId: 'loan-1',
      product: 'restructuring',
      intensity: 'mandatory',
      referentId: 'sw-sophie',
      escalation: {
        escalationId: 'loan-1-e1',
        trigger: 'instalmentMissed',
        openedAt: '2027-02-08T08:00:00.000Z',
        startedAt: '2027-02-08T08:00:00.000Z',
        startDate: '2027-02-05',
        deadlineWorkingDays: 3,
        deadlineDate: '2027-02-10',
        instalmentsMissed: [2],
        bankContactedAt: '2027-02-09T10:00:00.000Z',
        bankReached: false,
        ccasAlertedAt: '2027-02-09T10:00:00.000Z',
        firstContactAt: null,
        firstContactDelayMinutes: null,
        firstContactDelayWorkingDays: null,
        firstContactLate: null,
        threePartyMeetingAt: null,
        supports: 0,
        reschedulings: 0,
        nextStep: 'firstCcasContact',
      },
      pendingCheckIns: [{ checkInId: 'mid-term', dueOn: '2027-06-05', reason: 'midTerm' }],
      escalationsClosed: 0,
      lastContactAt: null,
      streamVersion: 6,
      updatedAt: '2027-02-09T10:00:00.000Z',
    });
  });

  it('leaves the row as it is for an event already applied (a redelivered batch)', () => {
    const events = recordedPlanEvents(alerted);
    const row = fold(events)!;
    expect(evolvePlanRow(row, events[3]!)).toBe(row);
  });

  it('ignores events of a plan it never saw open', () => {
    expect(evolvePlanRow(undefined, recordedPlanEvents(alerted)[1]!)).toBeUndefined();
  });

  it('clears the escalation when it closes and the check-in once a contact completed it', () => {
    const row = fold(
      recordedPlanEvents([
        ...alerted,
        { type: 'RecordContact', contactId: 'c-1', channel: 'phone', topics: ['repayment'], reached: true, contactedAt: '2027-02-11T09:00:00.000Z', checkInId: 'mid-term', ...by('2027-02-11T10:00:00.000Z') },
        { type: 'CloseEscalation', outcome: 'resolved', ...by('2027-02-12T10:00:00.000Z') },
      ]),
    )!;
    expect(row).toMatchObject({ escalation: null, escalationsClosed: 1, pendingCheckIns: [], lastContactAt: '2027-02-11T09:00:00.000Z' });
  });

  it('drops the open escalation and the check-ins still due once the loan ended', () => {
    const row = fold(recordedPlanEvents([...alerted, { type: 'RecordLoanEnded', reason: 'writtenOff', endedAt: '2027-09-01T10:00:00.000Z', ...by('2027-09-01T10:00:00.000Z', lending) }]))!;
    expect(row).toMatchObject({ escalation: null, escalationsClosed: 1, pendingCheckIns: [] });
    expect(worklistOf([row], '2027-09-02')).toMatchObject({ escalations: [], overdueCheckIns: [] });
  });
});

describe('the worklist on a day', () => {
  const forLoan = (commands: PlanCommand[], loanId: string) => commands.map((command) => (command.type === 'OpenPlan' ? { ...command, loanId } : command));
  const rowOf = (commands: PlanCommand[], loanId = 'loan-1') => fold(recordedPlanEvents(forLoan(commands, loanId), loanId))!;

  it('shows an escalation without a first contact as late once its deadline date has passed, not before', () => {
    const row = rowOf(alerted);
    expect(worklistOf([row], '2027-02-10').escalations[0]).toMatchObject({ late: false, ageDays: 5, ageWorkingDays: 3, nextStep: 'firstCcasContact', deadlineDate: '2027-02-10' });
    const late = worklistOf([row], '2027-02-11');
    expect(late.escalations[0]).toMatchObject({ late: true, ageWorkingDays: 4 });
    expect(late.lateEscalations).toBe(1);
  });

  it('keeps a first contact made after the deadline late, and one made in time on time', () => {
    const contact = (contactedAt: string): PlanCommand => ({ type: 'RecordContact', contactId: 'c-1', channel: 'visit', topics: ['budget'], reached: true, contactedAt, ...by(contactedAt) });
    expect(worklistOf([rowOf([...alerted, contact('2027-02-11T09:00:00.000Z')])], '2027-02-20').escalations[0]).toMatchObject({ late: true, firstContactDelayWorkingDays: 4, nextStep: 'remedies' });
    expect(worklistOf([rowOf([...alerted, contact('2027-02-10T09:00:00.000Z')])], '2027-02-20').escalations[0]).toMatchObject({ late: false, firstContactDelayWorkingDays: 3 });
  });

  it('lists escalations oldest first and check-ins whose day has passed, with the days overdue', () => {
    const older = rowOf(alerted, 'loan-a');
    const newer = rowOf([...opening.slice(0, 3), { type: 'RaiseDifficulty', topic: 'jobLoss', deadlineWorkingDays: 5, ...by('2027-03-01T09:00:00.000Z') }], 'loan-b');
    const list = worklistOf([newer, older], '2027-06-08');
    expect(list.escalations.map((escalation) => [escalation.loanId, escalation.trigger])).toEqual([
      ['loan-a', 'instalmentMissed'],
      ['loan-b', 'borrowerDifficulty'],
    ]);
    expect(list.overdueCheckIns).toEqual([
      { loanId: 'loan-a', checkInId: 'mid-term', dueOn: '2027-06-05', reason: 'midTerm', daysOverdue: 3 },
      { loanId: 'loan-b', checkInId: 'mid-term', dueOn: '2027-06-05', reason: 'midTerm', daysOverdue: 3 },
    ]);
    expect(worklistOf([older], '2027-06-05').overdueCheckIns).toEqual([]);
  });
});
