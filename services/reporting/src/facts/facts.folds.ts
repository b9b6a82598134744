import {
  applicationTransmittedV1,
  envelopeCapacityVotedV1,
  incidentWarningIssuedV1,
  instalmentMissedV1,
  instalmentPaidV1,
  loanApplicationReceivedV1,
  loanApprovedV1,
  loanDefaultedV1,
  loanDisbursedV1,
  loanRefusedV1,
  loanRepaidV1,
  loanRescheduledV1,
  loanWrittenOffV1,
  offerSignedV1,
  recoveryReceivedV1,
  type Contract,
  type PayloadOf,
} from '@tremplin/contracts';
import { emptyLoan, type ActivityKind, type ApplicationFact, type ConsumedEvent, type EnvelopeFact, type LoanActivity, type LoanFact } from './facts';

// How each consumed contract changes the facts. Adding a contract's figures = one entry here (and, if it brings
// a new kind of fact, a table); the log already holds its messages, so a rebuild gives its history at once.

type LoanChange = { readonly loan: LoanFact; readonly activity?: { readonly kind: ActivityKind; readonly on: string; readonly cents?: number } };

export type Fold =
  | { readonly target: 'loan'; readonly apply: (loan: LoanFact, event: ConsumedEvent) => LoanChange }
  | { readonly target: 'application'; readonly apply: (event: ConsumedEvent) => ApplicationFact }
  | { readonly target: 'envelope'; readonly apply: (event: ConsumedEvent) => EnvelopeFact };

const day = (instant: string) => instant.slice(0, 10);

function loanFold<C extends Contract>(contract: C, apply: (loan: LoanFact, payload: PayloadOf<C>, event: ConsumedEvent) => LoanChange): [string, Fold] {
  return [contract.name, { target: 'loan', apply: (loan, event) => apply(loan, event.payload as PayloadOf<C>, event) }];
}

// A loan that reached a later status keeps it when an earlier fact arrives late (e.g. a replayed signature).
const LATER: Record<LoanFact['status'], number> = { received: 0, approved: 1, refused: 1, signed: 2, repaying: 3, repaid: 4, defaulted: 4, writtenOff: 5 };
const advance = (loan: LoanFact, status: LoanFact['status']): LoanFact['status'] => (LATER[status] >= LATER[loan.status] ? status : loan.status);

const touched = (loan: LoanFact, event: ConsumedEvent, changes: Partial<LoanFact>): LoanFact => ({ ...loan, ...changes, updatedAt: event.occurredAt });

