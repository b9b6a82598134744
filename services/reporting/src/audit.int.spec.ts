import { randomUUID } from 'node:crypto';
import { auditRunner, eventually, startServiceHarness, type AuditRunner, type ServiceHarness } from '@tremplin/testing';
import { audit } from './audit';
import { event, grantedLoan } from './facts/scenario.test-support';
import { publish } from './reporting.test-support';
import { service } from './service';

// The auditor's CLI over the integration events reporting consumed (its log), on real PostgreSQL and Kafka: a signed
// checkpoint of the log, consistency after honest appends, a logged event changed or deleted caught and named by its
// loan, one loan's events listed as the figures were folded from them, and replay equals live for the figures' tables.
// Each test publishes for a tenant of its own, so it stands alone.

let h: ServiceHarness;
let cli: AuditRunner;

beforeAll(async () => {
  h = await startServiceHarness({ name: 'reporting_audit', service, tenant: 'ccas-unused' });
  cli = await auditRunner(h, audit);
});
afterAll(async () => {
  await cli?.close();
  await h?.close();
});

const short = () => randomUUID().slice(0, 8);

const count = (tenant: string, sql: string, values: unknown[] = []) => h.asTenant(tenant, async (client) => Number((await client.query(sql, values)).rows[0].n));

/** Two granted loans of a new tenant, consumed into the log and folded into the figures. */
async function twoLoans(): Promise<{ tenant: string; loanId: string }> {
  const tenant = `ccas-${short()}`;
  const loanId = `loan-${short()}`;
  const events = [
    ...grantedLoan({ tenantId: tenant, loanId, applicationId: `app-${short()}`, amountCents: 182_500, transmittedAt: '2026-03-02T09:00:00.000Z', approvedAt: '2026-03-09T09:00:00.000Z', disbursedAt: '2026-03-20T09:00:00.000Z' }),
    ...grantedLoan({ tenantId: tenant, loanId: `loan-${short()}`, applicationId: `app-${short()}`, amountCents: 150_000, transmittedAt: '2026-03-03T09:00:00.000Z', approvedAt: '2026-03-10T09:00:00.000Z' }),
  ];
  await publish(h, events);
  await folded(tenant, events.length);
  return { tenant, loanId };
}

const folded = (tenant: string, logged: number) =>
  eventually(
    `${logged} messages logged and folded`,
    async () =>
      (await count(tenant, `SELECT count(*) AS n FROM reporting.consumed_event WHERE tenant_id = $1`, [tenant])) === logged && (await count(tenant, `SELECT count(*) AS n FROM reporting.consumed_event WHERE seq > (SELECT folded_up_to FROM reporting.fold_progress)`)) === 0 ? true : undefined,
    60_000,
  );

const instalmentPaid = (tenant: string, loanId: string) =>
  event('lending.instalment-paid.v1', tenant, '2026-04-20T10:00:00.000Z', { loanId, amountCents: 8_107, principalRepaidCents: 7_500, interestPaidCents: 607, outstandingPrincipalCents: 175_000, paidOn: '2026-04-20', recordedAt: '2026-04-20T10:00:00.000Z' });

