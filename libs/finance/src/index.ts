export { FinanceError, type FinanceErrorCode } from './errors';
export {
  assertCents,
  assertNonNegativeCents,
  assertPositiveCents,
  assertRate,
  divideRoundHalfUp,
  formatBasisPoints,
  formatCents,
  MAX_RATE_BASIS_POINTS,
  percentToBasisPoints,
  sumCents,
  type BasisPoints,
  type Cents,
} from './money';
export { addDays, addMonths, assertIsoDate, compareDates, daysBetween, daysInMonth, isIsoDate, monthsBetween, type IsoDate } from './dates';
export {
  annuityInstalment,
  annuitySchedule,
  MAX_TERM_MONTHS,
  monthlyInterest,
  type Schedule,
  type ScheduleLine,
  type ScheduleRequest,
} from './schedule';
export { accruedInterest, type AccrualRequest, type AccruedInterest } from './accrual';
export { annexITime, atMonths, solveTaeg, taegOfSchedule, type CashFlow, type ScheduleTaegRequest, type Taeg, type TaegCashFlows, type TimePoint } from './taeg';
export { checkUsury, USURY_CAP_TABLES, usuryBandFor, usuryCapFor, type UsuryBand, type UsuryCap, type UsuryCapTable, type UsuryCheck } from './usury';
export {
  earlyRepaymentIndemnityCap,
  fullEarlyRepayment,
  INDEMNITY_FREE_THRESHOLD,
  partialEarlyRepayment,
  type EarlyRepaymentQuote,
  type EarlyRepaymentRequest,
  type IndemnityRequest,
  type PartialEarlyRepayment,
  type PartialEarlyRepaymentRequest,
  type PartialRepaymentChoice,
} from './early-repayment';
export {
  addUsuryCapTable,
  assertUsuryCapTable,
  formatUsuryCapTables,
  parseUsuryCapTables,
  parseUsuryCommand,
  type UsuryAddCommand,
  type UsuryTablesUpdate,
} from './usury-update';
export { extendTerm, paymentHoliday, reviseInstalment, type HolidayInterest, type LiveSchedule, type PaymentHoliday, type Rescheduled } from './rescheduling';
export { allocatePayment, arrearsAt, daysPastDue, type Allocation, type Arrears, type DueLine, type PauseRange, type PaymentAllocation } from './arrears';
export { consumptionUnitsTenths, resteAVivre, type Household, type RemainingBudget, type ResteAVivre, type ResteAVivreRequest } from './reste-a-vivre';
export { addWorkingDays, easterSunday, frenchPublicHolidays, isFrenchPublicHoliday, isWorkingDay, workingDaysBetween } from './working-days';
export { ibanProblem, normaliseIban, type IbanProblem } from './iban';
export { interestPaid, shareInBasisPoints } from './interest-refund';
