import { randomUUID } from 'node:crypto';
import { auditRunner, eventually, startServiceHarness, type AuditRunner, type ServiceHarness } from '@tremplin/testing';
import { audit } from './audit';
import { lendingService } from './service';

// The auditor's CLI with lending's own audit module, on real PostgreSQL: a loan as known at / as of a date through
// lending's evolve, and replay equals live for the loan list. Each test works in a tenant of its own.

let now = '2025-11-03T10:00:00.000Z';
let h: ServiceHarness;
let cli: AuditRunner;

beforeAll(async () => {
  // Lending runs alone here (no guarantee fund answers): the disbursement gate is off; nothing is disbursed anyway.
  h = await startServiceHarness({ name: 'lending_audit', service: lendingService({ clock: () => new Date(now) }), tenant: 'ccas-unused', env: { DISBURSEMENT_REQUIRES_GUARANTEE: 'false' } });
  cli = await auditRunner(h, audit);
});
afterAll(async () => {
  await cli?.close();
  await h?.close();
});

const short = () => randomUUID().slice(0, 8);

/** An application received on 3 November, approved on 5 November; with the database instant between the two. */
async function approvedLoan(tenant: string): Promise<{ loanId: string; between: string }> {
  const anne = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [tenant] });
  const post = async (path: string, body: unknown) => {
    const reply = await h.call('POST', `/tenants/${tenant}/loans${path}`, { token: anne, body });
    if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  now = '2025-11-03T10:00:00.000Z';
  const { loanId } = (await post('/applications', { applicationId: `app-${short()}`, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12 })) as { loanId: string };
  await new Promise((resolve) => setTimeout(resolve, 20));
  const between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  now = '2025-11-05T10:00:00.000Z';
  await post(`/${loanId}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 });
  return { loanId, between };
}

describe('lending’s store under the auditor’s CLI with lending’s audit module', () => {
  it('shows a loan as the store knew it then and as it stood at a date, folded by lending’s own evolve', async () => {
    const tenant = `ccas-${short()}`;
    const { loanId, between } = await approvedLoan(tenant);
    const stateOf = async (...flags: string[]) => {
      const run = await cli.run(['history', '--tenant', tenant, '--stream', `loan-${loanId}`, '--state', '--json', ...flags], [tenant]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.out) as { results: Array<{ state: { status: string } }> }).results[0].state;
    };
    expect(await stateOf('--known-at', between)).toMatchObject({ status: 'applicationReceived' });
    expect(await stateOf('--as-of', '2025-11-04T00:00:00.000Z')).toMatchObject({ status: 'applicationReceived' });
    expect(await stateOf()).toMatchObject({ status: 'approved' });
  });

  it('finds the loan list equal to a replay, then names the table and tenant of a row changed behind the projection (exit 1)', async () => {
    const tenant = `ccas-${short()}`;
    const { loanId } = await approvedLoan(tenant);
    await eventually('the loan list row', () =>
      h.asTenant(tenant, async (client) => ((await client.query(`SELECT status FROM lending.loan_summary WHERE loan_id = $1`, [loanId])).rows[0]?.status === 'approved' ? true : undefined)),
    );
    const equal = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(equal.code).toBe(0);
    expect(equal.out).toContain('lending lending.loan-summary lending.loan_summary: replay equals live for 1 tenant(s)');

    await h.asTenant(tenant, (client) => client.query(`UPDATE lending.loan_summary SET amount_cents = 1 WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId]));
    const differs = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(differs.code).toBe(1);
    expect(differs.out).toContain(`lending lending.loan-summary lending.loan_summary: REPLAY DIFFERS FROM LIVE for tenant(s) ${tenant}`);
  });
});
