import { Inject, Param } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { ruleError } from '@tremplin/event-sourcing';
import { ApiController, Command, CommandRoute, inTenant, QueryRoute, READ_MODEL, type CommandInput } from '@tremplin/service-kit';
import { DECISION_REFERENCE, MAX_ENVELOPE_CAPACITY_CENTS } from './envelope.decider';
import { EnvelopeEntity } from './envelope.entity';
import { ENVELOPE_HANDLER, type EnvelopeHandler } from './envelope.handler';

export const voteBody = z.strictObject({
  capacityCents: z.int().min(1).max(MAX_ENVELOPE_CAPACITY_CENTS),
  decisionDate: z.iso.date(),
  decisionReference: z.string().regex(DECISION_REFERENCE, 'the decision’s reference code (capitals, digits, - _ . /)'),
});
const guarantorId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/** Guarantors' envelopes for the CCAS: capacity voted by a board decision, and what is left of it. */
@ApiController('tenants/:tenantId/envelopes', 'envelopes')
export class EnvelopeController {
  constructor(
    @Inject(ENVELOPE_HANDLER) private readonly handler: EnvelopeHandler,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
  ) {}

  @QueryRoute({ access: 'guarantee.read', summary: 'The CCAS’s envelopes (read model): capacity voted, reserved, headroom, last decision' })
  async list(@Param('tenantId') tenantId: string) {
    const rows = await inTenant(this.readModel, tenantId, (manager) => manager.find(EnvelopeEntity, { order: { guarantorId: 'ASC' } }));
    return { envelopes: rows.map(({ tenantId: _tenant, updatedAt, ...row }) => ({ ...row, updatedAt: updatedAt.toISOString() })) };
  }

  @CommandRoute({ path: ':guarantorId/capacity-votes', body: voteBody, access: 'guarantee.operate', summary: 'Record a board decision voting the capacity of a guarantor’s envelope (the first opens it)', status: 201 })
  vote(@Command() input: CommandInput<z.infer<typeof voteBody>>) {
    const id = guarantorId.safeParse(input.params.guarantorId);
    if (!id.success) return Promise.reject(ruleError('VALIDATION_FAILED', 'guarantorId is a lower-case id (letters, digits, - and _)', 'guarantorId'));
    return this.handler.vote(id.data, input);
  }
}
