import { EVALUATION_FACT, insertStatement, LOAN_ACTIVITY } from './facts.store';

describe('inserting a rebuild’s rows as one array per column', () => {
  it('quotes every text, escapes its quotes and backslashes, and leaves numbers, booleans and nulls bare', () => {
    const { text, values } = insertStatement(LOAN_ACTIVITY, [
      { messageId: '00000000-0000-4000-8000-000000000001', tenantId: 'ccas-"pau"', loanId: 'a\\b', product: null, kind: 'recovery', occurredOn: '2026-03-01', cents: 12_345 },
      { messageId: '00000000-0000-4000-8000-000000000002', tenantId: 'NULL', loanId: 'x,y}', product: 'classic', kind: 'approved', occurredOn: '2026-03-02', cents: 0 },
    ]);
    expect(text).toContain('unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::bigint[])');
    expect(values).toEqual([
      '{"00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"}',
      '{"ccas-\\"pau\\"","NULL"}',
      '{"a\\\\b","x,y}"}',
      '{NULL,"classic"}',
      '{"recovery","approved"}',
      '{"2026-03-01","2026-03-02"}',
      '{12345,0}',
    ]);
  });

  it('writes booleans as t and f', () => {
    const row = { tenantId: 't', loanId: 'l', heldOn: '2026-01-01', employment: 'e', mobility: 'm', housing: 'h', health: 'h', budget: 'b', socialTies: 's', satisfaction: 's', withoutSupport: 'w', recordedAt: '2026-01-01T00:00:00.000Z' };
    const { values } = insertStatement(EVALUATION_FACT, [{ ...row, newProject: true }, { ...row, newProject: false }]);
    expect(values[EVALUATION_FACT.columns.findIndex(([key]) => key === 'newProject')]).toBe('{t,f}');
  });
});
