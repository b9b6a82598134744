import { deciderSpec } from './given-when-then';
import { loanDecider, LoanRuleError } from './loan-example.test-support';

const spec = deciderSpec(loanDecider);

describe('deciderSpec (given / when / then)', () => {
  it('passes when the decided events are the expected ones', () => {
    spec.given([]).when({ type: 'RequestLoan', amountCents: 80_000 }).then([{ type: 'LoanRequested', data: { amountCents: 80_000 } }]);
  });

  it('fails, showing the difference, when they are not', () => {
    expect(() => spec.given([]).when({ type: 'RequestLoan', amountCents: 80_000 }).then([{ type: 'LoanRequested', data: { amountCents: 1 } }])).toThrow(/amountCents/);
  });

  it('checks that nothing happens', () => {
    const approved = [
      { type: 'LoanRequested' as const, data: { amountCents: 1 } },
      { type: 'LoanApproved' as const, data: { approvedOn: '2026-01-05' } },
    ];
    spec.given(approved).when({ type: 'ApproveLoan', approvedOn: '2026-01-06' }).thenNothing();
    expect(() => spec.given([]).when({ type: 'RequestLoan', amountCents: 1 }).thenNothing()).toThrow();
  });

  it('checks a broken rule by error class, by code or by predicate', () => {
    const when = () => spec.given([]).when({ type: 'ApproveLoan', approvedOn: '2026-01-05' });
    when().thenThrows(LoanRuleError);
    when().thenThrows('LOAN_NOT_REQUESTED');
    when().thenThrows((error) => error instanceof LoanRuleError && error.code === 'LOAN_NOT_REQUESTED');
    expect(() => when().thenThrows('OTHER_CODE')).toThrow();
  });

  it('fails a thenThrows when events are decided instead', () => {
    expect(() => spec.given([]).when({ type: 'RequestLoan', amountCents: 1 }).thenThrows(LoanRuleError)).toThrow(/expected an error/);
  });
});
