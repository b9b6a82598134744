import type { RefundRule } from './refund-policy.commands';

export interface RefundPolicyVersionRecorded {
  readonly type: 'RefundPolicyVersionRecorded';
  readonly data: { readonly version: number; readonly rule: RefundRule; readonly effectiveFrom: string; readonly decisionReference: string; readonly recordedBy: string };
}

export interface OptionalAidBudgetSet {
  readonly type: 'OptionalAidBudgetSet';
  readonly data: { readonly year: number; readonly budgetCents: number; readonly previousBudgetCents: number; readonly decisionReference: string; readonly setBy: string };
}

export type RefundPolicyEvent = RefundPolicyVersionRecorded | OptionalAidBudgetSet;

/** One refund policy per CCAS (the tenant): its versions and its yearly optional-aid budgets. */
export const REFUND_POLICY_STREAM_ID = 'refundpolicy-ccas';
