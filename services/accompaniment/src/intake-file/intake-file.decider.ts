import type { Aggregate, Decider } from '@tremplin/event-sourcing';
import type { Intensity } from '../plan/plan.commands';
import type { IntakeFileCommand } from './intake-file.commands';
import type { IntakeFileEvent } from './intake-file.events';

export interface IntakeFileState {
  readonly beneficiaryId?: string;
  readonly accompanimentLevel?: Intensity;
}

export function evolveIntakeFile(state: IntakeFileState, event: IntakeFileEvent): IntakeFileState {
  return {
    ...state,
    ...(event.data.beneficiaryId !== undefined ? { beneficiaryId: event.data.beneficiaryId } : {}),
    ...(event.data.accompanimentLevel !== undefined ? { accompanimentLevel: event.data.accompanimentLevel } : {}),
  };
}

// Facts from another service are recorded, never refused: what is already known is not written again.
export function decideIntakeFile(command: IntakeFileCommand, state: IntakeFileState): IntakeFileEvent[] {
  const beneficiaryId = command.beneficiaryId !== undefined && command.beneficiaryId !== state.beneficiaryId ? command.beneficiaryId : undefined;
  const accompanimentLevel = command.accompanimentLevel !== undefined && command.accompanimentLevel !== state.accompanimentLevel ? command.accompanimentLevel : undefined;
  if (beneficiaryId === undefined && accompanimentLevel === undefined) return [];
  return [
    {
      type: 'IntakeFileNoted',
      data: { applicationId: command.applicationId, ...(beneficiaryId !== undefined ? { beneficiaryId } : {}), ...(accompanimentLevel !== undefined ? { accompanimentLevel } : {}), notedAt: command.now },
    },
  ];
}

export const intakeFileDecider: Decider<IntakeFileCommand, IntakeFileEvent, IntakeFileState> = {
  initialState: () => ({}),
  evolve: evolveIntakeFile,
  decide: decideIntakeFile,
};

export const intakeFileAggregate: Aggregate<IntakeFileCommand, IntakeFileEvent, IntakeFileState> = { category: 'intake-file', decider: intakeFileDecider };
