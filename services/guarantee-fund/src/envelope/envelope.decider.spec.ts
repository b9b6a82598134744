import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { VoteEnvelopeCapacity } from './envelope.commands';
import { envelopeDecider, headroomOf, MAX_ENVELOPE_CAPACITY_CENTS } from './envelope.decider';
import type { EnvelopeCapacityVoted, EnvelopeEvent } from './envelope.events';

const spec = deciderSpec(envelopeDecider);
const director = { userId: 'dir-laval', role: 'ccasDirector' };

const vote = (overrides: Partial<VoteEnvelopeCapacity> = {}): VoteEnvelopeCapacity => ({
  type: 'VoteEnvelopeCapacity',
  guarantorId: 'ccas-laval',
  capacityCents: 2_000_000,
  decisionDate: '2026-01-15',
  decisionReference: 'CA-2026-01-15-7',
  today: '2026-01-20',
  actor: director,
  ...overrides,
});

const voted = (capacityCents: number, previousCapacityCents: number, decisionReference = 'CA-2026-01-15-7', decisionDate = '2026-01-15'): EnvelopeCapacityVoted => ({
  type: 'EnvelopeCapacityVoted',
  data: { guarantorId: 'ccas-laval', capacityCents, previousCapacityCents, decisionDate, decisionReference, votedBy: 'dir-laval' },
});

const refusedWith = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

