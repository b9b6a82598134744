import { deciderSpec } from '@tremplin/event-sourcing';
import { refusedWith, sealed } from '../test-support';
import type { ApplicationCommand, AssessBudget, OpenApplication } from './application.commands';
import { isSealed } from '../sealed';
import { applicationDecider, budgetFigures, type ApplicationState } from './application.decider';
import type { ApplicationEvent, ApplicationOpened, BudgetAssessed } from './application.events';
import { DEFAULT_INTAKE_SETTINGS, settingsInForce, type IntakeSettingsVersion } from './application.rules';

const spec = deciderSpec(applicationDecider);
const NOW = '2026-03-10T09:00:00.000Z';
const sophie = { userId: 'sw-sophie', role: 'socialWorker' };
const marc = { userId: 'sw-marc', role: 'socialWorker' };
const claire = { userId: 'com-claire', role: 'commissionMember' };
const settings: IntakeSettingsVersion = { version: 'laval-2026', effectiveFrom: '2026-01-01', minimumResteAVivrePerUnitCents: 40_000, restructuringDebtCapCents: 150_000, overdraftRegularisationCapCents: 80_000 };

type Input = ApplicationCommand extends infer C ? (C extends ApplicationCommand ? Omit<C, 'now' | 'actor'> : never) : never;
const cmd = (command: Input, actor = sophie): ApplicationCommand => ({ ...command, now: NOW, actor }) as ApplicationCommand;

const openCommand = (overrides: Partial<OpenApplication> = {}): OpenApplication => ({
  type: 'OpenApplication',
  applicationId: 'app-1',
  beneficiaryId: 'ben-1',
  beneficiaryStatus: 'registered',
  product: 'classic',
  purposeCategory: 'mobility',
  project: sealed('project'),
  requestedAmountCents: 180_000,
  requestedTermMonths: 24,
  settings,
  now: NOW,
  actor: sophie,
  ...overrides,
});

const openedWith = (data: Partial<ApplicationOpened['data']> = {}): ApplicationOpened => ({
  type: 'ApplicationOpened',
  data: { applicationId: 'app-1', beneficiaryId: 'ben-1', product: 'classic', purposeCategory: 'mobility', project: sealed('project'), requestedAmountCents: 180_000, requestedTermMonths: 24, openedBy: 'sw-sophie', openedAt: NOW, ...data },
});
const opened = openedWith();
const appointment = (appointmentId = 'rdv-1', heldBy = 'sw-sophie'): ApplicationEvent => ({
  type: 'AppointmentHeld',
  data: { appointmentId, heldOn: '2026-03-09', durationMinutes: 90, topics: ['situation', 'budget'], notes: sealed('notes'), heldBy },
});

// What the handler seals under the person's key: the lines, debts, instalment and reste à vivre.
const sealedBudget = {
  incomes: sealed('incomes'),
  charges: sealed('charges'),
  debtsOutstandingCents: sealed('debts'),
  overdraftCents: sealed('overdraft'),
  expectedInstalmentCents: sealed('instalment'),
  resteAVivre: sealed('resteAVivre'),
};

const budgetCommand = (overrides: Partial<AssessBudget> = {}): AssessBudget => ({
  type: 'AssessBudget',
  household: { personsAged14OrMore: 2, childrenUnder14: 1 },
  incomes: [
    { kind: 'salary', amountCents: 150_000 },
    { kind: 'familyBenefits', amountCents: 20_000 },
  ],
  charges: [
    { kind: 'rent', amountCents: 60_000 },
    { kind: 'energy', amountCents: 15_000 },
    { kind: 'insurance', amountCents: 5_000 },
  ],
  debtsOutstandingCents: 0,
  overdraftCents: 0,
  expectedInstalmentCents: 8_500,
  sealed: sealedBudget,
  settings,
  now: NOW,
  actor: sophie,
  ...overrides,
});

