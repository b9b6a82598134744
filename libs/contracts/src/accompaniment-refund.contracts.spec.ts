import { evaluationRecordedV1, interestRefundPaidV1 } from './accompaniment-refund.contracts';
import { findPersonalDataKeys } from './personal-data';

const outcomes = { employment: 'improved', mobility: 'improved', housing: 'unchanged', health: 'notConcerned', budget: 'improved', socialTies: 'unchanged' };

describe('accompaniment refund and evaluation contracts', () => {
  it('carry an amount in cents and a date for a refund paid, nothing about the account it went to', () => {
    const payload = { tenantId: 'ccas-tarbes', loanId: 'loan-1', amountCents: 5_758, policyVersion: 1, paidOn: '2028-02-10', paidAt: '2028-02-10T09:00:00.000Z' };
    expect(interestRefundPaidV1.schema.parse(payload)).toEqual(payload);
    expect(() => interestRefundPaidV1.schema.parse({ ...payload, iban: 'FR7630006000011234567890189' })).toThrow();
    expect(() => interestRefundPaidV1.schema.parse({ ...payload, amountCents: 57.58 })).toThrow();
  });

  it('carry an evaluation as codes for each dimension, refusing a dimension left out or a free text', () => {
    const payload = { tenantId: 'ccas-laval', loanId: 'loan-2', outcomes, satisfaction: 'satisfied', withoutSupport: 'wouldHaveWorsenedBadly', heldOn: '2028-03-01', recordedAt: '2028-03-01T10:00:00.000Z' };
    expect(evaluationRecordedV1.schema.parse(payload)).toEqual(payload);
    expect(() => evaluationRecordedV1.schema.parse({ ...payload, outcomes: { ...outcomes, housing: 'found a flat' } })).toThrow();
    const { socialTies: _left, ...partial } = outcomes;
    expect(() => evaluationRecordedV1.schema.parse({ ...payload, outcomes: partial })).toThrow();
    expect(findPersonalDataKeys(evaluationRecordedV1.schema)).toEqual([]);
  });
});
