import { randomBytes, randomUUID } from 'node:crypto';
import { auditRunner, eventually, startServiceHarness, type AuditRunner, type ServiceHarness } from '@tremplin/testing';
import { audit } from './audit';
import { intakeService } from './service';

// The auditor's CLI over intake's own store, on real PostgreSQL: a file built through HTTP, its chains verified and
// signed, a changed event named, the file as known at a date through intake's own evolve (personal fields sealed),
// and replay equals live for its read models. Each test works in a tenant of its own, so it stands alone.

let h: ServiceHarness;
let cli: AuditRunner;

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'intake_audit',
    service: intakeService({ clock: () => new Date('2026-03-10T09:00:00.000Z') }),
    tenant: 'ccas-unused',
    env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  });
  cli = await auditRunner(h, audit);
});
afterAll(async () => {
  await cli?.close();
  await h?.close();
});

const short = () => randomUUID().slice(0, 8);

/** A person and a file taken to the commission, with the instant (database time) between the budget and the submission. */
async function fileAtCommission(tenant: string): Promise<{ beneficiaryId: string; applicationId: string; between: string }> {
  const sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-org', organisationKind: 'ccas', tenants: [tenant] });
  const post = async (path: string, body: unknown) => {
    const reply = await h.call('POST', `/tenants/${tenant}${path}`, { token: sophie, body });
    if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const { beneficiaryId } = (await post('/beneficiaries', {
    identity: { firstName: 'Amina', lastName: 'Zorglub', birthDate: '1988-04-12' },
    contact: { phone: '+33 6 12 34 56 78', email: 'amina@example.org', address: '12 rue des Lilas, Laval' },
    situation: { employment: 'employed', housing: 'socialHousing', incomeSources: ['salary'], details: 'part-time at the bakery' },
    household: { personsAged14OrMore: 2, childrenUnder14: 1 },
  })) as { beneficiaryId: string };
  const { applicationId } = (await post('/applications', { beneficiaryId, product: 'classic', purposeCategory: 'mobility', project: { description: 'a used car' }, requestedAmountCents: 180_000, requestedTermMonths: 24 })) as { applicationId: string };
  await post(`/applications/${applicationId}/appointments`, { heldOn: '2026-03-02', durationMinutes: 90, topics: ['situation', 'project'] });
  await post(`/applications/${applicationId}/budget`, {
    household: { personsAged14OrMore: 2, childrenUnder14: 1 },
    incomes: [{ kind: 'salary', amountCents: 150_000 }],
    charges: [{ kind: 'rent', amountCents: 60_000 }],
    debtsOutstandingCents: 0,
    overdraftCents: 0,
    expectedInstalmentCents: 8_500,
  });
  await post(`/applications/${applicationId}/needs`, { level: 'checkIns', kinds: ['budget'] });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await post(`/applications/${applicationId}/submit`, {});
  return { beneficiaryId, applicationId, between };
}

describe('intake’s store under the auditor’s CLI', () => {
  it('verifies and signs an honest file, then names the budget event the owner changed (exit 1) and the checkpoint it breaks', async () => {
    const tenant = `ccas-${short()}`;
    const { applicationId } = await fileAtCommission(tenant);
    const verified = await cli.run(['verify', '--tenant', tenant], [tenant]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(new RegExp(`intake/${tenant}: ok — 2 streams, \\d+ events verified`));
    const file = cli.file('intake');
    expect((await cli.run(['checkpoint', '--tenant', tenant, '--out', file], [tenant])).code).toBe(0);

    const changed = await h.asTenant(tenant, async (client) => {
      const { rows } = await client.query(
        `UPDATE es.events SET data = jsonb_set(data, '{expectedInstalmentCents}', '1') WHERE tenant_id = $1 AND stream_id = $2 AND type = 'BudgetAssessed' RETURNING stream_version, event_id`,
        [tenant, `application-${applicationId}`],
      );
      return rows[0] as { stream_version: number; event_id: string };
    });
    const broken = await cli.run(['verify', '--tenant', tenant], [tenant]);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`broken: application-${applicationId} at version ${changed.stream_version} (event ${changed.event_id}): hash does not match the event content`);
    const consistency = await cli.run(['consistency', '--old', file], [tenant]);
    expect(consistency.code).toBe(1);
    expect(consistency.out).toContain(`broken: application-${applicationId}: chain broken at version ${changed.stream_version}`);
  });

  it('shows the file as the store knew it before its submission, through intake’s evolve, with personal fields sealed', async () => {
    const tenant = `ccas-${short()}`;
    const { beneficiaryId, applicationId, between } = await fileAtCommission(tenant);
    const stateOf = async (...flags: string[]) => {
      const run = await cli.run(['history', '--tenant', tenant, '--stream', `application-${applicationId}`, '--state', '--json', ...flags], [tenant]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.out) as { results: Array<{ state: { status: string } }> }).results[0].state;
    };
    expect(await stateOf('--known-at', between)).toMatchObject({ status: 'building' });
    expect(await stateOf()).toMatchObject({ status: 'submitted' });

    const person = await cli.run(['history', '--tenant', tenant, '--stream', `beneficiary-${beneficiaryId}`, '--state', '--data'], [tenant]);
    expect(person.code).toBe(0);
    expect(person.out).toContain('"[encrypted]"');
    expect(person.out).toContain('state: {"status":"registered"');
    expect(person.out).not.toContain('Zorglub');
  });

  it('finds replay equal to live, then names the table and tenant of a file-list row changed behind the projection (exit 1)', async () => {
    const tenant = `ccas-${short()}`;
    const { applicationId } = await fileAtCommission(tenant);
    await eventually('the file list row', () =>
      h.asTenant(tenant, async (client) => ((await client.query(`SELECT status FROM intake.file_list WHERE application_id = $1`, [applicationId])).rows[0]?.status === 'submitted' ? true : undefined)),
    );
    const equal = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(equal.code).toBe(0);
    expect(equal.out).toContain('intake intake.file-list intake.file_list: replay equals live for 1 tenant(s)');
    expect(equal.out).toContain('intake intake.person-list intake.person_list: replay equals live for 1 tenant(s)');

    await h.asTenant(tenant, (client) => client.query(`UPDATE intake.file_list SET requested_amount_cents = 1 WHERE tenant_id = $1 AND application_id = $2`, [tenant, applicationId]));
    const differs = await cli.run(['replay-check', '--tenant', tenant], [tenant]);
    expect(differs.code).toBe(1);
    expect(differs.out).toContain(`intake intake.file-list intake.file_list: REPLAY DIFFERS FROM LIVE for tenant(s) ${tenant}`);
    expect(differs.out).toContain('intake intake.person-list intake.person_list: replay equals live');
  });
});