// 1,700 € in, 800 € of fixed charges, 1.8 consumption units: 900 € a month (500.00 €/unit) before, 815 € (452.77 €/unit, rounded down) after.
const budget: BudgetAssessed = {
  type: 'BudgetAssessed',
  data: {
    household: { personsAged14OrMore: 2, childrenUnder14: 1 },
    ...sealedBudget,
    settingsVersion: 'laval-2026',
    minimumResteAVivrePerUnitCents: 40_000,
    belowMinimum: false,
    assessedBy: 'sw-sophie',
    assessedAt: NOW,
  },
};
const needs: ApplicationEvent = { type: 'NeedsAssessed', data: { level: 'checkIns', kinds: ['budget'], assessedBy: 'sw-sophie', assessedAt: NOW } };
const submitted: ApplicationEvent = { type: 'ApplicationSubmitted', data: { submittedBy: 'sw-sophie', submittedAt: NOW } };
const decided = (decision: 'approved' | 'refused' | 'postponed', decidedBy = 'com-claire', reasonCode = 'PROJECT_SOUND'): ApplicationEvent => ({
  type: 'CommissionDecided',
  data: { decisionId: 'dec-1', decision, reasonCode, decidedBy, decidedAt: NOW },
});
const transmitted: ApplicationEvent = { type: 'ApplicationTransmitted', data: { bankPartnerId: 'bank-parcours', commissionDecisionId: 'dec-1', transmittedBy: 'sw-sophie', transmittedAt: NOW } };

const ready = [opened, appointment(), budget, needs];
const atCommission = [...ready, submitted];
const approved = [...atCommission, decided('approved')];
const atBank = [...approved, transmitted];

const fold = (events: ApplicationEvent[]): ApplicationState => events.reduce(applicationDecider.evolve, applicationDecider.initialState());

describe('a file not yet opened', () => {
  it('is opened for a registered beneficiary with its product, purpose, project (sealed), amount and term', () => {
    spec.given([]).when(openCommand()).then([opened]);
  });

  it('is not opened for an unknown (404) or erased (409) beneficiary', () => {
    spec.given([]).when(openCommand({ beneficiaryStatus: 'unknown' })).thenThrows(refusedWith('notFound', 'BENEFICIARY_NOT_FOUND', 'beneficiaryId'));
    spec.given([]).when(openCommand({ beneficiaryStatus: 'erased' })).thenThrows(refusedWith('state', 'BENEFICIARY_ERASED', 'beneficiaryId'));
  });

  it('keeps to the legal ceiling of personal microcredit (8,000 €, 84 months)', () => {
    spec.given([]).when(openCommand({ requestedAmountCents: 800_001 })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'requestedAmountCents'));
    spec.given([]).when(openCommand({ requestedAmountCents: 0 })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'requestedAmountCents'));
    spec.given([]).when(openCommand({ requestedTermMonths: 85 })).thenThrows(refusedWith('rule', 'TERM_INVALID', 'requestedTermMonths'));
  });

  it('answers every other command with 404', () => {
    spec.given([]).when(cmd({ type: 'SubmitToCommission' })).thenThrows(refusedWith('notFound', 'APPLICATION_NOT_FOUND', 'applicationId'));
    spec.given([]).when(cmd({ type: 'RecordBankAnswer', loanId: 'loan-1', answer: { outcome: 'loanApproved', approvedAmountCents: 1, termMonths: 6 } })).thenThrows(refusedWith('notFound', 'APPLICATION_NOT_FOUND'));
  });
});

