import type { DueLine, PauseRange, ScheduleLine } from '@tremplin/finance';
import type { ReschedulingRequest } from './loan.commands';
import type { LoanApplicationReceived, LoanApproved, LoanOfferIssued, LoanOfferSigned, LoanRefused } from './loan.events';

export type Application = LoanApplicationReceived['data'];
export type ApprovedTerms = LoanApproved['data'];
export type Offer = LoanOfferIssued['data'];
export type Signature = LoanOfferSigned['data'];
export type Refusal = LoanRefused['data'];

export interface AgreementNotice {
  readonly noticeId: string;
  readonly sellerId: string;
  readonly amountCents: number;
  readonly issuedAt: string;
}

/** A schedule line and what has been paid on it. */
export interface ServicedLine extends ScheduleLine {
  readonly interestPaid: number;
  readonly principalPaid: number;
  /** An early repayment's line (principal repaid early and its accrued interest), not an instalment. */
  readonly settlement?: boolean;
}

export interface IncidentWarning {
  readonly issuedOn: string;
  readonly declarableFrom: string;
  readonly declarationRequired: boolean;
  readonly declaredOn?: string;
}

export interface PendingRequest {
  readonly requestId: string;
  readonly request: ReschedulingRequest;
  readonly requestedBy: string;
  readonly requestedAt: string;
}

export interface ClosedRequest {
  readonly requestId: string;
  readonly outcome: 'approved' | 'declined' | 'withdrawn';
}

export interface Servicing {
  readonly disbursedAt: string;
  /** The TAEG on the actual dates from the disbursement (absent for loans disbursed before it was computed). */
  readonly taegBps?: number;
  readonly lines: readonly ServicedLine[];
  readonly pauses: readonly PauseRange[];
  readonly missed: readonly number[];
  readonly everLate: boolean;
  readonly interestPaidCents: number;
  readonly principalPaidCents: number;
  readonly warning?: IncidentWarning;
  readonly pendingRequests: readonly PendingRequest[];
  /** Requests no longer pending and how they ended (absent in states folded before it was kept). */
  readonly closedRequests?: readonly ClosedRequest[];
  readonly reschedulings: number;
  readonly contacts: number;
}

export interface Default {
  readonly defaultedAt: string;
  readonly outstandingPrincipalCents: number;
  readonly unpaidInterestCents: number;
  readonly recoveredCents: number;
  readonly writeOffRequest?: { readonly requestId: string; readonly requestedBy: string; readonly reasonCode: string };
}

interface Received {
  readonly application: Application;
}
interface Approved extends Received {
  readonly terms: ApprovedTerms;
}
interface Offered extends Approved {
  readonly offer: Offer;
}
interface Signed extends Offered {
  readonly signature: Signature;
  readonly notices: readonly AgreementNotice[];
}
export interface Active extends Signed {
  readonly servicing: Servicing;
}

export type LoanState =
  | { readonly status: 'none' }
  | ({ readonly status: 'applicationReceived' } & Received)
  | ({ readonly status: 'refused'; readonly refusal: Refusal; readonly terms?: ApprovedTerms } & Received)
  | ({ readonly status: 'approved' } & Approved)
  | ({ readonly status: 'offered' } & Offered)
  | ({ readonly status: 'signed' } & Signed)
  | ({ readonly status: 'repaying' } & Active)
  | ({ readonly status: 'repaid'; readonly repaidOn: string } & Active)
  | ({ readonly status: 'defaulted'; readonly defaulted: Default } & Active)
  | ({ readonly status: 'writtenOff'; readonly defaulted: Default; readonly writtenOffAt: string; readonly writtenOffCents: number } & Active);

export type LoanStatus = LoanState['status'];
export type ActiveState = Extract<LoanState, { servicing: Servicing }>;

export function hasServicing(state: LoanState): state is ActiveState {
  return 'servicing' in state;
}

export function dueLinesOf(lines: readonly ServicedLine[]): DueLine[] {
  return lines.map(({ number, dueDate, interest, principal, interestPaid, principalPaid }) => ({ number, dueDate, interest, principal, interestPaid, principalPaid }));
}

export function outstandingPrincipalOf(lines: readonly ServicedLine[]): number {
  return lines.reduce((sum, line) => sum + line.principal - line.principalPaid, 0);
}

export function isFullyPaid(line: ServicedLine): boolean {
  return line.interestPaid === line.interest && line.principalPaid === line.principal;
}
