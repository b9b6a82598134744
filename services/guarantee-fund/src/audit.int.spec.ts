import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@tremplin/event-store-postgres';
import { createPool } from '@tremplin/pg';
import { auditRunner, eventually, startServiceHarness, type AuditRunner, type ServiceHarness } from '@tremplin/testing';
import { audit } from './audit';
import { guaranteeFundService } from './service';

// The auditor's CLI over the guarantee fund's own store, on real PostgreSQL: chains, signed checkpoints and their
// consistency, aggregates as known at / as of a date through the fund's own evolve, and replay equals live. Each test
// works in a tenant of its own, so it stands alone and the tamperings of one never reach another.

let now = '2026-03-10T09:00:00.000Z';
let h: ServiceHarness;
let cli: AuditRunner;

beforeAll(async () => {
  h = await startServiceHarness({ name: 'guarantee_fund_audit', service: guaranteeFundService({ clock: () => new Date(now) }), tenant: 'ccas-unused' });
  cli = await auditRunner(h, audit);
});
afterAll(async () => {
  await cli?.close();
  await h?.close();
});

const short = () => randomUUID().slice(0, 8);

/** A restructuring loan refused for lack of headroom on 10 March, granted on 12 March once the board raised the envelope. */
async function refusedThenGranted(tenant: string): Promise<{ loanId: string; guarantorId: string; between: string }> {
  const director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas', tenants: [tenant] });
  const post = async (path: string, body: unknown) => {
    const reply = await h.call('POST', `/tenants/${tenant}${path}`, { token: director, body });
    if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply;
  };
  const guarantorId = `ccas-${short()}`;
  const loanId = `loan-${short()}`;
  now = '2026-03-10T09:00:00.000Z';
  await post('/coverage/restructuring/versions', { guarantorId, guarantorKind: 'ccas', managerId: 'ccas-laval', shareBps: 5_000, effectiveFrom: '2026-01-01', decisionReference: 'CA-2025-12-10-4' });
  await post(`/envelopes/${guarantorId}/capacity-votes`, { capacityCents: 50_000, decisionDate: '2026-03-02', decisionReference: 'CA-2026-03-02-5' });
  expect((await post('/guarantees', { loanId, bankPartnerId: 'bank-parcours', product: 'restructuring', principalCents: 120_000 })).body).toMatchObject({ status: 'refused' });
  // Recording times are the database's: the instant between the refusal and the grant, as the store knew it.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  now = '2026-03-12T09:00:00.000Z';
  await post(`/envelopes/${guarantorId}/capacity-votes`, { capacityCents: 100_000, decisionDate: '2026-03-11', decisionReference: 'CA-2026-03-11-1' });
  expect((await post(`/guarantees/${loanId}/reconsiderations`, {})).body).toMatchObject({ status: 'granted', guaranteedCents: 60_000 });
  return { loanId, guarantorId, between };
}

const asOwner = <T>(tenant: string, sql: string, values: unknown[]) => h.asTenant(tenant, async (client) => (await client.query(sql, values)).rowCount as T);

