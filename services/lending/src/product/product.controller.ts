import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseEnumPipe, Post, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { Access, AuthGuard, CurrentPrincipal, RequestContextInterceptor } from '@tremplin/auth';
import { ZodBodyPipe } from '@tremplin/service-kit';
import type { Principal } from '@tremplin/tenancy';
import { answer, commandRequest, IDEMPOTENCY_HEADER, openApiBody } from '../shared/http';
import { PRODUCT_HANDLER } from '../shared/tokens';
import type { ProductHandler } from './product.handler';
import { PRODUCT_CODES, type ProductCode } from './product.terms';

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

/** Each CCAS's product catalogue: versions recorded by decision, validated against the hard limits. */
@ApiTags('products')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@UseInterceptors(RequestContextInterceptor)
@Controller('tenants/:tenantId/products')
export class ProductController {
  constructor(@Inject(PRODUCT_HANDLER) private readonly handler: ProductHandler) {}

  @Get()
  @Access('loan.read')
  @ApiOperation({ summary: 'The version of each product in force now, and every recorded version' })
  async catalogue(@Param('tenantId') tenantId: string) {
    return { products: await this.handler.catalogue(tenantId) };
  }

  @Post(':product/versions')
  @HttpCode(201)
  @Access('tenant.configure')
  @ApiOperation({ summary: 'Record a decision changing a product’s terms (applies to offers made after its effective instant)' })
  @ApiBody(openApiBody(productTermsBody))
  change(
    @Param('tenantId') tenantId: string,
    @Param('product', new ParseEnumPipe(PRODUCT_CODES)) product: ProductCode,
    @Body(new ZodBodyPipe(productTermsBody)) body: z.infer<typeof productTermsBody>,
    @CurrentPrincipal() principal: Principal,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const request = commandRequest(tenantId, `product:${product}`, body, principal, key);
    const effectiveFrom = body.effectiveFrom ? new Date(body.effectiveFrom).toISOString() : undefined;
    return answer(res, () => this.handler.change(tenantId, { product, terms: body.terms, decisionReference: body.decisionReference, ...(effectiveFrom ? { effectiveFrom } : {}) }, request));
  }
}
