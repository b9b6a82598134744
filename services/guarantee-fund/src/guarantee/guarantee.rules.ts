import { divideRoundHalfUp } from '@tremplin/finance';
import type { GuarantorKind } from '../product-coverage/coverage.commands';
import type { EnvelopeMovement } from '../envelope/envelope.commands';
import type { GuaranteeState } from './guarantee.decider';
import type { GuaranteeEvent } from './guarantee.events';

/**
 * The rounding rule of every guaranteed amount (exposure, claim): share × principal in basis points, divided
 * by 10,000 and rounded half-up to the cent, in integers (no float ever holds money). docs/guarantee-fund.md.
 */
export function shareOf(shareBps: number, cents: number): number {
  return Number(divideRoundHalfUp(BigInt(shareBps) * BigInt(cents), 10_000n));
}

/**
 * A recovery after default is shared between the bank and the guarantor in proportion to what each lost: the
 * guarantor paid the claim, the bank bore the rest of the outstanding principal. The guarantor's part is rounded
 * half-up and never takes its recoveries above the claim it paid; the bank gets the rest of the cent.
 */
export function guarantorPartOf(recoveryCents: number, claimCents: number, outstandingAtDefaultCents: number, recoveredSoFarCents: number): number {
  if (outstandingAtDefaultCents === 0) return 0;
  const proRata = Number(divideRoundHalfUp(BigInt(recoveryCents) * BigInt(claimCents), BigInt(outstandingAtDefaultCents)));
  return Math.min(proRata, claimCents - recoveredSoFarCents);
}

/** Only a CCAS guarantees from an envelope its board voted; the FCS is a national fund without a per-CCAS limit. */
export const hasEnvelope = (kind: GuarantorKind): boolean => kind === 'ccas';

/** What the guarantee's new events do to its guarantors' envelopes (none for a guarantor without one), in order. */
export function envelopeMovementsOf(loanId: string, state: GuaranteeState, events: readonly GuaranteeEvent[]): Array<{ guarantorId: string; command: EnvelopeMovement }> {
  let grant = 'grant' in state ? state.grant : undefined;
  const movements: Array<{ guarantorId: string; command: EnvelopeMovement }> = [];
  for (const event of events) {
    if (event.type === 'GuaranteeRequested') {
      const superseded = event.data.superseded;
      if (superseded && superseded.releasedCents > 0) movements.push({ guarantorId: superseded.guarantorId, command: { type: 'ReleaseReservation', loanId, amountCents: superseded.releasedCents } });
      grant = undefined;
      continue;
    }
    if (event.type === 'GuaranteeGranted') grant = event.data;
    if (!grant?.envelopeLimited) continue;
    const command = movementOf(loanId, event);
    if (command) movements.push({ guarantorId: grant.guarantorId, command });
  }
  return movements;
}

function movementOf(loanId: string, event: GuaranteeEvent): EnvelopeMovement | undefined {
  switch (event.type) {
    case 'GuaranteeGranted':
      return { type: 'ReserveForGuarantee', loanId, amountCents: event.data.guaranteedCents };
    case 'GuaranteeExposureReduced':
      return { type: 'ReleaseReservation', loanId, amountCents: event.data.releasedCents };
    case 'GuaranteeReleased':
    case 'GuaranteeWithdrawn':
      return event.data.releasedCents > 0 ? { type: 'ReleaseReservation', loanId, amountCents: event.data.releasedCents } : undefined;
    case 'ClaimPaid':
      return event.data.releasedCents + event.data.claimCents > 0
        ? { type: 'ConsumeForClaim', loanId, releasedCents: event.data.releasedCents, consumedCents: event.data.claimCents }
        : undefined;
    case 'RecoveryShared':
      return event.data.guarantorShareCents > 0 ? { type: 'ReplenishFromRecovery', loanId, amountCents: event.data.guarantorShareCents } : undefined;
    case 'GuaranteeRequested':
    case 'GuaranteeRefused':
    case 'GuaranteeActivated':
    case 'GuaranteeCalled':
    case 'RecoveryHeld':
    case 'GuaranteeWrittenOff':
      return undefined;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}
