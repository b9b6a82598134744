import { deciderSpec } from '@tremplin/event-sourcing';
import { disbursementRefusal, guaranteeGateDecider } from './guarantee-gate.decider';
import type { GuaranteeGateEvent } from './guarantee-gate.events';

const spec = deciderSpec(guaranteeGateDecider);
const AT = '2026-03-10T09:00:00.000Z';
const granted: GuaranteeGateEvent = { type: 'GuaranteeGrantNoted', data: { guarantorId: 'ccas-laval', guaranteedCents: 75_000, grantedAt: AT } };
const refused: GuaranteeGateEvent = { type: 'GuaranteeRefusalNoted', data: { reasonCode: 'INSUFFICIENT_HEADROOM', refusedAt: AT } };
const fold = (events: GuaranteeGateEvent[]) => events.reduce(guaranteeGateDecider.evolve, guaranteeGateDecider.initialState());

describe('a loan awaiting its guarantee', () => {
  it('cannot be disbursed', () => {
    expect(disbursementRefusal(fold([]))?.code).toBe('GUARANTEE_NOT_GRANTED');
  });
  it('notes a grant or a refusal from the guarantee fund', () => {
    spec.given([]).when({ type: 'NoteGuaranteeGranted', guarantorId: 'ccas-laval', guaranteedCents: 75_000, grantedAt: AT }).then([granted]);
    spec.given([]).when({ type: 'NoteGuaranteeRefused', reasonCode: 'INSUFFICIENT_HEADROOM', refusedAt: AT }).then([refused]);
  });
});

describe('a loan whose guarantee was refused', () => {
  it('cannot be disbursed, and says why', () => {
    expect(disbursementRefusal(fold([refused]))).toEqual({ code: 'GUARANTEE_REFUSED', message: expect.stringContaining('INSUFFICIENT_HEADROOM') });
  });
  it('is granted on reconsideration', () => {
    spec.given([refused]).when({ type: 'NoteGuaranteeGranted', guarantorId: 'ccas-laval', guaranteedCents: 75_000, grantedAt: AT }).then([granted]);
    expect(disbursementRefusal(fold([refused, granted]))).toBeUndefined();
  });
});

describe('a loan whose guarantee was granted', () => {
  it('may be disbursed', () => {
    expect(disbursementRefusal(fold([granted]))).toBeUndefined();
  });
  it('notes every later answer (to a new signature): the latest one decides', () => {
    spec.given([granted]).when({ type: 'NoteGuaranteeRefused', reasonCode: 'INSUFFICIENT_HEADROOM', refusedAt: AT }).then([refused]);
    expect(disbursementRefusal(fold([granted, refused]))?.code).toBe('GUARANTEE_REFUSED');
    spec.given([granted]).when({ type: 'NoteGuaranteeGranted', guarantorId: 'ccas-laval', guaranteedCents: 75_000, grantedAt: AT }).then([granted]);
  });
});
