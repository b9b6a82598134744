import { Inject, Param } from '@nestjs/common';
import { CurrentPrincipal } from '@tremplin/auth';
import type { Principal } from '@tremplin/tenancy';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { ApiController, CLOCK, inTenant, QueryRoute, READ_MODEL, ValidQuery, type Clock } from '@tremplin/service-kit';
import { opaqueId } from '../plan/plan.requests';
import { PLAN_ROW_SQL, type PlanRow } from './plan-row.projection';
import { worklistOf } from './worklist';

const worklistQuery = z.strictObject({ referentId: opaqueId().optional() });
const plansQuery = z.strictObject({ referentId: opaqueId().optional(), escalated: z.enum(['true', 'false']).optional() });

/** The referent's worklist and the CCAS's plans, from the plan_row read model (rebuildable from the plan streams). */
@ApiController('tenants/:tenantId', 'accompaniment worklist')
export class WorklistController {
  constructor(
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private rows(tenantId: string, where: string, params: unknown[]): Promise<PlanRow[]> {
    return inTenant(this.readModel, tenantId, async (manager) =>
      ((await manager.query(`SELECT ${PLAN_ROW_SQL} AS row FROM accompaniment.plan_row WHERE ${where} ORDER BY loan_id`, params)) as Array<{ row: PlanRow }>).map(({ row }) => row),
    );
  }

  @QueryRoute({
    path: 'worklist',
    access: 'accompaniment.read',
    summary: 'A referent’s worklist in one call (default: the caller): open escalations oldest first with age, next step and lateness against the CCAS deadline; overdue check-ins',
    query: worklistQuery,
  })
  async worklist(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof worklistQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    const referentId = query.referentId ?? principal?.userId ?? '';
    const rows = await this.rows(tenantId, `referent_id = $1 AND (escalation IS NOT NULL OR pending_check_ins <> '[]'::jsonb)`, [referentId]);
    return { referentId, ...worklistOf(rows, this.clock().toISOString().slice(0, 10)) };
  }

  @QueryRoute({ path: 'plans', access: 'accompaniment.read', summary: 'The CCAS’s plans (read model): intensity, referent, open escalation, check-ins due', query: plansQuery })
  async plans(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof plansQuery>) {
    const escalated = query.escalated === undefined ? null : query.escalated === 'true';
    const rows = await this.rows(tenantId, `($1::text IS NULL OR referent_id = $1) AND ($2::boolean IS NULL OR (escalation IS NOT NULL) = $2)`, [query.referentId ?? null, escalated]);
    return { plans: rows.map(({ tenantId: _tenant, ...row }) => row) };
  }
}
