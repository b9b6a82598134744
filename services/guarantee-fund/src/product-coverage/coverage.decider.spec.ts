import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { ConfigureCoverage } from './coverage.commands';
import { coverageAt, coverageDecider } from './coverage.decider';
import type { CoverageConfigured, CoverageEvent } from './coverage.events';

const spec = deciderSpec(coverageDecider);
const director = { userId: 'dir-laval', role: 'ccasDirector' };
const configure = (overrides: Partial<ConfigureCoverage> = {}): ConfigureCoverage => ({
  type: 'ConfigureCoverage',
  product: 'classic',
  guarantorId: 'fcs',
  guarantorKind: 'fcs',
  managerId: 'caisse-des-depots',
  shareBps: 5_000,
  effectiveFrom: '2020-01-01',
  decisionReference: 'CONV-FCS-2020',
  today: '2026-03-10',
  actor: director,
  ...overrides,
});
const configured = (version: number, overrides: Partial<CoverageConfigured['data']> = {}): CoverageEvent => ({
  type: 'CoverageConfigured',
  data: { product: 'classic', version, guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'caisse-des-depots', shareBps: 5_000, effectiveFrom: '2020-01-01', decisionReference: 'CONV-FCS-2020', configuredBy: 'dir-laval', ...overrides },
});
const refusedWith = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

describe('a product without coverage', () => {
  it('is covered from a date by a first version', () => {
    spec.given([]).when(configure()).then([configured(1)]);
  });
  it('has no guarantor on any date', () => {
    expect(coverageAt(coverageDecider.initialState(), '2026-03-10')).toBeUndefined();
  });
  it('refuses a share outside 1..10000 basis points, a bad date, a reference in prose and bad ids', () => {
    for (const shareBps of [0, 10_001, 50.5]) spec.given([]).when(configure({ shareBps })).thenThrows(refusedWith('rule', 'COVERAGE_SHARE_INVALID', 'shareBps'));
    spec.given([]).when(configure({ effectiveFrom: '01/01/2020' })).thenThrows(refusedWith('rule', 'EFFECTIVE_FROM_INVALID', 'effectiveFrom'));
    spec.given([]).when(configure({ decisionReference: 'the FCS convention' })).thenThrows(refusedWith('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
    spec.given([]).when(configure({ guarantorId: 'F C S' })).thenThrows(refusedWith('rule', 'GUARANTOR_ID_INVALID', 'guarantorId'));
    spec.given([]).when(configure({ managerId: 'CDC!' })).thenThrows(refusedWith('rule', 'MANAGER_ID_INVALID', 'managerId'));
  });
  it('has nothing to withdraw', () => {
    spec.given([]).when({ type: 'WithdrawCoverage', product: 'classic', effectiveFrom: '2026-01-01', decisionReference: 'CA-1', today: '2026-03-10', actor: director }).thenThrows(refusedWith('state', 'COVERAGE_NOT_CONFIGURED', 'product'));
  });
});

describe('a covered product', () => {
  it('keeps its history: the FCS’s manager changed, the version in force on each date answers', () => {
    const history = [configured(1), configured(2, { managerId: 'bpifrance', effectiveFrom: '2024-07-01', decisionReference: 'CONV-FCS-2024' })];
    spec.given([configured(1)]).when(configure({ managerId: 'bpifrance', effectiveFrom: '2024-07-01', decisionReference: 'CONV-FCS-2024' })).then([history[1]!]);
    const state = history.reduce(coverageDecider.evolve, coverageDecider.initialState());
    expect(coverageAt(state, '2019-12-31')).toBeUndefined();
    expect(coverageAt(state, '2024-06-30')).toMatchObject({ version: 1, managerId: 'caisse-des-depots' });
    expect(coverageAt(state, '2024-07-01')).toMatchObject({ version: 2, managerId: 'bpifrance' });
  });
  it('refuses a version dated before the last one, and one that changes nothing', () => {
    spec.given([configured(1, { effectiveFrom: '2024-01-01' })]).when(configure({ shareBps: 4_000, effectiveFrom: '2023-12-31' })).thenThrows(refusedWith('state', 'COVERAGE_EFFECTIVE_BEFORE_LAST', 'effectiveFrom'));
    spec.given([configured(1)]).when(configure({ effectiveFrom: '2025-01-01' })).thenThrows(refusedWith('state', 'COVERAGE_UNCHANGED', 'guarantorId'));
  });
  it('is withdrawn from a date: no guarantor covers it afterwards', () => {
    const withdrawn: CoverageEvent = { type: 'CoverageWithdrawn', data: { product: 'classic', version: 2, effectiveFrom: '2026-01-01', decisionReference: 'CA-2025-12', withdrawnBy: 'dir-laval' } };
    spec.given([configured(1)]).when({ type: 'WithdrawCoverage', product: 'classic', effectiveFrom: '2026-01-01', decisionReference: 'CA-2025-12', today: '2026-03-10', actor: director }).then([withdrawn]);
    const state = [configured(1), withdrawn].reduce(coverageDecider.evolve, coverageDecider.initialState());
    expect(coverageAt(state, '2026-01-01')).toMatchObject({ covered: false });
    spec.given([configured(1), withdrawn]).when({ type: 'WithdrawCoverage', product: 'classic', effectiveFrom: '2026-02-01', decisionReference: 'CA-2026-01', today: '2026-03-10', actor: director }).thenThrows(refusedWith('state', 'COVERAGE_NOT_CONFIGURED', 'product'));
    spec.given([configured(1), withdrawn]).when(configure({ effectiveFrom: '2026-06-01', decisionReference: 'CA-2026-05' })).then([configured(3, { effectiveFrom: '2026-06-01', decisionReference: 'CA-2026-05' })]);
  });
});
