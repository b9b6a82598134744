import { z } from 'zod';
import { defineContract } from './contract';
import { basisPoints, calendarDate, cents, id, instant, positiveCents, product, tenantId } from './fields';

// The guarantee-fund's facts share one topic; each is keyed by the aggregate it is about, so one envelope's
// votes stay in one partition, in order.
export const GUARANTEE_TOPIC = 'guarantee.guarantee';

// A board's reference of its decision (deliberation number): a code, so no free text rides on the bus.
const decisionReference = () => z.string().regex(/^[A-Z0-9][A-Z0-9_./-]{0,63}$/, 'a decision reference code');

export const envelopeCapacityVotedV1 = defineContract({
  name: 'guarantee.envelope-capacity-voted.v1',
  topic: GUARANTEE_TOPIC,
  schema: z
    .object({
      tenantId: tenantId(),
      guarantorId: id(),
      capacityCents: positiveCents(),
      previousCapacityCents: cents(),
      reservedCents: cents(),
      headroomCents: cents(),
      decisionDate: calendarDate(),
      decisionReference: decisionReference(),
      votedAt: instant(),
    })
    .strict(),
  key: (payload) => `envelope:${payload.tenantId}:${payload.guarantorId}`,
});

export const guarantorKinds = ['fcs', 'ccas'] as const;
export const guaranteeRefusalReasons = ['INSUFFICIENT_HEADROOM', 'PRODUCT_NOT_COVERED', 'GUARANTOR_NOT_CONFIGURED'] as const;
export const guaranteeReleaseReasons = ['loanRepaid', 'principalRepaid'] as const;

// One loan's guarantee facts share its key, so lending and reporting read them in the order they happened.
const guaranteeOf = { tenantId: tenantId(), loanId: id() };
const guaranteeContract = <Shape extends z.ZodRawShape & typeof guaranteeOf>(name: string, shape: Shape) =>
  defineContract({
    name,
    topic: GUARANTEE_TOPIC,
    schema: z.object(shape).strict(),
    key: (payload) => `guarantee:${(payload as { tenantId: string }).tenantId}:${(payload as { loanId: string }).loanId}`,
  });
const covered = { ...guaranteeOf, guarantorId: id(), guarantorKind: z.enum(guarantorKinds), product: product() };

export const guaranteeRequestedV1 = guaranteeContract('guarantee.guarantee-requested.v1', {
  ...guaranteeOf,
  bankPartnerId: id(),
  product: product(),
  principalCents: positiveCents(),
  requestedAt: instant(),
});

export const guaranteeGrantedV1 = guaranteeContract('guarantee.guarantee-granted.v1', {
  ...covered,
  guaranteedShareBps: basisPoints(),
  // share × principal, half-up to the cent: what the guarantor's envelope holds for this loan.
  guaranteedCents: positiveCents(),
  coverageVersion: z.int().positive(),
  grantedAt: instant(),
});

export const guaranteeRefusedV1 = guaranteeContract('guarantee.guarantee-refused.v1', {
  ...guaranteeOf,
  product: product(),
  guarantorId: id().optional(),
  reasonCode: z.enum(guaranteeRefusalReasons),
  requiredCents: cents(),
  headroomCents: cents(),
  refusedAt: instant(),
});

// The signed offer was withdrawn before disbursement: the grant (if any) is released, nothing was exposed.
export const guaranteeWithdrawnV1 = guaranteeContract('guarantee.guarantee-withdrawn.v1', {
  ...guaranteeOf,
  product: product(),
  guarantorId: id().optional(),
  releasedCents: cents(),
  withdrawnAt: instant(),
});

export const guaranteeActivatedV1 = guaranteeContract('guarantee.guarantee-activated.v1', {
  ...covered,
  principalCents: positiveCents(),
  guaranteedShareBps: basisPoints(),
  exposureCents: positiveCents(),
  activatedAt: instant(),
});

export const guaranteeExposureReducedV1 = guaranteeContract('guarantee.exposure-reduced.v1', {
  ...covered,
  outstandingPrincipalCents: cents(),
  previousExposureCents: cents(),
  exposureCents: cents(),
  reducedOn: calendarDate(),
});

export const guaranteeReleasedV1 = guaranteeContract('guarantee.guarantee-released.v1', {
  ...covered,
  releasedCents: cents(),
  reason: z.enum(guaranteeReleaseReasons),
  releasedAt: instant(),
});

export const guaranteeCalledV1 = guaranteeContract('guarantee.guarantee-called.v1', {
  ...covered,
  outstandingPrincipalCents: cents(),
  guaranteedShareBps: basisPoints(),
  claimCents: cents(),
  calledAt: instant(),
});

export const guaranteeClaimPaidV1 = guaranteeContract('guarantee.claim-paid.v1', {
  ...covered,
  claimCents: cents(),
  paidOn: calendarDate(),
  paidBy: id(),
  paidAt: instant(),
});

export const guaranteeRecoverySharedV1 = guaranteeContract('guarantee.recovery-shared.v1', {
  ...covered,
  recoveryCents: positiveCents(),
  guarantorShareCents: cents(),
  bankShareCents: cents(),
  guarantorRecoveredTotalCents: cents(),
  receivedAt: instant(),
});

export const guaranteeWrittenOffV1 = guaranteeContract('guarantee.guarantee-written-off.v1', {
  ...covered,
  claimPaidCents: cents(),
  recoveredCents: cents(),
  lossCents: cents(),
  writtenOffAt: instant(),
});

export const guaranteeContracts = [
  envelopeCapacityVotedV1,
  guaranteeRequestedV1,
  guaranteeGrantedV1,
  guaranteeRefusedV1,
  guaranteeWithdrawnV1,
  guaranteeActivatedV1,
  guaranteeExposureReducedV1,
  guaranteeReleasedV1,
  guaranteeCalledV1,
  guaranteeClaimPaidV1,
  guaranteeRecoverySharedV1,
  guaranteeWrittenOffV1,
] as const;
