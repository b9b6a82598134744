import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, HttpException, Param, Post, type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Client } from 'pg';
import { z } from 'zod';
import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { assertTenantRls, checkTenantRls, currentContext, inspectConnectionRole, runInContext, tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { Access, CurrentPrincipal, Public } from './access.decorator';
import { authMigrations } from './audit-access';
import { claimsFor, forgeToken, memoryRecorder, signToken, startApp, StrictBodyPipe, testKey, verifierOptions, type TestKey } from './auth.test-support';
import type { Principal } from './principal';

// Tenancy is exercised here, from a verified token down to PostgreSQL row-level security, because this lib sits
// above both @tremplin/tenancy and @tremplin/pg (a spec inside libs/tenancy importing them would be a cycle).

const TARBES = 'ccas-tarbes';
const LAVAL = 'ccas-laval';
const PAU = 'ccas-pau';

const READ_MODEL_SQL = `
  CREATE SCHEMA demo;
  CREATE TABLE demo.files (tenant_id text NOT NULL, id uuid PRIMARY KEY, label text NOT NULL, status text NOT NULL DEFAULT 'open');
  SELECT platform.enable_tenant_rls('demo.files');
  GRANT USAGE ON SCHEMA demo TO tremplin_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON demo.files TO tremplin_app;
  CREATE TABLE demo.items (tenant_id text NOT NULL, n int NOT NULL);
  SELECT platform.enable_tenant_rls('demo.items');
  GRANT SELECT, INSERT ON demo.items TO tremplin_app;`;

const openFileBody = z.strictObject({ label: z.string().min(1).max(200) });

function filesController(pool: Pool) {
  @Controller('tenants/:tenantId/files')
  class FilesController {
    @Get(':fileId')
    @Access('file.read')
    async read(@Param('fileId') fileId: string) {
      // Deliberately no tenant filter: row-level security is what keeps other tenants' files out.
      const { rows } = await withTransaction(pool, (c) => c.query('SELECT id, label, tenant_id FROM demo.files WHERE id::text = $1', [fileId]));
      if (!rows[0]) throw new HttpException({ statusCode: 404, code: 'NOT_FOUND', message: 'not found' }, 404);
      return rows[0];
    }

    @Post()
    @HttpCode(201)
    @Access('file.write')
    async open(@Body(new StrictBodyPipe(openFileBody)) body: z.infer<typeof openFileBody>) {
      const id = randomUUID();
      await withTransaction(pool, (c) => c.query('INSERT INTO demo.files (tenant_id, id, label) VALUES ($1, $2, $3)', [currentContext()?.tenantId, id, body.label]));
      return { id };
    }
  }
  return FilesController;
}

@Controller()
class ContextController {
  @Get('tenants/:tenantId/whoami')
  @Access('loan.read')
  whoami(@CurrentPrincipal() principal: Principal) {
    return { context: currentContext(), principal };
  }

  @Get('dashboard')
  @Access('dashboard.read-aggregates')
  dashboard() {
    return { tenantId: currentContext()?.tenantId ?? null };
  }

  @Get('health')
  @Public()
  health() {
    return { ok: true, correlationId: currentContext()?.correlationId };
  }

  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }
}

