import { Inject } from '@nestjs/common';
import type { z } from 'zod';
import { deterministicEventId } from '@tremplin/event-sourcing';
import { ApiController, Command, CommandRoute, type CommandInput } from '@tremplin/service-kit';
import { LOAN_HANDLER, loanIdOf, type LoanHandler } from './loan.handler';
import { agreementNoticeBody, approveBody, contactBody, declineBody, earlyRepaymentBody, emptyBody, missedInstalmentBody, offerBody, paymentBody, receiveApplicationBody, recoveryBody, refuseBody, reschedulingBody, signBody, withdrawOfferBody, writeOffBody } from './loan.requests';

/** HTTP → command. No business rule here: the decider refuses, the kit maps its typed errors to statuses. */
@ApiController('tenants/:tenantId/loans', 'loans')
export class LoanController {
  constructor(@Inject(LOAN_HANDLER) private readonly loans: LoanHandler) {}

  @CommandRoute({ path: 'applications', body: receiveApplicationBody, access: 'loan.bank-operate', summary: 'Receive an application the bank got outside the platform (the loan id is derived from the application id)', status: 201 })
  receive(@Command() input: CommandInput<z.infer<typeof receiveApplicationBody>>) {
    const loanId = loanIdOf(input.tenantId, input.body.applicationId);
    return this.loans.handle(input.tenantId, loanId, { type: 'ReceiveApplication', loanId, ...input.body, bankPartnerId: input.principal.organisationId, channel: 'bank' }, input);
  }

