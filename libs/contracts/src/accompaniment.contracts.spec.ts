import { escalationOpenedV1, firstContactMadeV1, reschedulingParametersOf, reschedulingRequestedV1, supportGrantedV1 } from './accompaniment.contracts';
import { findPersonalDataKeys } from './personal-data';

describe('the accompaniment contracts', () => {
  it('carry codes, ids, delays and amounts only', () => {
    for (const contract of [escalationOpenedV1, firstContactMadeV1, supportGrantedV1, reschedulingRequestedV1]) expect(findPersonalDataKeys(contract.schema)).toEqual([]);
  });
  it('key a loan’s facts by loan id', () => {
    expect(firstContactMadeV1.key({ loanId: 'loan-7' } as never)).toBe('loan-7');
  });
  it('refuse free text where a code is expected', () => {
    const granted = { tenantId: 'ccas-laval', loanId: 'loan-7', supportId: 's-1', kind: 'referral', partner: 'mdph', grantedOn: '2027-02-10', grantedAt: '2027-02-10T10:00:00.000Z' };
    expect(supportGrantedV1.schema.safeParse(granted).success).toBe(true);
    expect(supportGrantedV1.schema.safeParse({ ...granted, partner: 'Mme Dupont, MDPH 65' }).success).toBe(false);
    expect(supportGrantedV1.schema.safeParse({ ...granted, note: 'x' }).success).toBe(false);
  });
  it('give lending the rescheduling a request asks for, one parameter per kind', () => {
    expect(reschedulingParametersOf({ kind: 'holiday', months: 2 })).toEqual({ kind: 'holiday', months: 2 });
    expect(reschedulingParametersOf({ kind: 'termExtension', additionalMonths: 6 })).toEqual({ kind: 'termExtension', additionalMonths: 6 });
    expect(reschedulingParametersOf({ kind: 'instalmentRevision', instalmentCents: 5_000 })).toEqual({ kind: 'instalmentRevision', instalmentCents: 5_000 });
    expect(reschedulingParametersOf({ kind: 'holiday', additionalMonths: 6 })).toBeUndefined();
  });
});
