import { Inject, Param } from '@nestjs/common';
import { z } from 'zod';
import { evaluationOutcomes, satisfactionLevels, withoutSupportAnswers } from '@tremplin/contracts';
import { ApiController, Command, CommandRoute, QueryRoute, type CommandInput } from '@tremplin/service-kit';
import { EVALUATION_HANDLER, type EvaluationHandler } from './evaluation.handler';

const ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/;
const loanParams = z.strictObject({ loanId: z.string().regex(ID, 'an opaque id') });
const outcome = () => z.enum(evaluationOutcomes);
export const evaluationBody = z.strictObject({
  outcomes: z.strictObject({ employment: outcome(), mobility: outcome(), housing: outcome(), health: outcome(), budget: outcome(), socialTies: outcome() }),
  satisfaction: z.enum(satisfactionLevels),
  withoutSupport: z.enum(withoutSupportAnswers),
  heldOn: z.iso.date(),
  newProjectApplicationId: z.string().regex(ID, 'intake’s file id').optional(),
});
export const newProjectBody = z.strictObject({ applicationId: z.string().regex(ID, 'intake’s file id') });

/** The end-of-loan meeting: what the loan changed, coded, and the person's next project. */
@ApiController('tenants/:tenantId/evaluations', 'end-of-loan evaluation')
export class EvaluationController {
  constructor(@Inject(EVALUATION_HANDLER) private readonly evaluations: EvaluationHandler) {}

  @QueryRoute({ path: ':loanId', params: loanParams, access: 'accompaniment.read', summary: 'The loan’s end and its evaluation, if recorded' })
  view(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string) {
    return this.evaluations.view(tenantId, loanId);
  }

  @CommandRoute({ path: ':loanId', params: loanParams, body: evaluationBody, access: 'accompaniment.write', status: 201, summary: 'Record the end-of-loan evaluation (once the loan ended): an outcome code per dimension, satisfaction' })
  record(@Command() input: CommandInput<z.infer<typeof evaluationBody>>) {
    return this.evaluations.record(input.params.loanId, input);
  }

  @CommandRoute({ path: ':loanId/new-project', params: loanParams, body: newProjectBody, access: 'accompaniment.write', status: 201, summary: 'Link the new project the person started after the evaluation (intake’s file id)' })
  linkNewProject(@Command() input: CommandInput<z.infer<typeof newProjectBody>>) {
    return this.evaluations.linkNewProject(input.params.loanId, input);
  }
}
