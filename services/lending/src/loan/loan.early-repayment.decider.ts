import { arrearsAt, compareDates, FinanceError, fullEarlyRepayment, partialEarlyRepayment, type ScheduleLine } from '@tremplin/finance';
import { ruleError, stateError } from '@tremplin/event-sourcing';
import type { RepayEarly } from './loan.commands';
import type { EarlyRepaymentRecorded, LoanEvent } from './loan.events';
import { dayOf, isIsoDay, positiveWhole, requireRepaying } from './loan.rules';
import { dueLinesOf, type ActiveState, type LoanState, type ServicedLine } from './loan.state';

// Code de la consommation L312-34: the borrower may repay early, in full or in part, at any time, and owes the
// principal repaid plus the interest accrued on it up to the repayment date — nothing for the remaining
// period. No indemnity is charged: microcredits stay far below the 10,000 € a year under which none is due.
// Interest accrues by annex I's day count (whole months, then days over 365, or 366 in a year holding a
// 29 February), from the last due date (the disbursement while no instalment has fallen due).
//
// The schedule records it as one settlement line dated on the repayment day (the principal repaid and its
// accrued interest), paid at once by an InstalmentPaid; a partial repayment is followed by the new lines the
// borrower chose (shorter term, or lower instalment). Money already paid ahead on the replaced lines is
// carried onto the settlement line, so the borrower pays only the difference.

export function repayEarly(command: RepayEarly, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const today = dayOf(command.now);
  const { repaidOn } = command;
  if (!isIsoDay(repaidOn)) throw ruleError('DATE_INVALID', 'repaidOn must be a calendar date YYYY-MM-DD', 'repaidOn');
  if (compareDates(repaidOn, today) > 0) throw ruleError('PAYMENT_DATE_IN_FUTURE', `an early repayment cannot be dated after today (${today})`, 'repaidOn');
  const disbursedOn = dayOf(active.servicing.disbursedAt);
  if (compareDates(repaidOn, disbursedOn) < 0) throw ruleError('PAYMENT_BEFORE_DISBURSEMENT', 'an early repayment cannot precede the disbursement', 'repaidOn');
  const lines = active.servicing.lines;
  const arrears = arrearsAt(dueLinesOf(lines), repaidOn).total;
  // What fell due on the repayment day or before is collected as a payment, never folded into the repayment.
  const dueBy = lines.filter((line) => compareDates(line.dueDate, repaidOn) <= 0);
  const dueUnpaid = dueBy.reduce((sum, line) => sum + line.interest + line.principal - line.interestPaid - line.principalPaid, 0);
  if (arrears > 0 || dueUnpaid > 0) {
    throw stateError('ARREARS_FIRST', `${Math.max(arrears, dueUnpaid)} cents fell due on or before ${repaidOn}: record that payment first, then the early repayment`, 'repaidOn');
  }
  const tail = lines.slice(dueBy.length);
  if (tail.length === 0) throw stateError('NOTHING_TO_REPAY_EARLY', 'every instalment has fallen due: record a payment instead', 'repaidOn');
  const paidAhead = tail.reduce((sum, line) => sum + line.interestPaid + line.principalPaid, 0);
  const first = tail[0];
  const settlementBase = { number: first.number, dueDate: repaidOn };

  if (command.kind === 'full') {
    // Earlier settlement lines are not instalments: the quote reads the instalment schedule alone.
    const regular = lines.filter((line) => !line.settlement);
    const quote = finance(
      () =>
        fullEarlyRepayment({
          annualRateBasisPoints: active.offer.nominalRateBps,
          disbursementDate: disbursedOn,
          lines: regular.map((line, index) => ({ ...scheduleLine(line), number: index + 1 })),
          paidToDate: regular.reduce((sum, line) => sum + line.interestPaid + line.principalPaid, 0),
          repaymentDate: repaidOn,
        }),
      'repaidOn',
    );
    const settlement: ScheduleLine = {
      ...settlementBase,
      instalment: quote.outstandingPrincipal + quote.accruedInterest,
      interest: quote.accruedInterest,
      principal: quote.outstandingPrincipal,
      outstandingAfter: 0,
    };
    return settled(command, active, {
      kind: 'full',
      repaidOn,
      principalRepaidCents: quote.outstandingPrincipal,
      accruedInterestCents: quote.accruedInterest,
      accruedFrom: quote.accruedFrom,
      accruedTime: quote.accruedTime,
      interestNotOwedCents: quote.interestNotOwed,
      paidAheadCents: paidAhead,
      amountDueCents: quote.outstandingPrincipal + quote.accruedInterest,
      lines: [settlement],
      newEndDate: repaidOn,
      instalmentCents: 0,
      recordedAt: command.now,
    });
  }

  positiveWhole(command.principalCents, 'principalCents');
  if (paidAhead > 0) {
    throw stateError('PAID_AHEAD', `${paidAhead} cents were already paid towards instalments not yet due: repay in full, or repay in part after the next due date`, 'principalCents');
  }
  // The first period runs from the disbursement: the finance library knows it by line number 1.
  const inFirstPeriod = first.dueDate === active.offer.schedule.firstDueDate;
  const shift = inFirstPeriod ? first.number - 1 : 0;
  const result = finance(
    () =>
      partialEarlyRepayment(
        {
          annualRateBasisPoints: active.offer.nominalRateBps,
          anchorDueDate: active.offer.schedule.firstDueDate,
          remainingLines: tail.map((line) => ({ ...scheduleLine(line), number: line.number - shift })),
          ...(inFirstPeriod ? { disbursementDate: disbursedOn } : {}),
        },
        { repaymentDate: repaidOn, principal: command.principalCents, choice: command.choice },
      ),
    'principalCents',
  );
  const settlement: ScheduleLine = {
    ...settlementBase,
    instalment: result.amountDue,
    interest: result.accruedInterest,
    principal: result.principalRepaid,
    outstandingAfter: result.outstanding,
  };
  const interestBefore = tail.reduce((sum, line) => sum + line.interest, 0);
  return settled(command, active, {
    kind: 'partial',
    choice: command.choice,
    repaidOn,
    principalRepaidCents: result.principalRepaid,
    accruedInterestCents: result.accruedInterest,
    accruedFrom: result.accruedFrom,
    accruedTime: result.accruedTime,
    interestNotOwedCents: Math.max(interestBefore - result.totalInterest - result.accruedInterest, 0),
    paidAheadCents: 0,
    amountDueCents: result.amountDue,
    // The new lines follow the settlement line.
    lines: [settlement, ...result.lines.map((line, index) => ({ ...line, number: first.number + 1 + index }))],
    newEndDate: result.endDate,
    instalmentCents: result.instalment,
    recordedAt: command.now,
  });
}

