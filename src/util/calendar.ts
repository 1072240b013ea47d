const DAYS_IN_MONTH: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The days of `month` (1–12) in `year` of the proleptic Gregorian calendar (Date.UTC's), or 0 for a month that
 * does not exist: the check that a date read field by field names a real day, without a Date to roll over.
 */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}