  @CommandRoute({ path: ':loanId/approve', body: approveBody, access: 'loan.bank-operate', summary: 'The bank approves: amount, term, nominal rate, fees (an indicative TAEG is computed)' })
  approve(@Command() input: CommandInput<z.infer<typeof approveBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'ApproveLoan', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/approval-amendments', body: approveBody, access: 'loan.bank-operate', summary: 'Amend the approval before any offer (or after withdrawing it): new terms, checked against the product as an approval is' })
  amendApproval(@Command() input: CommandInput<z.infer<typeof approveBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'AmendApproval', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/refuse', body: refuseBody, access: 'loan.bank-operate', summary: 'The bank refuses, with a reason code fed back to the CCAS' })
  refuse(@Command() input: CommandInput<z.infer<typeof refuseBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RefuseLoan', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/offer', body: offerBody, access: 'loan.bank-operate', summary: 'Issue the offer: schedule, TAEG, checked against the product version and the usury cap in force today' })
  offer(@Command() input: CommandInput<z.infer<typeof offerBody>>) {
    return this.loans.issueOffer(input.tenantId, input.params.loanId, { type: 'IssueOffer', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/offer-withdrawals', body: withdrawOfferBody, access: 'loan.bank-operate', summary: 'Withdraw an offer not yet disbursed, signed or not: the loan is approved again (amend, offer anew or refuse)' })
  withdrawOffer(@Command() input: CommandInput<z.infer<typeof withdrawOfferBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'WithdrawOffer', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/sign', body: signBody, access: 'loan.bank-operate', summary: 'Record the signature of the offer, optionally in the social worker’s presence' })
  sign(@Command() input: CommandInput<z.infer<typeof signBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'SignOffer', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/agreement-notices', body: agreementNoticeBody, access: 'loan.bank-operate', summary: 'Issue an agreement notice to a seller (before disbursement)' })
  notice(@Command() input: CommandInput<z.infer<typeof agreementNoticeBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'IssueAgreementNotice', noticeId: deterministicEventId(input.commandId, 1_000), ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/disburse', body: emptyBody, access: 'loan.bank-operate', summary: 'Disburse the funds of a signed offer; the schedule starts' })
  disburse(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'DisburseFunds' }, input);
  }

  @CommandRoute({ path: ':loanId/payments', body: paymentBody, access: 'loan.bank-operate', summary: 'Record a payment (full or partial): oldest instalment first, interest then principal' })
  pay(@Command() input: CommandInput<z.infer<typeof paymentBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RecordPayment', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/early-repayments', body: earlyRepaymentBody, access: 'loan.bank-operate', summary: 'Record an early repayment, full or partial (shorter term or lower instalment, the borrower’s choice): the principal plus the interest accrued to that day, nothing for the remaining period' })
  repayEarly(@Command() input: CommandInput<z.infer<typeof earlyRepaymentBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RepayEarly', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/missed-instalments', body: missedInstalmentBody, access: 'loan.bank-operate', summary: 'Record a missed instalment; the second unpaid one raises a Banque de France incident warning' })
  missed(@Command() input: CommandInput<z.infer<typeof missedInstalmentBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RecordMissedInstalment', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/contacts', body: contactBody, access: 'loan.bank-operate', summary: 'Record that the bank contacted the borrower' })
  contact(@Command() input: CommandInput<z.infer<typeof contactBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RecordBorrowerContact', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/incident-declarations', body: emptyBody, access: 'loan.bank-operate', summary: 'Declare the incident to the Banque de France (not before the warning’s declarableFrom date)' })
  declare(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'DeclareIncident' }, input);
  }

  @CommandRoute({ path: ':loanId/rescheduling-requests', body: reschedulingBody, access: 'loan.request-rescheduling', summary: 'Ask for a payment holiday, a term extension or an instalment revision (first pair of eyes)' })
  requestRescheduling(@Command() input: CommandInput<z.infer<typeof reschedulingBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RequestRescheduling', requestId: deterministicEventId(input.commandId, 1_000), request: input.body }, input);
  }

  @CommandRoute({ path: ':loanId/rescheduling-requests/:requestId/approve', body: emptyBody, access: 'loan.approve-rescheduling', summary: 'Approve a rescheduling request (second pair of eyes: never its requester)' })
  approveRescheduling(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'ApproveRescheduling', requestId: input.params.requestId }, input);
  }

  @CommandRoute({ path: ':loanId/rescheduling-requests/:requestId/decline', body: declineBody, access: 'loan.approve-rescheduling', summary: 'Decline a rescheduling request (second pair of eyes: its requester withdraws it instead)' })
  declineRescheduling(@Command() input: CommandInput<z.infer<typeof declineBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'DeclineRescheduling', requestId: input.params.requestId, ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/rescheduling-requests/:requestId/withdraw', body: emptyBody, access: 'loan.request-rescheduling', summary: 'Withdraw one’s own rescheduling request (only its requester; a second person declines instead)' })
  withdrawRescheduling(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'WithdrawRescheduling', requestId: input.params.requestId }, input);
  }

  @CommandRoute({ path: ':loanId/default', body: emptyBody, access: 'loan.bank-operate', summary: 'Declare the loan in default (déchéance du terme): the outstanding principal is fixed' })
  declareDefault(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'DeclareDefault' }, input);
  }

  @CommandRoute({ path: ':loanId/recoveries', body: recoveryBody, access: 'loan.bank-operate', summary: 'Record money recovered on a defaulted loan' })
  recovery(@Command() input: CommandInput<z.infer<typeof recoveryBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RecordRecovery', ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/write-off-requests', body: writeOffBody, access: 'loan.request-rescheduling', summary: 'Ask for a defaulted loan to be written off (first pair of eyes)' })
  requestWriteOff(@Command() input: CommandInput<z.infer<typeof writeOffBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'RequestWriteOff', requestId: deterministicEventId(input.commandId, 1_000), ...input.body }, input);
  }

  @CommandRoute({ path: ':loanId/write-off-requests/:requestId/approve', body: emptyBody, access: 'loan.approve-rescheduling', summary: 'Approve a write-off (second pair of eyes: never its requester)' })
  approveWriteOff(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.loans.handle(input.tenantId, input.params.loanId, { type: 'ApproveWriteOff', requestId: input.params.requestId }, input);
  }
}
