import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { consumptionUnitsTenths } from '@tremplin/finance';
import { isSealed, type Sealed } from '../sealed';
import { CONSENT_KINDS, INFORMATION_TOPICS, type BeneficiaryCommand, type ConsentKind, type Household, type InformationTopic } from './beneficiary.commands';
import type { BeneficiaryEvent } from './beneficiary.events';

/** What erasure removes and what it keeps, and why: stated in the event and in the answer to the person. */
export const ERASED_FIELDS = ['identity', 'contact', 'situation', 'application.project', 'application.appointments.notes', 'application.budget', 'application.budget.notes', 'application.restructuring.creditors'] as const;
export const KEPT_FACTS = [
  'ids (pseudonymous), dates and who acted: the history must stay verifiable (hash chain) and replayable',
  'consents and information given (codes): proof the person was informed',
  'household counts, whether the reste à vivre was below the CCAS minimum, and the commission decision resting on them',
] as const;

export type BeneficiaryState =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'registered';
      readonly beneficiaryId: string;
      readonly household: Household;
      readonly consumptionUnitsTenths: number;
      readonly consents: Readonly<Partial<Record<ConsentKind, boolean>>>;
      readonly informationGiven: readonly InformationTopic[];
    }
  | { readonly status: 'erased'; readonly beneficiaryId: string; readonly erasedAt: string };

export const initialBeneficiaryState = (): BeneficiaryState => ({ status: 'unknown' });

export function evolveBeneficiary(state: BeneficiaryState, event: BeneficiaryEvent): BeneficiaryState {
  switch (event.type) {
    case 'BeneficiaryRegistered':
      return { status: 'registered', beneficiaryId: event.data.beneficiaryId, household: event.data.household, consumptionUnitsTenths: event.data.consumptionUnitsTenths, consents: {}, informationGiven: [] };
    case 'SituationUpdated':
      if (state.status !== 'registered') return state;
      return { ...state, ...(event.data.household ? { household: event.data.household, consumptionUnitsTenths: event.data.consumptionUnitsTenths ?? state.consumptionUnitsTenths } : {}) };
    case 'ConsentRecorded':
      if (state.status !== 'registered') return state;
      return { ...state, consents: { ...state.consents, [event.data.consent]: event.data.given } };
    case 'InformationGiven':
      if (state.status !== 'registered') return state;
      return { ...state, informationGiven: state.informationGiven.includes(event.data.topic) ? state.informationGiven : [...state.informationGiven, event.data.topic] };
    case 'BeneficiaryErased':
      return state.status === 'unknown' ? state : { status: 'erased', beneficiaryId: state.beneficiaryId, erasedAt: event.data.erasedAt };
    default:
      return exhaustive(event);
  }
}

export function decideBeneficiary(command: BeneficiaryCommand, state: BeneficiaryState): BeneficiaryEvent[] {
  if (command.type === 'RegisterBeneficiary') {
    if (state.status !== 'unknown') throw stateError('BENEFICIARY_ALREADY_REGISTERED', `beneficiary ${command.beneficiaryId} is already registered`, 'beneficiaryId');
    for (const field of ['identity', 'contact', 'situation'] as const) checkSealed(command[field], field);
    return [
      {
        type: 'BeneficiaryRegistered',
        data: {
          beneficiaryId: command.beneficiaryId,
          identity: command.identity,
          contact: command.contact,
          situation: command.situation,
          household: command.household,
          consumptionUnitsTenths: unitsOf(command.household),
          registeredBy: command.actor.userId,
          registeredAt: command.now,
        },
      },
    ];
  }
  if (state.status === 'unknown') throw stateError('BENEFICIARY_NOT_FOUND', 'no such beneficiary in this CCAS', 'beneficiaryId');
  if (state.status === 'erased') throw stateError('BENEFICIARY_ERASED', `the beneficiary's personal data was erased on ${state.erasedAt}`, 'beneficiaryId');
  switch (command.type) {
    case 'UpdateSituation': {
      if (!command.contact && !command.situation && !command.household) throw ruleError('NOTHING_TO_UPDATE', 'give contact, situation or household', 'situation');
      if (command.contact) checkSealed(command.contact, 'contact');
      if (command.situation) checkSealed(command.situation, 'situation');
      return [
        {
          type: 'SituationUpdated',
          data: {
            ...(command.contact ? { contact: command.contact } : {}),
            ...(command.situation ? { situation: command.situation } : {}),
            ...(command.household ? { household: command.household, consumptionUnitsTenths: unitsOf(command.household) } : {}),
            updatedBy: command.actor.userId,
            updatedAt: command.now,
          },
        },
      ];
    }
    case 'RecordConsent': {
      if (!CONSENT_KINDS.includes(command.consent)) throw ruleError('CONSENT_KIND_INVALID', `consent is one of ${CONSENT_KINDS.join(', ')}`, 'consent');
      if (state.consents[command.consent] === command.given) {
        throw stateError('CONSENT_UNCHANGED', `consent ${command.consent} is already recorded as ${command.given ? 'given' : 'withdrawn'}`, 'given');
      }
      return [{ type: 'ConsentRecorded', data: { consent: command.consent, given: command.given, recordedBy: command.actor.userId, recordedAt: command.now } }];
    }
    case 'RecordInformationGiven': {
      if (!INFORMATION_TOPICS.includes(command.topic)) throw ruleError('INFORMATION_TOPIC_INVALID', `topic is one of ${INFORMATION_TOPICS.join(', ')}`, 'topic');
      return [{ type: 'InformationGiven', data: { topic: command.topic, givenBy: command.actor.userId, givenAt: command.now } }];
    }
    case 'EraseBeneficiary': {
      if (command.filesWithLiveLoan.length > 0) {
        throw stateError(
          'ERASURE_BLOCKED_BY_LIVE_LOAN',
          `file(s) ${command.filesWithLiveLoan.join(', ')} are tied to a loan not yet ended: they are kept until it ends (contract and accounting obligations)`,
          'beneficiaryId',
        );
      }
      if (command.filesInProgress.length > 0) {
        throw stateError('ERASURE_BLOCKED_BY_FILE_IN_PROGRESS', `file(s) ${command.filesInProgress.join(', ')} are still in progress: withdraw them first`, 'beneficiaryId');
      }
      return [{ type: 'BeneficiaryErased', data: { reason: command.reason, erased: [...ERASED_FIELDS], kept: [...KEPT_FACTS], erasedBy: command.actor.userId, erasedAt: command.now } }];
    }
    default:
      return exhaustive(command);
  }
}

function unitsOf(household: Household): number {
  // libs/finance refuses impossible households with a typed error the executor answers as a 400.
  return consumptionUnitsTenths(household);
}

function checkSealed(value: Sealed, field: string): void {
  // A programming error, not the user's: personal fields reach the decider only through the vault.
  if (!isSealed(value)) throw new Error(`personal field ${field} reached the decider unencrypted`);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const beneficiaryDecider: Decider<BeneficiaryCommand, BeneficiaryEvent, BeneficiaryState> = {
  initialState: initialBeneficiaryState,
  evolve: evolveBeneficiary,
  decide: decideBeneficiary,
};

/** `beneficiary-<id>` streams: one per person within a CCAS. */
export const beneficiaryAggregate: Aggregate<BeneficiaryCommand, BeneficiaryEvent, BeneficiaryState> = { category: 'beneficiary', decider: beneficiaryDecider };