describe('a restructuring file (Laval)', () => {
  const restructuring = (debts: number[], overdraftCents: number) => ({ debts: debts.map((amountCents, i) => ({ creditor: sealed(`creditor-${i}`), amountCents })), overdraftCents });
  const open = (debts: number[], overdraftCents: number, overrides: Partial<OpenApplication> = {}) =>
    openCommand({ product: 'restructuring', purposeCategory: 'debtRestructuring', restructuring: restructuring(debts, overdraftCents), requestedAmountCents: debts.reduce((a, b) => a + b, 0) + overdraftCents, ...overrides });

  it('consolidates debts up to the cap (1,500 €) and an overdraft up to its cap (800 €), exactly', () => {
    spec.given([]).when(open([100_000, 50_000], 80_000)).then([
      openedWith({ product: 'restructuring', purposeCategory: 'debtRestructuring', requestedAmountCents: 230_000, restructuring: restructuring([100_000, 50_000], 80_000) }),
    ]);
  });

  it('refuses debts over the cap, an overdraft over its cap, each against the settings version', () => {
    spec.given([]).when(open([100_000, 50_001], 0)).thenThrows(refusedWith('rule', 'RESTRUCTURING_DEBT_CAP_EXCEEDED', 'restructuring.debts'));
    spec.given([]).when(open([10_000], 80_001)).thenThrows(refusedWith('rule', 'OVERDRAFT_CAP_EXCEEDED', 'restructuring.overdraftCents'));
    const lower = { ...settings, restructuringDebtCapCents: 100_000 };
    spec.given([]).when(open([100_001], 0, { settings: lower })).thenThrows(refusedWith('rule', 'RESTRUCTURING_DEBT_CAP_EXCEEDED'));
  });

  it('lends exactly what is consolidated, for the purpose debtRestructuring, and lists something', () => {
    spec.given([]).when(open([100_000], 0, { requestedAmountCents: 120_000 })).thenThrows(refusedWith('rule', 'RESTRUCTURING_AMOUNT_MISMATCH', 'requestedAmountCents'));
    spec.given([]).when(open([100_000], 0, { purposeCategory: 'mobility' })).thenThrows(refusedWith('rule', 'PURPOSE_MISMATCH', 'purposeCategory'));
    spec.given([]).when(open([], 0, { requestedAmountCents: 10_000 })).thenThrows(refusedWith('rule', 'RESTRUCTURING_EMPTY', 'restructuring.debts'));
    spec.given([]).when(open([0], 10_000)).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'restructuring.debts.0.amountCents'));
    spec.given([]).when(openCommand({ product: 'restructuring', purposeCategory: 'debtRestructuring' })).thenThrows(refusedWith('rule', 'RESTRUCTURING_DETAILS_REQUIRED', 'restructuring'));
    spec.given([]).when(openCommand({ restructuring: restructuring([1], 0) })).thenThrows(refusedWith('rule', 'RESTRUCTURING_DETAILS_UNEXPECTED', 'restructuring'));
  });

  it('flags budget accompaniment as mandatory', () => {
    const restructuringOpened = openedWith({ product: 'restructuring', purposeCategory: 'debtRestructuring' });
    spec.given([restructuringOpened]).when(cmd({ type: 'AssessNeeds', level: 'regular', kinds: ['budget'] })).thenThrows(refusedWith('rule', 'BUDGET_ACCOMPANIMENT_MANDATORY', 'level'));
    spec.given([restructuringOpened]).when(cmd({ type: 'AssessNeeds', level: 'mandatory', kinds: ['social'] })).thenThrows(refusedWith('rule', 'BUDGET_ACCOMPANIMENT_MANDATORY', 'level'));
    spec.given([restructuringOpened]).when(cmd({ type: 'AssessNeeds', level: 'mandatory', kinds: ['budget', 'social'] })).then([{ type: 'NeedsAssessed', data: { level: 'mandatory', kinds: ['budget', 'social'], assessedBy: 'sw-sophie', assessedAt: NOW } }]);
  });
});

