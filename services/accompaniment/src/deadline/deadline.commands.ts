import type { Actor } from '@tremplin/event-sourcing';

/** The CCAS decides how many working days it allows itself between a missed instalment and its first contact. */
export interface SetEscalationDeadline {
  readonly type: 'SetEscalationDeadline';
  readonly workingDays: number;
  readonly effectiveFrom: string;
  /** The decision's reference (deliberation number), a code. */
  readonly decisionReference: string;
  readonly now: string;
  readonly actor: Actor;
}

export type DeadlineCommand = SetEscalationDeadline;
