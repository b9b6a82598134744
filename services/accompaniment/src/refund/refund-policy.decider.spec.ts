import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { RecordRefundPolicyVersion, SetOptionalAidBudget } from './refund-policy.commands';
import { budgetOf, initialRefundPolicyState, MAX_BUDGET_CENTS, policyInForce, refundPolicyDecider } from './refund-policy.decider';
import type { RefundPolicyEvent } from './refund-policy.events';

const spec = deciderSpec(refundPolicyDecider);
const director = { userId: 'dir-laval', role: 'ccasDirector' };
const refusedWith = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

const record = (overrides: Partial<RecordRefundPolicyVersion> = {}): RecordRefundPolicyVersion => ({
  type: 'RecordRefundPolicyVersion',
  rule: 'everyCompletedLoan',
  effectiveFrom: '2020-01-01',
  decisionReference: 'CA-2019-12',
  actor: director,
  ...overrides,
});
const recorded = (version: number, rule: RecordRefundPolicyVersion['rule'], effectiveFrom: string, decisionReference = 'CA-2019-12'): RefundPolicyEvent => ({
  type: 'RefundPolicyVersionRecorded',
  data: { version, rule, effectiveFrom, decisionReference, recordedBy: 'dir-laval' },
});
const budget = (overrides: Partial<SetOptionalAidBudget> = {}): SetOptionalAidBudget => ({
  type: 'SetOptionalAidBudget',
  year: 2027,
  budgetCents: 2_000_000,
  decisionReference: 'BP-2027',
  actor: director,
  ...overrides,
});
const fold = (events: RefundPolicyEvent[]) => events.reduce(refundPolicyDecider.evolve, initialRefundPolicyState());

describe('a CCAS without a refund policy', () => {
  it('records version 1 of its rule from a date', () => {
    spec.given([]).when(record()).then([recorded(1, 'everyCompletedLoan', '2020-01-01')]);
  });

  it('has no version in force, so no loan is refunded', () => {
    expect(policyInForce(initialRefundPolicyState(), '2027-06-30')).toBeUndefined();
  });

  it('refuses an unknown rule, a date that is not one, a reference that is prose', () => {
    spec.given([]).when(record({ rule: 'always' as never })).thenThrows(refusedWith('rule', 'REFUND_RULE_INVALID', 'rule'));
    spec.given([]).when(record({ effectiveFrom: '01/01/2020' })).thenThrows(refusedWith('rule', 'DATE_INVALID', 'effectiveFrom'));
    spec.given([]).when(record({ decisionReference: 'board voted' })).thenThrows(refusedWith('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
  });
});

describe('a CCAS with a refund policy', () => {
  const given = [recorded(1, 'everyCompletedLoan', '2020-01-01')];

  it('versions a change of rule from a later date (Tarbes’s rule, then Laval’s)', () => {
    spec.given(given).when(record({ rule: 'noLateInstalment', effectiveFrom: '2027-01-01', decisionReference: 'CA-2026-12' })).then([recorded(2, 'noLateInstalment', '2027-01-01', 'CA-2026-12')]);
  });

  it('refuses a version that does not start after the previous one, or that changes nothing', () => {
    spec.given(given).when(record({ rule: 'noLateInstalment', effectiveFrom: '2020-01-01' })).thenThrows(refusedWith('state', 'POLICY_NOT_AFTER_PREVIOUS', 'effectiveFrom'));
    spec.given(given).when(record({ effectiveFrom: '2027-01-01' })).thenThrows(refusedWith('state', 'POLICY_UNCHANGED', 'rule'));
  });

  it('answers the version in force on a day: the latest started on or before it', () => {
    const state = fold([...given, recorded(2, 'noLateInstalment', '2027-01-01'), recorded(3, 'none', '2029-01-01')]);
    expect(policyInForce(state, '2019-12-31')).toBeUndefined();
    expect(policyInForce(state, '2026-12-31')?.version).toBe(1);
    expect(policyInForce(state, '2027-01-01')?.rule).toBe('noLateInstalment');
    expect(policyInForce(state, '2030-05-01')?.rule).toBe('none');
  });
});

describe('the optional-aid budget', () => {
  it('is set per year and may be revised, the previous figure kept in the event', () => {
    spec.given([]).when(budget()).then([{ type: 'OptionalAidBudgetSet', data: { year: 2027, budgetCents: 2_000_000, previousBudgetCents: 0, decisionReference: 'BP-2027', setBy: 'dir-laval' } }]);
    const set: RefundPolicyEvent = { type: 'OptionalAidBudgetSet', data: { year: 2027, budgetCents: 2_000_000, previousBudgetCents: 0, decisionReference: 'BP-2027', setBy: 'dir-laval' } };
    spec.given([set]).when(budget({ budgetCents: 2_100_000, decisionReference: 'DM-2027-1' })).then([
      { type: 'OptionalAidBudgetSet', data: { year: 2027, budgetCents: 2_100_000, previousBudgetCents: 2_000_000, decisionReference: 'DM-2027-1', setBy: 'dir-laval' } },
    ]);
    spec.given([set]).when(budget()).thenThrows(refusedWith('state', 'BUDGET_UNCHANGED', 'budgetCents'));
    expect(budgetOf(fold([set]), 2027)).toBe(2_000_000);
    expect(budgetOf(fold([set]), 2028)).toBeUndefined();
  });

  it('refuses a year or an amount that cannot be one', () => {
    for (const year of [1999, 2101, 2027.5]) spec.given([]).when(budget({ year })).thenThrows(refusedWith('rule', 'YEAR_INVALID', 'year'));
    for (const budgetCents of [0, -1, 10.5, MAX_BUDGET_CENTS + 1]) spec.given([]).when(budget({ budgetCents })).thenThrows(refusedWith('rule', 'BUDGET_INVALID', 'budgetCents'));
    spec.given([]).when(budget({ decisionReference: '' })).thenThrows(refusedWith('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
  });
});
