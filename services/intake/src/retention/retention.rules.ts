import { addMonths, type IsoDate } from '@tremplin/finance';

/**
 * Retention periods (CNIL référentiel for the social sector, 2023; public-archives rules for CCAS files), in months:
 * configuration with these defaults.
 */
export interface RetentionPeriods {
  /** A refused or withdrawn file: its personal data is shredded this long after closing (default 2 years). */
  readonly refusedOrWithdrawnMonths: number;
  /** Accompaniment data: this long after the last contact (default 2 years). */
  readonly lastContactMonths: number;
  /** A granted loan's file: restricted archive until this long after closing (default 10 years). */
  readonly grantedArchiveMonths: number;
}

export const DEFAULT_RETENTION_PERIODS: RetentionPeriods = { refusedOrWithdrawnMonths: 24, lastContactMonths: 24, grantedArchiveMonths: 120 };

export interface RetainedFile {
  readonly applicationId: string;
  readonly status: string;
  readonly outcome: string | null;
  readonly closedOn: IsoDate | null;
  /** The day the file's loan ended (repaid or written off), when lending said so. */
  readonly loanEndedOn?: IsoDate | null;
  readonly lastActivityOn: IsoDate;
}

export interface RetainedPerson {
  readonly beneficiaryId: string;
  readonly lastActivityOn: IsoDate;
  readonly files: readonly RetainedFile[];
}

export type RetentionVerdict =
  | { readonly kind: 'active'; readonly applicationId: string }
  | { readonly kind: 'kept'; readonly dueOn: IsoDate; readonly because: string }
  | { readonly kind: 'due'; readonly dueOn: IsoDate; readonly because: string };

const CLOSED = ['closed', 'withdrawn'];

/**
 * A person's data is under one key, so it is shredded when the last of its clocks runs out: 2 years after the last
 * contact, 2 years after a refused or withdrawn file closed, 10 years after a granted loan's file closed. A file still
 * in progress keeps everything. Due on the day itself (`today >= dueOn`), never a day early.
 */
export function retentionVerdict(person: RetainedPerson, today: IsoDate, periods: RetentionPeriods): RetentionVerdict {
  const active = person.files.find((file) => !CLOSED.includes(file.status));
  if (active) return { kind: 'active', applicationId: active.applicationId };
  const clocks: Array<[IsoDate, string]> = [[addMonths(lastActivity(person), periods.lastContactMonths), 'last contact']];
  for (const file of person.files) {
    const closedOn = file.closedOn ?? file.lastActivityOn;
    // The archive period runs from the loan's end when known, from the file's closing otherwise (never shorter).
    if (file.outcome === 'loanApproved') clocks.push([addMonths(file.loanEndedOn ?? closedOn, periods.grantedArchiveMonths), `archive of granted file ${file.applicationId}`]);
    else clocks.push([addMonths(closedOn, periods.refusedOrWithdrawnMonths), `${file.status === 'withdrawn' ? 'withdrawn' : 'refused'} file ${file.applicationId}`]);
  }
  const [dueOn, because] = clocks.reduce((latest, clock) => (clock[0] > latest[0] ? clock : latest));
  return today >= dueOn ? { kind: 'due', dueOn, because } : { kind: 'kept', dueOn, because };
}

function lastActivity(person: RetainedPerson): IsoDate {
  return person.files.reduce((latest, file) => (file.lastActivityOn > latest ? file.lastActivityOn : latest), person.lastActivityOn);
}
