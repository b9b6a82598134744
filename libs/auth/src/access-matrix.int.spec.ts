import { readFileSync } from 'node:fs';
import { Controller, Get, type INestApplication, type Type } from '@nestjs/common';
import request from 'supertest';
import { createPool, type Pool } from '@tremplin/pg';
import { currentContext, tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { Access } from './access.decorator';
import { parseAccessMatrixMarkdown, ROUTE_CLASSES, routeClassDefinition, type RouteClass } from './access-matrix';
import { authMigrations, postgresAuditAccessRecorder } from './audit-access';
import { signToken, startApp, testKey, verifierOptions, type TestKey } from './auth.test-support';
import { ROLES } from './roles';
import { matrixOf, SECURITY_DOC } from './write-access-matrix.cli';

const TENANT = 'ccas-tarbes';

function pathOf(routeClass: RouteClass): string {
  return routeClassDefinition(routeClass).scope === 'platform' ? `/platform/probe/${routeClass}` : `/tenants/${TENANT}/probe/${routeClass}`;
}

// One controller per route class, each with a single route declared with that class.
function probeController(routeClass: RouteClass): Type {
  const prefix = routeClassDefinition(routeClass).scope === 'platform' ? `platform/probe/${routeClass}` : `tenants/:tenantId/probe/${routeClass}`;
  @Controller(prefix)
  class Probe {
    @Get()
    @Access(routeClass)
    probe() {
      return { routeClass, tenantId: currentContext()?.tenantId ?? null };
    }
  }
  return Probe;
}

// Expectations come from docs/security.md, not from the code's table: the document is the specification.
const documented = parseAccessMatrixMarkdown(matrixOf(readFileSync(SECURITY_DOC, 'utf8')));
const cases = ROLES.flatMap((role) => ROUTE_CLASSES.map((routeClass) => ({ role, routeClass, allowed: documented.get(routeClass)?.get(role) })));

describe('every role against every route class, through HTTP', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: INestApplication;
  let key: TestKey;
  beforeAll(async () => {
    db = await createTestDatabase('auth_matrix', [tenancyMigrations, authMigrations]);
    pool = createPool(db.appUrl, { max: 4 });
    key = await testKey();
    app = await startApp({ controllers: ROUTE_CLASSES.map(probeController), verifier: verifierOptions([key]), recorder: postgresAuditAccessRecorder(pool) });
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it('documents a decision for each of the 8 roles × every route class', () => {
    expect(cases).toHaveLength(ROLES.length * ROUTE_CLASSES.length);
    expect(cases.every((c) => typeof c.allowed === 'boolean')).toBe(true);
  });

  it.each(cases)('$role on $routeClass → allowed: $allowed', async ({ role, routeClass, allowed }) => {
    const token = await signToken(key, { role, tenants: [TENANT], sub: `u-${role}` });
    const response = await request(app.getHttpServer()).get(pathOf(routeClass)).set('authorization', `Bearer ${token}`);
    if (allowed) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ routeClass, tenantId: routeClassDefinition(routeClass).scope === 'platform' ? null : TENANT });
    } else {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ statusCode: 403, code: 'FORBIDDEN_ROLE', message: `role "${role}" may not use ${routeClass} routes` });
    }
  });

  it('recorded every one of the auditor requests above, allowed or denied, in audit.access_log', async () => {
    const { rows } = await pool.query<{ route_class: string; outcome: string; user_id: string; tenant_id: string | null }>(
      `SELECT route_class, outcome, user_id, tenant_id FROM audit.access_log ORDER BY route_class`,
    );
    expect(rows).toEqual([]); // the service role, with no tenant set, sees none of it (RLS)
    // RLS is forced even on the owner: operators read the whole log with an administrative role.
    const owner = createPool(db.adminUrl, { max: 1 });
    try {
      const logged = (await owner.query<{ route_class: string; outcome: string; user_id: string; tenant_id: string | null }>(
        'SELECT route_class, outcome, user_id, tenant_id FROM audit.access_log ORDER BY route_class',
      )).rows;
      const expected = cases
        .filter((c) => c.role === 'auditor')
        .map((c) => ({
          route_class: c.routeClass,
          outcome: c.allowed ? 'allowed' : 'denied-role',
          user_id: 'u-auditor',
          tenant_id: routeClassDefinition(c.routeClass).scope === 'platform' ? null : TENANT,
        }))
        .sort((a, b) => a.route_class.localeCompare(b.route_class));
      expect(logged).toEqual(expected);
    } finally {
      await owner.end();
    }
  });
});
