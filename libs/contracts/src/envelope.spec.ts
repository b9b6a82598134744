import { randomUUID } from 'node:crypto';
import { ContractViolationError, createEnvelope, decodeMessage } from './envelope';
import { loanDisbursedV1, loanRefusedV1 } from './lending.contracts';
import { contractRegistry } from './registry';

const disbursed = {
  tenantId: 'tenant-tarbes',
  loanId: 'loan-1',
  applicationId: 'app-1',
  amountCents: 182_500,
  termMonths: 24,
  product: 'classic' as const,
  guarantorKind: 'fcs' as const,
  guaranteedShareBps: 5_000,
  disbursedAt: '2026-03-02T10:00:00Z',
  firstDueDate: '2026-04-05',
  nominalRateBps: 300,
  taegBps: 304,
};
const metadata = () => ({ messageId: randomUUID(), occurredAt: '2026-03-02T10:00:00Z', correlationId: 'corr-1', causationId: 'cmd-1' });

describe('an envelope', () => {
  it('takes its tenant from the validated payload and round-trips through JSON', () => {
    const envelope = createEnvelope(loanDisbursedV1, disbursed, metadata());
    expect(envelope.tenantId).toBe('tenant-tarbes');
    const decoded = decodeMessage(contractRegistry, JSON.stringify(envelope));
    expect(decoded).toEqual({ ok: true, contract: loanDisbursedV1, envelope });
  });

  it('refuses a payload that breaks its contract (floats for money, unknown fields)', () => {
    expect(() => createEnvelope(loanDisbursedV1, { ...disbursed, amountCents: 1825.5 }, metadata())).toThrow(ContractViolationError);
    expect(() => createEnvelope(loanDisbursedV1, { ...disbursed, borrowerName: 'x' } as never, metadata())).toThrow(/INVALID_PAYLOAD/);
  });

  it('refuses free text as a refusal reason: a code and a category only', () => {
    const refusal = { tenantId: 't-1', loanId: 'l-1', applicationId: 'a-1', reasonCategory: 'repaymentCapacity' as const, refusedAt: '2026-03-02T10:00:00Z' };
    expect(() => createEnvelope(loanRefusedV1, { ...refusal, reasonCode: 'Budget trop juste, divorce récent' }, metadata())).toThrow(/reason code/);
    expect(createEnvelope(loanRefusedV1, { ...refusal, reasonCode: 'INSUFFICIENT_REMAINING_INCOME' }, metadata()).payload.reasonCode).toBe(
      'INSUFFICIENT_REMAINING_INCOME',
    );
  });
});

describe('decoding a message', () => {
  const valid = () => createEnvelope(loanDisbursedV1, disbursed, metadata());

  it('reports text that is not JSON as malformed', () => {
    const decoded = decodeMessage(contractRegistry, 'not json');
    expect(decoded.ok || decoded.error.reason).toBe('MALFORMED_MESSAGE');
  });

  it('reports a name no contract carries as unknown', () => {
    const decoded = decodeMessage(contractRegistry, JSON.stringify({ ...valid(), name: 'lending.loan-exploded.v1' }));
    expect(decoded.ok || decoded.error.reason).toBe('UNKNOWN_CONTRACT');
  });

  it('reports a payload that breaks the schema as invalid, naming the field', () => {
    const decoded = decodeMessage(contractRegistry, JSON.stringify({ ...valid(), payload: { ...disbursed, amountCents: -5 } }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.reason).toBe('INVALID_PAYLOAD');
      expect(decoded.error.detail).toMatch(/amountCents/);
    }
  });

  it('reports an envelope whose tenant differs from its payload', () => {
    const decoded = decodeMessage(contractRegistry, JSON.stringify({ ...valid(), tenantId: 'tenant-laval' }));
    expect(decoded.ok || decoded.error.reason).toBe('TENANT_MISMATCH');
  });
});
