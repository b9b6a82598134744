import { allocatePayment, arrearsAt, daysPastDue, type DueLine } from './arrears';

// Lines 1–4 of the 1,825 € / 24 months / 3 % schedule (see schedule.spec.ts): 78.44 € each.
const line = (number: number, dueDate: string, interest: number, principal: number, paid: Partial<Pick<DueLine, 'interestPaid' | 'principalPaid'>> = {}): DueLine => ({
  number,
  dueDate,
  interest,
  principal,
  interestPaid: paid.interestPaid ?? 0,
  principalPaid: paid.principalPaid ?? 0,
});

const lines: DueLine[] = [
  line(1, '2026-02-15', 456, 7388, { interestPaid: 456, principalPaid: 7388 }),
  line(2, '2026-03-15', 438, 7406),
  line(3, '2026-04-15', 419, 7425, { interestPaid: 419, principalPaid: 1000 }),
  line(4, '2026-05-15', 400, 7444),
];

describe('given line 1 paid, line 2 unpaid and line 3 partly paid', () => {
  it('then on 2026-04-20 the arrears are line 2 in full and what is left of line 3: 78.44 + 64.25 = 142.69 €', () => {
    expect(arrearsAt(lines, '2026-04-20')).toEqual({ interest: 438, principal: 7406 + 6425, total: 14_269, unpaidInstalments: 2, oldestUnpaidDueDate: '2026-03-15' });
  });

  it('then on a due date that instalment is due but not yet in arrears', () => {
    expect(arrearsAt(lines, '2026-04-15')).toMatchObject({ total: 7844, unpaidInstalments: 1 });
  });

  it('then days past due count from the oldest unpaid due date: 16 days of March + 20 of April = 36', () => {
    expect(daysPastDue(lines, '2026-04-20')).toBe(36);
  });

  it('then the due date itself is day 0 and the next day is day 1', () => {
    expect(daysPastDue(lines, '2026-03-15')).toBe(0);
    expect(daysPastDue(lines, '2026-03-16')).toBe(1);
  });
});

describe('days past due with paused ranges', () => {
  const oneLate = [line(2, '2026-03-15', 438, 7406)];

  it('excludes paused days, counting overlapping pauses once: 66 calendar days − 35 paused = 31', () => {
    // (2026-03-15, 2026-05-20] has 16 + 30 + 20 = 66 days; pauses cover 2026-04-01..2026-05-05 = 30 + 5 = 35 days
    // (cross-checked by enumerating the days in libs/finance/crosscheck/vectors.py)
    const pauses = [
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-04-20', to: '2026-05-05' },
    ];
    expect(daysPastDue(oneLate, '2026-05-20', pauses)).toBe(31);
  });

  it('ignores the parts of a pause outside the late period', () => {
    // Only 2026-03-16..2026-03-20 of the pause falls after the due date: 36 − 5 = 31
    expect(daysPastDue(oneLate, '2026-04-20', [{ from: '2026-03-01', to: '2026-03-20' }])).toBe(31);
    expect(daysPastDue(oneLate, '2026-04-20', [{ from: '2026-05-01', to: '2026-05-31' }])).toBe(36);
  });

  it('is 0 when nothing is unpaid', () => {
    expect(daysPastDue([lines[0]], '2026-06-01')).toBe(0);
  });

  it('refuses a pause that ends before it starts', () => {
    expect(() => daysPastDue(oneLate, '2026-04-20', [{ from: '2026-04-10', to: '2026-04-01' }])).toThrow(expect.objectContaining({ code: 'DATE_RANGE_INVERTED' }));
  });
});

describe('allocating a payment', () => {
  it('settles the oldest line first, interest before principal, then moves to the next line', () => {
    // 100.00 €: line 2 takes 4.38 + 74.06 = 78.44; the 21.56 € left pays line 3's remaining 64.25 € of principal in part
    const result = allocatePayment(lines, 10_000, '2026-04-20');
    expect(result.allocations).toEqual([
      { number: 2, interest: 438, principal: 7406 },
      { number: 3, interest: 0, principal: 2156 },
    ]);
    expect(result.unallocated).toBe(0);
    expect(result.lines[1]).toMatchObject({ interestPaid: 438, principalPaid: 7406 });
    expect(result.lines[2]).toMatchObject({ interestPaid: 419, principalPaid: 3156 });
    expect(arrearsAt(result.lines, '2026-04-20').total).toBe(14_269 - 10_000);
  });

  it('pays interest only when the payment is smaller than the interest due', () => {
    const result = allocatePayment(lines, 300, '2026-04-20');
    expect(result.allocations).toEqual([{ number: 2, interest: 300, principal: 0 }]);
  });

  it('never touches lines not yet due and returns the rest as unallocated', () => {
    // Due on or before 2026-04-20: 78.44 + 64.25 = 142.69 €; line 4 (2026-05-15) is left alone
    const result = allocatePayment(lines, 20_000, '2026-04-20');
    expect(result.allocations.map((allocation) => allocation.number)).toEqual([2, 3]);
    expect(result.unallocated).toBe(20_000 - 14_269);
    expect(result.lines[3]).toBe(lines[3]);
  });

  it('counts a payment made on a due date towards that line', () => {
    const result = allocatePayment(lines, 25_000, '2026-05-15');
    expect(result.allocations.map((allocation) => allocation.number)).toEqual([2, 3, 4]);
    expect(result.unallocated).toBe(25_000 - 14_269 - 7844);
  });

  it('follows due dates, not the order the lines were given in', () => {
    const result = allocatePayment([lines[3], lines[2], lines[1]], 7844, '2026-05-31');
    expect(result.allocations).toEqual([{ number: 2, interest: 438, principal: 7406 }]);
  });

  it('refuses a line marked as paid beyond what was due, and a negative payment', () => {
    expect(() => allocatePayment([line(1, '2026-02-15', 100, 100, { interestPaid: 101 })], 1, '2026-03-01')).toThrow(expect.objectContaining({ code: 'SCHEDULE_INCONSISTENT' }));
    expect(() => allocatePayment(lines, -1, '2026-03-01')).toThrow(expect.objectContaining({ code: 'AMOUNT_NEGATIVE' }));
  });
});
