import { deciderSpec } from '@tremplin/event-sourcing';
import { FinanceError } from '@tremplin/finance';
import { refusedWith, sealed } from '../test-support';
import type { BeneficiaryCommand, RegisterBeneficiary } from './beneficiary.commands';
import { beneficiaryDecider, ERASED_FIELDS, KEPT_FACTS } from './beneficiary.decider';
import type { BeneficiaryEvent, BeneficiaryRegistered } from './beneficiary.events';

const spec = deciderSpec(beneficiaryDecider);
const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const NOW = '2026-03-02T09:00:00.000Z';

const register = (overrides: Partial<RegisterBeneficiary> = {}): RegisterBeneficiary => ({
  type: 'RegisterBeneficiary',
  beneficiaryId: 'ben-1',
  identity: sealed('identity'),
  contact: sealed('contact'),
  situation: sealed('situation'),
  household: { personsAged14OrMore: 2, childrenUnder14: 1 },
  now: NOW,
  actor: sophie,
  ...overrides,
});

const registered: BeneficiaryRegistered = {
  type: 'BeneficiaryRegistered',
  data: {
    beneficiaryId: 'ben-1',
    identity: sealed('identity'),
    contact: sealed('contact'),
    situation: sealed('situation'),
    household: { personsAged14OrMore: 2, childrenUnder14: 1 },
    consumptionUnitsTenths: 18,
    registeredBy: 'sw-sophie',
    registeredAt: NOW,
  },
};

const erased: BeneficiaryEvent = {
  type: 'BeneficiaryErased',
  data: { reason: 'personRequest', erased: [...ERASED_FIELDS], kept: [...KEPT_FACTS], erasedBy: 'dir-laval', erasedAt: NOW },
};

type Input = BeneficiaryCommand extends infer C ? (C extends BeneficiaryCommand ? Omit<C, 'now' | 'actor'> : never) : never;
const cmd = (command: Input, actor = sophie): BeneficiaryCommand => ({ ...command, now: NOW, actor }) as BeneficiaryCommand;

describe('a beneficiary not yet registered', () => {
  it('is registered with sealed identity, contact and situation, and the consumption units of the household (1 + 0.5 + 0.3)', () => {
    spec.given([]).when(register()).then([registered]);
  });

  it('refuses an impossible household through the finance rules (no one aged 14 or more)', () => {
    spec.given([]).when(register({ household: { personsAged14OrMore: 0, childrenUnder14: 2 } })).thenThrows((error) => error instanceof FinanceError && error.code === 'HOUSEHOLD_INVALID');
  });

  it('refuses a personal field that did not go through the vault', () => {
    spec.given([]).when(register({ identity: { firstName: 'x' } as never })).thenThrows((error) => error instanceof Error && /unencrypted/.test(error.message));
  });

  it('refuses every other command as not found', () => {
    spec.given([]).when(cmd({ type: 'RecordConsent', consent: 'dataProcessing', given: true })).thenThrows(refusedWith('state', 'BENEFICIARY_NOT_FOUND', 'beneficiaryId'));
    spec.given([]).when(cmd({ type: 'EraseBeneficiary', filesWithLiveLoan: [], filesInProgress: [], reason: 'personRequest' })).thenThrows(refusedWith('state', 'BENEFICIARY_NOT_FOUND'));
  });
});