describe('the integration log reporting keeps, under the auditor’s CLI', () => {
  it('signs a checkpoint of the log and finds it extended by honest appends (exit 0)', async () => {
    const { tenant, loanId } = await twoLoans();
    const read = await cli.run(['verify', '--all-tenants'], [tenant]);
    expect(read.code).toBe(0);
    expect(read.out).toContain(`reporting/integration-log/${tenant}: read — 4 streams, 7 integration events`);
    const file = cli.file('log');
    const checkpoint = await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant]);
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.out).toMatch(new RegExp(`reporting/integration-log/${tenant}: 4 streams, 7 integration events, tree head [0-9a-f]{64}`));

    await publish(h, [instalmentPaid(tenant, loanId)]);
    await folded(tenant, 8);
    const consistent = await cli.run(['consistency', '--old', file], [tenant]);
    expect(consistent.code).toBe(0);
    expect(consistent.out).toContain(`reporting/integration-log/${tenant}: consistent — today's 4 streams (8 events) extend the checkpoint`);
    expect(consistent.out).toContain('1 events appended, 1 streams grew, 0 new');
  });

  it('names the loan whose logged event was changed, and the one whose logged event was deleted (exit 1)', async () => {
    const { tenant, loanId } = await twoLoans();
    const file = cli.file('log');
    expect((await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant])).code).toBe(0);

    await h.asTenant(tenant, (client) =>
      client.query(`UPDATE reporting.consumed_event SET payload = jsonb_set(payload, '{amountCents}', '1825000') WHERE tenant_id = $1 AND name = 'lending.loan-disbursed.v1' AND payload->>'loanId' = $2`, [tenant, loanId]),
    );
    const changed = await cli.run(['consistency', '--old', file, '--json'], [tenant]);
    expect(changed.code).toBe(1);
    const findings = (JSON.parse(changed.out) as { results: Array<{ service: string; findings: Array<{ kind: string; streamId: string }> }> }).results[0];
    expect(findings.service).toBe('reporting/integration-log');
    expect(findings.findings).toEqual([expect.objectContaining({ kind: 'rewritten', streamId: `lending.loan/${loanId}` })]);

    await h.asTenant(tenant, (client) => client.query(`DELETE FROM reporting.consumed_event WHERE tenant_id = $1 AND name = 'lending.loan-approved.v1' AND payload->>'loanId' = $2`, [tenant, loanId]));
    const deleted = await cli.run(['consistency', '--old', file], [tenant]);
    expect(deleted.code).toBe(1);
    expect(deleted.out).toContain(`shortened: lending.loan/${loanId}: shortened from 3 events`);
  });

  it('lists the integration events one loan’s figures come from, and proves that loan’s head is in the signed tree', async () => {
    const { tenant, loanId } = await twoLoans();
    const history = await cli.run(['history', '--tenant', tenant, '--stream', `lending.loan/${loanId}`, '--data'], [tenant]);
    expect(history.code).toBe(0);
    expect(history.out).toContain(`reporting/integration-log/${tenant}/lending.loan/${loanId}: 3 integration event(s)`);
    expect(history.out).toMatch(/v1 lending\.loan-application-received\.v1 occurred 2026-03-02T09:00:00\.000000Z message [0-9a-f-]{36}/);
    expect(history.out).toMatch(/v3 lending\.loan-disbursed\.v1 occurred 2026-03-20T09:00:00\.000000Z/);
    expect(history.out).toContain('"amountCents":182500');

    const file = cli.file('log');
    expect((await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant])).code).toBe(0);
    const proof = await cli.run(['prove', '--file', file, '--stream', `lending.loan/${loanId}`], [tenant]);
    expect(proof.code).toBe(0);
    expect(proof.out).toMatch(new RegExp(`lending\\.loan/${loanId} at version 3 \\([0-9a-f]{64}\\) is leaf \\d of 4 under tree head`));
  });

  it('finds the figures’ tables equal to a replay of the log, then names the table and tenant of a changed row (exit 1)', async () => {
    const { tenant, loanId } = await twoLoans();
    const equal = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(equal.code).toBe(0);
    expect(equal.out).toContain('reporting reporting.consumed-log reporting.loan_fact: replay equals live for 1 tenant(s)');

    await h.asTenant(tenant, (client) => client.query(`UPDATE reporting.loan_fact SET disbursed_cents = 1 WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId]));
    const differs = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(differs.code).toBe(1);
    expect(differs.out).toContain(`reporting reporting.consumed-log reporting.loan_fact: REPLAY DIFFERS FROM LIVE for tenant(s) ${tenant}`);
    expect(differs.out).toContain('reporting reporting.consumed-log reporting.application_fact: replay equals live');
  });
});