describe('the fund’s store under the auditor’s CLI', () => {
  it('verifies every chain, signs a checkpoint, and finds an honest history with new appends consistent (exit 0)', async () => {
    const tenant = `ccas-${short()}`;
    const { guarantorId } = await refusedThenGranted(tenant);
    const verified = await cli.run(['verify', '--tenant', tenant], [tenant]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(new RegExp(`guarantee-fund/${tenant}: ok — 3 streams, \\d+ events verified`));
    const file = cli.file('fund');
    const checkpoint = await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant]);
    expect(checkpoint.code).toBe(0);
    expect(checkpoint.out).toContain(`guarantee-fund/${tenant}: 3 streams`);

    const director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas', tenants: [tenant] });
    const raised = await h.call('POST', `/tenants/${tenant}/envelopes/${guarantorId}/capacity-votes`, { token: director, body: { capacityCents: 150_000, decisionDate: '2026-03-11', decisionReference: 'CA-2026-03-11-2' } });
    expect(raised.status).toBe(201);

    const consistent = await cli.run(['consistency', '--old', file], [tenant]);
    expect(consistent.code).toBe(0);
    expect(consistent.out).toContain(`guarantee-fund/${tenant}: consistent — today's 3 streams`);
    expect(consistent.out).toContain('1 events appended, 1 streams grew, 0 new');
  });

  it('names the stream whose last two events were deleted with the chain kept valid, and a stream rewritten (exit 1)', async () => {
    const tenant = `ccas-${short()}`;
    const { loanId, guarantorId } = await refusedThenGranted(tenant);
    const file = cli.file('fund');
    expect((await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant])).code).toBe(0);
    const last = await h.asTenant(tenant, async (client) => Number((await client.query(`SELECT max(stream_version) AS v FROM es.events WHERE tenant_id = $1 AND stream_id = $2`, [tenant, `guarantee-${loanId}`])).rows[0].v));
    expect(await asOwner<number>(tenant, `DELETE FROM es.events WHERE tenant_id = $1 AND stream_id = $2 AND stream_version > $3`, [tenant, `guarantee-${loanId}`, last - 2])).toBe(2);

    const cut = await cli.run(['consistency', '--old', file], [tenant]);
    expect(cut.code).toBe(1);
    expect(cut.out).toContain(`shortened: guarantee-${loanId}: shortened from ${last} events`);
    expect(cut.out).toContain(`versions ${last - 1}-${last} removed`);

    // The envelope rewritten from its first event through the store (as its owner could): every hash is valid, so
    // verify passes; the signed checkpoint catches it.
    const { rows } = await h.asTenant(tenant, (client) => client.query(`SELECT event_id, type, schema_version, data, metadata FROM es.events WHERE tenant_id = $1 AND stream_id = $2 ORDER BY stream_version`, [tenant, `envelope-${guarantorId}`]));
    await asOwner(tenant, `DELETE FROM es.events WHERE tenant_id = $1 AND stream_id = $2`, [tenant, `envelope-${guarantorId}`]);
    const pool = createPool(h.db.appUrl, { max: 1 });
    try {
      const forged = rows.map((row, i) => ({ eventId: randomUUID(), type: row.type, schemaVersion: row.schema_version, data: i === 0 ? { ...row.data, capacityCents: 5_000_000 } : row.data, metadata: row.metadata }));
      await new PostgresEventStore(pool).append({ tenantId: tenant, streamId: `envelope-${guarantorId}` }, forged, 'no-stream');
    } finally {
      await pool.end();
    }
    const verified = await cli.run(['verify', '--tenant', tenant], [tenant]);
    expect(verified.code).toBe(0);
    const rewritten = await cli.run(['consistency', '--old', file], [tenant]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.out).toContain(`rewritten: envelope-${guarantorId}: its event at version`);
  });

  it('shows a guarantee as the store knew it then and as it stood at a date, folded by the fund’s own evolve', async () => {
    const tenant = `ccas-${short()}`;
    const { loanId, between } = await refusedThenGranted(tenant);
    const state = async (...flags: string[]) => {
      const run = await cli.run(['history', '--tenant', tenant, '--stream', `guarantee-${loanId}`, '--state', '--json', ...flags], [tenant]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.out) as { results: Array<{ state: { status: string; refusal?: { reasonCode: string }; grant?: { guaranteedCents: number } } }> }).results[0].state;
    };
    expect(await state('--known-at', between)).toMatchObject({ status: 'refused', refusal: { reasonCode: 'INSUFFICIENT_HEADROOM' } });
    expect(await state('--as-of', '2026-03-11T00:00:00.000Z')).toMatchObject({ status: 'refused' });
    expect(await state()).toMatchObject({ status: 'granted', grant: { guaranteedCents: 60_000 } });
  });

  it('finds replay equal to live, then names the table and tenant of a read-model row changed behind the projection (exit 1)', async () => {
    const tenant = `ccas-${short()}`;
    const { loanId } = await refusedThenGranted(tenant);
    await eventually('the guarantee book row', () =>
      h.asTenant(tenant, async (client) => ((await client.query(`SELECT status FROM guarantee_fund.guarantee WHERE loan_id = $1`, [loanId])).rows[0]?.status === 'granted' ? true : undefined)),
    );
    const equal = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(equal.code).toBe(0);
    expect(equal.out).toContain('guarantee-fund guarantee.guarantee-book guarantee_fund.guarantee: replay equals live for 1 tenant(s)');
    expect(equal.out).toMatch(/guarantee-fund guarantee\.envelope-headroom \S+: replay equals live/);

    expect(await asOwner<number>(tenant, `UPDATE guarantee_fund.guarantee SET guaranteed_cents = 1 WHERE tenant_id = $1 AND loan_id = $2`, [tenant, loanId])).toBe(1);
    const differs = await cli.run(['replay-check', '--tenant', tenant, '--json'], [tenant]);
    expect(differs.code).toBe(1);
    const report = JSON.parse(differs.out) as { ok: boolean; results: Array<{ readModel: string; tables: Array<{ table: string; equal: boolean; tenantsDiffering: string[] }> }> };
    expect(report.ok).toBe(false);
    const book = report.results.find((r) => r.readModel === 'guarantee.guarantee-book')!;
    expect(book.tables).toEqual([expect.objectContaining({ table: 'guarantee_fund.guarantee', equal: false, tenantsDiffering: [tenant] })]);
  });
});
