import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { refundRules } from '@tremplin/contracts';
import type { RecordRefundPolicyVersion, RefundPolicyCommand, RefundRule, SetOptionalAidBudget } from './refund-policy.commands';
import type { RefundPolicyEvent } from './refund-policy.events';

export const DECISION_REFERENCE = /^[A-Z0-9][A-Z0-9_./-]{0,63}$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
// No CCAS's optional-aid budget comes near 100 M€: a larger figure is cents typed as euros ×100.
export const MAX_BUDGET_CENTS = 10_000_000_000;

export interface RefundPolicyVersion {
  readonly version: number;
  readonly rule: RefundRule;
  readonly effectiveFrom: string;
  readonly decisionReference: string;
}

export interface RefundPolicyState {
  readonly versions: readonly RefundPolicyVersion[];
  readonly budgets: Readonly<Record<string, number>>;
}

export const initialRefundPolicyState = (): RefundPolicyState => ({ versions: [], budgets: {} });

export function evolveRefundPolicy(state: RefundPolicyState, event: RefundPolicyEvent): RefundPolicyState {
  switch (event.type) {
    case 'RefundPolicyVersionRecorded': {
      const { version, rule, effectiveFrom, decisionReference } = event.data;
      return { ...state, versions: [...state.versions, { version, rule, effectiveFrom, decisionReference }] };
    }
    case 'OptionalAidBudgetSet':
      return { ...state, budgets: { ...state.budgets, [String(event.data.year)]: event.data.budgetCents } };
    default:
      return exhaustive(event);
  }
}

export function decideRefundPolicy(command: RefundPolicyCommand, state: RefundPolicyState): RefundPolicyEvent[] {
  switch (command.type) {
    case 'RecordRefundPolicyVersion':
      return recordVersion(command, state);
    case 'SetOptionalAidBudget':
      return setBudget(command, state);
    default:
      return exhaustive(command);
  }
}

function recordVersion(command: RecordRefundPolicyVersion, state: RefundPolicyState): RefundPolicyEvent[] {
  if (!(refundRules as readonly string[]).includes(command.rule)) throw ruleError('REFUND_RULE_INVALID', `rule must be one of ${refundRules.join(', ')}`, 'rule');
  if (!CALENDAR_DATE.test(command.effectiveFrom)) throw ruleError('DATE_INVALID', 'effectiveFrom must be YYYY-MM-DD', 'effectiveFrom');
  checkReference(command.decisionReference);
  const latest = state.versions.at(-1);
  // Versions follow each other in time: a loan repaid on a given day has exactly one version in force.
  if (latest && command.effectiveFrom <= latest.effectiveFrom) {
    throw stateError('POLICY_NOT_AFTER_PREVIOUS', `version ${latest.version} is in force from ${latest.effectiveFrom}: a new version starts after it`, 'effectiveFrom');
  }
  if (latest && latest.rule === command.rule) throw stateError('POLICY_UNCHANGED', `version ${latest.version} already applies the rule ${latest.rule}`, 'rule');
  return [
    {
      type: 'RefundPolicyVersionRecorded',
      data: { version: state.versions.length + 1, rule: command.rule, effectiveFrom: command.effectiveFrom, decisionReference: command.decisionReference, recordedBy: command.actor.userId },
    },
  ];
}

function setBudget(command: SetOptionalAidBudget, state: RefundPolicyState): RefundPolicyEvent[] {
  if (!Number.isSafeInteger(command.year) || command.year < 2000 || command.year > 2100) throw ruleError('YEAR_INVALID', 'year must be a year from 2000 to 2100', 'year');
  if (!Number.isSafeInteger(command.budgetCents) || command.budgetCents <= 0 || command.budgetCents > MAX_BUDGET_CENTS) {
    throw ruleError('BUDGET_INVALID', `budgetCents must be a whole number of cents from 1 to ${MAX_BUDGET_CENTS}`, 'budgetCents');
  }
  checkReference(command.decisionReference);
  const previousBudgetCents = budgetOf(state, command.year) ?? 0;
  if (previousBudgetCents === command.budgetCents) throw stateError('BUDGET_UNCHANGED', `the ${command.year} budget is already ${command.budgetCents} cents`, 'budgetCents');
  return [{ type: 'OptionalAidBudgetSet', data: { year: command.year, budgetCents: command.budgetCents, previousBudgetCents, decisionReference: command.decisionReference, setBy: command.actor.userId } }];
}

function checkReference(reference: string): void {
  if (!DECISION_REFERENCE.test(reference)) throw ruleError('DECISION_REFERENCE_INVALID', 'decisionReference is the decision’s code (capitals, digits, - _ . /)', 'decisionReference');
}

/** The version in force on a day (the latest whose effectiveFrom is on or before it), if any. */
export function policyInForce(state: RefundPolicyState, day: string): RefundPolicyVersion | undefined {
  return state.versions.filter((version) => version.effectiveFrom <= day).at(-1);
}

export function budgetOf(state: RefundPolicyState, year: number): number | undefined {
  return state.budgets[String(year)];
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const refundPolicyDecider: Decider<RefundPolicyCommand, RefundPolicyEvent, RefundPolicyState> = {
  initialState: initialRefundPolicyState,
  evolve: evolveRefundPolicy,
  decide: decideRefundPolicy,
};

export const refundPolicyAggregate: Aggregate<RefundPolicyCommand, RefundPolicyEvent, RefundPolicyState> = { category: 'refundpolicy', decider: refundPolicyDecider };
