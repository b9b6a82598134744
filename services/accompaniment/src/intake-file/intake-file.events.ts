import type { Intensity } from '../plan/plan.commands';

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type IntakeFileNoted = Event<'IntakeFileNoted', { readonly applicationId: string; readonly beneficiaryId?: string; readonly accompanimentLevel?: Intensity; readonly notedAt: string }>;

export type IntakeFileEvent = IntakeFileNoted;

/** What intake told about one file, kept until its loan is disbursed and the plan opens from it. */
export const intakeFileStreamId = (applicationId: string) => `intake-file-${applicationId}`;
