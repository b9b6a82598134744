import { Inject, Param } from '@nestjs/common';
import { CurrentPrincipal } from '@tremplin/auth';
import type { Principal } from '@tremplin/tenancy';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { products } from '@tremplin/contracts';
import { ApiController, ApiError, CLOCK, Command, CommandRoute, inTenant, QueryRoute, READ_MODEL, ValidQuery, type Clock, type CommandInput } from '@tremplin/service-kit';
import { GUARANTEE_ROW_SQL, type GuaranteeRow } from './guarantee-book.projection';
import { exposureAt, lossRates } from './guarantee-book.report';
import { GUARANTEE_HANDLER, type GuaranteeHandler } from './guarantee.handler';

const opaqueId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/, 'an opaque id');
const loanParams = z.strictObject({ loanId: opaqueId });
const requestBody = z.strictObject({ loanId: opaqueId, bankPartnerId: opaqueId, product: z.enum(products), principalCents: z.int().min(1).max(1_000_000_000) });
const emptyBody = z.strictObject({});
const claimPaymentBody = z.strictObject({ paidOn: z.iso.date() });
const STATUSES = ['requested', 'refused', 'withdrawn', 'granted', 'active', 'released', 'called', 'claimPaid', 'writtenOff'] as const;
const listQuery = z.strictObject({ status: z.enum(STATUSES).optional(), guarantorId: opaqueId.optional() });
const exposureQuery = z.strictObject({ asOf: z.iso.date().optional() });
const claimsQuery = z.strictObject({ status: z.enum(['open', 'paid']).optional() });

const publicRow = ({ tenantId: _tenant, exposureHistory: _history, ...row }: GuaranteeRow) => row;

/** Guarantees of the CCAS's loans: requested on signature, granted or refused, exposure, claims and recoveries. */
@ApiController('tenants/:tenantId/guarantees', 'guarantees')
export class GuaranteeController {
  constructor(
    @Inject(GUARANTEE_HANDLER) private readonly handler: GuaranteeHandler,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // A bank's advisors see the guarantees of their bank's loans only; the CCAS, the guarantor and auditors see all.
  private rows(tenantId: string, principal: Principal | undefined, where = 'TRUE', params: unknown[] = []): Promise<GuaranteeRow[]> {
    const bank = principal?.organisationKind === 'bank' ? principal.organisationId : null;
    const scoped = `(${where}) AND ($${params.length + 1}::text IS NULL OR bank_partner_id = $${params.length + 1})`;
    return inTenant(this.readModel, tenantId, async (manager) =>
      ((await manager.query(`SELECT ${GUARANTEE_ROW_SQL} AS row FROM guarantee_fund.guarantee WHERE ${scoped} ORDER BY requested_at, loan_id`, [...params, bank])) as Array<{ row: GuaranteeRow }>).map(
        ({ row }) => row,
      ),
    );
  }

  @QueryRoute({ access: 'guarantee.read', summary: 'The CCAS’s guarantees (read model): status, guarantor, exposure, claim', query: listQuery })
  async list(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof listQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    const rows = await this.rows(tenantId, principal, '($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR guarantor_id = $2)', [query.status ?? null, query.guarantorId ?? null]);
    return { guarantees: rows.map(publicRow) };
  }

  @QueryRoute({ path: 'exposure', access: 'guarantee.read', summary: 'Exposure at a date (default today) per guarantor, per product, and both', query: exposureQuery })
  async exposure(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof exposureQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    return exposureAt(await this.rows(tenantId, principal, 'exposure_history <> $1::jsonb', ['[]']), query.asOf ?? this.clock().toISOString().slice(0, 10));
  }

  @QueryRoute({ path: 'claims', access: 'guarantee.read', summary: 'Claims: open (called, not yet paid) and paid, with recoveries', query: claimsQuery })
  async claims(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof claimsQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    const rows = await this.rows(tenantId, principal, 'claim_cents IS NOT NULL');
    const open = (row: GuaranteeRow) => row.claimPaidOn === null;
    const picked = rows.filter((row) => (query.status === 'open' ? open(row) : query.status === 'paid' ? !open(row) : true));
    return {
      claims: picked.map((row) => ({
        loanId: row.loanId,
        guarantorId: row.guarantorId,
        product: row.product,
        status: open(row) ? 'open' : 'paid',
        claimCents: row.claimCents,
        calledAt: row.calledAt,
        paidOn: row.claimPaidOn,
        paidBy: row.claimPaidBy,
        recoveredCents: row.recoveredCents,
        lossCents: row.lossCents,
      })),
    };
  }

  @QueryRoute({ path: 'loss-rate', access: 'guarantee.read', summary: 'Loss rate per guarantor and product: claims paid less recoveries, over what was guaranteed on disbursed loans' })
  async lossRate(@Param('tenantId') tenantId: string, @CurrentPrincipal() principal: Principal | undefined) {
    return { lossRates: lossRates(await this.rows(tenantId, principal)) };
  }

  @QueryRoute({ path: ':loanId', access: 'guarantee.read', summary: 'One loan’s guarantee (read model)', params: loanParams })
  async one(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @CurrentPrincipal() principal: Principal | undefined) {
    const [row] = await this.rows(tenantId, principal, 'loan_id = $1', [loanId]);
    if (!row) throw new ApiError(404, 'GUARANTEE_NOT_FOUND', `no guarantee for loan ${loanId}`, 'loanId');
    return { ...publicRow(row), exposureHistory: row.exposureHistory };
  }

  @CommandRoute({ path: '', body: requestBody, access: 'guarantee.operate', status: 201, summary: 'Request the guarantee of a signed loan (lending does it on signature through Kafka): granted or refused at once' })
  request(@Command() input: CommandInput<z.infer<typeof requestBody>>) {
    return this.handler.handle(input.tenantId, input.body.loanId, { type: 'RequestGuarantee', ...input.body }, { commandId: input.commandId, actor: input.actor, ...(input.idempotency ? { idempotency: input.idempotency } : {}) });
  }

  @CommandRoute({ path: ':loanId/reconsiderations', body: emptyBody, params: loanParams, access: 'guarantee.operate', summary: 'Decide a refused guarantee again (e.g. after the board raised the envelope); 409 with the reason while it holds' })
  reconsider(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.handler.handle(input.tenantId, input.params.loanId!, { type: 'ReconsiderGuarantee' }, { commandId: input.commandId, actor: input.actor, ...(input.idempotency ? { idempotency: input.idempotency } : {}) });
  }

  @CommandRoute({ path: ':loanId/claim-payments', body: claimPaymentBody, params: loanParams, access: 'guarantee.operate', summary: 'Record that the guarantor paid the claim of a defaulted loan (by whom: the caller; when: paidOn)' })
  payClaim(@Command() input: CommandInput<z.infer<typeof claimPaymentBody>>) {
    return this.handler.handle(input.tenantId, input.params.loanId!, { type: 'PayClaim', paidOn: input.body.paidOn }, { commandId: input.commandId, actor: input.actor, ...(input.idempotency ? { idempotency: input.idempotency } : {}) });
  }
}
