/** Billing periods are calendar months, written YYYY-MM, in the supplier's local calendar. Pure. */

export const PERIOD_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])$'

export function periodOf(localDate: string): string {
  return localDate.slice(0, 7)
}

export function addMonths(period: string, months: number): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  const index = year * 12 + (month - 1) + months
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

export function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number]
  const [ty, tm] = to.split('-').map(Number) as [number, number]
  return (ty - fy) * 12 + (tm - fm) + 1
}

/**
 * The periods a listing covers: `to` defaults to the current period, `from` to 11 before it.
 * Null with the reason when `from` comes after `to` or the span exceeds `max` periods.
 */
export function periodRange(query: { from?: string; to?: string }, currentPeriod: string, max: number): { from: string; to: string } | { invalid: string } {
  const to = query.to ?? currentPeriod
  const from = query.from ?? addMonths(to, -11)
  const months = monthsBetween(from, to)
  if (months < 1) return { invalid: '`from` is after `to`.' }
  if (months > max) return { invalid: `At most ${max} periods at once.` }
  return { from, to }
}

/** "2026-11-15" → "15.11.2026", as Russian documents and mails write dates. */
export function ruDate(isoDate: string): string {
  return `${isoDate.slice(8, 10)}.${isoDate.slice(5, 7)}.${isoDate.slice(0, 4)}`
}

// Made once: building an Intl formatter costs about a millisecond, and every receipt names its period.
const MONTH_YEAR = new Intl.DateTimeFormat('ru-RU', { month: 'long', year: 'numeric', timeZone: 'UTC' })

/** "2026-03" → "март 2026". */
export function periodName(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  return MONTH_YEAR.format(Date.UTC(year, month - 1, 1)).replace(' г.', '')
}
