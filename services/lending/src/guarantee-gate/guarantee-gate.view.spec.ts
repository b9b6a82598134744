import { gateView } from './guarantee-gate.handler';

const DAY_MS = 24 * 3_600_000;

describe('what the bank advisor sees of a signed loan’s guarantee', () => {
  it('is awaitingGuarantee since the signature, overdue once the answer is later than the timeout', () => {
    const signedAt = '2026-03-10T09:00:00.000Z';
    expect(gateView({ status: 'awaiting' }, signedAt, new Date('2026-03-12T09:00:00.000Z'), 2 * DAY_MS)).toEqual({
      guarantee: { status: 'awaitingGuarantee', since: signedAt, overdue: false },
      disbursable: false,
    });
    expect(gateView({ status: 'awaiting' }, signedAt, new Date('2026-03-12T09:00:00.001Z'), 2 * DAY_MS).guarantee).toMatchObject({ status: 'awaitingGuarantee', overdue: true });
  });
  it('has nothing requested before the signature', () => {
    expect(gateView({ status: 'awaiting' }, undefined, new Date('2026-03-12T09:00:00.000Z'), DAY_MS)).toEqual({ guarantee: { status: 'notRequested' }, disbursable: false });
  });
  it('is disbursable once granted, and says why not when refused', () => {
    expect(gateView({ status: 'granted', guarantorId: 'fcs', guaranteedCents: 50_000, grantedAt: '2026-03-11T09:00:00.000Z' }, '2026-03-10T09:00:00.000Z', new Date(), DAY_MS).disbursable).toBe(true);
    expect(gateView({ status: 'refused', reasonCode: 'PRODUCT_NOT_COVERED', refusedAt: '2026-03-11T09:00:00.000Z' }, '2026-03-10T09:00:00.000Z', new Date(), DAY_MS)).toEqual({
      guarantee: { status: 'refused', reasonCode: 'PRODUCT_NOT_COVERED', refusedAt: '2026-03-11T09:00:00.000Z' },
      disbursable: false,
    });
  });
});
