import { notFoundError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { LoanCommand } from './loan.commands';
import { approveWriteOff, declareDefault, recordRecovery, requestWriteOff } from './loan.default.decider';
import { repayEarly } from './loan.early-repayment.decider';
import { evolveLoan } from './loan.evolve';
import type { LoanEvent } from './loan.events';
import { amendApproval, approve, disburse, issueAgreementNotice, issueOffer, receiveApplication, refuse, signOffer, withdrawOffer } from './loan.origination.decider';
import { approveRescheduling, declineRescheduling, requestRescheduling, withdrawRescheduling } from './loan.rescheduling.decider';
import { exhaustive } from './loan.rules';
import { declareIncident, recordContact, recordMissedInstalment, recordPayment } from './loan.servicing.decider';
import type { LoanState } from './loan.state';

export { evolveLoan } from './loan.evolve';
export { MAX_HOLIDAY_MONTHS } from './loan.rescheduling.decider';
export { INCIDENT_DECLARATION_THRESHOLD_CENTS, INCIDENT_GRACE_DAYS, INCIDENT_UNPAID_INSTALMENTS } from './loan.servicing.decider';

export const initialLoanState = (): LoanState => ({ status: 'none' });

export function decideLoan(command: LoanCommand, state: LoanState): LoanEvent[] {
  if (!inBankScope(state, command.bankScope)) throw notFoundError('LOAN_NOT_FOUND', 'no such loan');
  switch (command.type) {
    case 'ReceiveApplication':
      return receiveApplication(command, state);
    case 'ApproveLoan':
      return approve(command, state);
    case 'AmendApproval':
      return amendApproval(command, state);
    case 'WithdrawOffer':
      return withdrawOffer(command, state);
    case 'RefuseLoan':
      return refuse(command, state);
    case 'IssueOffer':
      return issueOffer(command, state);
    case 'SignOffer':
      return signOffer(command, state);
    case 'IssueAgreementNotice':
      return issueAgreementNotice(command, state);
    case 'DisburseFunds':
      return disburse(command, state);
    case 'RecordPayment':
      return recordPayment(command, state);
    case 'RepayEarly':
      return repayEarly(command, state);
    case 'RecordMissedInstalment':
      return recordMissedInstalment(command, state);
    case 'RecordBorrowerContact':
      return recordContact(command, state);
    case 'DeclareIncident':
      return declareIncident(command, state);
    case 'RequestRescheduling':
      return requestRescheduling(command, state);
    case 'ApproveRescheduling':
      return approveRescheduling(command, state);
    case 'DeclineRescheduling':
      return declineRescheduling(command, state);
    case 'WithdrawRescheduling':
      return withdrawRescheduling(command, state);
    case 'DeclareDefault':
      return declareDefault(command, state);
    case 'RecordRecovery':
      return recordRecovery(command, state);
    case 'RequestWriteOff':
      return requestWriteOff(command, state);
    case 'ApproveWriteOff':
      return approveWriteOff(command, state);
    default:
      return exhaustive(command);
  }
}

/**
 * Banks working with the same CCAS do not see each other's loans (DOMAIN.md): for a bank's user, another
 * bank's loan does not exist, as another tenant's does not. The CCAS's own staff see every loan of the tenant.
 */
export function inBankScope(state: LoanState, bankScope: string | undefined): boolean {
  return bankScope === undefined || state.status === 'none' || state.application.bankPartnerId === bankScope;
}

export const loanDecider: Decider<LoanCommand, LoanEvent, LoanState> = {
  initialState: initialLoanState,
  evolve: evolveLoan,
  decide: decideLoan,
};

/** Loan streams (`loan-<id>`): every read of them goes through this (codec and upcasters when there are any). */
export const loanAggregate: Aggregate<LoanCommand, LoanEvent, LoanState> = { category: 'loan', decider: loanDecider };
