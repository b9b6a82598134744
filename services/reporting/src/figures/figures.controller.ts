import { performance } from 'node:perf_hooks';
import { Inject, Post, HttpCode, Res, Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { Access, CurrentPrincipal, type Principal } from '@tremplin/auth';
import { id, products } from '@tremplin/contracts';
import type { Pool } from '@tremplin/pg';
import { ApiController, ApiError, CLOCK, PG_POOL, QueryRoute, SERVICE_CONFIG, ValidQuery, type Clock } from '@tremplin/service-kit';
import { federationLookup, type ReportingConfig } from '../config';
import { readModelChecksums, rebuildFromLog } from '../log/rebuild';
import { reportOf, reportOfTenants } from './figures.aggregate';
import { AnswerCache, answerKey, readModelVersion } from './figures.cache';
import { CSV_TABLES, reportCsv } from './figures.csv';
import { loadFacts } from './figures.load';
import { FigureTallies } from './figures.tallies';
import { PERIOD_PATTERN, periodOf } from './period';
import { showReport, type ShownReport } from './suppression';

const figuresQuery = z.strictObject({
  period: z.string().regex(PERIOD_PATTERN, 'a year (2026), a quarter (2026-Q2) or a month (2026-03)'),
  groupBy: z.enum(['none', 'tenant', 'federation', 'product']).default('tenant'),
  product: z.enum(products).optional(),
  tenantId: id().optional(),
  federation: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).optional(),
  format: z.enum(['json', 'csv']).default('json'),
  table: z.enum(CSV_TABLES).default('groups'),
});
type FiguresQuery = z.infer<typeof figuresQuery>;

/** The figures of the viewer's scope: a CCAS sees its own unsuppressed; federations and the Caisse des Dépôts see small numbers hidden. */
@ApiController('reporting', 'reporting')
export class FiguresController {
  private readonly federationOf: (tenantId: string) => string;
  // A Caisse des Dépôts answer over 300 CCAS holds about 24,000 figures (a few MB as objects): a few dozen answers at most.
  private readonly answers = new AnswerCache<ShownReport>(48);

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ReportingConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly kept: FigureTallies,
  ) {
    this.federationOf = federationLookup(config.REPORTING_FEDERATIONS);
  }

  @QueryRoute({ path: 'scope', access: 'dashboard.read-aggregates', summary: 'The tenants and federations the viewer may see, whether small numbers are hidden, and the service’s today (the periods the page offers end there)' })
  scope(@CurrentPrincipal() principal: Principal) {
    const tenants = [...principal.tenantIds].sort();
    const federations = [...new Set(tenants.map(this.federationOf))].sort();
    return { tenants, federations, suppression: this.suppresses(principal) ? 'smallNumbers' : 'none', threshold: this.config.REPORTING_SMALL_NUMBER_THRESHOLD, today: this.today() };
  }

  @QueryRoute({ path: 'figures', access: 'dashboard.read-aggregates', summary: 'Figures of a period per CCAS, federation or product (JSON, or one table as CSV with format=csv&table=…)', query: figuresQuery })
  async figures(@CurrentPrincipal() principal: Principal, @ValidQuery() query: FiguresQuery, @Res({ passthrough: true }) response: Response) {
    const tenants = this.tenantsOf(principal, query);
    const period = periodOf(query.period);
    const started = performance.now();
    // Today decides which CCAS deadlines have passed (an escalation still waiting past it counts as late).
    const today = this.today();
    const suppress = this.suppresses(principal);
    // An answer computed for the same scope and filters holds while the read models have not moved.
    const cached = this.config.REPORTING_FIGURES_CACHE;
    const key = answerKey({ tenants, suppress, period: query.period, groupBy: query.groupBy, product: query.product, today });
    const version = cached ? await readModelVersion(this.pool) : '';
    let report = cached ? this.answers.get(key, version) : undefined;
    if (report) {
      response.setHeader('Server-Timing', `cache;desc="hit";dur=${(performance.now() - started).toFixed(1)}`);
    } else if (!cached) {
      const facts = await loadFacts(this.pool, tenants, period, query.product);
      const loaded = performance.now();
      report = showReport(reportOf(facts, period, query.groupBy, this.federationOf, today), suppress, this.config.REPORTING_SMALL_NUMBER_THRESHOLD);
      // Where an answer's time went (database read, figures computed in Node): the benchmark and a browser's tools read it.
      response.setHeader('Server-Timing', `load;dur=${(loaded - started).toFixed(1)}, figures;dur=${(performance.now() - loaded).toFixed(1)}`);
    } else {
      // The facts moved somewhere: only the CCAS whose facts moved are read again, the others' tallies are kept.
      const { tallies, read } = await this.kept.tallies(tenants, { period: query.period, product: query.product, today });
      const loaded = performance.now();
      report = showReport(reportOfTenants(tallies, period, query.groupBy, this.federationOf), suppress, this.config.REPORTING_SMALL_NUMBER_THRESHOLD);
      this.answers.set(key, version, report);
      response.setHeader('Server-Timing', `load;desc="${read} of ${tenants.length} CCAS read";dur=${(loaded - started).toFixed(1)}, figures;dur=${(performance.now() - loaded).toFixed(1)}`);
    }
    if (query.format === 'csv') {
      response.setHeader('Content-Type', 'text/csv; charset=utf-8');
      response.setHeader('Content-Disposition', `attachment; filename="tremplin-${query.table}-${query.period}.csv"`);
      return reportCsv(report, query.table);
    }
    return { ...report, tenants: tenants.length };
  }

  @Get('checksums')
  @Access('platform.admin')
  @ApiOperation({ summary: 'A checksum of every read-model table (compare before and after a rebuild)' })
  checksums() {
    return readModelChecksums(this.pool);
  }

  @Post('rebuild')
  @HttpCode(200)
  @Access('platform.admin')
  @ApiOperation({ summary: 'Rebuild every read-model table from the consumed log alone; answers the counts and checksums before and after (the CLI shows progress)' })
  async rebuild() {
    const before = await readModelChecksums(this.pool);
    const result = await rebuildFromLog(this.pool);
    const unchanged = Object.keys(before).every((table) => before[table] === result.checksums[table]);
    return { ...result, before, unchanged };
  }

  // A CCAS's own staff see its figures as they are; every shared view hides small numbers.
  /** The service's day (its clock, movable on a demo platform), never the machine's: deadlines and periods follow it. */
  private today(): string {
    return this.clock().toISOString().slice(0, 10);
  }

  private suppresses(principal: Principal): boolean {
    return principal.organisationKind !== 'ccas';
  }

  private tenantsOf(principal: Principal, query: FiguresQuery): string[] {
    let tenants = [...principal.tenantIds];
    // A tenant or federation outside the scope looks like one that does not exist.
    if (query.tenantId !== undefined) {
      if (!tenants.includes(query.tenantId)) throw new ApiError(404, 'NOT_FOUND', 'not found', 'tenantId');
      tenants = [query.tenantId];
    }
    if (query.federation !== undefined) {
      tenants = tenants.filter((tenant) => this.federationOf(tenant) === query.federation);
      if (tenants.length === 0) throw new ApiError(404, 'NOT_FOUND', 'not found', 'federation');
    }
    return tenants.sort();
  }
}