describe('an autonomy-health file', () => {
  it('lists coded needs that add up to the amount, never a diagnosis', () => {
    const needsList = [
      { category: 'hearingAid' as const, amountCents: 150_000 },
      { category: 'homeAdaptation' as const, amountCents: 30_000 },
    ];
    spec.given([]).when(openCommand({ product: 'autonomyHealth', purposeCategory: 'healthEquipment', autonomyHealthNeeds: needsList })).then([
      openedWith({ product: 'autonomyHealth', purposeCategory: 'healthEquipment', autonomyHealthNeeds: needsList }),
    ]);
    spec.given([]).when(openCommand({ product: 'autonomyHealth', autonomyHealthNeeds: [{ category: 'hearingAid', amountCents: 100 }] })).thenThrows(refusedWith('rule', 'AUTONOMY_HEALTH_AMOUNT_MISMATCH', 'requestedAmountCents'));
    spec.given([]).when(openCommand({ product: 'autonomyHealth' })).thenThrows(refusedWith('rule', 'AUTONOMY_HEALTH_NEEDS_REQUIRED', 'autonomyHealthNeeds'));
    spec.given([]).when(openCommand({ autonomyHealthNeeds: needsList })).thenThrows(refusedWith('rule', 'AUTONOMY_HEALTH_NEEDS_UNEXPECTED', 'autonomyHealthNeeds'));
  });
});

