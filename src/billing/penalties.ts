import type { Kopecks } from '../common/money.ts'

/**
 * Penalties for late payment (Housing Code art. 155 part 14), a pure rule: no database, no clock.
 *
 * - Day 1 of the delay is the day after the due date, and the payment day counts.
 * - Days 1..graceDays carry nothing; then 1/firstDivisor of the rate per day until day
 *   secondFromDay − 1; from day secondFromDay on, 1/secondDivisor.
 * - The rate for the WHOLE delay of an amount is the key rate in force on the day it is paid (for
 *   an amount still unpaid, on the day of the calculation), capped while a moratorium holds.
 * - Payments go to principal, oldest due date first.
 * - Each term (amount × rate × days / divisor) is computed exactly and rounded half-up to kopecks
 *   once. What one debt gets paid on one day is one part, however many payments brought it, so
 *   splitting a payment in two on the same day changes nothing.
 */

/** Dates are calendar dates, YYYY-MM-DD, in the supplier's time zone. */
export type IsoDate = string

export interface PenaltyRules {
  graceDays: number
  firstDivisor: number
  /** The first day of the delay charged at 1/secondDivisor. */
  secondFromDay: number
  secondDivisor: number
  /** Until this day (exclusive) the rate is the lower of the key rate and `percent` (Decree No. 329 of 18.03.2025). */
  cap: { until: IsoDate; percent: string } | null
}

/** The law's figures as of 2026: configuration, never literals further in. */
export const HOUSING_CODE_RULES: PenaltyRules = {
  graceDays: 30,
  firstDivisor: 300,
  secondFromDay: 91,
  secondDivisor: 130,
  cap: { until: '2027-01-01', percent: '9.5' },
}

/** A key rate of the Bank of Russia, in percent ("9.5"), from a date on. */
export interface KeyRate {
  from: IsoDate
  percent: string
}

export interface Debt {
  id: string
  amount: Kopecks
  /** The last day to pay without delay. */
  dueDate: IsoDate
}

export interface PaymentMade {
  amount: Kopecks
  date: IsoDate
}

export interface PenaltyPart {
  debtId: string
  /** The part of the debt that was paid on `paidOn`, or (paidOn null) is still unpaid on the day of the calculation. */
  amount: Kopecks
  paidOn: IsoDate | null
  /** Days of delay up to the payment day, or to the day of the calculation. */
  days: number
  /** The rate applied to the whole delay; null within the grace days. */
  percent: string | null
  firstDays: number
  secondDays: number
  penalty: Kopecks
}

export interface PenaltyResult {
  parts: PenaltyPart[]
  total: Kopecks
}

const DAY_MS = 86_400_000
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

export function dayNumber(date: IsoDate): number {
  if (!ISO_DATE.test(date)) throw new RangeError(`not a date: ${JSON.stringify(date)}`)
  const ms = Date.parse(`${date}T00:00:00Z`)
  if (Number.isNaN(ms)) throw new RangeError(`not a date: ${JSON.stringify(date)}`)
  return ms / DAY_MS
}

/** Percent as a whole number of hundredths of a percent: "9.5" → 950n. */
function hundredthsOfPercent(percent: string): bigint {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(percent)
  if (!match) throw new RangeError(`not a rate in percent: ${JSON.stringify(percent)}`)
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'))
}

function formatHundredths(value: bigint): string {
  const whole = value / 100n
  const fraction = value % 100n
  return fraction === 0n ? String(whole) : `${whole}.${String(fraction).padStart(2, '0').replace(/0$/, '')}`
}

