import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { CoverageVersion } from '../product-coverage/coverage.decider';
import type { EnvelopeHeadroom, GuaranteeCommand } from './guarantee.commands';
import type { GuaranteeEvent, GuaranteeGranted, GuaranteeRefused, GuaranteeRequested } from './guarantee.events';
import { guarantorPartOf, shareOf } from './guarantee.rules';

type Request = GuaranteeRequested['data'];
type Grant = GuaranteeGranted['data'];
type Refusal = GuaranteeRefused['data'];
interface Claim {
  readonly outstandingPrincipalCents: number;
  readonly claimCents: number;
  readonly calledAt: string;
}
interface Payment {
  readonly paidOn: string;
  readonly paidBy: string;
  readonly paidAt: string;
}
interface Granted {
  readonly request: Request;
  readonly grant: Grant;
}
interface Active extends Granted {
  readonly principalCents: number;
  readonly exposureCents: number;
  readonly outstandingPrincipalCents: number;
}
interface Called extends Granted {
  readonly principalCents: number;
  readonly exposureCents: number;
  readonly claim: Claim;
  /** Recovered by the bank before the claim was paid, shared once it is. */
  readonly heldRecoveryCents: number;
}
interface Paid extends Called {
  readonly payment: Payment;
  readonly recoveredCents: number;
}

export type GuaranteeState =
  | { readonly status: 'none' }
  | { readonly status: 'requested'; readonly request: Request }
  | { readonly status: 'refused'; readonly request: Request; readonly refusal: Refusal }
  | { readonly status: 'withdrawn'; readonly request: Request; readonly withdrawnAt: string }
  | ({ readonly status: 'granted' } & Granted)
  | ({ readonly status: 'active' } & Active)
  | ({ readonly status: 'released'; readonly releasedAt: string } & Active)
  | ({ readonly status: 'called' } & Called)
  | ({ readonly status: 'claimPaid' } & Paid)
  | ({ readonly status: 'writtenOff'; readonly lossCents: number; readonly writtenOffAt: string } & Paid);

export type GuaranteeStatus = GuaranteeState['status'];

export function evolveGuarantee(state: GuaranteeState, event: GuaranteeEvent): GuaranteeState {
  switch (event.type) {
    case 'GuaranteeRequested':
      return { status: 'requested', request: event.data };
    case 'GuaranteeRefused':
      return state.status === 'requested' || state.status === 'refused' ? { status: 'refused', request: state.request, refusal: event.data } : state;
    case 'GuaranteeGranted':
      return state.status === 'requested' || state.status === 'refused' ? { status: 'granted', request: state.request, grant: event.data } : state;
    case 'GuaranteeActivated':
      return state.status === 'granted'
        ? { ...state, status: 'active', principalCents: event.data.principalCents, exposureCents: event.data.exposureCents, outstandingPrincipalCents: event.data.principalCents }
        : state;
    case 'GuaranteeExposureReduced':
      return state.status === 'active' ? { ...state, exposureCents: event.data.exposureCents, outstandingPrincipalCents: event.data.outstandingPrincipalCents } : state;
    case 'GuaranteeReleased':
      return state.status === 'active' ? { ...state, status: 'released', exposureCents: 0, releasedAt: event.data.releasedAt } : state;
    case 'GuaranteeCalled':
      return state.status === 'active'
        ? {
            status: 'called',
            request: state.request,
            grant: state.grant,
            principalCents: state.principalCents,
            exposureCents: state.exposureCents,
            claim: { outstandingPrincipalCents: event.data.outstandingPrincipalCents, claimCents: event.data.claimCents, calledAt: event.data.calledAt },
            heldRecoveryCents: 0,
          }
        : state;
    case 'RecoveryHeld':
      return state.status === 'called' ? { ...state, heldRecoveryCents: state.heldRecoveryCents + event.data.recoveryCents } : state;
    case 'ClaimPaid':
      return state.status === 'called'
        ? { ...state, status: 'claimPaid', exposureCents: 0, heldRecoveryCents: 0, payment: { paidOn: event.data.paidOn, paidBy: event.data.paidBy, paidAt: event.data.paidAt }, recoveredCents: 0 }
        : state;
    case 'RecoveryShared':
      return state.status === 'claimPaid' ? { ...state, recoveredCents: event.data.guarantorRecoveredTotalCents } : state;
    case 'GuaranteeWithdrawn':
      return state.status === 'requested' || state.status === 'refused' || state.status === 'granted'
        ? { status: 'withdrawn', request: state.request, withdrawnAt: event.data.withdrawnAt }
        : state;
    case 'GuaranteeWrittenOff':
      return state.status === 'claimPaid' ? { ...state, status: 'writtenOff', lossCents: event.data.lossCents, writtenOffAt: event.data.writtenOffAt } : state;
    default:
      return exhaustive(event);
  }
}

