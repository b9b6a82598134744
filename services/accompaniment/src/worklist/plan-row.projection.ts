import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { rowProjection, rowTable } from '@tremplin/event-store-postgres';
import { nextStepOf, type NextStep } from '../plan/escalation.rules';
import { planAggregate } from '../plan/plan.decider';

export const PLAN_ROW_SUBSCRIPTION = 'accompaniment.plan-rows';

export interface EscalationRow {
  readonly escalationId: string;
  readonly trigger: 'instalmentMissed' | 'borrowerDifficulty';
  readonly openedAt: string;
  readonly startedAt: string;
  readonly startDate: string;
  readonly deadlineWorkingDays: number;
  readonly deadlineDate: string;
  readonly instalmentsMissed: readonly number[];
  readonly bankContactedAt: string | null;
  readonly bankReached: boolean | null;
  readonly ccasAlertedAt: string | null;
  readonly firstContactAt: string | null;
  readonly firstContactDelayMinutes: number | null;
  readonly firstContactDelayWorkingDays: number | null;
  readonly firstContactLate: boolean | null;
  readonly threePartyMeetingAt: string | null;
  readonly supports: number;
  readonly reschedulings: number;
  readonly nextStep: NextStep;
}

export interface PendingCheckIn {
  readonly checkInId: string;
  readonly dueOn: string;
  readonly reason: string;
}

/** accompaniment.plan_row: one row per loan's plan, its open escalation and its check-ins still due. Ids and codes only. */
export interface PlanRow {
  readonly tenantId: string;
  readonly loanId: string;
  readonly product: string;
  readonly intensity: string;
  readonly referentId: string | null;
  readonly escalation: EscalationRow | null;
  readonly pendingCheckIns: readonly PendingCheckIn[];
  readonly escalationsClosed: number;
  readonly lastContactAt: string | null;
  readonly streamVersion: number;
  readonly updatedAt: string;
}

const withNextStep = (escalation: Omit<EscalationRow, 'nextStep'>): EscalationRow => ({
  ...escalation,
  nextStep: nextStepOf({
    trigger: escalation.trigger,
    bankContacted: escalation.bankContactedAt !== null,
    bankReached: escalation.bankReached ?? false,
    ccasAlerted: escalation.ccasAlertedAt !== null,
    firstContact: escalation.firstContactAt !== null,
    remedies: escalation.supports + escalation.reschedulings,
  }),
});

