import {
  applicationOpenedV1,
  applicationTransmittedV1,
  commissionDecidedV1,
  escalationClosedV1,
  escalationOpenedV1,
  evaluationRecordedV1,
  firstContactMadeV1,
  guaranteeActivatedV1,
  guaranteeCalledV1,
  guaranteeClaimPaidV1,
  guaranteeExposureReducedV1,
  guaranteeGrantedV1,
  guaranteeRecoverySharedV1,
  guaranteeReleasedV1,
  guaranteeWrittenOffV1,
  interestRefundPaidV1,
  supportGrantedV1,
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
import { emptyLoan, type ActivityKind, type ApplicationFact, type ConsumedEvent, type EnvelopeFact, type EscalationFact, type EvaluationFact, type FileFact, type LoanActivity, type LoanFact } from './facts';

// How each consumed contract changes the facts. Adding a contract's figures = one entry here (and, if it brings
// a new kind of fact, a table); the log already holds its messages, so a rebuild gives its history at once.

type LoanChange = { readonly loan: LoanFact; readonly activity?: { readonly kind: ActivityKind; readonly on: string; readonly cents?: number } };

export type Fold =
  | { readonly target: 'loan'; readonly apply: (loan: LoanFact, event: ConsumedEvent) => LoanChange }
  | { readonly target: 'application'; readonly apply: (event: ConsumedEvent) => ApplicationFact }
  | { readonly target: 'envelope'; readonly apply: (event: ConsumedEvent) => EnvelopeFact }
  | { readonly target: 'file'; readonly apply: (file: FileFact, event: ConsumedEvent) => FileFact }
  | { readonly target: 'escalation'; readonly apply: (escalation: EscalationFact, event: ConsumedEvent) => EscalationFact }
  | { readonly target: 'evaluation'; readonly apply: (event: ConsumedEvent) => EvaluationFact };

const day = (instant: string) => instant.slice(0, 10);

function loanFold<C extends Contract>(contract: C, apply: (loan: LoanFact, payload: PayloadOf<C>, event: ConsumedEvent) => LoanChange): [string, Fold] {
  return [contract.name, { target: 'loan', apply: (loan, event) => apply(loan, event.payload as PayloadOf<C>, event) }];
}

// A loan that reached a later status keeps it when an earlier fact arrives late (e.g. a replayed signature).
const LATER: Record<LoanFact['status'], number> = { received: 0, approved: 1, refused: 1, signed: 2, repaying: 3, repaid: 4, defaulted: 4, writtenOff: 5 };
const advance = (loan: LoanFact, status: LoanFact['status']): LoanFact['status'] => (LATER[status] >= LATER[loan.status] ? status : loan.status);

// A loan, file or escalation fold updates the fact it is given and returns it: the facts folded are the replay's own
// (createReplay copies those it is given). A rebuild folds two million events; a fresh copy of the loan for each one
// was most of Node's garbage collection, the copies outliving the young generation until the loan's next event.
const touched = (loan: LoanFact, event: ConsumedEvent, changes: Partial<LoanFact>): LoanFact => {
  const updated: { -readonly [K in keyof LoanFact]: LoanFact[K] } = Object.assign(loan, changes);
  updated.updatedAt = event.occurredAt;
  return updated;
};

function fileFold<C extends Contract>(contract: C, apply: (file: FileFact, payload: PayloadOf<C>) => Partial<FileFact>): [string, Fold] {
  return [contract.name, { target: 'file', apply: (file, event) => Object.assign(file, apply(file, event.payload as PayloadOf<C>)) }];
}

function escalationFold<C extends Contract>(contract: C, apply: (escalation: EscalationFact, payload: PayloadOf<C>) => Partial<EscalationFact>): [string, Fold] {
  return [contract.name, { target: 'escalation', apply: (escalation, event) => Object.assign(escalation, apply(escalation, event.payload as PayloadOf<C>)) }];
}

// The guarantee fund's facts about a loan: its product too, when the fund speaks before lending's disbursement.
const guaranteed = (loan: LoanFact, event: ConsumedEvent, product: string, changes: Partial<LoanFact>) => touched(loan, event, { product: loan.product ?? product, ...changes });

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

  // Intake: the file's opening and its commission, the start of the processing time.
  fileFold(applicationOpenedV1, (_, p) => ({ openedAt: p.openedAt })),
  fileFold(commissionDecidedV1, (_, p) => ({ commissionDecidedAt: p.decidedAt, commissionDecision: p.decision })),

  // Guarantee fund: exposure now, claims, the fund's share of recoveries, losses.
  loanFold(guaranteeGrantedV1, (loan, p, event) => ({ loan: guaranteed(loan, event, p.product, { guaranteedCents: p.guaranteedCents }) })),
  loanFold(guaranteeActivatedV1, (loan, p, event) => ({
    loan: guaranteed(loan, event, p.product, { guaranteedCents: p.exposureCents, guaranteeExposureCents: p.exposureCents }),
    activity: { kind: 'guaranteeActivated', on: day(p.activatedAt), cents: p.exposureCents },
  })),
  loanFold(guaranteeExposureReducedV1, (loan, p, event) => ({ loan: guaranteed(loan, event, p.product, { guaranteeExposureCents: p.exposureCents }) })),
  loanFold(guaranteeReleasedV1, (loan, p, event) => ({ loan: guaranteed(loan, event, p.product, { guaranteeExposureCents: 0 }) })),
  loanFold(guaranteeCalledV1, (loan, p, event) => ({
    loan: guaranteed(loan, event, p.product, { guaranteeClaimCents: p.claimCents, guaranteeExposureCents: 0 }),
    activity: { kind: 'guaranteeCalled', on: day(p.calledAt), cents: p.claimCents },
  })),
  loanFold(guaranteeClaimPaidV1, (loan, p, event) => ({
    loan: guaranteed(loan, event, p.product, { guaranteeClaimPaidCents: loan.guaranteeClaimPaidCents + p.claimCents }),
    activity: { kind: 'guaranteeClaimPaid', on: p.paidOn, cents: p.claimCents },
  })),
  loanFold(guaranteeRecoverySharedV1, (loan, p, event) => ({
    loan: guaranteed(loan, event, p.product, { guarantorRecoveredCents: p.guarantorRecoveredTotalCents }),
    activity: { kind: 'guarantorRecovery', on: day(p.receivedAt), cents: p.guarantorShareCents },
  })),
  loanFold(guaranteeWrittenOffV1, (loan, p, event) => ({
    loan: guaranteed(loan, event, p.product, { guaranteeLossCents: p.lossCents, guaranteeExposureCents: 0 }),
    activity: { kind: 'guaranteeLoss', on: day(p.writtenOffAt), cents: p.lossCents },
  })),

  // Accompaniment: support measures by kind, interest refunds, escalations and the first CCAS contact, the end-of-loan evaluation.
  loanFold(supportGrantedV1, (loan, p, event) => ({ loan: touched(loan, event, {}), activity: { kind: `support:${p.kind}`, on: p.grantedOn, cents: p.amountCents ?? 0 } })),
  loanFold(interestRefundPaidV1, (loan, p, event) => ({
    loan: touched(loan, event, { interestRefundedCents: loan.interestRefundedCents + p.amountCents }),
    activity: { kind: 'interestRefundPaid', on: p.paidOn, cents: p.amountCents },
  })),
  escalationFold(escalationOpenedV1, (_, p) => ({
    trigger: p.trigger,
    openedAt: p.openedAt,
    missedDueDate: p.missedDueDate ?? null,
    deadlineDate: p.deadlineDate,
    deadlineWorkingDays: p.deadlineWorkingDays,
  })),
  escalationFold(firstContactMadeV1, (_, p) => ({ trigger: p.trigger, contactedAt: p.contactedAt, delayMinutes: p.delayMinutes, delayWorkingDays: p.delayWorkingDays, late: p.late, deadlineWorkingDays: p.deadlineWorkingDays })),
  escalationFold(escalationClosedV1, (escalation, p) => ({ trigger: p.trigger, openedAt: escalation.openedAt ?? p.openedAt, closedAt: p.closedAt, outcome: p.outcome })),
  [
    evaluationRecordedV1.name,
    {
      target: 'evaluation',
      apply: (event) => {
        const p = event.payload as PayloadOf<typeof evaluationRecordedV1>;
        return { tenantId: p.tenantId, loanId: p.loanId, heldOn: p.heldOn, ...p.outcomes, satisfaction: p.satisfaction, withoutSupport: p.withoutSupport, newProject: p.newProjectApplicationId !== undefined, recordedAt: p.recordedAt };
      },
    },
  ],
]);

/** The file an intake contract is about, and an empty one to fold into when first seen. */
export function fileKeyOf(event: ConsumedEvent): { tenantId: string; applicationId: string } {
  return { tenantId: event.tenantId, applicationId: String(event.payload.applicationId) };
}
export const emptyFile = (key: { tenantId: string; applicationId: string }): FileFact => ({ ...key, openedAt: null, commissionDecidedAt: null, commissionDecision: null });

/** The escalation an accompaniment contract is about, and an empty one to fold into when first seen. */
export function escalationKeyOf(event: ConsumedEvent): { tenantId: string; escalationId: string } {
  return { tenantId: event.tenantId, escalationId: String(event.payload.escalationId) };
}
export const emptyEscalation = (event: ConsumedEvent): EscalationFact => ({
  ...escalationKeyOf(event),
  loanId: String(event.payload.loanId),
  trigger: String(event.payload.trigger),
  openedAt: null,
  missedDueDate: null,
  deadlineDate: null,
  deadlineWorkingDays: null,
  contactedAt: null,
  delayMinutes: null,
  delayWorkingDays: null,
  late: null,
  closedAt: null,
  outcome: null,
});

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
