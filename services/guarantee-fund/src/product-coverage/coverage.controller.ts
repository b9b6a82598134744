import { Inject, Param } from '@nestjs/common';
import { z } from 'zod';
import { products } from '@tremplin/contracts';
import { ApiController, Command, CommandRoute, QueryRoute, type CommandInput } from '@tremplin/service-kit';
import type { ProductCode } from './coverage.commands';
import { COVERAGE_HANDLER, type CoverageHandler } from './coverage.handler';

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a lower-case id');
const decision = { effectiveFrom: z.iso.date(), decisionReference: z.string().regex(/^[A-Z0-9][A-Z0-9_./-]{0,63}$/, 'the decision’s reference code') };
const configureBody = z.strictObject({ guarantorId: id, guarantorKind: z.enum(['fcs', 'ccas']), managerId: id, shareBps: z.int().min(1).max(10_000), ...decision });
const withdrawBody = z.strictObject(decision);
const productParams = z.strictObject({ product: z.enum(products) });

/** Which guarantor covers which product of the CCAS, for what share: versioned, each version a recorded decision. */
@ApiController('tenants/:tenantId/coverage', 'coverage')
export class CoverageController {
  constructor(@Inject(COVERAGE_HANDLER) private readonly handler: CoverageHandler) {}

  @QueryRoute({ path: ':product', access: 'guarantee.read', summary: 'The coverage versions of a product, oldest first', params: productParams })
  async versions(@Param('tenantId') tenantId: string, @Param('product') product: ProductCode) {
    const { state } = await this.handler.read(tenantId, product);
    return { product, versions: state.status === 'configured' ? state.versions : [] };
  }

  @CommandRoute({ path: ':product/versions', body: configureBody, params: productParams, access: 'guarantee.operate', status: 201, summary: 'A new version: the guarantor, its manager and its share from a date' })
  configure(@Command() input: CommandInput<z.infer<typeof configureBody>>) {
    return this.handler.configure(input.params.product as ProductCode, input);
  }

  @CommandRoute({ path: ':product/withdrawals', body: withdrawBody, params: productParams, access: 'guarantee.operate', status: 201, summary: 'From a date no guarantor covers the product' })
  withdraw(@Command() input: CommandInput<z.infer<typeof withdrawBody>>) {
    return this.handler.withdraw(input.params.product as ProductCode, input);
  }
}
