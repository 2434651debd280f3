/**
 * Exact money. An amount is a whole number of kopecks (bigint); it enters and leaves the program
 * as a decimal string ("1234.56"), the way PostgreSQL numerics and the API write it. No float
 * ever holds an amount: 0.1 + 0.2 is not 0.3 in binary, and a kopeck lost per account is real money.
 */

export type Kopecks = bigint

const AMOUNT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

/** "1234.56" → 123456n, "-0.5" → -50n; null for anything else, and for more than two decimals. */
export function parseKopecks(amount: string): Kopecks | null {
  const match = AMOUNT.exec(amount)
  if (!match) return null
  const [, sign, whole, fraction = ''] = match
  const kopecks = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'))
  return sign ? -kopecks : kopecks
}

const WRITTEN = /^-?(\d+)(?:\.(\d+))?$/

/**
 * A decimal as people and spreadsheets write it in a register file: "1 234,567" → "1234.567"
 * (spaces and no-break spaces between digit groups, a comma or a point), with at most `digits`
 * digits before the point and `scale` after, as a numeric(digits + scale, scale) holds; null for
 * anything else. The digits are kept as written: exact, never through a float.
 */
export function parseWrittenDecimal(text: string, digits: number, scale: number): string | null {
  const compact = text.replace(/[\s\u00a0]/g, '').replace(',', '.')
  const match = WRITTEN.exec(compact)
  if (!match || match[1]!.length > digits || (match[2]?.length ?? 0) > scale) return null
  return compact
}

/** An amount as written in a register file ("1 234,56", "1234.5", "-300"): at most 12 digits before the point and 2 after. */
export function parseWrittenAmount(text: string): Kopecks | null {
  const decimal = parseWrittenDecimal(text, 12, 2)
  return decimal === null ? null : parseKopecks(decimal)
}

/** As `parseKopecks`, for amounts that are exact by construction (a numeric(…, 2) from the database). */
export function toKopecks(amount: string): Kopecks {
  const kopecks = parseKopecks(amount)
  if (kopecks === null) throw new RangeError(`not an amount of money: ${JSON.stringify(amount)}`)
  return kopecks
}

/** 123456n → "1234.56", -50n → "-0.50": the Money string of the API. */
export function formatKopecks(kopecks: Kopecks): string {
  const negative = kopecks < 0n
  const abs = negative ? -kopecks : kopecks
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}

export function addKopecks(a: Kopecks, b: Kopecks): Kopecks {
  return a + b
}

export function subtractKopecks(a: Kopecks, b: Kopecks): Kopecks {
  return a - b
}

export function sumKopecks(amounts: Iterable<Kopecks>): Kopecks {
  let total = 0n
  for (const amount of amounts) total += amount
  return total
}

/** An exact decimal as an integer and its number of decimals: "-1.250" → { units: -1250n, scale: 3 }. */
function parseDecimal(value: string): { units: bigint; scale: number } {
  const match = DECIMAL.exec(value)
  if (!match) throw new RangeError(`not an exact decimal: ${JSON.stringify(value)}`)
  const [, sign, whole, fraction = ''] = match
  const units = BigInt(whole! + fraction)
  return { units: sign ? -units : units, scale: fraction.length }
}

/** a × b exactly, as a decimal string with the decimals of both: "2.500" × "1.5" → "3.7500". */
export function multiplyDecimals(a: string, b: string): string {
  const x = parseDecimal(a)
  const y = parseDecimal(b)
  const product = x.units * y.units
  const scale = x.scale + y.scale
  const negative = product < 0n
  const digits = (negative ? -product : product).toString().padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return negative ? `-${text}` : text
}

/**
 * quantity × price in kopecks, rounded half-up: a half kopeck or more counts as a whole one, on
 * the magnitude (−0.005 → −0.01), which is what PostgreSQL's round(numeric, 2) does, so a charge
 * computed here and one computed in SQL agree. Takes any exact decimals, e.g. numeric(14,3) × numeric(12,4).
 */
export function multiplyToKopecks(quantity: string, price: string): Kopecks {
  const q = parseDecimal(quantity)
  const p = parseDecimal(price)
  const product = q.units * p.units
  const scale = q.scale + p.scale
  if (scale <= 2) return product * 10n ** BigInt(2 - scale)
  const divisor = 10n ** BigInt(scale - 2)
  const negative = product < 0n
  const abs = negative ? -product : product
  const rest = abs % divisor
  const rounded = abs / divisor + (rest * 2n >= divisor ? 1n : 0n)
  return negative ? -rounded : rounded
}

/** Rubles as Russian documents print them: 1 234,56 ₽ (no-break spaces between thousands, a true minus sign). */
export function rubles(amount: Kopecks | string): string {
  const text = formatKopecks(typeof amount === 'string' ? toKopecks(amount) : amount)
  const negative = text.startsWith('-')
  const [whole, fraction] = text.replace('-', '').split('.') as [string, string]
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')
  return `${negative ? '−' : ''}${grouped},${fraction} ₽`
}
