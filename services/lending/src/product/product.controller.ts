import { Inject, Param } from '@nestjs/common';
import { z } from 'zod';
import { notFoundError } from '@tremplin/event-sourcing';
import { ApiController, Command, CommandRoute, QueryRoute, type CommandInput } from '@tremplin/service-kit';
import { PRODUCT_HANDLER, type ProductHandler } from './product.handler';
import { PRODUCT_CODES } from './product.terms';

const cents = () => z.int().min(1).max(100_000_000);
const months = () => z.int().min(1).max(120);
export const productTermsBody = z.strictObject({
  terms: z.strictObject({
    minAmountCents: cents(),
    maxAmountCents: cents(),
    exceptionMaxAmountCents: cents().optional(),
    minTermMonths: months(),
    maxTermMonths: months(),
    exceptionMaxTermMonths: months().optional(),
    maxNominalRateBps: z.int().min(0).max(10_000),
    guarantorKind: z.enum(['fcs', 'ccas']),
    guaranteedShareBps: z.int().min(0).max(10_000),
    accompaniment: z.enum(['offered', 'mandatory']),
    holidayInterest: z.enum(['none', 'capitalised']),
  }),
  decisionReference: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:./-]{0,99}$/, 'the reference of the decision (deliberation number)'),
  effectiveFrom: z.iso.datetime().optional(),
});
const productCode = z.enum(PRODUCT_CODES);

/** Each CCAS's product catalogue: versions recorded by decision, validated against the hard limits. */
@ApiController('tenants/:tenantId/products', 'products')
export class ProductController {
  constructor(@Inject(PRODUCT_HANDLER) private readonly handler: ProductHandler) {}

  @QueryRoute({ access: 'loan.read', summary: 'The version of each product in force now, and every recorded version' })
  async catalogue(@Param('tenantId') tenantId: string) {
    return { products: await this.handler.catalogue(tenantId) };
  }

  @CommandRoute({ path: ':product/versions', body: productTermsBody, access: 'tenant.configure', summary: 'Record a decision changing a product’s terms (applies to offers made after its effective instant)', status: 201 })
  change(@Command() input: CommandInput<z.infer<typeof productTermsBody>>) {
    const product = productCode.safeParse(input.params.product);
    if (!product.success) return Promise.reject(unknownProduct(input.params.product));
    const { effectiveFrom, ...body } = input.body;
    return this.handler.change(product.data, { ...input, body: { ...body, ...(effectiveFrom ? { effectiveFrom: new Date(effectiveFrom).toISOString() } : {}) } });
  }
}

function unknownProduct(value: string | undefined) {
  return notFoundError('PRODUCT_NOT_FOUND', `no product ${value}; products are ${PRODUCT_CODES.join(', ')}`, 'product');
}