function settled(command: RepayEarly, active: ActiveState, data: EarlyRepaymentRecorded['data']): LoanEvent[] {
  const settlement = data.lines[0];
  // Paid-ahead money is carried onto the settlement line (interest first): the borrower pays the rest now.
  const carriedInterest = Math.min(data.paidAheadCents, settlement.interest);
  const interestCents = settlement.interest - carriedInterest;
  const principalCents = settlement.principal - (data.paidAheadCents - carriedInterest);
  const events: LoanEvent[] = [{ type: 'EarlyRepaymentRecorded', data }];
  if (interestCents + principalCents > 0) {
    events.push({
      type: 'InstalmentPaid',
      data: {
        amountCents: interestCents + principalCents,
        paidOn: data.repaidOn,
        allocations: [{ number: settlement.number, interestCents, principalCents }],
        partial: false,
        recordedAt: command.now,
      },
    });
  }
  if (data.kind === 'full') {
    const warning = active.servicing.warning;
    if (warning && !warning.declaredOn) events.push({ type: 'IncidentWarningCleared', data: { clearedOn: dayOf(command.now) } });
    // Interest paid on the instalments that fell due, and the days accrued: nothing for the remaining period.
    const interestBefore = active.servicing.lines.filter((line) => line.number < settlement.number).reduce((sum, line) => sum + line.interestPaid, 0);
    events.push({ type: 'LoanRepaid', data: { repaidOn: data.repaidOn, interestPaidTotalCents: interestBefore + settlement.interest, everLate: active.servicing.everLate } });
  }
  return events;
}

function scheduleLine({ number, dueDate, instalment, interest, principal, outstandingAfter }: ServicedLine): ScheduleLine {
  return { number, dueDate, instalment, interest, principal, outstandingAfter };
}

function finance<T>(fn: () => T, field: string): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FinanceError) throw ruleError(error.code, error.message, error.field === 'principal' ? 'principalCents' : field);
    throw error;
  }
}
