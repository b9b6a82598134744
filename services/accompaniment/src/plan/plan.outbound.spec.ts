import { contractRegistry } from '@tremplin/contracts';
import type { PlanCommand } from './plan.commands';
import { planDecider } from './plan.decider';
import { planMessages } from './plan.outbound';
import { recordedPlanEvents } from './plan.test-support';

const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const lending = { userId: 'lending', role: 'service' };
const by = (now: string, actor = sophie) => ({ now, actor });
const sealed = { $pii: { k: 'key-1', iv: 'aa', ct: 'bb', tag: 'cc' } };

const journey: PlanCommand[] = [
  { type: 'OpenPlan', loanId: 'loan-1', applicationId: 'app-1', product: 'restructuring', amountCents: 120_000, termMonths: 12, firstDueDate: '2027-01-05', disbursedAt: '2026-12-04T10:00:00.000Z', ...by('2026-12-04T10:00:00.000Z', lending) },
  { type: 'DefinePlan', kinds: ['budget'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-1', ...by('2026-12-05T10:00:00.000Z') },
  { type: 'RecordMissedInstalment', instalmentNumber: 2, dueDate: '2027-02-05', missedAt: '2027-02-08T08:00:00.000Z', deadlineWorkingDays: 5, ...by('2027-02-08T08:00:00.000Z', lending) },
  { type: 'RecordBankContact', outcome: 'noAnswer', contactedAt: '2027-02-09T10:00:00.000Z', ...by('2027-02-09T10:00:00.000Z', lending) },
  { type: 'RecordContact', contactId: 'c-1', channel: 'phone', topics: ['repayment'], reached: true, contactedAt: '2027-02-10T08:30:00.000Z', note: sealed, ...by('2027-02-10T09:00:00.000Z') },
  { type: 'RecordContact', contactId: 'c-2', channel: 'threePartyMeeting', topics: ['budget'], reached: true, contactedAt: '2027-02-12T14:00:00.000Z', ...by('2027-02-12T15:00:00.000Z') },
  { type: 'GrantSupport', supportId: 's-1', support: { kind: 'socialGrocery', months: 3 }, grantedOn: '2027-02-12', ...by('2027-02-12T15:00:00.000Z') },
  { type: 'RequestRescheduling', requestId: 'r-1', rescheduling: { kind: 'holiday', months: 2 }, ...by('2027-02-12T15:00:00.000Z') },
  { type: 'CloseEscalation', outcome: 'rescheduled', ...by('2027-02-20T10:00:00.000Z') },
];

describe('integration events of a plan', () => {
  const messages = planMessages('ccas-laval', planDecider.initialState(), recordedPlanEvents(journey));

  it('publishes the escalation’s facts and the remedies, each valid against its contract', () => {
    expect(messages.map((message) => message.name)).toEqual([
      'accompaniment.escalation-opened.v1',
      'accompaniment.first-contact-made.v1',
      'accompaniment.support-granted.v1',
      'accompaniment.rescheduling-requested.v1',
      'accompaniment.escalation-closed.v1',
    ]);
    for (const message of messages) expect(contractRegistry.get(message.name)!.schema.safeParse(message.payload).success).toBe(true);
  });

  it('measures the first contact and summarises the escalation at its close', () => {
    const first = messages.find((message) => message.name === 'accompaniment.first-contact-made.v1')!;
    expect(first.payload).toEqual({
      tenantId: 'ccas-laval',
      loanId: 'loan-1',
      escalationId: 'loan-1-e1',
      trigger: 'instalmentMissed',
      channel: 'phone',
      contactedAt: '2027-02-10T08:30:00.000Z',
      delayMinutes: 2 * 24 * 60 + 30,
      delayWorkingDays: 3,
      deadlineWorkingDays: 5,
      late: false,
    });
    expect(messages.at(-1)!.payload).toEqual({
      tenantId: 'ccas-laval',
      loanId: 'loan-1',
      escalationId: 'loan-1-e1',
      trigger: 'instalmentMissed',
      outcome: 'rescheduled',
      openedAt: '2027-02-08T08:00:00.000Z',
      closedAt: '2027-02-20T10:00:00.000Z',
      firstContactDelayMinutes: 2 * 24 * 60 + 30,
      firstContactDelayWorkingDays: 3,
      threePartyMeetingHeld: true,
      supportMeasures: 1,
      reschedulingsRequested: 1,
    });
  });

  it('asks lending for the rescheduling under the social worker’s id, and keeps the sealed note inside', () => {
    expect(messages.find((message) => message.name === 'accompaniment.rescheduling-requested.v1')!.payload).toEqual({
      tenantId: 'ccas-laval',
      loanId: 'loan-1',
      requestId: 'r-1',
      escalationId: 'loan-1-e1',
      kind: 'holiday',
      months: 2,
      requestedBy: 'sw-sophie',
      requestedAt: '2027-02-12T15:00:00.000Z',
    });
    expect(JSON.stringify(messages)).not.toContain('$pii');
  });

  it('derives the same message ids from the same events, so a retried append cannot publish twice', () => {
    const again = planMessages('ccas-laval', planDecider.initialState(), recordedPlanEvents(journey));
    expect(again.map((message) => message.messageId)).toEqual(messages.map((message) => message.messageId));
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(messages.length);
  });
});
