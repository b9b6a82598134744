import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { eventually, startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import { guaranteeFundService } from './service';

// The envelope slice on real PostgreSQL and Kafka, through HTTP: a board's vote becomes an event, a row of the
// envelope read model and a guarantee.envelope-capacity-voted.v1 message. Each test votes on its own guarantor's
// envelope, so any of them runs alone.

const TENANT = 'ccas-laval';
const NOW = '2026-03-10T09:00:00.000Z';

let h: ServiceHarness;
const tokens = { director: '', officer: '', socialWorker: '', auditor: '', admin: '', otherDirector: '' };

const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, path, { token, ...options });
const guarantor = () => `gtor-${randomUUID().slice(0, 8)}`;
const vote = (guarantorId: string, body: Record<string, unknown>, token = tokens.director, key?: string) =>
  call('POST', `/tenants/${TENANT}/envelopes/${guarantorId}/capacity-votes`, token, { body, ...(key ? { key } : {}) });
const decision = (capacityCents: number, decisionReference = 'CA-2026-03-02-5') => ({ capacityCents, decisionDate: '2026-03-02', decisionReference });

const asOwner = <T>(fn: (client: Client) => Promise<T>) => h.asTenant(TENANT, fn);
const eventsIn = (guarantorId: string) =>
  asOwner(async (client) => Number((await client.query(`SELECT count(*) AS n FROM es.events WHERE tenant_id = $1 AND stream_id = $2`, [TENANT, `envelope-${guarantorId}`])).rows[0].n));
const envelopeRows = () => asOwner(async (client) => (await client.query(`SELECT * FROM guarantee_fund.envelope ORDER BY tenant_id, guarantor_id`)).rows);
const listed = async (guarantorId: string) => {
  const reply = await call('GET', `/tenants/${TENANT}/envelopes`, tokens.auditor);
  return (reply.body.envelopes as Array<Record<string, unknown>>).find((row) => row.guarantorId === guarantorId);
};

beforeAll(async () => {
  h = await startServiceHarness({ name: 'guarantee_fund', service: guaranteeFundService({ clock: () => new Date(NOW) }), tenant: TENANT, observe: ['guarantee.guarantee'] });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.officer = await h.token({ role: 'guarantorOfficer', userId: 'fcs-olivier', organisationId: 'fcs', organisationKind: 'guarantor' });
  tokens.socialWorker = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.admin = await h.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
  tokens.otherDirector = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
});

afterAll(async () => {
  await h?.close();
});