describe('tenant isolation from token to row', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: INestApplication;
  let key: TestKey;
  const recorder = memoryRecorder();
  let tarbesFile: string;
  let lavalFile: string;

  beforeAll(async () => {
    db = await createTestDatabase('tenant_isolation', [tenancyMigrations, authMigrations]);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(READ_MODEL_SQL);
    await owner.end();
    pool = createPool(db.appUrl, { max: 4 });
    tarbesFile = randomUUID();
    lavalFile = randomUUID();
    await withTransaction(pool, (c) => c.query(`INSERT INTO demo.files (tenant_id, id, label) VALUES ($1, $2, 'Tarbes file')`, [TARBES, tarbesFile]), { tenantId: TARBES });
    await withTransaction(pool, (c) => c.query(`INSERT INTO demo.files (tenant_id, id, label) VALUES ($1, $2, 'Laval file')`, [LAVAL, lavalFile]), { tenantId: LAVAL });
    key = await testKey();
    app = await startApp({ controllers: [filesController(pool), ContextController], verifier: verifierOptions([key]), recorder });
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token ? req.set('authorization', `Bearer ${token}`) : req;
  };

  describe('authentication over HTTP', () => {
    it('answers 401 UNAUTHENTICATED without a token, saying what is missing', async () => {
      const response = await get(`/tenants/${TARBES}/files/${tarbesFile}`);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'a bearer token is required (Authorization: Bearer <token>)', field: 'authorization' });
    });

    it('answers 401 for alg none, HS256 keyed by the public key, wrong issuer, wrong audience, expired and unknown kid', async () => {
      const stranger = await testKey();
      const now = Math.floor(Date.now() / 1000);
      const tokens = {
        none: forgeToken('none', claimsFor(), { kid: key.kid }),
        hs256: forgeToken('HS256', claimsFor(), { kid: key.kid, secret: key.publicPem }),
        issuer: await signToken(key, { iss: 'https://evil.example' }),
        audience: await signToken(key, { aud: 'someone-else' }),
        expired: await signToken(key, { exp: now - 3600, nbf: now - 7200 }),
        unknownKid: await signToken(stranger),
      };
      const codes: Record<string, unknown> = {};
      for (const [name, token] of Object.entries(tokens)) {
        const response = await get(`/tenants/${TARBES}/files/${tarbesFile}`, token);
        expect(response.status).toBe(401);
        expect(response.body.message).toEqual(expect.any(String));
        codes[name] = response.body.code;
      }
      expect(codes).toEqual({ none: 'TOKEN_INVALID', hs256: 'TOKEN_INVALID', issuer: 'TOKEN_INVALID', audience: 'TOKEN_INVALID', expired: 'TOKEN_EXPIRED', unknownKid: 'TOKEN_INVALID' });
    });

    it('refuses a route that declares no access class, and serves @Public routes without a token', async () => {
      const forgotten = await get('/forgotten', await signToken(key, { role: 'platformAdmin', tenants: [] }));
      expect(forgotten.status).toBe(403);
      expect(forgotten.body.code).toBe('ACCESS_NOT_DECLARED');
      expect((await get('/health')).body).toEqual({ ok: true, correlationId: expect.any(String) });
    });
  });

  describe('request context', () => {
    it('runs the handler with the route tenant, the caller correlation id and the actor', async () => {
      const token = await signToken(key, { role: 'socialWorker', sub: 'sw-1', org: 'ccas-tarbes-org', tenants: [TARBES] });
      const response = await get(`/tenants/${TARBES}/whoami`, token).set('x-correlation-id', 'corr-123');
      expect(response.status).toBe(200);
      expect(response.headers['x-correlation-id']).toBe('corr-123');
      expect(response.body.context).toEqual({
        tenantId: TARBES,
        correlationId: 'corr-123',
        actor: { userId: 'sw-1', role: 'socialWorker', organisationId: 'ccas-tarbes-org' },
        principal: { userId: 'sw-1', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', role: 'socialWorker', tenantIds: [TARBES] },
      });
    });

    it('generates a correlation id when none or a malformed one is given', async () => {
      const token = await signToken(key, { tenants: [TARBES] });
      const response = await get(`/tenants/${TARBES}/whoami`, token).set('x-correlation-id', 'bad id; drop table');
      expect(response.body.context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['x-correlation-id']).toBe(response.body.context.correlationId);
    });

    it('takes the tenant from X-Tenant-Id on routes without a tenant in the path, within scope only', async () => {
      const token = await signToken(key, { role: 'federationAnalyst', tenants: [TARBES, LAVAL] });
      expect((await get('/dashboard', token).set('x-tenant-id', LAVAL)).body).toEqual({ tenantId: LAVAL });
      expect((await get('/dashboard', token)).body).toEqual({ tenantId: null });
      const outside = await get('/dashboard', token).set('x-tenant-id', PAU);
      expect([outside.status, outside.body.code]).toEqual([404, 'NOT_FOUND']);
    });

    it('refuses a header naming another tenant than the route, and a tenant route without a tenant', async () => {
      const token = await signToken(key, { tenants: [TARBES, LAVAL] });
      const mismatch = await get(`/tenants/${TARBES}/whoami`, token).set('x-tenant-id', LAVAL);
      expect([mismatch.status, mismatch.body.code, mismatch.body.field]).toEqual([400, 'TENANT_MISMATCH', 'x-tenant-id']);
    });
  });

  describe('tenant scope', () => {
    it("answers 404 for tenant B's route with tenant A's token, exactly as for a missing resource", async () => {
      const token = await signToken(key, { role: 'socialWorker', tenants: [TARBES] });
      const outOfScope = await get(`/tenants/${LAVAL}/files/${lavalFile}`, token);
      const missing = await get(`/tenants/${TARBES}/files/${randomUUID()}`, token);
      expect(outOfScope.status).toBe(404);
      expect(outOfScope.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'not found' });
      expect(missing.body).toEqual(outOfScope.body);
    });

    it("answers 404 for tenant B's resource id asked through tenant A's route (row-level security, no filter in the query)", async () => {
      const token = await signToken(key, { role: 'socialWorker', tenants: [TARBES] });
      expect((await get(`/tenants/${TARBES}/files/${tarbesFile}`, token)).body).toEqual({ id: tarbesFile, label: 'Tarbes file', tenant_id: TARBES });
      const cross = await get(`/tenants/${TARBES}/files/${lavalFile}`, token);
      expect([cross.status, cross.body.code]).toEqual([404, 'NOT_FOUND']);
    });

    it('lets a bank advisor and a guarantor reach only the tenants their token lists', async () => {
      const bank = await signToken(key, { role: 'bankAdvisor', tenants: [TARBES, LAVAL] });
      const guarantor = await signToken(key, { role: 'guarantorOfficer', tenants: [LAVAL] });
      expect((await get(`/tenants/${TARBES}/whoami`, bank)).status).toBe(200);
      expect((await get(`/tenants/${LAVAL}/whoami`, bank)).status).toBe(200);
      expect((await get(`/tenants/${PAU}/whoami`, bank)).status).toBe(404);
      expect((await get('/dashboard', guarantor).set('x-tenant-id', LAVAL)).status).toBe(200);
      expect((await get('/dashboard', guarantor).set('x-tenant-id', TARBES)).status).toBe(404);
    });

    it('answers 403 before looking at the tenant when the role may not use the route class', async () => {
      const bank = await signToken(key, { role: 'bankAdvisor', tenants: [TARBES] });
      const response = await get(`/tenants/${LAVAL}/files/${lavalFile}`, bank);
      expect([response.status, response.body.code]).toEqual([403, 'FORBIDDEN_ROLE']);
    });

    it('refuses body fields the command does not accept, such as tenantId or status, naming them', async () => {
      const token = await signToken(key, { role: 'socialWorker', tenants: [TARBES] });
      const post = (body: object) => request(app.getHttpServer()).post(`/tenants/${TARBES}/files`).set('authorization', `Bearer ${token}`).send(body);
      for (const extra of [{ tenantId: LAVAL }, { status: 'approved' }]) {
        const response = await post({ label: 'new file', ...extra });
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', field: Object.keys(extra)[0] });
      }
      const created = await post({ label: 'new file' });
      expect(created.status).toBe(201);
      const { rows } = await withTransaction(pool, (c) => c.query('SELECT tenant_id, label FROM demo.files WHERE id = $1', [created.body.id]), { tenantId: TARBES });
      expect(rows).toEqual([{ tenant_id: TARBES, label: 'new file' }]);
    });
  });

  describe('auditors', () => {
    it('records each auditor request with its outcome before answering, and refuses when recording fails', async () => {
      const auditor = await signToken(key, { role: 'auditor', sub: 'aud-1', tenants: [TARBES] });
      const before = recorder.accesses.length;
      expect((await get(`/tenants/${TARBES}/files/${tarbesFile}?q=secret`, auditor)).status).toBe(200);
      expect((await get(`/tenants/${LAVAL}/files/${lavalFile}`, auditor)).status).toBe(404);
      expect(recorder.accesses.slice(before)).toEqual([
        expect.objectContaining({ userId: 'aud-1', role: 'auditor', tenantId: TARBES, routeClass: 'file.read', method: 'GET', path: `/tenants/${TARBES}/files/${tarbesFile}`, outcome: 'allowed' }),
        expect.objectContaining({ userId: 'aud-1', tenantId: LAVAL, outcome: 'denied-tenant' }),
      ]);
      const socialWorker = await signToken(key, { tenants: [TARBES] });
      await get(`/tenants/${TARBES}/files/${tarbesFile}`, socialWorker);
      expect(recorder.accesses).toHaveLength(before + 2);

      const failing = await startApp({ controllers: [filesController(pool)], verifier: verifierOptions([key]), recorder: { record: () => Promise.reject(new Error('db down')) } });
      try {
        const response = await request(failing.getHttpServer()).get(`/tenants/${TARBES}/files/${tarbesFile}`).set('authorization', `Bearer ${auditor}`);
        expect([response.status, response.body.code]).toEqual([503, 'AUDIT_UNAVAILABLE']);
      } finally {
        await failing.close();
      }
    });
  });

  describe('row-level security as the service role', () => {
    it('returns only the current tenant rows from a query without tenant filter', async () => {
      const rows = await runInContext({ tenantId: TARBES, correlationId: 'c' }, () => withTransaction(pool, (c) => c.query('SELECT DISTINCT tenant_id FROM demo.files')));
      expect(rows.rows).toEqual([{ tenant_id: TARBES }]);
    });

    it('returns no rows when no tenant is set, outside or inside a transaction, and after one ended', async () => {
      const client = await pool.connect();
      try {
        expect((await client.query('SELECT count(*)::int AS n FROM demo.files')).rows[0].n).toBe(0);
        await client.query('BEGIN');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [TARBES]);
        expect((await client.query('SELECT count(*)::int AS n FROM demo.files')).rows[0].n).toBeGreaterThan(0);
        await client.query('COMMIT');
        expect((await client.query(`SELECT current_setting('app.tenant_id', true) AS t`)).rows[0].t).toBe('');
        expect((await client.query('SELECT count(*)::int AS n FROM demo.files')).rows[0].n).toBe(0);
      } finally {
        client.release();
      }
      expect((await withTransaction(pool, (c) => c.query('SELECT count(*)::int AS n FROM demo.files'))).rows[0].n).toBe(0);
    });

    it('fails an insert for another tenant, and an update moving a row to another tenant', async () => {
      await expect(
        withTransaction(pool, (c) => c.query(`INSERT INTO demo.files (tenant_id, id, label) VALUES ($1, $2, 'sneaky')`, [LAVAL, randomUUID()]), { tenantId: TARBES }),
      ).rejects.toThrow(/row-level security/);
      await expect(withTransaction(pool, (c) => c.query(`UPDATE demo.files SET tenant_id = $1 WHERE id = $2`, [LAVAL, tarbesFile]), { tenantId: TARBES })).rejects.toThrow(
        /row-level security/,
      );
      await expect(withTransaction(pool, (c) => c.query(`INSERT INTO demo.files (tenant_id, id, label) VALUES ($1, $2, 'no tenant')`, [TARBES, randomUUID()]))).rejects.toThrow(
        /row-level security/,
      );
      const updated = await withTransaction(pool, (c) => c.query(`UPDATE demo.files SET label = 'x' WHERE id = $1`, [lavalFile]), { tenantId: TARBES });
      expect(updated.rowCount).toBe(0);
    });

    it('connects as a role that is not superuser, has no BYPASSRLS and owns nothing', async () => {
      expect(await inspectConnectionRole(pool)).toEqual({ role: 'tremplin_app', superuser: false, bypassRls: false, ownedRelations: [] });
    });

    it('passes the catalogue check: every table with tenant_id has RLS enabled and forced', async () => {
      const report = await assertTenantRls(pool);
      expect(report.checked).toEqual(expect.arrayContaining(['audit.access_log', 'demo.files', 'demo.items']));
      expect(report.problems).toEqual([]);
    });

    it('catalogue check names a table without RLS, one not forced and a view without security_invoker', async () => {
      const owner = new Client({ connectionString: db.ownerUrl });
      await owner.connect();
      try {
        await owner.query('CREATE SCHEMA careless');
        await owner.query('CREATE TABLE careless.open_table (tenant_id text, x int)');
        await owner.query('CREATE TABLE careless.unforced (tenant_id text, x int)');
        await owner.query('ALTER TABLE careless.unforced ENABLE ROW LEVEL SECURITY');
        await owner.query(`CREATE POLICY p ON careless.unforced USING (tenant_id = current_setting('app.tenant_id', true))`);
        await owner.query('CREATE VIEW careless.files_view AS SELECT tenant_id, label FROM demo.files');
        await owner.query('CREATE VIEW careless.safe_view WITH (security_invoker = true) AS SELECT tenant_id, label FROM demo.files');
        const report = await checkTenantRls(pool);
        expect(report.problems).toEqual([
          { relation: 'careless.files_view', problem: 'is a view without security_invoker' },
          { relation: 'careless.open_table', problem: 'has row-level security disabled' },
          { relation: 'careless.open_table', problem: 'does not force row-level security' },
          { relation: 'careless.open_table', problem: 'has no policy' },
          { relation: 'careless.unforced', problem: 'does not force row-level security' },
        ]);
        await expect(assertTenantRls(pool, { exempt: ['careless.open_table'] })).rejects.toMatchObject({ code: 'TENANT_RLS_MISSING' });
      } finally {
        await owner.query('DROP SCHEMA careless CASCADE');
        await owner.end();
      }
    });

    it('leaks nothing across tenants through a pool of one connection over 10,000 interleaved operations', async () => {
      const single = createPool(db.appUrl, { max: 1 });
      const started = Date.now();
      let crossTenantRows = 0;
      let leakedSettings = 0;
      try {
        const operation = (i: number) => {
          const tenantId = i % 2 === 0 ? TARBES : LAVAL;
          return runInContext({ tenantId, correlationId: `op-${i}` }, async () => {
            if (i % 3 === 0) {
              await withTransaction(single, (c) => c.query('INSERT INTO demo.items (tenant_id, n) VALUES ($1, $2)', [tenantId, i]));
              return;
            }
            const { rows } = await withTransaction(single, (c) =>
              c.query<{ foreign: number; setting: string }>(
                `SELECT (SELECT count(*)::int FROM demo.items WHERE tenant_id <> $1) AS foreign, current_setting('app.tenant_id', true) AS setting`,
                [tenantId],
              ),
            );
            crossTenantRows += rows[0].foreign;
            if (rows[0].setting !== tenantId) leakedSettings += 1;
          });
        };
        // Batches of concurrent operations from both tenants queue on the single connection and interleave.
        for (let batch = 0; batch < 100; batch += 1) {
          await Promise.all(Array.from({ length: 100 }, (_, j) => operation(batch * 100 + j)));
          const bare = await single.query<{ n: number; setting: string }>(`SELECT count(*)::int AS n, current_setting('app.tenant_id', true) AS setting FROM demo.items`);
          crossTenantRows += bare.rows[0].n;
          if (bare.rows[0].setting !== '') leakedSettings += 1;
        }
      } finally {
        await single.end();
      }
      process.stdout.write(`pool leak test: 10,000 operations on one connection in ${Date.now() - started} ms\n`);
      expect({ crossTenantRows, leakedSettings }).toEqual({ crossTenantRows: 0, leakedSettings: 0 });
      const counts = await Promise.all(
        [TARBES, LAVAL].map((tenantId) => withTransaction(pool, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM demo.items'), { tenantId })),
      );
      expect(counts.map((r) => r.rows[0].n)).toEqual([1667, 1667]);
    });
  });
});
