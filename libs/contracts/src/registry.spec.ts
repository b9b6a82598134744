import { z } from 'zod';
import { defineContract } from './contract';
import { createRegistry, contractRegistry, withTopicPrefix } from './registry';
import { loanDisbursedV1 } from './lending.contracts';
import { applicationTransmittedV1 } from './intake.contracts';
import { topic } from './topics';

describe('the contract registry', () => {
  it('names every contract <context>.<fact>.v<N> and routes it to a declared topic', () => {
    const topics = new Set(contractRegistry.topics.map((spec) => spec.name));
    for (const contract of contractRegistry.contracts) {
      expect(contract.name).toBe(`${contract.context}.${contract.fact}.v${contract.version}`);
      expect(topics.has(contract.topic)).toBe(true);
    }
  });

  it('holds the v1 contracts the intake, lending, guarantee-fund and accompaniment services publish', () => {
    expect(contractRegistry.contracts.map((c) => c.name).sort()).toEqual([
      'accompaniment.escalation-closed.v1',
      'accompaniment.escalation-opened.v1',
      'accompaniment.evaluation-recorded.v1',
      'accompaniment.first-contact-made.v1',
      'accompaniment.interest-refund-approved.v1',
      'accompaniment.interest-refund-paid.v1',
      'accompaniment.new-project-linked.v1',
      'accompaniment.rescheduling-requested.v1',
      'accompaniment.support-granted.v1',
      'guarantee.claim-paid.v1',
      'guarantee.envelope-capacity-voted.v1',
      'guarantee.exposure-reduced.v1',
      'guarantee.guarantee-activated.v1',
      'guarantee.guarantee-called.v1',
      'guarantee.guarantee-granted.v1',
      'guarantee.guarantee-refused.v1',
      'guarantee.guarantee-released.v1',
      'guarantee.guarantee-requested.v1',
      'guarantee.guarantee-withdrawn.v1',
      'guarantee.guarantee-written-off.v1',
      'guarantee.recovery-shared.v1',
      'intake.application-closed.v1',
      'intake.application-opened.v1',
      'intake.application-submitted.v1',
      'intake.application-transmitted.v1',
      'intake.application-withdrawn.v1',
      'intake.beneficiary-erased.v1',
      'intake.commission-decided.v1',
      'lending.borrower-contacted.v1',
      'lending.incident-warning-issued.v1',
      'lending.instalment-missed.v1',
      'lending.instalment-paid.v1',
      'lending.loan-application-received.v1',
      'lending.loan-approved.v1',
      'lending.loan-defaulted.v1',
      'lending.loan-disbursed.v1',
      'lending.loan-refused.v1',
      'lending.loan-repaid.v1',
      'lending.loan-rescheduled.v1',
      'lending.loan-written-off.v1',
      'lending.offer-signed.v1',
      'lending.offer-withdrawn.v1',
      'lending.product-terms-changed.v1',
      'lending.recovery-received.v1',
    ]);
  });

  it('declares one topic per aggregate family, six partitions each, and a dead-letter topic beside each', () => {
    expect(contractRegistry.topics.map((t) => [t.name, t.partitions])).toEqual([
      ['intake.application', 6],
      ['lending.loan', 6],
      ['guarantee.guarantee', 6],
      ['accompaniment.plan', 6],
    ]);
    const created = contractRegistry.topicsToCreate().map((t) => t.name);
    expect(created).toContain('lending.loan.dlq');
    expect(created).toHaveLength(8);
    const dlq = contractRegistry.topicsToCreate().find((t) => t.name === 'lending.loan.dlq')!;
    expect(dlq.retentionMs).toBeGreaterThanOrEqual(contractRegistry.topics[1]!.retentionMs);
  });

  it('keys a loan\'s facts by loan id and an application\'s by application id', () => {
    expect(loanDisbursedV1.key({ loanId: 'loan-1' } as never)).toBe('loan-1');
    expect(applicationTransmittedV1.key({ applicationId: 'app-1' } as never)).toBe('app-1');
  });

  it('adds a new version beside the old one: v1 and v2 coexist', () => {
    const v2 = defineContract({
      name: 'lending.loan-disbursed.v2',
      topic: 'lending.loan',
      schema: loanDisbursedV1.schema.extend({ feesCents: z.int().nonnegative() }).strict(),
      key: (p) => p.loanId,
    });
    const registry = createRegistry(contractRegistry.topics, [...contractRegistry.contracts, v2]);
    expect(registry.get('lending.loan-disbursed.v1')).toBe(loanDisbursedV1);
    expect(registry.get('lending.loan-disbursed.v2')?.version).toBe(2);
  });

  it('refuses a duplicate contract, an undeclared topic and a badly named contract', () => {
    expect(() => createRegistry(contractRegistry.topics, [loanDisbursedV1, loanDisbursedV1])).toThrow(/registered twice/);
    expect(() => createRegistry([topic('other.topic')], [loanDisbursedV1])).toThrow(/undeclared topic lending.loan/);
    expect(() => defineContract({ name: 'LoanDisbursed', topic: 'lending.loan', schema: z.object({ tenantId: z.string() }), key: () => 'k' })).toThrow(
      /<context>.<fact>.v<N>/,
    );
    expect(() => defineContract({ name: 'lending.x.v1', topic: 'lending.loan', schema: z.object({ loanId: z.string() }), key: () => 'k' })).toThrow(/tenantId/);
  });

  it('can move every topic under a prefix for isolated test runs', () => {
    const isolated = withTopicPrefix(contractRegistry, 'run42.');
    expect(isolated.get('lending.loan-disbursed.v1')?.topic).toBe('run42.lending.loan');
    expect(isolated.topicsToCreate().map((t) => t.name)).toContain('run42.lending.loan.dlq');
  });
});
