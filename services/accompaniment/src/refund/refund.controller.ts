import { Inject, Param } from '@nestjs/common';
import { z } from 'zod';
import { refundRules } from '@tremplin/contracts';
import { withTransaction, type Pool } from '@tremplin/pg';
import { ApiController, Command, CommandRoute, PG_POOL, QueryRoute, ValidQuery, type CommandInput } from '@tremplin/service-kit';
import { DECISION_REFERENCE, MAX_BUDGET_CENTS } from './refund-policy.decider';
import { REFUND_HANDLER, type RefundHandler } from './refund.handler';
import { listRefunds, refundsAwaitingApproval, refundTotals } from './refund.queries';

const ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/;
const reference = () => z.string().regex(DECISION_REFERENCE, 'the decision’s reference code (capitals, digits, - _ . /)');
export const loanParams = z.strictObject({ loanId: z.string().regex(ID, 'an opaque id') });
const yearParams = z.strictObject({ year: z.string().regex(/^(20\d\d|2100)$/, 'a year from 2000 to 2100') });

export const policyBody = z.strictObject({ rule: z.enum(refundRules), effectiveFrom: z.iso.date(), decisionReference: reference() });
export const budgetBody = z.strictObject({ budgetCents: z.int().min(1).max(MAX_BUDGET_CENTS), decisionReference: reference() });
// The IBAN's checksum is checked by the handler (400 IBAN_INVALID on `iban`); here only its size and alphabet.
export const bankDetailsBody = z.strictObject({
  personId: z.string().regex(ID, 'the person’s id in intake'),
  iban: z.string().min(15).max(42).regex(/^[A-Za-z0-9 ]+$/, 'letters, digits and spaces'),
  holder: z.string().trim().min(1).max(140),
});
export const emptyBody = z.strictObject({});
export const decisionBody = z.strictObject({ decisionReference: reference() });
export const declineBody = z.strictObject({ reasonCode: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an UPPER_SNAKE reason code'), decisionReference: reference() });
export const paymentBody = z.strictObject({ paidOn: z.iso.date(), paymentReference: reference() });
const listQuery = z.strictObject({
  status: z.enum(['following', 'notOwed', 'owed', 'proposed', 'declined', 'approved', 'paid']).optional(),
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

/** The CCAS's interest refund policy: versions in force from a date, and its yearly optional-aid budgets. */
@ApiController('tenants/:tenantId/refund-policy', 'interest refunds')
export class RefundPolicyController {
  constructor(@Inject(REFUND_HANDLER) private readonly refunds: RefundHandler) {}

  @QueryRoute({ access: 'accompaniment.read', summary: 'The refund policy’s versions (rule, in force from) and the optional-aid budgets per year' })
  policy(@Param('tenantId') tenantId: string) {
    return this.refunds.policy(tenantId);
  }

  @CommandRoute({ path: 'versions', body: policyBody, access: 'commission.decide', status: 201, summary: 'Record a new version of the rule (everyCompletedLoan as in Tarbes, noLateInstalment as in Laval, none) from a date' })
  recordVersion(@Command() input: CommandInput<z.infer<typeof policyBody>>) {
    return this.refunds.recordPolicyVersion(input);
  }

  @CommandRoute({ path: 'budgets/:year', params: yearParams, body: budgetBody, access: 'commission.decide', status: 201, summary: 'Set the optional-aid budget of a year (refunds are reported as a share of it)' })
  setBudget(@Command() input: CommandInput<z.infer<typeof budgetBody>>) {
    return this.refunds.setBudget(Number(input.params.year), input);
  }
}

/** Interest refunds of repaid loans: proposed by the referent, approved by another member of the commission, paid. */
@ApiController('tenants/:tenantId/refunds', 'interest refunds')
export class RefundController {
  constructor(
    @Inject(REFUND_HANDLER) private readonly refunds: RefundHandler,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @QueryRoute({ access: 'accompaniment.read', query: listQuery, summary: 'Refunds (read model): status, amount, policy, who proposed and decided; filter by status and year of repayment' })
  list(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof listQuery>) {
    return withTransaction(this.pool, async (client) => ({ refunds: await listRefunds(client, query) }), { tenantId });
  }

  @QueryRoute({ path: 'awaiting-approval', access: 'accompaniment.read', summary: 'Refunds proposed and not yet decided by the commission, oldest first (for the worklist)' })
  awaiting(@Param('tenantId') tenantId: string) {
    return withTransaction(this.pool, async (client) => ({ refunds: await refundsAwaitingApproval(client) }), { tenantId });
  }

  @QueryRoute({ path: 'totals', access: 'accompaniment.read', summary: 'Refunds paid per year, and their share of the optional-aid budget in basis points when it was given' })
  totals(@Param('tenantId') tenantId: string) {
    return withTransaction(this.pool, async (client) => ({ years: await refundTotals(client) }), { tenantId });
  }

  @QueryRoute({ path: ':loanId', params: loanParams, access: 'accompaniment.read', summary: 'One refund from its stream, with the bank details for the CCAS that pays it' })
  detail(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string) {
    return this.refunds.detail(tenantId, loanId);
  }

  @CommandRoute({ path: ':loanId/bank-details', params: loanParams, body: bankDetailsBody, access: 'accompaniment.write', status: 201, summary: 'Record the borrower’s bank details (sealed under the person’s key; IBAN checked)' })
  bankDetails(@Command() input: CommandInput<z.infer<typeof bankDetailsBody>>) {
    return this.refunds.recordBankDetails(input.params.loanId, input);
  }

  @CommandRoute({ path: ':loanId/proposal', params: loanParams, body: emptyBody, access: 'accompaniment.write', summary: 'The referent proposes the refund owed to the commission' })
  propose(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.refunds.propose(input.params.loanId, input);
  }

  @CommandRoute({ path: ':loanId/approval', params: loanParams, body: decisionBody, access: 'commission.decide', summary: 'The commission approves the refund (never the person who proposed it: 409 REFUND_PROPOSER_CANNOT_DECIDE)' })
  approve(@Command() input: CommandInput<z.infer<typeof decisionBody>>) {
    return this.refunds.approve(input.params.loanId, input);
  }

  @CommandRoute({ path: ':loanId/decline', params: loanParams, body: declineBody, access: 'commission.decide', summary: 'The commission declines the refund, with a reason code (never the person who proposed it)' })
  decline(@Command() input: CommandInput<z.infer<typeof declineBody>>) {
    return this.refunds.decline(input.params.loanId, input);
  }

  @CommandRoute({ path: ':loanId/payment', params: loanParams, body: paymentBody, access: 'accompaniment.write', summary: 'Record the payment of an approved refund (its transfer reference)' })
  pay(@Command() input: CommandInput<z.infer<typeof paymentBody>>) {
    return this.refunds.pay(input.params.loanId, input);
  }
}