// A request is answered in the same transaction (granted or refused), so `requested` never outlives a command.
export function decideGuarantee(command: GuaranteeCommand, state: GuaranteeState): GuaranteeEvent[] {
  switch (command.type) {
    case 'RequestGuarantee': {
      // A loan not yet disbursed may be signed again (its offer withdrawn and reissued): each signature asks anew.
      if (state.status !== 'none' && state.status !== 'requested' && state.status !== 'refused' && state.status !== 'granted' && state.status !== 'withdrawn') {
        throw stateError('GUARANTEE_ALREADY_ACTIVE', `the loan was disbursed under its guarantee (${state.status})`, 'loanId');
      }
      checkPositive(command.principalCents, 'principalCents');
      const earlier = state.status === 'granted' && state.grant.envelopeLimited ? { guarantorId: state.grant.guarantorId, releasedCents: state.grant.guaranteedCents } : undefined;
      const request: Request = {
        loanId: command.loanId,
        bankPartnerId: command.bankPartnerId,
        product: command.product,
        principalCents: command.principalCents,
        requestedAt: command.now,
        ...(earlier ? { superseded: earlier } : {}),
      };
      // The earlier reservation is freed in the same transaction: the new one may use it.
      const envelope =
        earlier && command.envelope.limited && command.coverage?.covered && command.coverage.guarantorId === earlier.guarantorId
          ? { limited: true as const, headroomCents: command.envelope.headroomCents + earlier.releasedCents }
          : command.envelope;
      return [{ type: 'GuaranteeRequested', data: request }, decision(request, command.coverage, envelope, command.now)];
    }
    case 'ReconsiderGuarantee': {
      if (state.status === 'none' || state.status === 'withdrawn') throw stateError('GUARANTEE_NOT_REQUESTED', 'no guarantee is requested for this loan', 'loanId');
      if (state.status !== 'refused' && state.status !== 'requested') throw stateError('GUARANTEE_ALREADY_GRANTED', `the guarantee is ${state.status}`, 'loanId');
      const decided = decision(state.request, command.coverage, command.envelope, command.now);
      // Reconsidering changes nothing until the reason is gone: the refusal stands and nothing is written.
      if (decided.type === 'GuaranteeRefused') throw stateError(decided.data.reasonCode, refusalMessage(decided.data), 'loanId');
      return [decided];
    }
    case 'ActivateGuarantee': {
      if (state.status === 'none' || state.status === 'requested' || state.status === 'refused' || state.status === 'withdrawn') throw stateError('GUARANTEE_NOT_GRANTED', 'a loan without a granted guarantee cannot activate one', 'loanId');
      if (state.status !== 'granted') throw stateError('GUARANTEE_ALREADY_ACTIVE', `the guarantee is ${state.status}`, 'loanId');
      if (command.principalCents !== state.request.principalCents) {
        throw stateError('DISBURSED_AMOUNT_DIFFERS', `${command.principalCents} cents disbursed, ${state.request.principalCents} were guaranteed`, 'principalCents');
      }
      return [{ type: 'GuaranteeActivated', data: { principalCents: command.principalCents, exposureCents: state.grant.guaranteedCents, activatedAt: command.disbursedAt } }];
    }
    case 'ReduceExposure': {
      const active = activeOrThrow(state);
      checkOutstanding(command.outstandingPrincipalCents);
      const exposureCents = shareOf(active.grant.shareBps, command.outstandingPrincipalCents);
      // Exposure only falls: a payment that repaid no principal (or a holiday that capitalised interest) leaves it.
      if (exposureCents >= active.exposureCents) return [];
      return [
        {
          type: 'GuaranteeExposureReduced',
          data: { outstandingPrincipalCents: command.outstandingPrincipalCents, exposureCents, releasedCents: active.exposureCents - exposureCents, reducedOn: command.paidOn },
        },
      ];
    }
    case 'ReleaseGuarantee': {
      const active = activeOrThrow(state);
      return [{ type: 'GuaranteeReleased', data: { releasedCents: active.exposureCents, releasedAt: command.repaidAt } }];
    }
    case 'CallGuarantee': {
      if (state.status === 'called' || state.status === 'claimPaid' || state.status === 'writtenOff') {
        throw stateError('GUARANTEE_ALREADY_CALLED', 'a second claim on the same loan is refused', 'loanId');
      }
      const active = activeOrThrow(state);
      checkOutstanding(command.outstandingPrincipalCents);
      // The guarantee covers the principal disbursed: interest a rescheduling capitalised into it is the bank's.
      const claimCents = shareOf(active.grant.shareBps, Math.min(command.outstandingPrincipalCents, active.principalCents));
      return [{ type: 'GuaranteeCalled', data: { outstandingPrincipalCents: command.outstandingPrincipalCents, claimCents, calledAt: command.defaultedAt } }];
    }
    case 'PayClaim': {
      if (state.status === 'claimPaid' || state.status === 'writtenOff') throw stateError('CLAIM_ALREADY_PAID', `the claim was paid on ${state.payment.paidOn}`, 'loanId');
      if (state.status !== 'called') throw stateError('CLAIM_BEFORE_DEFAULT', 'a claim is paid only once the loan was declared in default', 'loanId');
      checkDate(command.paidOn, 'paidOn');
      if (command.paidOn > command.now.slice(0, 10)) throw ruleError('PAID_ON_IN_FUTURE', `paidOn ${command.paidOn} is after today`, 'paidOn');
      if (command.paidOn < state.claim.calledAt.slice(0, 10)) throw ruleError('PAID_ON_BEFORE_CALL', `the guarantee was called on ${state.claim.calledAt.slice(0, 10)}`, 'paidOn');
      const paid: GuaranteeEvent = {
        type: 'ClaimPaid',
        data: { claimCents: state.claim.claimCents, paidOn: command.paidOn, paidBy: command.actor.userId, paidAt: command.now, releasedCents: state.exposureCents },
      };
      if (state.heldRecoveryCents === 0) return [paid];
      // What the bank recovered meanwhile is shared now that the guarantor has paid.
      return [paid, shared(state.heldRecoveryCents, state.claim, 0, command.now)];
    }
    case 'ShareRecovery': {
      checkPositive(command.recoveryCents, 'recoveryCents');
      // Before the guarantor paid, there is nothing of its own to give back yet: held, shared at the payment.
      if (state.status === 'called') return [{ type: 'RecoveryHeld', data: { recoveryCents: command.recoveryCents, receivedAt: command.receivedAt } }];
      if (state.status === 'writtenOff') throw stateError('GUARANTEE_WRITTEN_OFF', 'the guarantee was written off', 'loanId');
      if (state.status !== 'claimPaid') throw stateError('GUARANTEE_NOT_CALLED', 'only a called guarantee shares recoveries', 'loanId');
      return [shared(command.recoveryCents, state.claim, state.recoveredCents, command.receivedAt)];
    }
    case 'WithdrawGuarantee': {
      if (state.status === 'none' || state.status === 'withdrawn') return [];
      if (state.status !== 'requested' && state.status !== 'refused' && state.status !== 'granted') {
        throw stateError('GUARANTEE_ALREADY_ACTIVE', `the loan was disbursed under its guarantee (${state.status})`, 'loanId');
      }
      const granted = state.status === 'granted' ? { guarantorId: state.grant.guarantorId, releasedCents: state.grant.guaranteedCents } : { releasedCents: 0 };
      return [{ type: 'GuaranteeWithdrawn', data: { ...granted, withdrawnAt: command.withdrawnAt } }];
    }
    case 'WriteOffGuarantee': {
      if (state.status === 'called') throw stateError('CLAIM_NOT_PAID', 'the claim must be paid before the loss is written off', 'loanId');
      if (state.status === 'writtenOff') throw stateError('GUARANTEE_WRITTEN_OFF', 'the guarantee was written off', 'loanId');
      if (state.status !== 'claimPaid') throw stateError('GUARANTEE_NOT_CALLED', 'only a called guarantee is written off', 'loanId');
      const lossCents = state.claim.claimCents - state.recoveredCents;
      return [{ type: 'GuaranteeWrittenOff', data: { claimPaidCents: state.claim.claimCents, recoveredCents: state.recoveredCents, lossCents, writtenOffAt: command.writtenOffAt } }];
    }
    default:
      return exhaustive(command);
  }
}

