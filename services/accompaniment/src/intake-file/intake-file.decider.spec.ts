import { deciderSpec } from '@tremplin/event-sourcing';
import type { IntakeFileCommand } from './intake-file.commands';
import { intakeFileDecider } from './intake-file.decider';
import type { IntakeFileEvent } from './intake-file.events';

const spec = deciderSpec(intakeFileDecider);
const intake = { userId: 'intake', role: 'service' };
const NOW = '2026-10-01T09:00:00.000Z';
const note = (fields: Partial<Pick<Extract<IntakeFileCommand, { type: 'NoteIntakeFile' }>, 'beneficiaryId' | 'accompanimentLevel'>>): IntakeFileCommand => ({ type: 'NoteIntakeFile', applicationId: 'app-1', ...fields, now: NOW, actor: intake });
const opened: IntakeFileEvent = { type: 'IntakeFileNoted', data: { applicationId: 'app-1', beneficiaryId: 'ben-1', notedAt: NOW } };

describe('what intake told about a file', () => {
  it('records the person of a file opened and the accompaniment assessed at its submission', () => {
    spec.given([]).when(note({ beneficiaryId: 'ben-1' })).then([opened]);
    spec.given([opened]).when(note({ accompanimentLevel: 'checkIns' })).then([{ type: 'IntakeFileNoted', data: { applicationId: 'app-1', accompanimentLevel: 'checkIns', notedAt: NOW } }]);
  });
  it('records a level assessed again when it changed, and nothing already known', () => {
    const assessed: IntakeFileEvent = { type: 'IntakeFileNoted', data: { applicationId: 'app-1', accompanimentLevel: 'checkIns', notedAt: NOW } };
    spec.given([opened, assessed]).when(note({ accompanimentLevel: 'regular' })).then([{ type: 'IntakeFileNoted', data: { applicationId: 'app-1', accompanimentLevel: 'regular', notedAt: NOW } }]);
    spec.given([opened, assessed]).when(note({ accompanimentLevel: 'checkIns' })).thenNothing();
    spec.given([opened]).when(note({ beneficiaryId: 'ben-1' })).thenNothing();
    spec.given([]).when(note({})).thenNothing();
  });
});
