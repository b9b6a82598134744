import type { Actor } from '@tremplin/event-sourcing';
import type { Intensity } from '../plan/plan.commands';

/** intake.application-opened.v1 / application-submitted.v1: who the file is about, and the accompaniment it assessed. */
export interface NoteIntakeFile {
  readonly type: 'NoteIntakeFile';
  readonly applicationId: string;
  readonly beneficiaryId?: string;
  readonly accompanimentLevel?: Intensity;
  readonly now: string;
  readonly actor: Actor;
}

export type IntakeFileCommand = NoteIntakeFile;