describe('an envelope never voted', () => {
  it('is opened by the first vote, from a capacity of 0', () => {
    spec.given([]).when(vote()).then([voted(2_000_000, 0)]);
  });

  it('has no headroom before it is opened', () => {
    expect(headroomOf(envelopeDecider.initialState())).toBe(0);
  });

  it('refuses a capacity that is not a whole positive number of cents up to the maximum', () => {
    for (const capacityCents of [0, -100, 10.5, MAX_ENVELOPE_CAPACITY_CENTS + 1, Number.NaN]) {
      spec.given([]).when(vote({ capacityCents })).thenThrows(refusedWith('rule', 'CAPACITY_INVALID', 'capacityCents'));
    }
    spec.given([]).when(vote({ capacityCents: MAX_ENVELOPE_CAPACITY_CENTS })).then([voted(MAX_ENVELOPE_CAPACITY_CENTS, 0)]);
  });

  it('refuses a decision dated after today, and accepts one dated today', () => {
    spec.given([]).when(vote({ decisionDate: '2026-01-21' })).thenThrows(refusedWith('rule', 'DECISION_DATE_IN_FUTURE', 'decisionDate'));
    spec.given([]).when(vote({ decisionDate: '2026-01-20' })).then([voted(2_000_000, 0, 'CA-2026-01-15-7', '2026-01-20')]);
    spec.given([]).when(vote({ decisionDate: '15/01/2026' })).thenThrows(refusedWith('rule', 'DECISION_DATE_INVALID', 'decisionDate'));
  });

  it('takes the decision reference as a code, never as prose', () => {
    for (const decisionReference of ['', 'ca-2026-01', 'board voted on Monday', 'CA 2026', `CA-${'9'.repeat(64)}`]) {
      spec.given([]).when(vote({ decisionReference })).thenThrows(refusedWith('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
    }
    spec.given([]).when(vote({ decisionReference: 'DELIB/2026.014_B' })).then([voted(2_000_000, 0, 'DELIB/2026.014_B')]);
  });
});

describe('an open envelope', () => {
  const opened = [voted(2_000_000, 0)];

  it('takes a later vote as the new capacity, raised or reduced', () => {
    spec.given(opened).when(vote({ capacityCents: 3_500_000, decisionReference: 'CA-2026-06-02-3' })).then([voted(3_500_000, 2_000_000, 'CA-2026-06-02-3')]);
    spec.given(opened).when(vote({ capacityCents: 500_000, decisionReference: 'CA-2026-06-02-3' })).then([voted(500_000, 2_000_000, 'CA-2026-06-02-3')]);
  });

  it('refuses a vote that leaves the capacity as it is, as a state conflict', () => {
    spec.given(opened).when(vote()).thenThrows(refusedWith('state', 'ENVELOPE_CAPACITY_UNCHANGED', 'capacityCents'));
    spec.given(opened).when(vote({ decisionReference: 'CA-2026-02-01-1' })).thenThrows(refusedWith('state', 'ENVELOPE_CAPACITY_UNCHANGED', 'capacityCents'));
  });

  it('checks the amount before the state: an invalid amount is a rule error whatever the envelope holds', () => {
    spec.given(opened).when(vote({ capacityCents: -1 })).thenThrows(refusedWith('rule', 'CAPACITY_INVALID', 'capacityCents'));
  });

  it('has the whole capacity as headroom while no guarantee is reserved', () => {
    const state = [...opened, voted(3_000_000, 2_000_000)].reduce(envelopeDecider.evolve, envelopeDecider.initialState());
    expect(state).toMatchObject({ status: 'open', capacityCents: 3_000_000, reservedCents: 0 });
    expect(headroomOf(state)).toBe(3_000_000);
  });
});

describe('an envelope holding guarantees', () => {
  const opened = [voted(200_000, 0)];
  const reserved = (loanId: string, amountCents: number): EnvelopeEvent => ({ type: 'EnvelopeReserved', data: { loanId, amountCents } });
  const consumed = (releasedCents: number, consumedCents: number): EnvelopeEvent => ({ type: 'EnvelopeConsumed', data: { loanId: 'loan-1', releasedCents, consumedCents } });
  const fold = (events: EnvelopeEvent[]) => events.reduce(envelopeDecider.evolve, envelopeDecider.initialState());

  it('reserves a guarantee while the headroom holds it, to the last cent', () => {
    spec.given(opened).when({ type: 'ReserveForGuarantee', loanId: 'loan-1', amountCents: 200_000 }).then([reserved('loan-1', 200_000)]);
    expect(headroomOf(fold([...opened, reserved('loan-1', 200_000)]))).toBe(0);
  });
  it('refuses a reservation one cent above the headroom, and any from an envelope never voted', () => {
    spec.given([...opened, reserved('loan-1', 150_000)]).when({ type: 'ReserveForGuarantee', loanId: 'loan-2', amountCents: 50_001 }).thenThrows(refusedWith('state', 'INSUFFICIENT_HEADROOM', 'amountCents'));
    spec.given([]).when({ type: 'ReserveForGuarantee', loanId: 'loan-1', amountCents: 1 }).thenThrows(refusedWith('state', 'INSUFFICIENT_HEADROOM', 'amountCents'));
    spec.given(opened).when({ type: 'ReserveForGuarantee', loanId: 'loan-1', amountCents: 0 }).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'amountCents'));
  });
  it('releases repaid principal, never more than is reserved', () => {
    spec.given([...opened, reserved('loan-1', 75_000)]).when({ type: 'ReleaseReservation', loanId: 'loan-1', amountCents: 25_000 }).then([{ type: 'EnvelopeReleased', data: { loanId: 'loan-1', amountCents: 25_000 } }]);
    spec.given([...opened, reserved('loan-1', 75_000)]).when({ type: 'ReleaseReservation', loanId: 'loan-1', amountCents: 75_001 }).thenThrows(refusedWith('state', 'RELEASE_ABOVE_RESERVED', 'amountCents'));
  });
  it('turns a loan’s reservation into consumption when its claim is paid, and recoveries replenish it', () => {
    spec.given([...opened, reserved('loan-1', 75_000)]).when({ type: 'ConsumeForClaim', loanId: 'loan-1', releasedCents: 50_000, consumedCents: 50_000 }).then([consumed(50_000, 50_000)]);
    const afterClaim = fold([...opened, reserved('loan-1', 75_000), consumed(50_000, 50_000)]);
    expect(afterClaim).toMatchObject({ reservedCents: 25_000, consumedCents: 50_000 });
    expect(headroomOf(afterClaim)).toBe(125_000);
    spec
      .given([...opened, reserved('loan-1', 75_000), consumed(50_000, 50_000)])
      .when({ type: 'ReplenishFromRecovery', loanId: 'loan-1', amountCents: 5_000 })
      .then([{ type: 'EnvelopeReplenished', data: { loanId: 'loan-1', amountCents: 5_000 } }]);
    spec
      .given([...opened, reserved('loan-1', 75_000), consumed(50_000, 50_000)])
      .when({ type: 'ReplenishFromRecovery', loanId: 'loan-1', amountCents: 50_001 })
      .thenThrows(refusedWith('state', 'REPLENISH_ABOVE_CONSUMED', 'amountCents'));
  });
  it('refuses a claim the envelope cannot pay, so headroom never goes below zero', () => {
    spec.given([...opened, reserved('loan-1', 200_000)]).when({ type: 'ConsumeForClaim', loanId: 'loan-1', releasedCents: 200_000, consumedCents: 200_001 }).thenThrows(refusedWith('state', 'INSUFFICIENT_HEADROOM', 'consumedCents'));
    spec.given([...opened, reserved('loan-1', 100)]).when({ type: 'ConsumeForClaim', loanId: 'loan-1', releasedCents: 101, consumedCents: 0 }).thenThrows(refusedWith('state', 'RELEASE_ABOVE_RESERVED', 'releasedCents'));
  });
  it('refuses a vote below what guarantees hold and claims consumed', () => {
    const holding = [...opened, reserved('loan-1', 75_000), consumed(25_000, 25_000)];
    spec.given(holding).when(vote({ capacityCents: 74_999, decisionReference: 'CA-2026-06-02-3' })).thenThrows(refusedWith('state', 'CAPACITY_BELOW_COMMITMENTS', 'capacityCents'));
    spec.given(holding).when(vote({ capacityCents: 75_000, decisionReference: 'CA-2026-06-02-3' })).then([voted(75_000, 200_000, 'CA-2026-06-02-3')]);
  });
});
