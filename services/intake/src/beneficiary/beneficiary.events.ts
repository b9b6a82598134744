import type { Sealed } from '../sealed';
import type { ConsentKind, Household, InformationTopic } from './beneficiary.commands';

export interface BeneficiaryRegistered {
  readonly type: 'BeneficiaryRegistered';
  readonly data: {
    readonly beneficiaryId: string;
    readonly identity: Sealed;
    readonly contact: Sealed;
    readonly situation: Sealed;
    // Counts only (not who): they give the consumption units the budget is divided by.
    readonly household: Household;
    readonly consumptionUnitsTenths: number;
    readonly registeredBy: string;
    readonly registeredAt: string;
  };
}

export interface SituationUpdated {
  readonly type: 'SituationUpdated';
  readonly data: {
    readonly contact?: Sealed;
    readonly situation?: Sealed;
    readonly household?: Household;
    readonly consumptionUnitsTenths?: number;
    readonly updatedBy: string;
    readonly updatedAt: string;
  };
}

export interface ConsentRecorded {
  readonly type: 'ConsentRecorded';
  readonly data: { readonly consent: ConsentKind; readonly given: boolean; readonly recordedBy: string; readonly recordedAt: string };
}

export interface InformationGiven {
  readonly type: 'InformationGiven';
  readonly data: { readonly topic: InformationTopic; readonly givenBy: string; readonly givenAt: string };
}

/** The person's key is shredded with this event: what it lists as erased is unreadable in every earlier event. */
export interface BeneficiaryErased {
  readonly type: 'BeneficiaryErased';
  readonly data: {
    readonly reason: 'personRequest' | 'retentionExpired';
    readonly erased: readonly string[];
    readonly kept: readonly string[];
    readonly erasedBy: string;
    readonly erasedAt: string;
  };
}

export type BeneficiaryEvent = BeneficiaryRegistered | SituationUpdated | ConsentRecorded | InformationGiven | BeneficiaryErased;

export const beneficiaryStreamId = (beneficiaryId: string) => `beneficiary-${beneficiaryId}`;