/** The key rate in force on `date` (the latest that started on or before it), with the cap applied. */
export function rateOn(date: IsoDate, keyRates: readonly KeyRate[], rules: PenaltyRules): bigint {
  const day = dayNumber(date)
  let rate: bigint | null = null
  let latest = -Infinity
  for (const keyRate of keyRates) {
    const from = dayNumber(keyRate.from)
    if (from <= day && from > latest) {
      latest = from
      rate = hundredthsOfPercent(keyRate.percent)
    }
  }
  if (rate === null) throw new RangeError(`no key rate in force on ${date}`)
  if (rules.cap && day < dayNumber(rules.cap.until)) {
    const cap = hundredthsOfPercent(rules.cap.percent)
    if (cap < rate) rate = cap
  }
  return rate
}

/** amount × rate × days / divisor in kopecks, exact, rounded half-up once (amounts here are never negative). */
function term(amount: Kopecks, rate: bigint, days: number, divisor: number): Kopecks {
  if (days <= 0 || amount <= 0n) return 0n
  const numerator = amount * rate * BigInt(days)
  const denominator = 10_000n * BigInt(divisor)
  return (numerator * 2n + denominator) / (2n * denominator)
}

/** The penalty on `amount` paid after `days` of delay at `rate` (hundredths of a percent). */
export function penaltyFor(amount: Kopecks, days: number, rate: bigint, rules: PenaltyRules) {
  const firstDays = Math.max(0, Math.min(days, rules.secondFromDay - 1) - rules.graceDays)
  const secondDays = Math.max(0, days - (rules.secondFromDay - 1))
  return { firstDays, secondDays, penalty: term(amount, rate, firstDays, rules.firstDivisor) + term(amount, rate, secondDays, rules.secondDivisor) }
}

/**
 * Penalties on `debts` as of `asOf`: payments made on or before `asOf` are allocated to principal,
 * oldest due date first; what each debt got on each day is one part; what is still unpaid is
 * charged up to and including `asOf`.
 */
export function computePenalties(debts: readonly Debt[], payments: readonly PaymentMade[], asOf: IsoDate, keyRates: readonly KeyRate[], rules: PenaltyRules): PenaltyResult {
  const today = dayNumber(asOf)
  const open = [...debts].filter((d) => d.amount > 0n).sort((a, b) => dayNumber(a.dueDate) - dayNumber(b.dueDate) || a.id.localeCompare(b.id)).map((d) => ({ ...d, left: d.amount }))
  const paid = [...payments].filter((p) => p.amount > 0n && dayNumber(p.date) <= today).sort((a, b) => dayNumber(a.date) - dayNumber(b.date))
  // What each debt got on each day, summed: the unit a penalty is computed on.
  const settled = new Map<string, { debt: (typeof open)[number]; date: IsoDate; amount: Kopecks }>()
  let index = 0
  for (const payment of paid) {
    let rest = payment.amount
    while (rest > 0n && index < open.length) {
      const debt = open[index]!
      const take = rest < debt.left ? rest : debt.left
      debt.left -= take
      rest -= take
      const key = `${debt.id} ${payment.date}`
      const part = settled.get(key)
      if (part) part.amount += take
      else settled.set(key, { debt, date: payment.date, amount: take })
      if (debt.left === 0n) index++
    }
  }
  const parts: PenaltyPart[] = []
  const add = (debt: Debt, amount: Kopecks, paidOn: IsoDate | null) => {
    const day = paidOn ?? asOf
    const days = Math.max(0, dayNumber(day) - dayNumber(debt.dueDate))
    // Within the grace days no rate is needed (nor looked up: the table may start later).
    const rate = days > rules.graceDays ? rateOn(day, keyRates, rules) : null
    const { firstDays, secondDays, penalty } = rate === null ? { firstDays: 0, secondDays: 0, penalty: 0n } : penaltyFor(amount, days, rate, rules)
    parts.push({ debtId: debt.id, amount, paidOn, days, percent: rate === null ? null : formatHundredths(rate), firstDays, secondDays, penalty })
  }
  for (const { debt, date, amount } of settled.values()) add(debt, amount, date)
  for (const debt of open) if (debt.left > 0n) add(debt, debt.left, null)
  return { parts, total: parts.reduce((sum, p) => sum + p.penalty, 0n) }
}
