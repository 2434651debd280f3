/**
 * Account-number formats. Each supplier prints its numbers in one full form (a pattern) and may
 * let customers type a short form that expands by prefix and zero padding: at the Novosibirsk
 * water utility `7785` (private sector) is `11-0007785`. Pure functions: no I/O.
 */
export interface AccountNumberFormat {
  /** Regular expression of the full form; anchored here even when written without ^ and $. */
  pattern: string
  example: string
  shortForm: { pattern: string; prefix: string; padLength: number } | null
}

export type NormalizedAccountNumber = { ok: true; number: string } | { ok: false; reason: string }

const DASHES = /[\u2010-\u2015\u2212\uFE63\uFF0D]/g

// Imports check a million numbers against a handful of patterns: each is compiled once.
const compiled = new Map<string, RegExp>()

function anchored(pattern: string): RegExp {
  let regex = compiled.get(pattern)
  if (!regex) {
    regex = new RegExp(`^(?:${pattern.replace(/^\^/, '').replace(/\$$/, '')})$`)
    if (compiled.size > 1000) compiled.clear()
    compiled.set(pattern, regex)
  }
  return regex
}

/** Cleans what a person typed or a bank sent: spaces, typographic dashes, letter case. */
export function cleanAccountNumber(input: string): string {
  return input.normalize('NFKC').replace(DASHES, '-').replace(/\s+/g, '').toUpperCase()
}

export function normalizeAccountNumber(input: string, format: AccountNumberFormat): NormalizedAccountNumber {
  const cleaned = cleanAccountNumber(input)
  if (cleaned === '') return { ok: false, reason: 'The account number is empty.' }
  const full = anchored(format.pattern)
  if (full.test(cleaned)) return { ok: true, number: cleaned }
  // Digits typed without the separators of the printed form ("12 0012346", "120012346") are
  // laid into the example's shape ("11-0007785").
  const digits = cleaned.replace(/-/g, '')
  const shape = format.example
  if (/^\d+$/.test(digits) && /^[\d-]+$/.test(shape) && shape.replace(/-/g, '').length === digits.length) {
    let i = 0
    const shaped = shape.replace(/\d/g, () => digits[i++]!)
    if (full.test(shaped)) return { ok: true, number: shaped }
  }
  const short = format.shortForm
  if (short && anchored(short.pattern).test(cleaned)) {
    const expanded = short.prefix + cleaned.padStart(short.padLength, '0')
    if (full.test(expanded)) return { ok: true, number: expanded }
  }
  return { ok: false, reason: `The account number does not match this supplier's format, e.g. ${format.example}.` }
}

/** The columns a supplier keeps its format in. */
export interface SupplierFormatColumns {
  accountNumberPattern: string
  accountNumberExample: string
  accountNumberShortPattern: string | null
  accountNumberShortPrefix: string | null
  accountNumberShortPadLength: number | null
}

export function accountNumberFormatOf(supplier: SupplierFormatColumns): AccountNumberFormat {
  const { accountNumberShortPattern: pattern, accountNumberShortPrefix: prefix, accountNumberShortPadLength: padLength } = supplier
  return {
    pattern: supplier.accountNumberPattern,
    example: supplier.accountNumberExample,
    shortForm: pattern && padLength ? { pattern, prefix: prefix ?? '', padLength } : null,
  }
}