describe('a file being prepared', () => {
  it('cannot be opened twice', () => {
    spec.given([opened]).when(openCommand()).thenThrows(refusedWith('state', 'APPLICATION_ALREADY_OPENED', 'applicationId'));
  });

  it('records appointments held (coded topics, sealed notes), once each, not in the future', () => {
    spec.given([opened]).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-1', heldOn: '2026-03-09', durationMinutes: 90, topics: ['situation', 'budget'], notes: sealed('notes') })).then([appointment()]);
    spec.given([opened, appointment()]).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-1', heldOn: '2026-03-09', durationMinutes: 90, topics: ['budget'] })).thenThrows(refusedWith('state', 'APPOINTMENT_ALREADY_RECORDED', 'appointmentId'));
    spec.given([opened]).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-2', heldOn: '2026-03-11', durationMinutes: 90, topics: ['budget'] })).thenThrows(refusedWith('rule', 'APPOINTMENT_IN_FUTURE', 'heldOn'));
    spec.given([opened]).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-2', heldOn: '2026-03-09', durationMinutes: 2, topics: ['budget'] })).thenThrows(refusedWith('rule', 'DURATION_INVALID', 'durationMinutes'));
    spec.given([opened]).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-2', heldOn: '2026-03-09', durationMinutes: 90, topics: [] })).thenThrows(refusedWith('rule', 'TOPICS_INVALID', 'topics'));
  });

  it('assesses the budget: reste à vivre before and after the instalment, to the cent, stored sealed with its inputs and the settings version', () => {
    expect(budgetFigures(budgetCommand())).toEqual({ consumptionUnitsTenths: 18, consumptionUnits: '1.8', before: { perMonth: 90_000, perConsumptionUnit: 50_000 }, after: { perMonth: 81_500, perConsumptionUnit: 45_277 } });
    spec.given([opened]).when(budgetCommand()).then([budget]);
    // Nothing of the budget but the household's counts and the verdict is in clear in the event.
    const inClear = Object.entries(budget.data).filter(([, value]) => !isSealed(value)).map(([key]) => key);
    expect(inClear.sort()).toEqual(['assessedAt', 'assessedBy', 'belowMinimum', 'household', 'minimumResteAVivrePerUnitCents', 'settingsVersion']);
  });

  it('flags a reste à vivre under the CCAS minimum in force (a configured setting, not a constant)', () => {
    const strict = { ...settings, version: 'laval-2027', effectiveFrom: '2027-01-01', minimumResteAVivrePerUnitCents: 45_278 };
    spec.given([opened]).when(budgetCommand({ settings: strict })).then([{ ...budget, data: { ...budget.data, settingsVersion: 'laval-2027', minimumResteAVivrePerUnitCents: 45_278, belowMinimum: true } }]);
    expect(settingsInForce([...DEFAULT_INTAKE_SETTINGS, strict, settings], '2026-12-31')?.version).toBe('laval-2026');
    expect(settingsInForce([...DEFAULT_INTAKE_SETTINGS, strict, settings], '2027-01-01')?.version).toBe('laval-2027');
    expect(settingsInForce([settings], '2025-12-31')).toBeUndefined();
  });

  it('refuses budget amounts that are not whole positive cents, and a household libs/finance refuses', () => {
    spec.given([opened]).when(budgetCommand({ incomes: [{ kind: 'salary', amountCents: 10.5 }] })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'incomes.0.amountCents'));
    spec.given([opened]).when(budgetCommand({ expectedInstalmentCents: 0 })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'expectedInstalmentCents'));
    spec.given([opened]).when(budgetCommand({ overdraftCents: -1 })).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'overdraftCents'));
    spec.given([opened]).when(budgetCommand({ household: { personsAged14OrMore: 0, childrenUnder14: 0 } })).thenThrows((error) => (error as { code?: string }).code === 'HOUSEHOLD_INVALID');
  });

  it('assesses accompaniment needs: a level and its kinds', () => {
    spec.given([opened]).when(cmd({ type: 'AssessNeeds', level: 'checkIns', kinds: ['budget'] })).then([needs]);
    spec.given([opened]).when(cmd({ type: 'AssessNeeds', level: 'none', kinds: [] })).then([{ type: 'NeedsAssessed', data: { level: 'none', kinds: [], assessedBy: 'sw-sophie', assessedAt: NOW } }]);
    spec.given([opened]).when(cmd({ type: 'AssessNeeds', level: 'none', kinds: ['budget'] })).thenThrows(refusedWith('rule', 'NEED_KINDS_WITHOUT_LEVEL', 'kinds'));
    spec.given([opened]).when(cmd({ type: 'AssessNeeds', level: 'regular', kinds: [] })).thenThrows(refusedWith('rule', 'NEED_KINDS_REQUIRED', 'kinds'));
    spec.given([opened]).when(cmd({ type: 'AssessNeeds', level: 'regular', kinds: ['budget', 'budget'] })).thenThrows(refusedWith('rule', 'NEED_KINDS_INVALID', 'kinds'));
  });

  it('is submitted once it holds an appointment, a budget and the needs', () => {
    spec.given(ready).when(cmd({ type: 'SubmitToCommission' })).then([submitted]);
    spec.given([opened, budget, needs]).when(cmd({ type: 'SubmitToCommission' })).thenThrows(refusedWith('state', 'APPOINTMENT_REQUIRED', 'appointments'));
    spec.given([opened, appointment(), needs]).when(cmd({ type: 'SubmitToCommission' })).thenThrows(refusedWith('state', 'BUDGET_REQUIRED', 'budget'));
    spec.given([opened, appointment(), budget]).when(cmd({ type: 'SubmitToCommission' })).thenThrows(refusedWith('state', 'NEEDS_REQUIRED', 'needs'));
  });

  it('is not decided, transmitted or answered before the commission', () => {
    spec.given(ready).when(cmd({ type: 'DecideAtCommission', decisionId: 'dec-1', decision: 'approved', reasonCode: 'OK' }, claire)).thenThrows(refusedWith('state', 'FILE_NOT_SUBMITTED', 'applicationId'));
    spec.given(ready).when(cmd({ type: 'TransmitToBank', bankPartnerId: 'bank-parcours' })).thenThrows(refusedWith('state', 'FILE_NOT_APPROVED', 'applicationId'));
    spec.given(ready).when(cmd({ type: 'RecordBankAnswer', loanId: 'loan-1', answer: { outcome: 'loanApproved', approvedAmountCents: 180_000, termMonths: 24 } })).thenThrows(refusedWith('state', 'FILE_NOT_TRANSMITTED'));
  });

  it('is withdrawn with a reason code', () => {
    spec.given(ready).when(cmd({ type: 'WithdrawApplication', reasonCode: 'PERSON_FOUND_OTHER_SOLUTION' })).then([{ type: 'ApplicationWithdrawn', data: { reasonCode: 'PERSON_FOUND_OTHER_SOLUTION', withdrawnBy: 'sw-sophie', withdrawnAt: NOW } }]);
    spec.given(ready).when(cmd({ type: 'WithdrawApplication', reasonCode: 'changed her mind' })).thenThrows(refusedWith('rule', 'REASON_CODE_INVALID', 'reasonCode'));
  });
});

