import { deciderSpec } from '@tremplin/event-sourcing';
import { refusedWith } from '../test-support';
import { catalogueDecider, versionInForce } from './catalogue.decider';
import type { ProductVersionTerms } from './catalogue.events';

const spec = deciderSpec(catalogueDecider);
const NOW = '2026-03-10T09:00:00.000Z';
const lending = { userId: 'lending', role: 'service' };
const terms = (version: number, effectiveFrom: string): ProductVersionTerms => ({
  product: 'classic',
  version,
  effectiveFrom,
  minAmountCents: 30_000,
  maxAmountCents: 300_000,
  exceptionMaxAmountCents: 500_000,
  minTermMonths: 6,
  maxTermMonths: 36,
  accompaniment: 'offered',
});

describe('the product catalogue lending feeds', () => {
  it('learns each version once; a redelivered version is refused as known', () => {
    spec.given([]).when({ type: 'LearnProductVersion', terms: terms(1, '2026-01-01T00:00:00.000Z'), now: NOW, actor: lending }).then([{ type: 'ProductVersionLearned', data: { ...terms(1, '2026-01-01T00:00:00.000Z'), learnedAt: NOW } }]);
    spec
      .given([{ type: 'ProductVersionLearned', data: { ...terms(1, '2026-01-01T00:00:00.000Z'), learnedAt: NOW } }])
      .when({ type: 'LearnProductVersion', terms: terms(1, '2026-01-01T00:00:00.000Z'), now: NOW, actor: lending })
      .thenThrows(refusedWith('state', 'PRODUCT_VERSION_KNOWN', 'version'));
  });

  it('answers the version in force at an instant, whatever order they arrived in', () => {
    const versions = [terms(2, '2026-04-01T00:00:00.000Z'), terms(1, '2026-01-01T00:00:00.000Z')];
    expect(versionInForce(versions, '2025-12-31T23:59:59.999Z')).toBeUndefined();
    expect(versionInForce(versions, NOW)?.version).toBe(1);
    expect(versionInForce(versions, '2026-04-01T00:00:00.000Z')?.version).toBe(2);
  });
});
