import { Inject, Param } from '@nestjs/common';
import { CurrentPrincipal } from '@tremplin/auth';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import type { Principal } from '@tremplin/tenancy';
import { z } from 'zod';
import { ApiController, CLOCK, PG_POOL, QueryRoute, ValidQuery, type Clock } from '@tremplin/service-kit';
import { opaqueId } from '../plan/plan.requests';
import { refundsAwaitingApproval } from '../refund/refund.queries';
import { PLAN_ROW_SQL, type PlanRow } from './plan-row.projection';
import { worklistOf } from './worklist';

const worklistQuery = z.strictObject({ referentId: opaqueId().optional() });
const plansQuery = z.strictObject({ referentId: opaqueId().optional(), escalated: z.enum(['true', 'false']).optional() });

async function planRows(client: PoolClient, where: string, params: unknown[]): Promise<PlanRow[]> {
  const { rows } = await client.query<{ row: PlanRow }>(`SELECT ${PLAN_ROW_SQL} AS row FROM accompaniment.plan_row WHERE ${where} ORDER BY loan_id`, params);
  return rows.map(({ row }) => row);
}

/** The referent's worklist and the CCAS's plans, from the read models (rebuildable from the plan and refund streams). */
@ApiController('tenants/:tenantId', 'accompaniment worklist')
export class WorklistController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @QueryRoute({
    path: 'worklist',
    access: 'accompaniment.read',
    summary:
      'A referent’s worklist in one call (default: the caller): open escalations oldest first with age, next step and lateness against the CCAS deadline; overdue check-ins; interest refunds of their loans, or they proposed, awaiting the commission',
    query: worklistQuery,
  })
  async worklist(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof worklistQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    const referentId = query.referentId ?? principal?.userId ?? '';
    const today = this.clock().toISOString().slice(0, 10);
    // One transaction, one snapshot: the sections agree with each other.
    return withTransaction(
      this.pool,
      async (client) => {
        const rows = await planRows(client, 'referent_id = $1', [referentId]);
        const theirLoans = new Set(rows.map((row) => row.loanId));
        const refunds = (await refundsAwaitingApproval(client)).filter((refund) => theirLoans.has(refund.loanId) || refund.proposedBy === referentId);
        return { referentId, ...worklistOf(rows, today), refundsAwaitingApproval: refunds };
      },
      { tenantId, isolation: 'repeatable read' },
    );
  }

  @QueryRoute({ path: 'plans', access: 'accompaniment.read', summary: 'The CCAS’s plans (read model): intensity, referent, open escalation, check-ins due', query: plansQuery })
  async plans(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof plansQuery>) {
    const escalated = query.escalated === undefined ? null : query.escalated === 'true';
    const rows = await withTransaction(
      this.pool,
      (client) => planRows(client, `($1::text IS NULL OR referent_id = $1) AND ($2::boolean IS NULL OR (escalation IS NOT NULL) = $2)`, [query.referentId ?? null, escalated]),
      { tenantId },
    );
    return { plans: rows.map(({ tenantId: _tenant, ...row }) => row) };
  }
}