describe('a registered beneficiary', () => {
  it('cannot be registered twice', () => {
    spec.given([registered]).when(register()).thenThrows(refusedWith('state', 'BENEFICIARY_ALREADY_REGISTERED', 'beneficiaryId'));
  });

  it('takes a new situation, contact or household, recomputing the units', () => {
    spec
      .given([registered])
      .when(cmd({ type: 'UpdateSituation', situation: sealed('new'), household: { personsAged14OrMore: 1, childrenUnder14: 0 } }))
      .then([{ type: 'SituationUpdated', data: { situation: sealed('new'), household: { personsAged14OrMore: 1, childrenUnder14: 0 }, consumptionUnitsTenths: 10, updatedBy: 'sw-sophie', updatedAt: NOW } }]);
    spec.given([registered]).when(cmd({ type: 'UpdateSituation' })).thenThrows(refusedWith('rule', 'NOTHING_TO_UPDATE', 'situation'));
  });

  it('records a consent, its withdrawal, and refuses a consent that changes nothing', () => {
    const given = { type: 'ConsentRecorded' as const, data: { consent: 'transmissionToBank' as const, given: true, recordedBy: 'sw-sophie', recordedAt: NOW } };
    spec.given([registered]).when(cmd({ type: 'RecordConsent', consent: 'transmissionToBank', given: true })).then([given]);
    spec.given([registered, given]).when(cmd({ type: 'RecordConsent', consent: 'transmissionToBank', given: true })).thenThrows(refusedWith('state', 'CONSENT_UNCHANGED', 'given'));
    spec.given([registered, given]).when(cmd({ type: 'RecordConsent', consent: 'transmissionToBank', given: false })).then([{ ...given, data: { ...given.data, given: false } }]);
    spec.given([registered]).when(cmd({ type: 'RecordConsent', consent: 'marketing' as never, given: true })).thenThrows(refusedWith('rule', 'CONSENT_KIND_INVALID', 'consent'));
  });

  it('records that the accompanied nature of the loan was explained', () => {
    spec.given([registered]).when(cmd({ type: 'RecordInformationGiven', topic: 'accompaniedNature' })).then([{ type: 'InformationGiven', data: { topic: 'accompaniedNature', givenBy: 'sw-sophie', givenAt: NOW } }]);
    spec.given([registered]).when(cmd({ type: 'RecordInformationGiven', topic: 'weather' as never })).thenThrows(refusedWith('rule', 'INFORMATION_TOPIC_INVALID', 'topic'));
  });

  it('is erased, saying what is erased and what is kept', () => {
    spec.given([registered]).when(cmd({ type: 'EraseBeneficiary', filesWithLiveLoan: [], filesInProgress: [], reason: 'personRequest' }, { userId: 'dir-laval', role: 'ccasDirector' })).then([erased]);
  });

  it('refuses erasure while a file is tied to a live loan (kept until the loan ends)', () => {
    spec
      .given([registered])
      .when(cmd({ type: 'EraseBeneficiary', filesWithLiveLoan: ['app-1'], filesInProgress: [], reason: 'personRequest' }))
      .thenThrows(refusedWith('state', 'ERASURE_BLOCKED_BY_LIVE_LOAN', 'beneficiaryId'));
  });
});

describe('a beneficiary with a file in progress', () => {
  it('refuses erasure until the file is withdrawn', () => {
    spec
      .given([registered])
      .when(cmd({ type: 'EraseBeneficiary', filesWithLiveLoan: [], filesInProgress: ['app-2'], reason: 'personRequest' }))
      .thenThrows(refusedWith('state', 'ERASURE_BLOCKED_BY_FILE_IN_PROGRESS', 'beneficiaryId'));
  });
});

describe('an erased beneficiary', () => {
  const history = [registered, erased];

  it('takes no personal data any more, and cannot be erased twice', () => {
    spec.given(history).when(cmd({ type: 'UpdateSituation', situation: sealed('again') })).thenThrows(refusedWith('state', 'BENEFICIARY_ERASED', 'beneficiaryId'));
    spec.given(history).when(cmd({ type: 'RecordConsent', consent: 'dataProcessing', given: true })).thenThrows(refusedWith('state', 'BENEFICIARY_ERASED'));
    spec.given(history).when(cmd({ type: 'EraseBeneficiary', filesWithLiveLoan: [], filesInProgress: [], reason: 'personRequest' })).thenThrows(refusedWith('state', 'BENEFICIARY_ERASED'));
  });

  it('folds to the erased state whatever came before', () => {
    const state = history.reduce(beneficiaryDecider.evolve, beneficiaryDecider.initialState());
    expect(state).toEqual({ status: 'erased', beneficiaryId: 'ben-1', erasedAt: NOW });
  });
});
