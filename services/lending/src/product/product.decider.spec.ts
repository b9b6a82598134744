import { USURY_CAP_TABLES } from '@tremplin/finance';
import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { ChangeProductTerms } from './product.commands';
import { productDecider } from './product.decider';
import type { ProductEvent } from './product.events';
import { DEFAULT_PRODUCT_TERMS, defaultProductVersion, productVersionAt, type ProductTerms } from './product.terms';

const spec = deciderSpec(productDecider);
const director = { userId: 'dir-tarbes', role: 'ccasDirector' };
const now = '2025-11-03T10:00:00.000Z';
const classic = DEFAULT_PRODUCT_TERMS.classic;

const change = (terms: Partial<ProductTerms>, overrides: Partial<ChangeProductTerms> = {}): ChangeProductTerms => ({
  type: 'ChangeProductTerms',
  product: 'classic',
  terms: { ...classic, ...terms },
  decisionReference: 'CA-2025-11-12',
  now,
  actor: director,
  usuryTables: USURY_CAP_TABLES,
  ...overrides,
});

const refusedWith = (code: string, field?: string) => (error: unknown) =>
  error instanceof DomainError && error.code === code && (field === undefined || error.field === field);

describe('a product still on the platform defaults', () => {
  it('starts from the bounds of DOMAIN.md: classic 300–3,000 € (5,000 € by exception), 6–36 months (48), FCS 50 %', () => {
    expect(defaultProductVersion('classic')).toMatchObject({ version: 0, terms: { minAmountCents: 30_000, maxAmountCents: 300_000, exceptionMaxAmountCents: 500_000, minTermMonths: 6, maxTermMonths: 36, exceptionMaxTermMonths: 48, guarantorKind: 'fcs', guaranteedShareBps: 5_000 } });
    expect(defaultProductVersion('restructuring').terms).toMatchObject({ guarantorKind: 'ccas', accompaniment: 'mandatory', maxTermMonths: 36 });
    expect(defaultProductVersion('autonomyHealth').terms).toMatchObject({ minAmountCents: 30_000, maxAmountCents: 600_000, maxTermMonths: 48 });
  });

  it('records a CCAS decision as version 1, effective now unless scheduled later', () => {
    spec
      .given([])
      .when(change({ maxAmountCents: 250_000 }))
      .then([
        {
          type: 'ProductTermsChanged',
          data: { product: 'classic', version: 1, terms: { ...classic, maxAmountCents: 250_000 }, effectiveFrom: now, decisionReference: 'CA-2025-11-12', decidedBy: 'dir-tarbes' },
        },
      ]);
  });

  it('refuses bounds above the legal ceiling of 8,000 € and 84 months', () => {
    spec.given([]).when(change({ exceptionMaxAmountCents: 800_001 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'terms.exceptionMaxAmountCents'));
    spec.given([]).when(change({ exceptionMaxTermMonths: 85 })).thenThrows(refusedWith('ABOVE_LEGAL_CEILING', 'terms.exceptionMaxTermMonths'));
  });

  it('refuses incoherent bounds', () => {
    spec.given([]).when(change({ minAmountCents: 400_000 })).thenThrows(refusedWith('PRODUCT_TERMS_INVALID', 'terms.maxAmountCents'));
    spec.given([]).when(change({ minTermMonths: 40 })).thenThrows(refusedWith('PRODUCT_TERMS_INVALID', 'terms.maxTermMonths'));
    spec.given([]).when(change({ guaranteedShareBps: 10_001 })).thenThrows(refusedWith('PRODUCT_TERMS_INVALID', 'terms.guaranteedShareBps'));
  });

  it('refuses a maximum rate whose TAEG would exceed the usury cap for its largest amount', () => {
    // 5,000 € falls in the 3,000–6,000 € band, capped at 15.71 % in Q4 2025; 15 % nominal gives a TAEG of 16.08 %.
    spec.given([]).when(change({ maxNominalRateBps: 1_500 })).thenThrows(refusedWith('TAEG_ABOVE_USURY_CAP', 'terms.maxNominalRateBps'));
    spec.given([]).when(change({ maxNominalRateBps: 1_400 })).then(productDecider.decide(change({ maxNominalRateBps: 1_400 }), productDecider.initialState()));
  });

  it('refuses a change dated before now, without a decision reference, or when no usury table covers its date', () => {
    spec.given([]).when(change({}, { effectiveFrom: '2025-11-01T00:00:00.000Z' })).thenThrows(refusedWith('EFFECTIVE_DATE_IN_PAST', 'effectiveFrom'));
    spec.given([]).when(change({}, { decisionReference: ' ' })).thenThrows(refusedWith('DECISION_REFERENCE_REQUIRED', 'decisionReference'));
    spec.given([]).when(change({}, { now: '2027-01-04T10:00:00.000Z' })).thenThrows(refusedWith('USURY_TABLE_MISSING'));
  });
});

describe('a product configured by its CCAS', () => {
  const first: ProductEvent = productDecider.decide(change({ maxAmountCents: 250_000 }), productDecider.initialState())[0];

  it('numbers the next decision as the next version', () => {
    const [event] = productDecider.decide(change({ maxAmountCents: 200_000 }, { now: '2025-12-01T09:00:00.000Z' }), productDecider.evolve(productDecider.initialState(), first));
    expect(event.data).toMatchObject({ version: 2, terms: { maxAmountCents: 200_000 } });
  });

  it('applies a version to offers made after it, not before', () => {
    const scheduled = productDecider.decide(change({ maxAmountCents: 200_000 }, { effectiveFrom: '2026-01-01T00:00:00.000Z' }), productDecider.evolve(productDecider.initialState(), first))[0];
    const state = [first, scheduled].reduce(productDecider.evolve, productDecider.initialState());
    const versions = state.status === 'configured' ? state.versions : [];
    expect(productVersionAt('classic', versions, '2025-11-03T09:59:59.999Z').version).toBe(0);
    expect(productVersionAt('classic', versions, now).version).toBe(1);
    expect(productVersionAt('classic', versions, '2025-12-31T23:59:59.999Z').version).toBe(1);
    expect(productVersionAt('classic', versions, '2026-01-01T00:00:00.000Z')).toMatchObject({ version: 2, terms: { maxAmountCents: 200_000 } });
  });
});