describe('a guarantor’s envelope voted through HTTP', () => {
  it('opens the envelope on a first vote and answers 409 to the same vote again', async () => {
    const id = guarantor();
    const first = await vote(id, decision(2_000_000));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ guarantorId: id, capacityCents: 2_000_000, headroomCents: 2_000_000, streamVersion: 1, events: [{ type: 'EnvelopeCapacityVoted', streamVersion: 1 }] });
    const again = await vote(id, decision(2_000_000, 'CA-2026-03-09-1'), tokens.officer);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ENVELOPE_CAPACITY_UNCHANGED', field: 'capacityCents' });
    const raised = await vote(id, decision(3_000_000, 'CA-2026-03-09-1'), tokens.officer);
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({ capacityCents: 3_000_000, streamVersion: 2 });
    expect(await eventsIn(id)).toBe(2);
  });

  it('answers 400 with a code and the field to bad input, and writes nothing', async () => {
    const id = guarantor();
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ ...decision(1_000_000), comment: 'the board agreed' }, 'VALIDATION_FAILED', 'comment'],
      [decision(-5_000), 'VALIDATION_FAILED', 'capacityCents'],
      [decision(10.5), 'VALIDATION_FAILED', 'capacityCents'],
      [{ ...decision(1_000_000), decisionDate: '2026-03-11' }, 'DECISION_DATE_IN_FUTURE', 'decisionDate'],
      [{ ...decision(1_000_000), decisionDate: '2026-02-30' }, 'VALIDATION_FAILED', 'decisionDate'],
      [decision(1_000_000, 'voted on Monday by the board'), 'VALIDATION_FAILED', 'decisionReference'],
    ];
    for (const [body, code, field] of cases) {
      const reply = await vote(id, body);
      expect([reply.status, reply.body.code, reply.body.field]).toEqual([400, code, field]);
    }
    const badId = await vote('Not An Id', decision(1_000_000));
    expect([badId.status, badId.body.code, badId.body.field]).toEqual([400, 'VALIDATION_FAILED', 'guarantorId']);
    expect(await eventsIn(id)).toBe(0);
    expect(await listed(id)).toBeUndefined();
  });

  it('keeps out another CCAS (404) and roles without guarantee.operate (403)', async () => {
    const id = guarantor();
    const otherTenant = await vote(id, decision(1_000_000), tokens.otherDirector);
    expect(otherTenant.status).toBe(404);
    expect((await call('GET', `/tenants/${TENANT}/envelopes`, tokens.otherDirector)).status).toBe(404);
    const socialWorker = await vote(id, decision(1_000_000), tokens.socialWorker);
    expect(socialWorker.status).toBe(403);
    const auditor = await vote(id, decision(1_000_000), tokens.auditor);
    expect(auditor.status).toBe(403);
    expect((await call('GET', `/tenants/${TENANT}/envelopes`, tokens.socialWorker)).status).toBe(403);
    expect(await eventsIn(id)).toBe(0);
    // Its own tenant's list holds nothing of this one.
    const own = await call('GET', '/tenants/ccas-tarbes/envelopes', tokens.otherDirector);
    expect([own.status, own.body]).toEqual([200, { envelopes: [] }]);
  });

  it('lists the envelope with its headroom in the read model', async () => {
    const id = guarantor();
    await vote(id, decision(1_500_000));
    await vote(id, decision(1_200_000, 'CA-2026-03-09-2'));
    const row = await eventually('the envelope in the read model', async () => {
      const found = await listed(id);
      return found?.streamVersion === 2 ? found : undefined;
    });
    expect(row).toEqual({
      guarantorId: id,
      capacityCents: 1_200_000,
      reservedCents: 0,
      consumedCents: 0,
      headroomCents: 1_200_000,
      lastDecisionReference: 'CA-2026-03-09-2',
      lastDecisionDate: '2026-03-02',
      streamVersion: 2,
      updatedAt: NOW,
    });
  });

  it('publishes guarantee.envelope-capacity-voted.v1 on Kafka with ids and facts only', async () => {
    const id = guarantor();
    await vote(id, decision(800_000));
    await vote(id, decision(900_000, 'CA-2026-03-09-3'));
    const mine = await eventually('the contract messages', async () => {
      const found = h.published.filter((envelope) => envelope.payload.guarantorId === id);
      return found.length >= 2 ? found : undefined;
    }, 45_000);
    expect(mine.map((envelope) => envelope.name)).toEqual(['guarantee.envelope-capacity-voted.v1', 'guarantee.envelope-capacity-voted.v1']);
    expect(mine.map((envelope) => envelope.payload)).toEqual([
      { tenantId: TENANT, guarantorId: id, capacityCents: 800_000, previousCapacityCents: 0, reservedCents: 0, headroomCents: 800_000, decisionDate: '2026-03-02', decisionReference: 'CA-2026-03-02-5', votedAt: NOW },
      { tenantId: TENANT, guarantorId: id, capacityCents: 900_000, previousCapacityCents: 800_000, reservedCents: 0, headroomCents: 900_000, decisionDate: '2026-03-02', decisionReference: 'CA-2026-03-09-3', votedAt: NOW },
    ]);
    expect(mine.every((envelope) => envelope.tenantId === TENANT)).toBe(true);
  });

  it('answers 20 concurrent votes on one envelope, and records exactly one event per successful answer', async () => {
    const id = guarantor();
    expect((await vote(id, decision(1_000_000))).status).toBe(201);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => vote(id, decision(2_000_000 + i * 10_000, `CA-2026-03-09-C${i}`), i % 2 ? tokens.officer : tokens.director, `vote-${id}-${i}`)),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.every((status) => (status >= 200 && status < 300) || status === 409)).toBe(true);
    const succeeded = statuses.filter((status) => status < 300).length;
    // Distinct capacities: no vote repeats the one before it, so the stream lock lets every one through in turn.
    expect(succeeded).toBe(20);
    expect(await eventsIn(id)).toBe(1 + succeeded);
    expect(new Set(replies.map((reply) => reply.body.streamVersion)).size).toBe(succeeded);
    const last = replies.find((reply) => reply.body.streamVersion === 1 + succeeded)!;
    const row = await eventually('the last vote in the read model', async () => {
      const found = await listed(id);
      return found?.streamVersion === 1 + succeeded ? found : undefined;
    });
    expect(row).toMatchObject({ capacityCents: last.body.capacityCents, headroomCents: last.body.capacityCents });
  });

  it('rebuilds the read model from the events into exactly the live one', async () => {
    const id = guarantor();
    await vote(id, decision(600_000));
    await vote(id, decision(650_000, 'CA-2026-03-09-4'));
    const live = await eventually('the live projection to catch up', async () => {
      const rows = await envelopeRows();
      return rows.find((row) => row.guarantor_id === id)?.stream_version === 2 ? rows : undefined;
    });
    await asOwner((client) => client.query(`UPDATE guarantee_fund.envelope SET capacity_cents = 1, headroom_cents = 1, last_decision_reference = 'TAMPERED'`));

    const rebuilt = await call('POST', '/platform/projections/envelope-headroom/rebuild', tokens.admin);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ envelopes: live.length, tenants: 1 });
    expect(await envelopeRows()).toEqual(live);

    const cli = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'rebuild.cli.ts'), 'envelope-headroom'], { env: { ...process.env, DATABASE_URL: h.db.appUrl } });
    expect(JSON.parse(cli.stdout)).toMatchObject({ envelopes: live.length, tenants: 1 });
    expect(await envelopeRows()).toEqual(live);
  });
});
