import { Controller, HttpCode, Inject, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, AuthGuard, RequestContextInterceptor } from '@tremplin/auth';
import { PG_POOL } from '@tremplin/service-kit';
import type { Pool } from '@tremplin/pg';
import { rebuildLoanSummaries } from './loan-summary.projection';

/** Operating the read model: rebuild from the events (no personal data is involved). */
@ApiTags('operations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@UseInterceptors(RequestContextInterceptor)
@Controller('platform/projections/loan-summary')
export class LoanSummaryController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Post('rebuild')
  @HttpCode(200)
  @Access('platform.admin')
  @ApiOperation({ summary: 'Rebuild lending.loan_summary from zero; answers with the counts (the CLI shows progress as it goes)' })
  async rebuild() {
    const result = await rebuildLoanSummaries(this.pool);
    return { events: result.events, loans: result.loans, tenants: result.tenants, millis: result.millis };
  }
}
