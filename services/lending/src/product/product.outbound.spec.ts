import type { RecordedEvent } from '@tremplin/event-sourcing';
import type { ProductTermsChanged } from './product.events';
import { productMessages } from './product.outbound';
import { DEFAULT_PRODUCT_TERMS } from './product.terms';

const recorded = (data: ProductTermsChanged['data']): RecordedEvent => ({
  eventId: '6f1c2d3e-0000-4000-8000-000000000001',
  type: 'ProductTermsChanged',
  schemaVersion: 1,
  data,
  metadata: { correlationId: 'corr-1', occurredAt: '2026-03-01T08:00:00.000Z', actorId: 'dir-laval' },
  tenantId: 'ccas-laval',
  streamId: 'product-classic',
  streamVersion: 1,
  globalPosition: 1n,
  transactionId: 1n,
  recordedAt: '2026-03-01T08:00:00.010Z',
  hash: 'h',
  previousHash: 'p',
});

describe('product versions published for intake', () => {
  it('maps each recorded version to lending.product-terms-changed.v1, with the terms intake checks eligibility against', () => {
    const terms = { ...DEFAULT_PRODUCT_TERMS.classic, maxAmountCents: 350_000 };
    const [message] = productMessages('ccas-laval', [recorded({ product: 'classic', version: 1, terms, effectiveFrom: '2026-04-01T00:00:00.000Z', decisionReference: 'CA-2026-03-01', decidedBy: 'dir-laval' })]);
    expect(message.name).toBe('lending.product-terms-changed.v1');
    expect(message.payload).toEqual({
      tenantId: 'ccas-laval',
      product: 'classic',
      version: 1,
      effectiveFrom: '2026-04-01T00:00:00.000Z',
      minAmountCents: 30_000,
      maxAmountCents: 350_000,
      exceptionMaxAmountCents: 500_000,
      minTermMonths: 6,
      maxTermMonths: 36,
      exceptionMaxTermMonths: 48,
      accompaniment: 'offered',
      guarantorKind: 'fcs',
      guaranteedShareBps: 5_000,
      maxNominalRateBps: 400,
    });
    expect(message.causationId).toBe('6f1c2d3e-0000-4000-8000-000000000001');
  });
});
