type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type EscalationDeadlineSet = Event<
  'EscalationDeadlineSet',
  { readonly version: number; readonly workingDays: number; readonly effectiveFrom: string; readonly decisionReference: string; readonly setBy: string; readonly setAt: string }
>;

export type DeadlineEvent = EscalationDeadlineSet;

/** One stream per CCAS (the tenant): its versions of the first-contact deadline. */
export const DEADLINE_STREAM_ID = 'escalation-deadline';
