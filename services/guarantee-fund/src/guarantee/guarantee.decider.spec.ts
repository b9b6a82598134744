import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { CoverageVersion } from '../product-coverage/coverage.decider';
import type { EnvelopeHeadroom, GuaranteeCommand } from './guarantee.commands';
import { guaranteeDecider } from './guarantee.decider';
import type { GuaranteeEvent } from './guarantee.events';
import { envelopeMovementsOf, guarantorPartOf, shareOf } from './guarantee.rules';

const spec = deciderSpec(guaranteeDecider);
const bank = { userId: 'lending', role: 'service' };
const officer = { userId: 'fcs-olivier', role: 'guarantorOfficer' };
const NOW = '2026-03-10T09:00:00.000Z';
const ccasCoverage: CoverageVersion = {
  version: 2,
  covered: true,
  guarantorId: 'ccas-laval',
  guarantorKind: 'ccas',
  managerId: 'ccas-laval',
  shareBps: 5_000,
  effectiveFrom: '2026-01-01',
  decisionReference: 'CA-2025-12-01',
};
const room = (headroomCents: number): EnvelopeHeadroom => ({ limited: true, headroomCents });
const refusedWith = (kind: DomainError['kind'], code: string, field?: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && (field === undefined || error.field === field);

const request = (overrides: Partial<Extract<GuaranteeCommand, { type: 'RequestGuarantee' }>> = {}): GuaranteeCommand => ({
  type: 'RequestGuarantee',
  loanId: 'loan-1',
  bankPartnerId: 'bank-parcours',
  product: 'restructuring',
  principalCents: 150_001,
  coverage: ccasCoverage,
  envelope: room(1_000_000),
  now: NOW,
  actor: bank,
  ...overrides,
});
const requested: GuaranteeEvent = { type: 'GuaranteeRequested', data: { loanId: 'loan-1', bankPartnerId: 'bank-parcours', product: 'restructuring', principalCents: 150_001, requestedAt: NOW } };
// 50 % of 1,500.01 € = 750.005 € → 750.01 € (half-up).
const granted: GuaranteeEvent = {
  type: 'GuaranteeGranted',
  data: { guarantorId: 'ccas-laval', guarantorKind: 'ccas', managerId: 'ccas-laval', coverageVersion: 2, shareBps: 5_000, guaranteedCents: 75_001, envelopeLimited: true, grantedAt: NOW },
};
const refusedForHeadroom: GuaranteeEvent = {
  type: 'GuaranteeRefused',
  data: { reasonCode: 'INSUFFICIENT_HEADROOM', guarantorId: 'ccas-laval', requiredCents: 75_001, headroomCents: 75_000, refusedAt: NOW },
};
const activated: GuaranteeEvent = { type: 'GuaranteeActivated', data: { principalCents: 150_001, exposureCents: 75_001, activatedAt: '2026-03-12T10:00:00.000Z' } };
const reduced: GuaranteeEvent = { type: 'GuaranteeExposureReduced', data: { outstandingPrincipalCents: 100_001, exposureCents: 50_001, releasedCents: 25_000, reducedOn: '2026-05-05' } };
const called: GuaranteeEvent = { type: 'GuaranteeCalled', data: { outstandingPrincipalCents: 100_001, claimCents: 50_001, calledAt: '2026-09-01T10:00:00.000Z' } };
const paid: GuaranteeEvent = { type: 'ClaimPaid', data: { claimCents: 50_001, paidOn: '2026-09-15', paidBy: 'fcs-olivier', paidAt: '2026-09-20T09:00:00.000Z', releasedCents: 50_001 } };
const active = [requested, granted, activated];
const calledGuarantee = [...active, reduced, called];
const paidGuarantee = [...calledGuarantee, paid];
const at = (now: string) => ({ now, actor: officer });

describe('the rounding rule', () => {
  it('takes share × amount in basis points, half-up to the cent', () => {
    expect(shareOf(5_000, 150_001)).toBe(75_001);
    expect(shareOf(5_000, 150_000)).toBe(75_000);
    expect(shareOf(3_333, 100)).toBe(33);
    expect(shareOf(5_000, 1)).toBe(1);
    expect(shareOf(5_000, 0)).toBe(0);
  });
  it('shares a recovery pro rata of the loss each bore, never above what the guarantor paid', () => {
    // Claim 500.01 € of 1,000.01 € outstanding: the guarantor bore 50.0005 %, its part of 100 € is 50.00 €.
    expect(guarantorPartOf(10_000, 50_001, 100_001, 0)).toBe(5_000);
    expect(guarantorPartOf(1, 50_000, 100_000, 0)).toBe(1);
    expect(guarantorPartOf(200_000, 50_001, 100_001, 49_000)).toBe(1_001);
    expect(guarantorPartOf(100, 0, 0, 0)).toBe(0);
  });
});

describe('a loan without a guarantee', () => {
  it('is granted when the coverage applies and the envelope holds the guaranteed share', () => {
    spec.given([]).when(request()).then([requested, granted]);
  });
  it('is granted by a guarantor without an envelope (the FCS) whatever any envelope holds', () => {
    const fcs: CoverageVersion = { ...ccasCoverage, guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'cdc' };
    spec
      .given([])
      .when(request({ coverage: fcs, envelope: { limited: false } }))
      .then([requested, { type: 'GuaranteeGranted', data: { ...granted.data, guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'cdc', envelopeLimited: false } } as GuaranteeEvent]);
  });
  it('is refused for insufficient headroom, one cent short, and granted with exactly enough', () => {
    spec.given([]).when(request({ envelope: room(75_000) })).then([requested, refusedForHeadroom]);
    spec.given([]).when(request({ envelope: room(75_001) })).then([requested, granted]);
  });
  it('is refused when no guarantor is configured for the product', () => {
    spec
      .given([])
      .when(request({ coverage: undefined }))
      .then([requested, { type: 'GuaranteeRefused', data: { reasonCode: 'GUARANTOR_NOT_CONFIGURED', requiredCents: 0, headroomCents: 0, refusedAt: NOW } }]);
  });
  it('is refused when the coverage of the product was withdrawn', () => {
    spec
      .given([])
      .when(request({ coverage: { version: 3, covered: false, effectiveFrom: '2026-02-01', decisionReference: 'CA-2026-01-20' } }))
      .then([requested, { type: 'GuaranteeRefused', data: { reasonCode: 'PRODUCT_NOT_COVERED', requiredCents: 0, headroomCents: 0, refusedAt: NOW } }]);
  });
  it('refuses a principal that is not a whole positive number of cents', () => {
    for (const principalCents of [0, -1, 10.5]) spec.given([]).when(request({ principalCents })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'principalCents'));
  });
  it('cannot be activated, reduced, released, called, paid, shared or written off', () => {
    spec.given([]).when({ type: 'ActivateGuarantee', principalCents: 150_001, disbursedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_GRANTED'));
    spec.given([]).when({ type: 'ReduceExposure', outstandingPrincipalCents: 1, paidOn: '2026-03-10', ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
    spec.given([]).when({ type: 'ReleaseGuarantee', repaidAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
    spec.given([]).when({ type: 'CallGuarantee', outstandingPrincipalCents: 1, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
    spec.given([]).when({ type: 'PayClaim', paidOn: '2026-03-10', ...at(NOW) }).thenThrows(refusedWith('state', 'CLAIM_BEFORE_DEFAULT'));
    spec.given([]).when({ type: 'ShareRecovery', recoveryCents: 100, receivedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_CALLED'));
    spec.given([]).when({ type: 'WriteOffGuarantee', writtenOffAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_CALLED'));
    spec.given([]).when({ type: 'ReconsiderGuarantee', coverage: ccasCoverage, envelope: room(1_000_000), ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_REQUESTED'));
  });
});

describe('a refused guarantee', () => {
  const refused = [requested, refusedForHeadroom];
  it('is granted on reconsideration once the board raised the envelope', () => {
    spec.given(refused).when({ type: 'ReconsiderGuarantee', coverage: ccasCoverage, envelope: room(80_000), ...at(NOW) }).then([granted]);
  });
  it('stays refused, with nothing written, while the reason holds', () => {
    spec.given(refused).when({ type: 'ReconsiderGuarantee', coverage: ccasCoverage, envelope: room(75_000), ...at(NOW) }).thenThrows(refusedWith('state', 'INSUFFICIENT_HEADROOM', 'loanId'));
    spec.given(refused).when({ type: 'ReconsiderGuarantee', coverage: undefined, envelope: { limited: false }, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTOR_NOT_CONFIGURED'));
  });
  it('is decided anew when the loan is signed again, and the loan cannot be disbursed under the refusal', () => {
    spec.given(refused).when(request()).then([requested, granted]);
    spec.given(refused).when({ type: 'ActivateGuarantee', principalCents: 150_001, disbursedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_GRANTED'));
  });
});

describe('a granted guarantee', () => {
  const grantedGuarantee = [requested, granted];
  it('is activated on disbursement: exposure = the guaranteed share of the principal', () => {
    spec.given(grantedGuarantee).when({ type: 'ActivateGuarantee', principalCents: 150_001, disbursedAt: '2026-03-12T10:00:00.000Z', ...at(NOW) }).then([activated]);
  });
  it('refuses a disbursement of another amount than the one guaranteed', () => {
    spec.given(grantedGuarantee).when({ type: 'ActivateGuarantee', principalCents: 200_000, disbursedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'DISBURSED_AMOUNT_DIFFERS', 'principalCents'));
  });
  it('is not reconsidered', () => {
    spec.given(grantedGuarantee).when({ type: 'ReconsiderGuarantee', coverage: ccasCoverage, envelope: room(1_000_000), ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_GRANTED'));
  });
  it('is superseded when the offer is signed again: its reservation counts as headroom for the new request', () => {
    const again = (principalCents: number): GuaranteeEvent =>
      ({ type: 'GuaranteeRequested', data: { ...(requested.data as object), principalCents, superseded: { guarantorId: 'ccas-laval', releasedCents: 75_001 } } }) as never;
    // The envelope is full with this loan's 750.01 €: a new signature for 1,400 € needs 700 €, within what it frees.
    spec
      .given(grantedGuarantee)
      .when(request({ principalCents: 140_000, envelope: room(0) }))
      .then([again(140_000), { type: 'GuaranteeGranted', data: { ...granted.data, guaranteedCents: 70_000 } } as GuaranteeEvent]);
    spec
      .given(grantedGuarantee)
      .when(request({ principalCents: 160_000, envelope: room(0) }))
      .then([again(160_000), { type: 'GuaranteeRefused', data: { reasonCode: 'INSUFFICIENT_HEADROOM', guarantorId: 'ccas-laval', requiredCents: 80_000, headroomCents: 75_001, refusedAt: NOW } }]);
  });
  it('cannot be called before the loan is disbursed, nor pay a claim', () => {
    spec.given(grantedGuarantee).when({ type: 'CallGuarantee', outstandingPrincipalCents: 150_001, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
    spec.given(grantedGuarantee).when({ type: 'PayClaim', paidOn: '2026-03-10', ...at(NOW) }).thenThrows(refusedWith('state', 'CLAIM_BEFORE_DEFAULT'));
  });
});

describe('an active guarantee', () => {
  it('reduces its exposure as principal is repaid, to the cent', () => {
    spec.given(active).when({ type: 'ReduceExposure', outstandingPrincipalCents: 100_001, paidOn: '2026-05-05', ...at(NOW) }).then([reduced]);
  });
  it('leaves its exposure as it is when a payment repaid no principal', () => {
    spec.given(active).when({ type: 'ReduceExposure', outstandingPrincipalCents: 150_001, paidOn: '2026-05-05', ...at(NOW) }).thenNothing();
    spec.given([...active, reduced]).when({ type: 'ReduceExposure', outstandingPrincipalCents: 100_001, paidOn: '2026-06-05', ...at(NOW) }).thenNothing();
  });
  it('refuses an outstanding principal that is not a whole number of cents, 0 or more', () => {
    for (const outstandingPrincipalCents of [-1, 1.5]) {
      spec.given(active).when({ type: 'ReduceExposure', outstandingPrincipalCents, paidOn: '2026-05-05', ...at(NOW) }).thenThrows(refusedWith('rule', 'OUTSTANDING_INVALID', 'outstandingPrincipalCents'));
      spec.given(active).when({ type: 'CallGuarantee', outstandingPrincipalCents, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('rule', 'OUTSTANDING_INVALID', 'outstandingPrincipalCents'));
    }
  });
  it('does not raise its exposure when a rescheduling capitalised interest above the principal', () => {
    spec.given(active).when({ type: 'ReduceExposure', outstandingPrincipalCents: 152_000, paidOn: '2026-05-05', ...at(NOW) }).thenNothing();
  });
  it('claims on the principal disbursed at most: capitalised interest stays the bank’s', () => {
    spec
      .given(active)
      .when({ type: 'CallGuarantee', outstandingPrincipalCents: 152_000, defaultedAt: NOW, ...at(NOW) })
      .then([{ type: 'GuaranteeCalled', data: { outstandingPrincipalCents: 152_000, claimCents: 75_001, calledAt: NOW } }]);
  });
  it('is released with what it still exposed when the loan is repaid', () => {
    // Dated by lending's fact, not by when the fund heard of it (a late delivery after a broker restart).
    spec.given([...active, reduced]).when({ type: 'ReleaseGuarantee', repaidAt: '2026-03-05T09:00:00.000Z', ...at(NOW) }).then([{ type: 'GuaranteeReleased', data: { releasedCents: 50_001, releasedAt: '2026-03-05T09:00:00.000Z' } }]);
  });
  it('is called on default: claim = share × outstanding principal, half-up to the cent', () => {
    spec.given(active).when({ type: 'CallGuarantee', outstandingPrincipalCents: 100_001, defaultedAt: '2026-09-01T10:00:00.000Z', ...at(NOW) }).then([called]);
  });
  it('pays no claim before the default', () => {
    spec.given(active).when({ type: 'PayClaim', paidOn: '2026-03-10', ...at(NOW) }).thenThrows(refusedWith('state', 'CLAIM_BEFORE_DEFAULT', 'loanId'));
  });
  it('shares no recovery and writes nothing off before a claim', () => {
    spec.given(active).when({ type: 'ShareRecovery', recoveryCents: 100, receivedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_CALLED'));
    spec.given(active).when({ type: 'WriteOffGuarantee', writtenOffAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_CALLED'));
  });
  it('is not activated twice', () => {
    spec.given(active).when({ type: 'ActivateGuarantee', principalCents: 150_001, disbursedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_ACTIVE'));
  });
});

describe('a released guarantee', () => {
  const released = [...active, { type: 'GuaranteeReleased', data: { releasedCents: 75_001, releasedAt: NOW } } as GuaranteeEvent];
  it('is neither called nor released again', () => {
    spec.given(released).when({ type: 'CallGuarantee', outstandingPrincipalCents: 1, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
    spec.given(released).when({ type: 'ReleaseGuarantee', repaidAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_ACTIVE'));
  });
});

describe('a called guarantee', () => {
  it('refuses a second claim on the same loan', () => {
    spec.given(calledGuarantee).when({ type: 'CallGuarantee', outstandingPrincipalCents: 100_001, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_CALLED', 'loanId'));
  });
  it('records the claim paid, by whom and when, freeing what the loan held in the envelope', () => {
    spec.given(calledGuarantee).when({ type: 'PayClaim', paidOn: '2026-09-15', now: '2026-09-20T09:00:00.000Z', actor: officer }).then([paid]);
  });
  it('refuses a payment dated after today or before the call', () => {
    spec.given(calledGuarantee).when({ type: 'PayClaim', paidOn: '2026-09-21', now: '2026-09-20T09:00:00.000Z', actor: officer }).thenThrows(refusedWith('rule', 'PAID_ON_IN_FUTURE', 'paidOn'));
    spec.given(calledGuarantee).when({ type: 'PayClaim', paidOn: '2026-08-31', now: '2026-09-20T09:00:00.000Z', actor: officer }).thenThrows(refusedWith('rule', 'PAID_ON_BEFORE_CALL', 'paidOn'));
    spec.given(calledGuarantee).when({ type: 'PayClaim', paidOn: '15/09/2026', now: '2026-09-20T09:00:00.000Z', actor: officer }).thenThrows(refusedWith('rule', 'DATE_INVALID', 'paidOn'));
  });
  it('holds a recovery collected before the claim is paid, and shares it pro rata when the claim is paid', () => {
    const held: GuaranteeEvent = { type: 'RecoveryHeld', data: { recoveryCents: 10_000, receivedAt: NOW } };
    spec.given(calledGuarantee).when({ type: 'ShareRecovery', recoveryCents: 10_000, receivedAt: NOW, ...at(NOW) }).then([held]);
    spec
      .given([...calledGuarantee, held])
      .when({ type: 'PayClaim', paidOn: '2026-09-15', now: '2026-09-20T09:00:00.000Z', actor: officer })
      .then([
        paid,
        { type: 'RecoveryShared', data: { recoveryCents: 10_000, guarantorShareCents: 5_000, bankShareCents: 5_000, guarantorRecoveredTotalCents: 5_000, receivedAt: '2026-09-20T09:00:00.000Z' } },
      ]);
  });
  it('writes nothing off until the claim is paid', () => {
    spec.given(calledGuarantee).when({ type: 'WriteOffGuarantee', writtenOffAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'CLAIM_NOT_PAID'));
  });
});

describe('a paid claim', () => {
  const recovery = (recoveryCents: number, guarantorShareCents: number, total: number): GuaranteeEvent => ({
    type: 'RecoveryShared',
    data: { recoveryCents, guarantorShareCents, bankShareCents: recoveryCents - guarantorShareCents, guarantorRecoveredTotalCents: total, receivedAt: NOW },
  });
  it('is not paid twice', () => {
    spec.given(paidGuarantee).when({ type: 'PayClaim', paidOn: '2026-09-16', now: '2026-09-20T09:00:00.000Z', actor: officer }).thenThrows(refusedWith('state', 'CLAIM_ALREADY_PAID', 'loanId'));
    spec.given(paidGuarantee).when({ type: 'CallGuarantee', outstandingPrincipalCents: 1, defaultedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_CALLED'));
  });
  it('shares each recovery pro rata between the bank and the guarantor', () => {
    spec.given(paidGuarantee).when({ type: 'ShareRecovery', recoveryCents: 10_000, receivedAt: NOW, ...at(NOW) }).then([recovery(10_000, 5_000, 5_000)]);
  });
  it('never gives the guarantor back more than it paid', () => {
    spec.given([...paidGuarantee, recovery(98_000, 49_000, 49_000)]).when({ type: 'ShareRecovery', recoveryCents: 10_000, receivedAt: NOW, ...at(NOW) }).then([recovery(10_000, 1_001, 50_001)]);
    spec.given([...paidGuarantee, recovery(100_002, 50_001, 50_001)]).when({ type: 'ShareRecovery', recoveryCents: 500, receivedAt: NOW, ...at(NOW) }).then([recovery(500, 0, 50_001)]);
  });
  it('refuses a recovery that is not a whole positive number of cents', () => {
    spec.given(paidGuarantee).when({ type: 'ShareRecovery', recoveryCents: 0, receivedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'recoveryCents'));
  });
  it('is written off with the loss: claim paid less the guarantor’s recoveries', () => {
    spec
      .given([...paidGuarantee, recovery(10_000, 5_000, 5_000)])
      .when({ type: 'WriteOffGuarantee', writtenOffAt: NOW, ...at(NOW) })
      .then([{ type: 'GuaranteeWrittenOff', data: { claimPaidCents: 50_001, recoveredCents: 5_000, lossCents: 45_001, writtenOffAt: NOW } }]);
  });
});

describe('a written-off guarantee', () => {
  const writtenOff = [...paidGuarantee, { type: 'GuaranteeWrittenOff', data: { claimPaidCents: 50_001, recoveredCents: 0, lossCents: 50_001, writtenOffAt: NOW } } as GuaranteeEvent];
  it('takes no more recoveries, claims nor write-offs', () => {
    spec.given(writtenOff).when({ type: 'ShareRecovery', recoveryCents: 100, receivedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_WRITTEN_OFF'));
    spec.given(writtenOff).when({ type: 'WriteOffGuarantee', writtenOffAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_WRITTEN_OFF'));
    spec.given(writtenOff).when({ type: 'PayClaim', paidOn: '2026-09-16', now: '2026-09-20T09:00:00.000Z', actor: officer }).thenThrows(refusedWith('state', 'CLAIM_ALREADY_PAID'));
  });
});

describe('what a guarantee does to its envelope', () => {
  const fold = (events: GuaranteeEvent[]) => events.reduce(guaranteeDecider.evolve, guaranteeDecider.initialState());
  const commands = (movements: ReturnType<typeof envelopeMovementsOf>) => movements.map((movement) => movement.command);
  it('reserves on a grant, releases repaid principal, consumes a paid claim and is replenished by recoveries', () => {
    expect(envelopeMovementsOf('loan-1', fold([]), [requested, granted])).toEqual([{ guarantorId: 'ccas-laval', command: { type: 'ReserveForGuarantee', loanId: 'loan-1', amountCents: 75_001 } }]);
    expect(commands(envelopeMovementsOf('loan-1', fold(active), [reduced]))).toEqual([{ type: 'ReleaseReservation', loanId: 'loan-1', amountCents: 25_000 }]);
    expect(commands(envelopeMovementsOf('loan-1', fold(calledGuarantee), [paid]))).toEqual([{ type: 'ConsumeForClaim', loanId: 'loan-1', releasedCents: 50_001, consumedCents: 50_001 }]);
    const shared: GuaranteeEvent = { type: 'RecoveryShared', data: { recoveryCents: 100, guarantorShareCents: 50, bankShareCents: 50, guarantorRecoveredTotalCents: 50, receivedAt: NOW } };
    expect(commands(envelopeMovementsOf('loan-1', fold(paidGuarantee), [shared]))).toEqual([{ type: 'ReplenishFromRecovery', loanId: 'loan-1', amountCents: 50 }]);
    expect(commands(envelopeMovementsOf('loan-1', fold(calledGuarantee), [paid, shared])).map((command) => command.type)).toEqual(['ConsumeForClaim', 'ReplenishFromRecovery']);
  });
  it('frees the earlier reservation when a loan signed again asks anew, before reserving for the new signature', () => {
    const again: GuaranteeEvent = { type: 'GuaranteeRequested', data: { ...(requested.data as object), superseded: { guarantorId: 'ccas-laval', releasedCents: 75_001 } } as never };
    expect(envelopeMovementsOf('loan-1', fold([requested, granted]), [again, granted])).toEqual([
      { guarantorId: 'ccas-laval', command: { type: 'ReleaseReservation', loanId: 'loan-1', amountCents: 75_001 } },
      { guarantorId: 'ccas-laval', command: { type: 'ReserveForGuarantee', loanId: 'loan-1', amountCents: 75_001 } },
    ]);
  });
  it('moves nothing for a refusal, an activation, a call, or a guarantor without an envelope', () => {
    expect(envelopeMovementsOf('loan-1', fold([]), [requested, refusedForHeadroom])).toEqual([]);
    expect(envelopeMovementsOf('loan-1', fold([requested, granted]), [activated])).toEqual([]);
    expect(envelopeMovementsOf('loan-1', fold([...active, reduced]), [called])).toEqual([]);
    const fcsGranted = { ...granted, data: { ...granted.data, envelopeLimited: false } } as GuaranteeEvent;
    expect(envelopeMovementsOf('loan-1', fold([requested, fcsGranted, activated]), [reduced])).toEqual([]);
  });
});

describe('a disbursed guarantee', () => {
  it('is not requested again, nor withdrawn', () => {
    spec.given(active).when(request()).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_ACTIVE', 'loanId'));
    spec.given(active).when({ type: 'WithdrawGuarantee', withdrawnAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_ALREADY_ACTIVE', 'loanId'));
  });
});

describe('a guarantee whose signed offer was withdrawn before disbursement', () => {
  const withdrawn: GuaranteeEvent = { type: 'GuaranteeWithdrawn', data: { guarantorId: 'ccas-laval', releasedCents: 75_001, withdrawnAt: NOW } };
  it('releases what a grant reserved, or nothing after a refusal', () => {
    spec.given([requested, granted]).when({ type: 'WithdrawGuarantee', withdrawnAt: NOW, ...at(NOW) }).then([withdrawn]);
    spec.given([requested, refusedForHeadroom]).when({ type: 'WithdrawGuarantee', withdrawnAt: NOW, ...at(NOW) }).then([{ type: 'GuaranteeWithdrawn', data: { releasedCents: 0, withdrawnAt: NOW } }]);
    const fold = (events: GuaranteeEvent[]) => events.reduce(guaranteeDecider.evolve, guaranteeDecider.initialState());
    expect(envelopeMovementsOf('loan-1', fold([requested, granted]), [withdrawn])).toEqual([{ guarantorId: 'ccas-laval', command: { type: 'ReleaseReservation', loanId: 'loan-1', amountCents: 75_001 } }]);
  });
  it('changes nothing when nothing was requested, or twice', () => {
    spec.given([]).when({ type: 'WithdrawGuarantee', withdrawnAt: NOW, ...at(NOW) }).thenNothing();
    spec.given([requested, granted, withdrawn]).when({ type: 'WithdrawGuarantee', withdrawnAt: NOW, ...at(NOW) }).thenNothing();
  });
  it('is requested afresh on a new signature, and cannot be reconsidered nor activated meanwhile', () => {
    spec.given([requested, granted, withdrawn]).when(request()).then([requested, granted]);
    spec.given([requested, granted, withdrawn]).when({ type: 'ReconsiderGuarantee', coverage: ccasCoverage, envelope: room(1_000_000), ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_REQUESTED'));
    spec.given([requested, granted, withdrawn]).when({ type: 'ActivateGuarantee', principalCents: 150_001, disbursedAt: NOW, ...at(NOW) }).thenThrows(refusedWith('state', 'GUARANTEE_NOT_GRANTED'));
  });
});