describe('a file at the commission', () => {
  it('is approved by a member who did not build it', () => {
    spec.given(atCommission).when(cmd({ type: 'DecideAtCommission', decisionId: 'dec-1', decision: 'approved', reasonCode: 'PROJECT_SOUND' }, claire)).then([decided('approved')]);
  });

  it('four-eyes: refuses a decision by whoever opened, held an appointment, assessed or submitted it', () => {
    const decide = (actor: { userId: string; role: string }) => cmd({ type: 'DecideAtCommission', decisionId: 'dec-1', decision: 'approved', reasonCode: 'PROJECT_SOUND' }, actor);
    spec.given(atCommission).when(decide({ ...sophie, role: 'ccasDirector' })).thenThrows(refusedWith('forbidden', 'FOUR_EYES_REQUIRED', 'decidedBy'));
    const withMarc = [opened, appointment('rdv-1', 'sw-marc'), budget, needs, submitted];
    spec.given(withMarc).when(decide({ ...marc, role: 'commissionMember' })).thenThrows(refusedWith('forbidden', 'FOUR_EYES_REQUIRED', 'decidedBy'));
    expect(fold(withMarc)).toMatchObject({ status: 'submitted', file: { builders: ['sw-sophie', 'sw-marc'] } });
  });

  it('refused: the file closes with the commission’s reason', () => {
    spec.given(atCommission).when(cmd({ type: 'DecideAtCommission', decisionId: 'dec-1', decision: 'refused', reasonCode: 'INSUFFICIENT_RESTE_A_VIVRE' }, claire)).then([
      decided('refused', 'com-claire', 'INSUFFICIENT_RESTE_A_VIVRE'),
      { type: 'ApplicationClosed', data: { outcome: 'commissionRefused', reasonCode: 'INSUFFICIENT_RESTE_A_VIVRE', closedAt: NOW } },
    ]);
  });

  it('postponed: back to preparation, then submitted again', () => {
    const postponed = [...atCommission, decided('postponed', 'com-claire', 'MISSING_BANK_STATEMENTS')];
    expect(fold(postponed).status).toBe('building');
    spec.given(postponed).when(cmd({ type: 'RecordAppointment', appointmentId: 'rdv-2', heldOn: '2026-03-10', durationMinutes: 60, topics: ['bankStatements'] })).then([{ type: 'AppointmentHeld', data: { appointmentId: 'rdv-2', heldOn: '2026-03-10', durationMinutes: 60, topics: ['bankStatements'], heldBy: 'sw-sophie' } }]);
    spec.given(postponed).when(cmd({ type: 'SubmitToCommission' })).then([submitted]);
  });

  it('takes no more preparation while it waits, and a reason code, never prose', () => {
    spec.given(atCommission).when(budgetCommand()).thenThrows(refusedWith('state', 'FILE_NOT_IN_PREPARATION', 'applicationId'));
    spec.given(atCommission).when(cmd({ type: 'SubmitToCommission' })).thenThrows(refusedWith('state', 'FILE_NOT_IN_PREPARATION'));
    spec.given(atCommission).when(cmd({ type: 'DecideAtCommission', decisionId: 'dec-1', decision: 'approved', reasonCode: 'ok' }, claire)).thenThrows(refusedWith('rule', 'REASON_CODE_INVALID', 'reasonCode'));
  });
});

