import { Inject, Param } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal } from '@tremplin/auth';
import { ApiController, ApiError, CLOCK, QueryRoute, type Clock } from '@tremplin/service-kit';
import type { Principal } from '@tremplin/tenancy';
import { bankScopeOf } from '../loan/loan.handler';
import { GUARANTEE_GATE, type GuaranteeGate } from './guarantee-gate.handler';

const loanParams = z.strictObject({ loanId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'an opaque id') });

/** What the bank advisor sees before disbursing: the guarantee awaited (since when, overdue), granted or refused. */
@ApiController('tenants/:tenantId/loans', 'loans')
export class GuaranteeGateController {
  constructor(
    @Inject(GUARANTEE_GATE) private readonly gate: GuaranteeGate,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @QueryRoute({ path: ':loanId/guarantee', access: 'loan.read', summary: 'The loan’s guarantee as the fund answered: awaitingGuarantee (since, overdue), granted or refused, and whether it may be disbursed', params: loanParams })
  async guarantee(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @CurrentPrincipal() principal: Principal) {
    const view = await this.gate.view(tenantId, loanId, this.clock(), bankScopeOf(principal));
    if (!view) throw new ApiError(404, 'LOAN_NOT_FOUND', `no loan ${loanId}`, 'loanId');
    return view;
  }
}