function shared(recoveryCents: number, claim: Claim, recoveredSoFarCents: number, receivedAt: string): GuaranteeEvent {
  const guarantorShareCents = guarantorPartOf(recoveryCents, claim.claimCents, claim.outstandingPrincipalCents, recoveredSoFarCents);
  return {
    type: 'RecoveryShared',
    data: { recoveryCents, guarantorShareCents, bankShareCents: recoveryCents - guarantorShareCents, guarantorRecoveredTotalCents: recoveredSoFarCents + guarantorShareCents, receivedAt },
  };
}

function decision(request: Request, coverage: CoverageVersion | undefined, envelope: EnvelopeHeadroom, now: string): GuaranteeEvent {
  if (!coverage) return { type: 'GuaranteeRefused', data: { reasonCode: 'GUARANTOR_NOT_CONFIGURED', requiredCents: 0, headroomCents: 0, refusedAt: now } };
  if (!coverage.covered) return { type: 'GuaranteeRefused', data: { reasonCode: 'PRODUCT_NOT_COVERED', requiredCents: 0, headroomCents: 0, refusedAt: now } };
  const guaranteedCents = shareOf(coverage.shareBps, request.principalCents);
  if (envelope.limited && envelope.headroomCents < guaranteedCents) {
    return {
      type: 'GuaranteeRefused',
      data: { reasonCode: 'INSUFFICIENT_HEADROOM', guarantorId: coverage.guarantorId, requiredCents: guaranteedCents, headroomCents: Math.max(0, envelope.headroomCents), refusedAt: now },
    };
  }
  return {
    type: 'GuaranteeGranted',
    data: {
      guarantorId: coverage.guarantorId,
      guarantorKind: coverage.guarantorKind,
      managerId: coverage.managerId,
      coverageVersion: coverage.version,
      shareBps: coverage.shareBps,
      guaranteedCents,
      envelopeLimited: envelope.limited,
      grantedAt: now,
    },
  };
}

