import { multiplyDecimals, multiplyToKopecks, type Kopecks } from '../common/money.ts'
import { formatThousandths } from '../readings/rules.ts'
import { dayNumber, type IsoDate } from './penalties.ts'

/**
 * Pricing a period's quantity by the tariff versions in force over it, a pure rule. A period whose
 * tariff changes mid-month is split pro rata by days: each version gets the share of the quantity
 * its days are of the month (to the thousandth, by rounded running totals, so the shares add up
 * to the quantity exactly), and each share is priced and rounded half-up to kopecks on its own line.
 */

export interface TariffVersion {
  id: string
  from: IsoDate
  /** The last day in force (inclusive), or null. */
  to: IsoDate | null
  price: string
}

export interface PricedSegment {
  tariffId: string
  from: IsoDate
  to: IsoDate
  days: number
  /** The share of the quantity, to the thousandth. */
  quantity: string
  price: string
  amount: Kopecks
}

export class TariffGapError extends Error {
  constructor(readonly missing: { from: IsoDate; to: IsoDate }[]) {
    super(`no tariff in force on ${missing.map((m) => (m.from === m.to ? m.from : `${m.from}..${m.to}`)).join(', ')}`)
  }
}

const DAY_MS = 86_400_000
const dateOf = (day: number): IsoDate => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** The first and last day of a period YYYY-MM. */
export function periodDays(period: string): { first: number; last: number } {
  const first = dayNumber(`${period}-01`)
  const [y, m] = period.split('-').map(Number) as [number, number]
  const last = Date.UTC(y, m, 0) / DAY_MS
  return { first, last }
}

function thousandths(quantity: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(quantity)
  if (!match) throw new RangeError(`not a quantity to the thousandth: ${JSON.stringify(quantity)}`)
  const units = BigInt(match[2]!) * 1000n + BigInt((match[3] ?? '').padEnd(3, '0'))
  return match[1] ? -units : units
}

/**
 * Shares of `total` in proportion to `weights`, adding up to it exactly: each share is the
 * rounded running total up to it minus the rounded running total before it (half-up on the
 * magnitude, as PostgreSQL's round does), so the same rule runs set-based in SQL with a window
 * sum, and each share is within one unit of its exact value.
 */
export function apportion(total: bigint, weights: readonly number[]): bigint[] {
  const sum = BigInt(weights.reduce((a, b) => a + b, 0))
  if (sum === 0n) throw new RangeError('apportion: the weights add up to nothing')
  const negative = total < 0n
  const abs = negative ? -total : total
  const rounded = (running: bigint) => (abs * running * 2n + sum) / (2n * sum)
  let before = 0n
  let running = 0n
  const shares = weights.map((w) => {
    running += BigInt(w)
    const upTo = rounded(running)
    const share = upTo - before
    before = upTo
    return share
  })
  return negative ? shares.map((s) => -s) : shares
}

/**
 * `quantity` of a period priced by `versions` (times `coefficient`, e.g. 1.5 on a normative).
 * Throws TariffGapError naming the days no version covers.
 */
export function priceOverPeriod(quantity: string, period: string, versions: readonly TariffVersion[], coefficient = '1'): { segments: PricedSegment[]; amount: Kopecks } {
  const { first, last } = periodDays(period)
  const pieces = versions
    .map((v) => ({ v, from: Math.max(first, dayNumber(v.from)), to: Math.min(last, v.to === null ? Infinity : dayNumber(v.to)) }))
    .filter((p) => p.from <= p.to)
    .sort((a, b) => a.from - b.from)
  const missing: { from: IsoDate; to: IsoDate }[] = []
  let next = first
  for (const piece of pieces) {
    if (piece.from > next) missing.push({ from: dateOf(next), to: dateOf(piece.from - 1) })
    next = Math.max(next, piece.to + 1)
  }
  if (next <= last) missing.push({ from: dateOf(next), to: dateOf(last) })
  if (missing.length) throw new TariffGapError(missing)
  const days = pieces.map((p) => p.to - p.from + 1)
  const shares = apportion(thousandths(quantity), days)
  const segments = pieces.map((p, i) => {
    const share = formatThousandths(shares[i]!)
    return { tariffId: p.v.id, from: dateOf(p.from), to: dateOf(p.to), days: days[i]!, quantity: share, price: p.v.price, amount: multiplyToKopecks(multiplyDecimals(share, coefficient), p.v.price) }
  })
  return { segments, amount: segments.reduce((sum, s) => sum + s.amount, 0n) }
}