/** evolve(row, event). Pure; an event already applied leaves the row as it is (the same object). */
export function evolvePlanRow(row: PlanRow | undefined, event: RecordedEvent): PlanRow | undefined {
  if (row && event.streamVersion <= row.streamVersion) return row;
  const decoded = decodeEvent(planAggregate, event);
  const stamp = { streamVersion: event.streamVersion, updatedAt: event.metadata.occurredAt };
  if (decoded.type === 'PlanOpened') {
    const d = decoded.data;
    return { tenantId: event.tenantId, loanId: d.loanId, product: d.product, intensity: d.intensity, referentId: null, escalation: null, pendingCheckIns: [], escalationsClosed: 0, lastContactAt: null, ...stamp };
  }
  if (!row) return undefined;
  const onEscalation = (change: (open: EscalationRow) => Omit<EscalationRow, 'nextStep'>): PlanRow => ({ ...row, escalation: row.escalation ? withNextStep(change(row.escalation)) : null, ...stamp });
  switch (decoded.type) {
    case 'PlanDefined':
      return { ...row, intensity: decoded.data.intensity, referentId: decoded.data.referentId, ...stamp };
    case 'ContactRecorded':
      return { ...row, lastContactAt: row.lastContactAt && row.lastContactAt > decoded.data.contactedAt ? row.lastContactAt : decoded.data.contactedAt, ...stamp };
    case 'CheckInScheduled': {
      const { checkInId, dueOn, reason } = decoded.data;
      const pendingCheckIns = [...row.pendingCheckIns, { checkInId, dueOn, reason }].sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.checkInId.localeCompare(b.checkInId));
      return { ...row, pendingCheckIns, ...stamp };
    }
    case 'CheckInCompleted':
      return { ...row, pendingCheckIns: row.pendingCheckIns.filter((checkIn) => checkIn.checkInId !== decoded.data.checkInId), ...stamp };
    case 'EscalationOpened': {
      const d = decoded.data;
      const escalation = withNextStep({
        escalationId: d.escalationId,
        trigger: d.trigger,
        openedAt: d.openedAt,
        startedAt: d.startedAt,
        startDate: d.startDate,
        deadlineWorkingDays: d.deadlineWorkingDays,
        deadlineDate: d.deadlineDate,
        instalmentsMissed: d.instalmentNumber !== undefined ? [d.instalmentNumber] : [],
        bankContactedAt: null,
        bankReached: null,
        ccasAlertedAt: null,
        firstContactAt: null,
        firstContactDelayMinutes: null,
        firstContactDelayWorkingDays: null,
        firstContactLate: null,
        threePartyMeetingAt: null,
        supports: 0,
        reschedulings: 0,
      });
      return { ...row, escalation, ...stamp };
    }
    case 'InstalmentMissedAgain':
      return onEscalation((open) => ({ ...open, instalmentsMissed: [...open.instalmentsMissed, decoded.data.instalmentNumber] }));
    case 'BankContactRecorded':
      return onEscalation((open) => ({ ...open, bankContactedAt: decoded.data.contactedAt, bankReached: decoded.data.reached }));
    case 'CcasAlerted':
      return onEscalation((open) => ({ ...open, ccasAlertedAt: decoded.data.alertedAt }));
    case 'FirstCcasContactMade': {
      const d = decoded.data;
      return onEscalation((open) => ({ ...open, firstContactAt: d.contactedAt, firstContactDelayMinutes: d.delayMinutes, firstContactDelayWorkingDays: d.delayWorkingDays, firstContactLate: d.late }));
    }
    case 'ThreePartyMeetingHeld':
      return onEscalation((open) => ({ ...open, threePartyMeetingAt: decoded.data.heldAt }));
    case 'SupportGranted':
      return row.escalation && decoded.data.escalationId === row.escalation.escalationId ? onEscalation((open) => ({ ...open, supports: open.supports + 1 })) : { ...row, ...stamp };
    case 'ReschedulingRequested':
      return row.escalation && decoded.data.escalationId === row.escalation.escalationId ? onEscalation((open) => ({ ...open, reschedulings: open.reschedulings + 1 })) : { ...row, ...stamp };
    case 'EscalationClosed':
      return { ...row, escalation: null, escalationsClosed: row.escalationsClosed + 1, ...stamp };
    case 'PlanEnded': {
      const cancelled = new Set(decoded.data.checkInsCancelled);
      return { ...row, pendingCheckIns: row.pendingCheckIns.filter((checkIn) => !cancelled.has(checkIn.checkInId)), ...stamp };
    }
    case 'CharterSigned':
    case 'ReschedulingApplied':
      return { ...row, ...stamp };
    default: {
      const unhandled: never = decoded;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

const planRowTable = rowTable<PlanRow>('accompaniment.plan_row', [
  ['tenantId', 'tenant_id', 'text'],
  ['loanId', 'loan_id', 'text'],
  ['product', 'product', 'text'],
  ['intensity', 'intensity', 'text'],
  ['referentId', 'referent_id', 'text'],
  ['escalation', 'escalation', 'jsonb'],
  ['pendingCheckIns', 'pending_check_ins', 'jsonb'],
  ['escalationsClosed', 'escalations_closed', 'int'],
  ['lastContactAt', 'last_contact_at', 'timestamptz'],
  ['streamVersion', 'stream_version', 'int'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

/** Reads rows back in the shape evolve returns (instants as ISO text). */
export const PLAN_ROW_SQL = planRowTable.rowJson;

export const planRowProjection = rowProjection<PlanRow>({
  name: PLAN_ROW_SUBSCRIPTION,
  label: 'plan',
  rowsName: 'plans',
  table: 'accompaniment.plan_row',
  categories: [planAggregate.category],
  evolve: evolvePlanRow,
  load: planRowTable.load,
  save: planRowTable.save,
  clear: planRowTable.clear,
});