function refusalMessage(refusal: Refusal): string {
  switch (refusal.reasonCode) {
    case 'INSUFFICIENT_HEADROOM':
      return `the envelope has ${refusal.headroomCents} cents of headroom, ${refusal.requiredCents} are needed`;
    case 'PRODUCT_NOT_COVERED':
      return 'no guarantor covers this product';
    case 'GUARANTOR_NOT_CONFIGURED':
      return 'no guarantor is configured for this product';
    default:
      return exhaustive(refusal.reasonCode);
  }
}

function activeOrThrow(state: GuaranteeState): Extract<GuaranteeState, { status: 'active' }> {
  if (state.status !== 'active') throw stateError('GUARANTEE_NOT_ACTIVE', `the guarantee is ${state.status}, not active`, 'loanId');
  return state;
}

function checkOutstanding(cents: number): void {
  if (!Number.isSafeInteger(cents) || cents < 0) throw ruleError('OUTSTANDING_INVALID', 'outstandingPrincipalCents must be a whole number of cents, 0 or more', 'outstandingPrincipalCents');
}

function checkPositive(cents: number, field: string): void {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw ruleError('AMOUNT_INVALID', `${field} must be a whole positive number of cents`, field);
}

function checkDate(value: string, field: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw ruleError('DATE_INVALID', `${field} must be YYYY-MM-DD`, field);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const guaranteeDecider: Decider<GuaranteeCommand, GuaranteeEvent, GuaranteeState> = {
  initialState: () => ({ status: 'none' }),
  evolve: evolveGuarantee,
  decide: decideGuarantee,
};

/** Guarantee streams (`guarantee-<loanId>`), one per loan within a CCAS. */
export const guaranteeAggregate: Aggregate<GuaranteeCommand, GuaranteeEvent, GuaranteeState> = { category: 'guarantee', decider: guaranteeDecider };