describe('a file approved by the commission', () => {
  it('is transmitted to a bank partner with the commission decision', () => {
    spec.given(approved).when(cmd({ type: 'TransmitToBank', bankPartnerId: 'bank-parcours' })).then([transmitted]);
  });

  it('is not decided twice', () => {
    spec.given(approved).when(cmd({ type: 'DecideAtCommission', decisionId: 'dec-2', decision: 'refused', reasonCode: 'X_Y' }, claire)).thenThrows(refusedWith('state', 'FILE_NOT_SUBMITTED'));
  });

  it('can still be withdrawn before transmission', () => {
    spec.given(approved).when(cmd({ type: 'WithdrawApplication', reasonCode: 'PROJECT_ABANDONED' })).then([{ type: 'ApplicationWithdrawn', data: { reasonCode: 'PROJECT_ABANDONED', withdrawnBy: 'sw-sophie', withdrawnAt: NOW } }]);
  });
});

describe('a file with the bank', () => {
  it('closes on the bank’s approval', () => {
    spec.given(atBank).when(cmd({ type: 'RecordBankAnswer', loanId: 'loan-1', answer: { outcome: 'loanApproved', approvedAmountCents: 180_000, termMonths: 24 } })).then([
      { type: 'ApplicationClosed', data: { outcome: 'loanApproved', loanId: 'loan-1', closedAt: NOW } },
    ]);
  });

  it('closes on the bank’s refusal with its reason, shown to the social worker', () => {
    spec.given(atBank).when(cmd({ type: 'RecordBankAnswer', loanId: 'loan-1', answer: { outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity' } })).then([
      { type: 'ApplicationClosed', data: { outcome: 'bankRefused', loanId: 'loan-1', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', closedAt: NOW } },
    ]);
    expect(fold([...atBank, { type: 'ApplicationClosed', data: { outcome: 'bankRefused', loanId: 'loan-1', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', closedAt: NOW } }])).toMatchObject({ status: 'closed', outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH' });
  });

  it('is not withdrawn nor transmitted again', () => {
    spec.given(atBank).when(cmd({ type: 'WithdrawApplication', reasonCode: 'PROJECT_ABANDONED' })).thenThrows(refusedWith('state', 'FILE_AT_BANK', 'applicationId'));
    spec.given(atBank).when(cmd({ type: 'TransmitToBank', bankPartnerId: 'bank-other' })).thenThrows(refusedWith('state', 'FILE_NOT_APPROVED'));
  });
});

describe('a file closed on a granted loan', () => {
  const granted = [...atBank, { type: 'ApplicationClosed', data: { outcome: 'loanApproved', loanId: 'loan-1', closedAt: NOW } } as ApplicationEvent];
  const ended = (loanId = 'loan-1') => cmd({ type: 'RecordLoanEnded', loanId, ending: 'repaid', endedAt: '2028-03-10T00:00:00.000Z' });

  it('records the end of its loan once, and only for its own loan', () => {
    const event: ApplicationEvent = { type: 'LoanEnded', data: { loanId: 'loan-1', ending: 'repaid', endedAt: '2028-03-10T00:00:00.000Z' } };
    spec.given(granted).when(ended()).then([event]);
    spec.given([...granted, event]).when(ended()).thenThrows(refusedWith('state', 'LOAN_ALREADY_ENDED', 'loanId'));
    spec.given(granted).when(ended('loan-2')).thenThrows(refusedWith('state', 'NO_LOAN_OF_THIS_FILE', 'loanId'));
    spec.given(atBank).when(ended()).thenThrows(refusedWith('state', 'NO_LOAN_OF_THIS_FILE', 'loanId'));
    expect(fold([...granted, event])).toMatchObject({ status: 'closed', outcome: 'loanApproved', loanEndedAt: '2028-03-10T00:00:00.000Z' });
  });
});

describe('a closed or withdrawn file', () => {
  const closed = [...atBank, { type: 'ApplicationClosed', data: { outcome: 'loanApproved', loanId: 'loan-1', closedAt: NOW } } as ApplicationEvent];
  const withdrawn = [...ready, { type: 'ApplicationWithdrawn', data: { reasonCode: 'PROJECT_ABANDONED', withdrawnBy: 'sw-sophie', withdrawnAt: NOW } } as ApplicationEvent];

  it('takes nothing more', () => {
    spec.given(closed).when(cmd({ type: 'WithdrawApplication', reasonCode: 'PROJECT_ABANDONED' })).thenThrows(refusedWith('state', 'FILE_CLOSED', 'applicationId'));
    spec.given(withdrawn).when(budgetCommand()).thenThrows(refusedWith('state', 'FILE_CLOSED', 'applicationId'));
    spec.given(withdrawn).when(cmd({ type: 'WithdrawApplication', reasonCode: 'PROJECT_ABANDONED' })).thenThrows(refusedWith('state', 'FILE_CLOSED'));
  });

  it('answers a second bank answer (a redelivered message) with a state refusal, not a second closing', () => {
    spec.given(closed).when(cmd({ type: 'RecordBankAnswer', loanId: 'loan-1', answer: { outcome: 'loanApproved', approvedAmountCents: 180_000, termMonths: 24 } })).thenThrows(refusedWith('state', 'FILE_NOT_TRANSMITTED'));
  });
});

describe('eligibility against the product version in force (from lending)', () => {
  const version = { product: 'classic' as const, version: 3, effectiveFrom: '2026-01-01T00:00:00.000Z', minAmountCents: 30_000, maxAmountCents: 150_000, exceptionMaxAmountCents: 200_000, minTermMonths: 6, maxTermMonths: 36, accompaniment: 'offered' as const };
  const checked = (eligible: boolean, reasons: string[], exceptionRequired = false): ApplicationEvent => ({
    type: 'EligibilityChecked',
    data: { product: 'classic', productVersion: 3, versionEffectiveFrom: '2026-01-01T00:00:00.000Z', eligible, exceptionRequired, reasons: reasons as never, checkedBy: 'sw-sophie', checkedAt: NOW },
  });

  it('records an eligible file, and an amount in the exception band as needing a justification', () => {
    spec.given([openedWith({ requestedAmountCents: 150_000 }), appointment(), budget, needs]).when(cmd({ type: 'CheckEligibility', productVersion: version })).then([checked(true, [])]);
    spec.given(ready).when(cmd({ type: 'CheckEligibility', productVersion: version })).then([checked(true, [], true)]);
  });

  it('records why a file does not fit: amount, term, mandatory accompaniment, reste à vivre under the CCAS minimum', () => {
    spec.given([openedWith({ requestedAmountCents: 250_000, requestedTermMonths: 48 })]).when(cmd({ type: 'CheckEligibility', productVersion: version })).then([checked(false, ['AMOUNT_ABOVE_PRODUCT_MAXIMUM', 'TERM_ABOVE_PRODUCT_MAXIMUM'])]);
    spec.given([openedWith({ requestedAmountCents: 10_000, requestedTermMonths: 3 })]).when(cmd({ type: 'CheckEligibility', productVersion: version })).then([checked(false, ['AMOUNT_BELOW_PRODUCT_MINIMUM', 'TERM_BELOW_PRODUCT_MINIMUM'])]);
    const poor = { ...budget, data: { ...budget.data, belowMinimum: true } };
    spec.given([openedWith({ requestedAmountCents: 100_000 }), poor, needs]).when(cmd({ type: 'CheckEligibility', productVersion: { ...version, accompaniment: 'mandatory' } })).then([checked(false, ['ACCOMPANIMENT_MANDATORY_NOT_PLANNED', 'RESTE_A_VIVRE_BELOW_CCAS_MINIMUM'])]);
  });

  it('refuses the check while lending has published no version in force, and once the file left preparation', () => {
    spec.given(ready).when(cmd({ type: 'CheckEligibility' })).thenThrows(refusedWith('state', 'PRODUCT_VERSION_UNKNOWN', 'product'));
    spec.given(atCommission).when(cmd({ type: 'CheckEligibility', productVersion: version })).thenThrows(refusedWith('state', 'FILE_NOT_IN_PREPARATION'));
  });

  it('keeps the last check on the file', () => {
    expect(fold([...ready, checked(true, [], true)])).toMatchObject({ status: 'building', file: { eligibility: { productVersion: 3, eligible: true } } });
  });
});
