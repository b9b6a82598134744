import type { Actor } from '@tremplin/event-sourcing';
import type { Sealed } from '../sealed';

/** Everyone in the household aged 14 or more (the person included) and the children under 14. */
export interface Household {
  readonly personsAged14OrMore: number;
  readonly childrenUnder14: number;
}

export const CONSENT_KINDS = ['dataProcessing', 'transmissionToBank', 'contactByAccompaniment'] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];

export const INFORMATION_TOPICS = ['accompaniedNature', 'loanCost', 'rightsOfAccessAndErasure', 'commissionProcess'] as const;
export type InformationTopic = (typeof INFORMATION_TOPICS)[number];

/** The person's first record: identity, contact and situation arrive sealed under their own key. */
export interface RegisterBeneficiary {
  readonly type: 'RegisterBeneficiary';
  readonly beneficiaryId: string;
  readonly identity: Sealed;
  readonly contact: Sealed;
  readonly situation: Sealed;
  readonly household: Household;
  readonly now: string;
  readonly actor: Actor;
}

export interface UpdateSituation {
  readonly type: 'UpdateSituation';
  readonly contact?: Sealed;
  readonly situation?: Sealed;
  readonly household?: Household;
  readonly now: string;
  readonly actor: Actor;
}

export interface RecordConsent {
  readonly type: 'RecordConsent';
  readonly consent: ConsentKind;
  readonly given: boolean;
  readonly now: string;
  readonly actor: Actor;
}

export interface RecordInformationGiven {
  readonly type: 'RecordInformationGiven';
  readonly topic: InformationTopic;
  readonly now: string;
  readonly actor: Actor;
}

/**
 * Right to erasure. The handler lists the person's files still tied to a live loan (kept: legal retention) and those
 * still in preparation or at the commission (to be withdrawn first, so no file goes on without its person).
 */
export interface EraseBeneficiary {
  readonly type: 'EraseBeneficiary';
  readonly filesWithLiveLoan: readonly string[];
  readonly filesInProgress: readonly string[];
  readonly reason: 'personRequest' | 'retentionExpired';
  readonly now: string;
  readonly actor: Actor;
}

export type BeneficiaryCommand = RegisterBeneficiary | UpdateSituation | RecordConsent | RecordInformationGiven | EraseBeneficiary;
