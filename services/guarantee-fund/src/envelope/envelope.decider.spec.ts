import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { VoteEnvelopeCapacity } from './envelope.commands';
import { envelopeDecider, headroomOf, MAX_ENVELOPE_CAPACITY_CENTS } from './envelope.decider';
import type { EnvelopeCapacityVoted } from './envelope.events';

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
