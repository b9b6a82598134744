import { integrationLeaf, integrationStreamOf } from './integration-log';
import { loadServiceAudits } from './service-audit';
import { SERVICES } from './cli';

describe('the services’ audit modules, found by path', () => {
  it('hands npm run audit the folds, read models and integration log of each service that has one', () => {
    const audits = new Map(loadServiceAudits(SERVICES).map((audit) => [audit.service, audit]));
    expect([...audits.keys()]).toEqual(expect.arrayContaining(['intake', 'lending', 'guarantee-fund', 'reporting']));
    const categories = (service: string) => audits.get(service)!.folds!.map((fold) => fold.category).sort();
    expect(categories('lending')).toEqual(['guarantee-gate', 'loan', 'product']);
    expect(categories('intake')).toEqual(['application', 'beneficiary', 'catalogue']);
    expect(categories('guarantee-fund')).toEqual(['coverage', 'envelope', 'guarantee']);
    expect(audits.get('lending')!.projections!.map((p) => p.name)).toEqual(['lending.loan-summary']);
    expect(audits.get('reporting')!.integrationLog).toEqual({ table: 'reporting.consumed_event', tenants: 'reporting.known_tenant' });
    expect(audits.get('reporting')!.readModelChecks!.map((c) => c.name)).toEqual(['reporting.consumed-log']);
  });

  it('folds with the service’s own evolve and codec', () => {
    const [lending] = loadServiceAudits(['lending']);
    const loan = lending.folds!.find((fold) => fold.category === 'loan')!;
    const data = { loanId: 'loan-1', applicationId: 'app-1', bankPartnerId: 'bank-1', product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12, channel: 'bank', receivedAt: '2025-11-03T10:00:00.000Z' };
    const received = loan.decode!({ type: 'LoanApplicationReceived', schemaVersion: 1, data });
    expect(loan.evolve(loan.initialState(), received)).toEqual({ status: 'applicationReceived', application: data });
  });
});

describe('streams of an integration log', () => {
  it('are the topic and Kafka key of the contract, so one aggregate’s messages keep their order', () => {
    expect(integrationStreamOf('lending.loan-disbursed.v1', { tenantId: 't', loanId: 'loan-9' })).toBe('lending.loan/loan-9');
    expect(integrationStreamOf('nobody.something-new.v1', { tenantId: 't' })).toBe('unknown/nobody.something-new.v1');
  });

  it('hash a row in one canonical form, whatever the order of its payload’s keys', () => {
    const row = { messageId: 'm-1', tenantId: 't', name: 'lending.loan-repaid.v1', occurredAt: '2026-03-02T09:00:00.000000Z' };
    expect(integrationLeaf({ ...row, payload: { b: 1, a: 2 } })).toBe(integrationLeaf({ ...row, payload: { a: 2, b: 1 } }));
    expect(integrationLeaf({ ...row, payload: { a: 2 } })).not.toBe(integrationLeaf({ ...row, payload: { a: 3 } }));
  });
});
