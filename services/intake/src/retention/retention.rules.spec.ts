import { DEFAULT_RETENTION_PERIODS, retentionVerdict, type RetainedFile, type RetainedPerson } from './retention.rules';

const person = (files: RetainedFile[], lastActivityOn = '2024-03-10'): RetainedPerson => ({ beneficiaryId: 'ben-1', lastActivityOn, files });
const file = (overrides: Partial<RetainedFile>): RetainedFile => ({ applicationId: 'app-1', status: 'closed', outcome: 'commissionRefused', closedOn: '2024-03-10', lastActivityOn: '2024-03-10', ...overrides });
const verdict = (p: RetainedPerson, today: string) => retentionVerdict(p, today, DEFAULT_RETENTION_PERIODS);

describe('the retention clocks', () => {
  it('shreds a person with no file 2 years after the last contact, not a day early', () => {
    expect(verdict(person([]), '2026-03-09')).toEqual({ kind: 'kept', dueOn: '2026-03-10', because: 'last contact' });
    expect(verdict(person([]), '2026-03-10')).toEqual({ kind: 'due', dueOn: '2026-03-10', because: 'last contact' });
  });

  it('shreds a refused or withdrawn file 2 years after it closed', () => {
    expect(verdict(person([file({ closedOn: '2024-06-01', lastActivityOn: '2024-06-01' })]), '2026-05-31').kind).toBe('kept');
    expect(verdict(person([file({ closedOn: '2024-06-01', lastActivityOn: '2024-06-01' })]), '2026-06-01')).toEqual({ kind: 'due', dueOn: '2026-06-01', because: 'last contact' });
    expect(verdict(person([file({ status: 'withdrawn', outcome: null, closedOn: '2024-07-01', lastActivityOn: '2024-07-01' })]), '2026-07-01').kind).toBe('due');
  });

  it('keeps a granted loan’s file in archive for 10 years after closing', () => {
    const granted = person([file({ outcome: 'loanApproved', closedOn: '2024-03-10' })]);
    expect(verdict(granted, '2034-03-09')).toEqual({ kind: 'kept', dueOn: '2034-03-10', because: 'archive of granted file app-1' });
    expect(verdict(granted, '2034-03-10').kind).toBe('due');
  });

  it('counts a granted file’s archive from the loan’s end when lending said it ended', () => {
    const ended = person([file({ outcome: 'loanApproved', closedOn: '2024-03-10', loanEndedOn: '2026-09-30' })]);
    expect(verdict(ended, '2036-09-29')).toEqual({ kind: 'kept', dueOn: '2036-09-30', because: 'archive of granted file app-1' });
    expect(verdict(ended, '2036-09-30').kind).toBe('due');
  });

  it('waits for the latest clock: the last contact on any file counts', () => {
    const p = person([file({ closedOn: '2024-03-10', lastActivityOn: '2025-01-15' })]);
    expect(verdict(p, '2026-03-10')).toEqual({ kind: 'kept', dueOn: '2027-01-15', because: 'last contact' });
  });

  it('never shreds while a file is in progress', () => {
    expect(verdict(person([file({ status: 'transmitted', outcome: null, closedOn: null })]), '2040-01-01')).toEqual({ kind: 'active', applicationId: 'app-1' });
  });

  it('takes its periods from configuration', () => {
    expect(retentionVerdict(person([]), '2025-03-10', { ...DEFAULT_RETENTION_PERIODS, lastContactMonths: 12 }).kind).toBe('due');
  });
});
