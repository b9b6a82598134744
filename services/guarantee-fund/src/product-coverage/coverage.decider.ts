import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { CoverageCommand, GuarantorKind, ProductCode } from './coverage.commands';
import type { CoverageEvent } from './coverage.events';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECISION_REFERENCE = /^[A-Z0-9][A-Z0-9_./-]{0,63}$/;
const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export type CoverageVersion =
  | {
      readonly version: number;
      readonly covered: true;
      readonly guarantorId: string;
      readonly guarantorKind: GuarantorKind;
      readonly managerId: string;
      readonly shareBps: number;
      readonly effectiveFrom: string;
      readonly decisionReference: string;
    }
  | { readonly version: number; readonly covered: false; readonly effectiveFrom: string; readonly decisionReference: string };

export type CoverageState = { readonly status: 'unconfigured' } | { readonly status: 'configured'; readonly product: ProductCode; readonly versions: readonly CoverageVersion[] };

export function evolveCoverage(state: CoverageState, event: CoverageEvent): CoverageState {
  const versions = state.status === 'configured' ? state.versions : [];
  switch (event.type) {
    case 'CoverageConfigured': {
      const { product, configuredBy: _by, ...version } = event.data;
      return { status: 'configured', product, versions: [...versions, { ...version, covered: true }] };
    }
    case 'CoverageWithdrawn': {
      const { product, version, effectiveFrom, decisionReference } = event.data;
      return { status: 'configured', product, versions: [...versions, { version, covered: false, effectiveFrom, decisionReference }] };
    }
    default:
      return exhaustive(event);
  }
}

export function decideCoverage(command: CoverageCommand, state: CoverageState): CoverageEvent[] {
  checkDecision(command);
  const versions = state.status === 'configured' ? state.versions : [];
  const last = versions.at(-1);
  // Versions are dated in order: a later decision cannot rewrite what was in force before the last one.
  if (last && command.effectiveFrom < last.effectiveFrom) {
    throw stateError('COVERAGE_EFFECTIVE_BEFORE_LAST', `effectiveFrom ${command.effectiveFrom} is before the last version's (${last.effectiveFrom})`, 'effectiveFrom');
  }
  const version = versions.length + 1;
  switch (command.type) {
    case 'ConfigureCoverage': {
      if (!Number.isInteger(command.shareBps) || command.shareBps < 1 || command.shareBps > 10_000) {
        throw ruleError('COVERAGE_SHARE_INVALID', 'shareBps is a whole number of basis points from 1 to 10000', 'shareBps');
      }
      if (!ID.test(command.guarantorId)) throw ruleError('GUARANTOR_ID_INVALID', 'guarantorId is a lower-case id', 'guarantorId');
      if (!ID.test(command.managerId)) throw ruleError('MANAGER_ID_INVALID', 'managerId is a lower-case id', 'managerId');
      if (
        last?.covered &&
        last.guarantorId === command.guarantorId &&
        last.guarantorKind === command.guarantorKind &&
        last.managerId === command.managerId &&
        last.shareBps === command.shareBps
      ) {
        throw stateError('COVERAGE_UNCHANGED', `version ${last.version} already says so`, 'guarantorId');
      }
      const { type: _type, today: _today, actor, ...data } = command;
      return [{ type: 'CoverageConfigured', data: { ...data, version, configuredBy: actor.userId } }];
    }
    case 'WithdrawCoverage': {
      if (!last || !last.covered) throw stateError('COVERAGE_NOT_CONFIGURED', `${command.product} has no guarantor to withdraw`, 'product');
      return [{ type: 'CoverageWithdrawn', data: { product: command.product, version, effectiveFrom: command.effectiveFrom, decisionReference: command.decisionReference, withdrawnBy: command.actor.userId } }];
    }
    default:
      return exhaustive(command);
  }
}

function checkDecision(command: CoverageCommand): void {
  if (!CALENDAR_DATE.test(command.effectiveFrom)) throw ruleError('EFFECTIVE_FROM_INVALID', 'effectiveFrom must be YYYY-MM-DD', 'effectiveFrom');
  if (!DECISION_REFERENCE.test(command.decisionReference)) throw ruleError('DECISION_REFERENCE_INVALID', 'decisionReference is the decision’s code, not a sentence', 'decisionReference');
}

/** The version in force on a date: the last one effective on or before it (none before the first). */
export function coverageAt(state: CoverageState, date: string): CoverageVersion | undefined {
  if (state.status !== 'configured') return undefined;
  return [...state.versions].reverse().find((version) => version.effectiveFrom <= date);
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const coverageDecider: Decider<CoverageCommand, CoverageEvent, CoverageState> = {
  initialState: () => ({ status: 'unconfigured' }),
  evolve: evolveCoverage,
  decide: decideCoverage,
};

export const coverageAggregate: Aggregate<CoverageCommand, CoverageEvent, CoverageState> = { category: 'coverage', decider: coverageDecider };
