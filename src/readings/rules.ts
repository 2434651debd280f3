/**
 * Meter-reading rules of Government Decree No. 354 as this product applies them. Pure: dates are
 * the supplier's local calendar dates (YYYY-MM-DD), quantities exact thousandths (bigint).
 */

export type ZoneName = 'T1' | 'T2' | 'T3'
export const ZONE_NAMES: ZoneName[] = ['T1', 'T2', 'T3']

/** "123.45" → 123450n; null when not a non-negative number with at most 3 decimals. */
export function toThousandths(value: string): bigint | null {
  const match = /^(\d{1,12})(?:[.,](\d{1,3}))?$/.exec(value.trim())
  if (!match) return null
  return BigInt(match[1]!) * 1000n + BigInt((match[2] ?? '').padEnd(3, '0'))
}

export function formatThousandths(value: bigint): string {
  const negative = value < 0n
  const abs = negative ? -value : value
  return `${negative ? '-' : ''}${abs / 1000n}.${(abs % 1000n).toString().padStart(3, '0')}`
}

function daysInMonth(period: string): number {
  const [year, month] = period.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`
}

export interface WindowSettings {
  startDay: number
  endDay: number
  acceptOutside: boolean
}

export type WindowDecision =
  | { accepted: true; period: string; outsideWindow: boolean; window: { from: string; to: string } }
  | { accepted: false; nextWindow: { from: string; to: string; period: string } }

function windowOf(period: string, settings: WindowSettings): { from: string; to: string } {
  const last = daysInMonth(period)
  const day = (d: number) => String(Math.min(d, last)).padStart(2, '0')
  return { from: `${period}-${day(settings.startDay)}`, to: `${period}-${day(settings.endDay)}` }
}

/**
 * Which period a reading taken on `localDate` counts for. Inside the window (days startDay..endDay,
 * inclusive): this month. Outside: refused with the next window's dates, or — where the supplier
 * allows — taken for the period of the next window, and said so.
 */
export function decideWindow(localDate: string, settings: WindowSettings): WindowDecision {
  const period = localDate.slice(0, 7)
  const current = windowOf(period, settings)
  if (localDate >= current.from && localDate <= current.to) return { accepted: true, period, outsideWindow: false, window: current }
  const nextWindowPeriod = localDate < current.from ? period : nextPeriod(period)
  const next = windowOf(nextWindowPeriod, settings)
  if (settings.acceptOutside) return { accepted: true, period: nextWindowPeriod, outsideWindow: true, window: next }
  return { accepted: false, nextWindow: { ...next, period: nextWindowPeriod } }
}

export type ConsumptionResult = { ok: true; consumption: bigint; rolledOver: boolean } | { ok: false }

/**
 * Consumption between two readings of one zone. A lower reading is a roll-over only when the
 * counter was near its end (top tenth of its range) and is now near its start (bottom tenth);
 * anything else lower is refused as below the previous reading.
 */
export function consumptionBetween(previous: bigint, current: bigint, digitCapacity: number): ConsumptionResult {
  if (current >= previous) return { ok: true, consumption: current - previous, rolledOver: false }
  const range = 10n ** BigInt(digitCapacity) * 1000n
  if (previous * 10n >= range * 9n && current * 10n < range) return { ok: true, consumption: range - previous + current, rolledOver: true }
  return { ok: false }
}

/** Whether a value fits the meter's counter: at most `digitCapacity` digits before the point. */
export function fitsCounter(value: bigint, digitCapacity: number): boolean {
  return value < 10n ** BigInt(digitCapacity) * 1000n
}

/** Consumption above `factor` (a decimal string, e.g. "3.00") times the monthly average is suspicious. */
export function isSuspicious(consumption: bigint, monthlyAverage: bigint | null, factor: string): boolean {
  if (monthlyAverage === null || monthlyAverage <= 0n) return false
  const [whole, fraction = ''] = factor.split('.')
  const hundredths = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2))
  return consumption * 100n > monthlyAverage * hundredths
}
