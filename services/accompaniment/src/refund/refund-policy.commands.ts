import type { Actor } from '@tremplin/event-sourcing';
import type { refundRules } from '@tremplin/contracts';

export type RefundRule = (typeof refundRules)[number];

/** A decision of the CCAS (its board or commission) on which completed loans get their interest back, from a date. */
export interface RecordRefundPolicyVersion {
  readonly type: 'RecordRefundPolicyVersion';
  readonly rule: RefundRule;
  readonly effectiveFrom: string;
  readonly decisionReference: string;
  readonly actor: Actor;
}

/** The CCAS's optional-aid budget for a year, against which refunds are reported as a share. */
export interface SetOptionalAidBudget {
  readonly type: 'SetOptionalAidBudget';
  readonly year: number;
  readonly budgetCents: number;
  readonly decisionReference: string;
  readonly actor: Actor;
}

export type RefundPolicyCommand = RecordRefundPolicyVersion | SetOptionalAidBudget;