export const FOLDS: ReadonlyMap<string, Fold> = new Map<string, Fold>([
  [
    applicationTransmittedV1.name,
    {
      target: 'application',
      apply: (event) => {
        const p = event.payload as PayloadOf<typeof applicationTransmittedV1>;
        return {
          tenantId: p.tenantId,
          applicationId: p.applicationId,
          product: p.product,
          purposeCategory: p.purposeCategory,
          requestedCents: p.requestedAmountCents,
          requestedTermMonths: p.requestedTermMonths,
          transmittedAt: p.transmittedAt,
        };
      },
    },
  ],
  [
    envelopeCapacityVotedV1.name,
    {
      target: 'envelope',
      apply: (event) => {
        const p = event.payload as PayloadOf<typeof envelopeCapacityVotedV1>;
        return {
          tenantId: p.tenantId,
          guarantorId: p.guarantorId,
          capacityCents: p.capacityCents,
          reservedCents: p.reservedCents,
          headroomCents: p.headroomCents,
          decisionDate: p.decisionDate,
          votedAt: p.votedAt,
        };
      },
    },
  ],
  loanFold(loanApplicationReceivedV1, (loan, p, event) => ({
    loan: touched(loan, event, {
      applicationId: p.applicationId,
      product: p.product,
      purposeCategory: p.purposeCategory,
      receivedAt: p.receivedAt,
      requestedCents: p.requestedAmountCents,
      status: advance(loan, 'received'),
    }),
  })),
  loanFold(loanApprovedV1, (loan, p, event) => ({
    loan: touched(loan, event, { applicationId: p.applicationId, product: p.product, approvedAt: p.approvedAt, approvedCents: p.approvedAmountCents, termMonths: p.termMonths, status: advance(loan, 'approved') }),
    activity: { kind: 'approved', on: day(p.approvedAt), cents: p.approvedAmountCents },
  })),
  loanFold(loanRefusedV1, (loan, p, event) => ({
    loan: touched(loan, event, { applicationId: p.applicationId, refusedAt: p.refusedAt, refusalCategory: p.reasonCategory, status: advance(loan, 'refused') }),
    activity: { kind: 'refused', on: day(p.refusedAt) },
  })),
  loanFold(offerSignedV1, (loan, p, event) => ({ loan: touched(loan, event, { product: p.product, termMonths: p.termMonths, status: advance(loan, 'signed') }) })),
  loanFold(loanDisbursedV1, (loan, p, event) => ({
    loan: touched(loan, event, {
      applicationId: p.applicationId,
      product: p.product,
      disbursedAt: p.disbursedAt,
      disbursedCents: p.amountCents,
      outstandingCents: p.amountCents,
      termMonths: p.termMonths,
      status: advance(loan, 'repaying'),
    }),
    activity: { kind: 'disbursed', on: day(p.disbursedAt), cents: p.amountCents },
  })),
  loanFold(instalmentPaidV1, (loan, p, event) => ({ loan: touched(loan, event, { outstandingCents: p.outstandingPrincipalCents }) })),
  loanFold(instalmentMissedV1, (loan, p, event) => ({
    loan: touched(loan, event, { missedInstalments: loan.missedInstalments + 1 }),
    activity: { kind: 'instalmentMissed', on: p.dueDate, cents: p.arrearsCents },
  })),
  loanFold(incidentWarningIssuedV1, (loan, p, event) => ({
    loan: touched(loan, event, { incidentWarnings: loan.incidentWarnings + 1 }),
    activity: { kind: 'incidentWarning', on: day(event.occurredAt), cents: p.arrearsCents },
  })),
  loanFold(loanRescheduledV1, (loan, p, event) => ({
    loan: touched(loan, event, { reschedulings: loan.reschedulings + 1 }),
    activity: { kind: `rescheduled:${p.kind}`, on: day(event.occurredAt) },
  })),
  loanFold(loanRepaidV1, (loan, p, event) => ({
    loan: touched(loan, event, { repaidAt: p.repaidAt, outstandingCents: 0, status: advance(loan, 'repaid') }),
    activity: { kind: 'repaid', on: day(p.repaidAt) },
  })),
  loanFold(loanDefaultedV1, (loan, p, event) => ({
    loan: touched(loan, event, { defaultedAt: p.defaultedAt, defaultedOutstandingCents: p.outstandingPrincipalCents, outstandingCents: p.outstandingPrincipalCents, status: advance(loan, 'defaulted') }),
    activity: { kind: 'defaulted', on: day(p.defaultedAt), cents: p.outstandingPrincipalCents },
  })),
  loanFold(recoveryReceivedV1, (loan, p, event) => ({
    loan: touched(loan, event, { recoveredCents: loan.recoveredCents + p.amountCents }),
    activity: { kind: 'recovery', on: day(p.receivedAt), cents: p.amountCents },
  })),
  loanFold(loanWrittenOffV1, (loan, p, event) => ({
    loan: touched(loan, event, { writtenOffCents: loan.writtenOffCents + p.writtenOffCents, outstandingCents: 0, status: advance(loan, 'writtenOff') }),
    activity: { kind: 'writtenOff', on: day(p.writtenOffAt), cents: p.writtenOffCents },
  })),
]);

/** The loan a lending contract is about (every lending contract carries tenantId and loanId). */
export function loanKeyOf(event: ConsumedEvent): { tenantId: string; loanId: string } {
  return { tenantId: event.tenantId, loanId: String(event.payload.loanId) };
}

/** Folds one event into the loan it is about (a loan first seen is created empty). */
export function foldLoan(fold: Extract<Fold, { target: 'loan' }>, current: LoanFact | undefined, event: ConsumedEvent): { loan: LoanFact; activity?: LoanActivity } {
  const key = loanKeyOf(event);
  const change = fold.apply(current ?? emptyLoan(key.tenantId, key.loanId, event.occurredAt), event);
  if (!change.activity) return { loan: change.loan };
  return {
    loan: change.loan,
    activity: {
      messageId: event.messageId,
      tenantId: key.tenantId,
      loanId: key.loanId,
      product: change.loan.product,
      kind: change.activity.kind,
      occurredOn: change.activity.on,
      cents: change.activity.cents ?? 0,
    },
  };
}
